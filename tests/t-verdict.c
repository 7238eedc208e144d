/*
 * t-verdict.c - unit tests of the classifier and the providers' signatures
 *
 * Rows are our own texts modelled on the shared corpus (documentation
 * IPs).  A second section runs ../shared/corpus/maillog/dsn-snippets.tsv
 * when the corpus is there ($MILTER_DELIST_CORPUS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "labels.h"
#include "provider.h"
#include "util.h"
#include "verdict.h"

#define C VERDICT_MS_CONSUMER
#define M VERDICT_MS_365
#define N VERDICT_PROVIDER_NONE

struct row {
	const char *name;
	const char *text;
	const char *remote_mta;
	const char *rcpt_domain;
	enum verdict_provider provider;
	enum verdict_kind kind;
	const char *code;
	const char *status;
	const char *token;
	const char *ip;
	enum verdict_remedy remedy;
	int reply_code;
};

/* clang-format off */
static const struct row rows[] = {
/* --- Outlook.com block list ------------------------------------------ */
{"consumer S3150 postfix folded",
 "host outlook-com.olc.protection.outlook.com[52.101.41.20] said: 550 5.7.1\n"
 "    Unfortunately, messages from [203.0.113.5] weren't sent. Please contact\n"
 "    your Internet service provider since part of their network is on our block\n"
 "    list (S3150). You can also refer your provider to\n"
 "    http://mail.live.com/mail/troubleshooting.aspx#errors. [Name=Protocol\n"
 "    Filter Agent][AGT=PFA][MxId=11BC000000000000]\n"
 "    [BN3PEPF0000B077.namprd04.prod.outlook.com 2025-11-25T08:06:40.951Z\n"
 "    08DE2A19D02BF789] (in reply to MAIL FROM command)",
 NULL, NULL, C, VERDICT_BLOCK, "S3150", "5.7.1", "S3150", "203.0.113.5",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"consumer S3140 diagnostic-code with remote MTA",
 "550 5.7.1 Unfortunately, messages from [198.51.100.14] weren't sent. Please "
 "contact your Internet service provider since part of their network is on "
 "our block list (S3140). You can also refer your provider to "
 "http://mail.live.com/mail/troubleshooting.aspx#errors. "
 "[DB8EUR06FT039.eop-eur06.prod.protection.outlook.com]",
 "hotmail-com.olc.protection.outlook.com", "hotmail.com", C, VERDICT_BLOCK,
 "S3140", "5.7.1", "S3140", "198.51.100.14", VERDICT_SENDER_SUPPORT_FORM, 550},
{"consumer AS3140 wording only",
 "5.7.1 Unfortunately, messages from [192.0.2.77] weren't sent. Please contact "
 "your Internet service provider since part of their network is on our block "
 "list (AS3140).",
 NULL, NULL, C, VERDICT_BLOCK, "AS3140", "5.7.1", "AS3140", "192.0.2.77",
 VERDICT_SENDER_SUPPORT_FORM, 0},
{"consumer AS3150 IP removed",
 "\"550 5.7.1 Unfortunately, messages from  weren't sent. Please contact your "
 "Internet service provider since part of their network is on our block list "
 "(AS3150)\"",
 NULL, NULL, C, VERDICT_BLOCK, "AS3150", "5.7.1", "AS3150", "",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"sendmail log cuts the token",
 "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please "
 "contact your Internet serv...ail.live.com/mail/troubleshooting.aspx#errors. "
 "[DB5EUR03FT012...]",
 "hotmail-com.olc.protection.outlook.com", "outlook.com", C, VERDICT_BLOCK,
 "5.7.1", "5.7.1", "", "203.0.113.5", VERDICT_SENDER_SUPPORT_FORM, 550},
{"curly apostrophe",
 "550 5.7.1 Unfortunately, messages from [192.0.2.8] weren\xE2\x80\x99t sent. "
 "Please contact your Internet service provider (S3150)",
 NULL, NULL, C, VERDICT_BLOCK, "S3150", "5.7.1", "S3150", "192.0.2.8",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"reply code rewritten 550 -> 450",
 "450 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please "
 "contact your Internet service provider since part of their network is on "
 "our block list (S3150).",
 "outlook-com.olc.protection.outlook.com", NULL, C, VERDICT_BLOCK, "S3150",
 "5.7.1", "S3150", "203.0.113.5", VERDICT_SENDER_SUPPORT_FORM, 450},
{"550 at the greeting",
 "host eur.olc.protection.outlook.com[52.101.68.24] refused to talk to me: "
 "550 5.7.1 Unfortunately, messages from [198.51.100.3] weren't sent. Please "
 "contact your Internet service provider since part of their network is on "
 "our block list (S3140).",
 NULL, "live.fr", C, VERDICT_BLOCK, "S3140", "5.7.1", "S3140",
 "198.51.100.3", VERDICT_SENDER_SUPPORT_FORM, 550},
{"reply code and status on two lines, doubled ]]",
 "host eur.olc.protection.outlook.com[104.47.4.33] said: 550\n"
 "    5.7.1 Unfortunately, messages from [***.***.***.***]] weren't sent. "
 "Please\n    contact your Internet service provider since part of their "
 "network is on\n    our block list (S3150).",
 NULL, NULL, C, VERDICT_BLOCK, "S3150", "5.7.1", "S3150", "",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"anonymised h- relay: wording decides",
 "host h-bbc4b9165ca87161771776f10f217c9a551bfc[254.112.58.83] said: 550 "
 "5.7.1 Unfortunately, messages from [192.0.2.33] weren't sent. Please "
 "contact your Internet service provider since part of their network is on "
 "our block list (S3140). You can also refer your provider to "
 "http://h-bf95c9858d74b/mail/h-e31a9bc2edad69eb7ae5#errors.",
 "h-bbc4b9165ca87161771776f10f217c9a551bfc", "h-7db8006395b.com", C,
 VERDICT_BLOCK, "S3140", "5.7.1", "S3140", "192.0.2.33",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"transport map relay 127.0.0.1",
 "550 5.7.1 Unfortunately, messages from [203.0.113.12] weren't sent. Please "
 "contact your Internet service provider since part of their network is on "
 "our block list (S3150).",
 "127.0.0.1", "hotmail.de", C, VERDICT_BLOCK, "S3150", "5.7.1", "S3150",
 "203.0.113.12", VERDICT_SENDER_SUPPORT_FORM, 550},
{"IPv6 sender",
 "550 5.7.1 Unfortunately, messages from [2001:DB8::25] weren't sent. (S3150)",
 NULL, NULL, C, VERDICT_BLOCK, "S3150", "5.7.1", "S3150", "2001:db8::25",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"IPv6 with IPv6: prefix",
 "550 5.7.1 Unfortunately, messages from [IPv6:2001:db8::26] weren't sent. "
 "(S3140)",
 NULL, NULL, C, VERDICT_BLOCK, "S3140", "5.7.1", "S3140", "2001:db8::26",
 VERDICT_SENDER_SUPPORT_FORM, 550},
/* --- legacy Hotmail codes -------------------------------------------- */
{"SC-001 IP without brackets",
 "host mx3.hotmail.com[65.54.188.126] said: 550 SC-001\n"
 "    (BAY004-MC4F27) Unfortunately, messages from 198.51.100.7 weren't sent.\n"
 "    Please contact your Internet service provider since part of their "
 "network\n    is on our block list.",
 NULL, NULL, C, VERDICT_BLOCK, "SC-001", "", "SC-001", "198.51.100.7",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"SC-002 namespace mining, no IP",
 "550 SC-002 (SNT0-MC3-F12) Mail rejected by Windows Live Hotmail for policy "
 "reasons. The mail server IP connecting to Windows Live Hotmail has "
 "exhibited namespace mining behavior.",
 "mx2.hotmail.com", NULL, C, VERDICT_BLOCK, "SC-002", "", "SC-002", "",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"SC-003 open relay",
 "550 SC-003 (COL0-MC2-F7) Mail rejected by Windows Live Hotmail for policy "
 "reasons. Your IP address appears to be an open proxy/relay.",
 NULL, "msn.com", C, VERDICT_BLOCK, "SC-003", "", "SC-003", "",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"SC-004 complaints, no enhanced status",
 "<<< 550 SC-004 (COL0-MC1-F1) Unfortunately, messages from 192.0.2.44 "
 "weren't sent. We recommend that you contact your Internet service "
 "provider. The problem is that too many unwanted messages have been sent "
 "from the following IP address above.",
 NULL, "hotmail.co.jp", C, VERDICT_BLOCK, "SC-004", "", "SC-004",
 "192.0.2.44", VERDICT_SENDER_SUPPORT_FORM, 550},
{"OU-001",
 "550 OU-001 (SNT0-MC4-F14) Unfortunately, messages from 198.51.100.61 "
 "weren't sent. Please contact your Internet service provider.",
 NULL, NULL, C, VERDICT_BLOCK, "OU-001", "", "OU-001", "198.51.100.61",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"OU-002",
 "550 OU-002 Mail rejected by Windows Live Hotmail for policy reasons. "
 "Reasons for rejection may be related to content with spam-like "
 "characteristics or IP/domain reputation problems.",
 "mx1.hotmail.com", NULL, C, VERDICT_BLOCK, "OU-002", "", "OU-002", "",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"DY-001 dynamic IP",
 "550 DY-001 (BAY0-MC1-F3) Unfortunately, messages from 198.51.100.129 "
 "weren't sent. We generally do not accept email from dynamic IP's.",
 NULL, NULL, C, VERDICT_BLOCK, "DY-001", "", "DY-001", "198.51.100.129",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"DY-002 compromised",
 "550 DY-002 (COL0-MC5-F28) Unfortunately, messages from 203.0.113.80 "
 "weren't sent. The IP address sending this message appears to have been "
 "compromised.",
 NULL, NULL, C, VERDICT_BLOCK, "DY-002", "", "DY-002", "203.0.113.80",
 VERDICT_SENDER_SUPPORT_FORM, 550},
{"RP-001 legacy rate limit",
 "421 RP-001 (BAY004-MC1F26) Unfortunately, some messages from 192.0.2.61 "
 "weren't sent. Please try again. We have limits for how many messages can "
 "be sent per hour and per day.",
 "mx4.hotmail.com", NULL, C, VERDICT_RATELIMIT, "RP-001", "", "RP-001",
 "192.0.2.61", VERDICT_WAIT, 421},
{"RP-002", "421 RP-002 (SNT004-MC2F3) Unfortunately, some messages from "
 "[192.0.2.62] weren't sent. Please try again later.",
 NULL, NULL, C, VERDICT_RATELIMIT, "RP-002", "", "RP-002", "192.0.2.62",
 VERDICT_WAIT, 421},
{"RP-003", "421 RP-003 (COL004-MC3F9) Unfortunately, some messages from "
 "192.0.2.63 weren't sent. Please try again.",
 NULL, NULL, C, VERDICT_RATELIMIT, "RP-003", "", "RP-003", "192.0.2.63",
 VERDICT_WAIT, 421},
/* --- Outlook.com rate limits ----------------------------------------- */
{"4.7.650 S3113, Microsoft's MX IP first",
 "host outlook-com.olc.protection.outlook.com[52.101.68.1] said: 451 4.7.650 "
 "The\n    mail server [192.0.2.25] has been temporarily rate limited due to "
 "IP\n    reputation. For e-mail delivery information, see\n"
 "    https://postmaster.live.com (S3113)",
 NULL, NULL, C, VERDICT_RATELIMIT, "S3113", "4.7.650", "S3113",
 "192.0.2.25", VERDICT_SENDER_SUPPORT_FORM, 451},
{"4.7.651 S844 postfix log text",
 "host hotmail-com.olc.protection.outlook.com[104.47.57.161] said: 451 "
 "4.7.651 The mail server [198.51.100.165] has been temporarily rate limited "
 "due to IP reputation. For e-mail delivery information, see "
 "https://postmaster.live.com (S844) [DM6NAM11FT088.eop-nam11.prod."
 "protection.outlook.com 2023-10-28T12:19:31.847Z 08DBD70830F39917] (in "
 "reply to RCPT TO command)",
 "hotmail-com.olc.protection.outlook.com", "hotmail.com", C,
 VERDICT_RATELIMIT, "S844", "4.7.651", "S844", "198.51.100.165",
 VERDICT_SENDER_SUPPORT_FORM, 451},
{"4.7.650 S775 exim with invalid IP",
 "H=hotmail-com.olc.protection.outlook.com [52.101.73.17]: SMTP error from "
 "remote mail server after pipelined MAIL FROM:<a@example.org> SIZE=4169: "
 "451 4.7.650 The mail server [999.999.999.999] has been temporarily rate "
 "limited due to IP reputation. For e-mail delivery information, see "
 "https://aka.ms/postmaster (S775) [Name=Protocol Filter Agent][AGT=PFA]",
 NULL, NULL, C, VERDICT_RATELIMIT, "S775", "4.7.650", "S775", "",
 VERDICT_SENDER_SUPPORT_FORM, 451},
{"4.7.651 S3114 masked x.xx.xx.xx",
 "451 4.7.651 The mail server [x.xx.xx.xx] has been temporarily rate "
 "limited due to IP reputation. (S3114) [#.prod.outlook.com #]",
 NULL, NULL, C, VERDICT_RATELIMIT, "S3114", "4.7.651", "S3114", "",
 VERDICT_SENDER_SUPPORT_FORM, 451},
{"4.7.650 partial IP [.1], bracket never closed",
 "4.7.650 The mail server [.1] has been temporarily rate limited due to IP "
 "reputation. (S775) [CH1PEPF0000AD79.namprd04.prod.outlook.com "
 "2025-06-30T18:23:32.550Z 08DDB689A9F646F6",
 NULL, NULL, C, VERDICT_RATELIMIT, "S775", "4.7.650", "S775", "",
 VERDICT_SENDER_SUPPORT_FORM, 0},
{"4.7.652 S3115 connections",
 "451 4.7.652 The mail server [203.0.113.5] has exceeded the maximum number "
 "of connections. (S3115) [AM4PEPF00027A5F.eurprd04.prod.outlook.com]",
 NULL, NULL, C, VERDICT_RATELIMIT, "S3115", "4.7.652", "S3115",
 "203.0.113.5", VERDICT_WAIT, 451},
{"4.7.500 server busy AS843",
 "host hotmail-com.olc.protection.outlook.com[104.47.41.33] said: 451 "
 "4.7.500 Server busy. Please try again later from [198.51.100.245]. "
 "(AS843) (in reply to RCPT TO command)",
 NULL, NULL, C, VERDICT_RATELIMIT, "AS843", "4.7.500", "AS843",
 "198.51.100.245", VERDICT_WAIT, 451},
{"4.7.500 server busy S77714, no host",
 "451 4.7.500 Server busy. Please try again later from [192.0.2.140]. "
 "(S77714)",
 NULL, NULL, C, VERDICT_RATELIMIT, "S77714", "4.7.500", "S77714",
 "192.0.2.140", VERDICT_WAIT, 451},
/* --- Microsoft 365 --------------------------------------------------- */
{"5.7.606 banned sending IP",
 "550 5.7.606 Access denied, banned sending IP [198.51.100.222]. To request "
 "removal from this list please visit https://sender.office.com/ and follow "
 "the directions. For more information please go to  "
 "http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609)",
 "example-com.mail.protection.outlook.com", "example.com", M, VERDICT_BAN,
 "AS16012609", "5.7.606", "AS16012609", "198.51.100.222", VERDICT_DELIST_PORTAL,
 550},
{"5.7.649 banned sending IP via smarthost, host without name",
 "host [192.0.2.90] said: 550 5.7.649 Access denied, banned sending IP "
 "[203.0.113.50]. To request removal from this list please visit "
 "https://sender.office.com/ AS(1430)",
 "relay.example.com", "example.net", M, VERDICT_BAN, "AS(1430)", "5.7.649",
 "AS(1430)", "203.0.113.50", VERDICT_DELIST_PORTAL, 550},
{"banned sending IP without status",
 "550 Access denied, banned sending IP [203.0.113.51]. (AS16012609)",
 NULL, NULL, M, VERDICT_BAN, "AS16012609", "", "AS16012609", "203.0.113.51",
 VERDICT_DELIST_PORTAL, 550},
{"5.7.606 masked in the human part, real in Diagnostic-Code",
 "host\n    x.mail.protection.outlook.com[213.199.154.202] said: 550 5.7.606\n"
 "    Access denied, banned sending IP [****]. To request removal\n"
 "Diagnostic-Code: smtp; 550 5.7.606 Access denied, banned sending IP\n"
 "    [198.51.100.170]. To request removal from this list please visit\n"
 "    https://sender.office.com/ (AS16012609)",
 NULL, NULL, M, VERDICT_BAN, "AS16012609", "5.7.606", "AS16012609",
 "198.51.100.170", VERDICT_DELIST_PORTAL, 550},
{"5.7.606 CRLF, IP on the next line",
 "550 5.7.606 Access denied, banned sending IP\r\n [203.0.113.77]. To "
 "request removal from this list please visit https://sender.office.com/",
 "tenant.mx.microsoft", NULL, M, VERDICT_BAN, "5.7.606", "5.7.606", "",
 "203.0.113.77", VERDICT_DELIST_PORTAL, 550},
{"5.7.511 split code, banned sender[IP]",
 "host lalala.mail.protection.outlook.com[192.0.2.1] said: 550 5.7.51 1 "
 "Access denied, banned sender[203.0.113.9]. To request removal from this "
 "list please forward this message to delist@messaging.microsoft.com. For "
 "more information please go to  http://go.microsoft.com/fwlink/?LinkId="
 "526653. AS(1410) [LO2GBR01FT012.eop-gbr01.prod.protection.outlook.com]",
 NULL, NULL, M, VERDICT_BAN, "AS(1410)", "5.7.511", "AS(1410)",
 "203.0.113.9", VERDICT_DELIST_MAIL, 550},
{"5.7.511 clean",
 "550 5.7.511 Access denied, banned sender [198.51.100.11]. To request "
 "removal from this list please forward this message to "
 "delist@messaging.microsoft.com.",
 NULL, NULL, M, VERDICT_BAN, "5.7.511", "5.7.511", "", "198.51.100.11",
 VERDICT_DELIST_MAIL, 550},
{"AS3130 Spamhaus at Outlook.com",
 "outlook-com.olc.protection.outlook.com[52.101.41.20] said: 550 5.7.1\n"
 "    Service unavailable, Client host [192.0.2.23] blocked using Spamhaus. "
 "To\n    request removal from this list see\n"
 "    https://www.spamhaus.org/query/ip/192.0.2.23 (AS3130). [Name=Protocol\n"
 "    Filter Agent][AGT=PFA][MxId=11BBA0D9B700029C]",
 "outlook-com.olc.protection.outlook.com", "outlook.com", C, VERDICT_BLOCK,
 "AS3130", "5.7.1", "AS3130", "192.0.2.23", VERDICT_SPAMHAUS, 550},
{"AS(1440) Spamhaus at Microsoft 365",
 "550 5.7.1 Service unavailable, Client host [198.51.100.40] blocked using "
 "Spamhaus. To request removal from this list see "
 "https://www.spamhaus.org/query/ip/198.51.100.40 AS(1440)",
 "contoso-com.mail.protection.outlook.com", NULL, M, VERDICT_BLOCK,
 "AS(1440)", "5.7.1", "AS(1440)", "198.51.100.40", VERDICT_SPAMHAUS, 550},
{"AS16012611 Spamhaus, masked IP",
 "550 5.7.1 Service unavailable, Client host [XXX.XXX.XXX.XXX] blocked "
 "using Spamhaus. (AS16012611)",
 NULL, NULL, M, VERDICT_BLOCK, "AS16012611", "5.7.1", "AS16012611", "",
 VERDICT_SPAMHAUS, 550},
{"EOP Blocklist 1, delist by mail",
 "550 5.7.1 Service unavailable; Client host [203.0.113.31] blocked using "
 "Blocklist 1; To request removal from this list please forward this "
 "message to delist@messaging.microsoft.com",
 "contoso-com.mail.protection.outlook.com", NULL, M, VERDICT_BLOCK, "5.7.1",
 "5.7.1", "", "203.0.113.31", VERDICT_DELIST_MAIL, 550},
{"4.7.850 access denied, try again later",
 "451 4.7.850 Access denied, please try again later. "
 "[AM6EUR05FT012.eop-eur05.prod.protection.outlook.com]",
 "contoso-com.mail.protection.outlook.com", NULL, M, VERDICT_RATELIMIT,
 "4.7.850", "4.7.850", "", "", VERDICT_WAIT, 451},
{"4.7.5xx access denied, try again later, token only",
 "451 4.7.512 Access denied, please try again later (AS7001)",
 NULL, NULL, M, VERDICT_RATELIMIT, "AS7001", "4.7.512", "AS7001", "",
 VERDICT_WAIT, 451},
/* --- layouts of EDGE-CASES.md ----------------------------------------- */
{"sendmail (reason:) cut, own User unknown after it",
 "(reason: 550 5.7.606 Access denied, banned sending IP [198.51.100.201]. To "
 "request removal from this list plea...tions. For more information please "
 "go to  http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609))\n"
 "550 5.1.1 <a@example.com>... User unknown",
 NULL, "example.com", M, VERDICT_BAN, "AS16012609", "5.7.606", "AS16012609",
 "198.51.100.201", VERDICT_DELIST_PORTAL, 550},
{"CR-only line ends",
 "550 5.7.606 Access denied, banned sending IP\r [192.0.2.202]. To "
 "request\r removal (AS16012609)",
 NULL, NULL, M, VERDICT_BAN, "AS16012609", "5.7.606", "AS16012609",
 "192.0.2.202", VERDICT_DELIST_PORTAL, 550},
{"qmail: host is an IP, server id in brackets",
 "203.0.113.225 does not like recipient.\nRemote host said: 550 5.7.606 "
 "Access denied, banned sending IP [192.0.2.225]. To request removal from "
 "this list please visit https://sender.office.com and follow the "
 "directions. (AS16012609) [NEKO.CAT-JPN22.prod.protection.outlook.com]",
 "203.0.113.225", "example.co.jp", M, VERDICT_BAN, "AS16012609", "5.7.606",
 "AS16012609", "192.0.2.225", VERDICT_DELIST_PORTAL, 550},
{"SC-004 next to raw ISO-2022-JP",
 "\x1b$B%a!<%k\x1b(B <<< 550 SC-004 (COL0-MC1-F1) Unfortunately, messages "
 "from 198.51.100.22 weren't sent. \x1b$B\x1b(B",
 NULL, "hotmail.com", C, VERDICT_BLOCK, "SC-004", "", "SC-004",
 "198.51.100.22", VERDICT_SENDER_SUPPORT_FORM, 550},
{"host and code anonymised: wording only",
 "host mx4.example.org [192.0.2.22]: 550 NN-222 (NEKO-CAT-222) "
 "Unfortunately, messages from 203.0.113.2 weren't sent. Please contact "
 "your Internet service provider since part of their network is on our "
 "block list. You can also refer your provider to "
 "http://example.com/x.html#errors.",
 "mx4.example.org", "example.org", C, VERDICT_BLOCK, "NN-222", "", "NN-222",
 "203.0.113.2", VERDICT_SENDER_SUPPORT_FORM, 550},
{"Exchange Online boilerplate around a third party's 501",
 "Your message wasn't delivered because the recipient's email provider "
 "rejected it. Your email address is suspected of sending spam. Remote "
 "Server returned '501 5.1.8 Sender address rejected'",
 "nijo.example.jp", "example.jp", N, VERDICT_KIND_NONE, "", "5.1.8", "", "",
 VERDICT_REMEDY_NONE, 501},
{"LastAttemptedIP is not a blocked IP",
 "550 5.4.316 Message expired, connection refused "
 "(LastAttemptedIP=192.0.2.107)",
 NULL, "example.jp", N, VERDICT_KIND_NONE, "", "5.4.316", "", "",
 VERDICT_REMEDY_NONE, 550},
{"IP only inside a base64 URL (not Microsoft)",
 "host mxbw.lb.example.ch[192.0.2.50] said: 554 5.2.0 sc969: IP reputation "
 "ratelimit in effect - https://support.example.ch/provider/bounce/"
 "aXA9NS4xMDIuMTQ1LjIzO2M9c2M5Njk7",
 NULL, "example.ch", N, VERDICT_KIND_NONE, "", "5.2.0", "", "",
 VERDICT_REMEDY_NONE, 554},
/* --- which service: host, then recipient domain, then the row -------- */
{"server busy from a Microsoft 365 MX",
 "451 4.7.500 Server busy. Please try again later from [203.0.113.61]. "
 "(AS761)",
 "contoso-com.mail.protection.outlook.com", "contoso.com", M,
 VERDICT_RATELIMIT, "AS761", "4.7.500", "AS761", "203.0.113.61",
 VERDICT_WAIT, 451},
{"Spamhaus, host named in \"NAME[ip] said:\" only",
 "outlook-com.olc.protection.outlook.com[52.101.41.20] said: 550 5.7.1 "
 "Service unavailable, Client host [192.0.2.24] blocked using Spamhaus. "
 "(AS3130)",
 NULL, NULL, C, VERDICT_BLOCK, "AS3130", "5.7.1", "AS3130", "192.0.2.24",
 VERDICT_SPAMHAUS, 550},
{"Spamhaus, recipient domain decides",
 "550 5.7.1 Service unavailable, Client host [192.0.2.25] blocked using "
 "Spamhaus. (AS3130)",
 "127.0.0.1", "live.co.uk", C, VERDICT_BLOCK, "AS3130", "5.7.1", "AS3130",
 "192.0.2.25", VERDICT_SPAMHAUS, 550},
{"banned sending IP: wording beats the recipient domain",
 "550 5.7.606 Access denied, banned sending IP [192.0.2.26].",
 NULL, "hotmail.com", M, VERDICT_BAN, "5.7.606", "5.7.606", "",
 "192.0.2.26", VERDICT_DELIST_PORTAL, 550},
{"first status wins when none follows a reply code",
 "5.7.1 Unfortunately, messages from [192.0.2.27] weren't sent. (S3150) "
 "Status: 5.0.0",
 NULL, NULL, C, VERDICT_BLOCK, "S3150", "5.7.1", "S3150", "192.0.2.27",
 VERDICT_SENDER_SUPPORT_FORM, 0},
{"IP without brackets ends a sentence",
 "550 5.7.606 Access denied, banned sending IP 203.0.113.70. To request "
 "removal visit https://sender.office.com/",
 NULL, NULL, M, VERDICT_BAN, "5.7.606", "5.7.606", "", "203.0.113.70",
 VERDICT_DELIST_PORTAL, 550},
/* --- Microsoft, but not a block -------------------------------------- */
{"5.7.515 authentication level, truncated",
 "550 5.7.515 Access denied, sending domain MAIL.EXAMPLE.ORG doesn't meet "
 "the required authentication level. Spf= Fail , Dkim= Pass , DMARC= Pass "
 "[0000000000000.JPNP255.PROD.OUTLOOK.COM 20",
 NULL, "contoso.onmicrosoft.com", M, VERDICT_AUTH, "5.7.515", "5.7.515", "",
 "", VERDICT_FIX_AUTH, 550},
{"5.7.509 DMARC",
 "550 5.7.509 Access denied, sending domain [EXAMPLE.ORG] does not pass "
 "DMARC verification and has a DMARC policy of reject. "
 "[TY1P286MB3121.JPNP286.PROD.OUTLOOK.COM 2024-06-24T08:58:06.389Z]",
 "apc.olc.protection.outlook.com", "outlook.com", C, VERDICT_AUTH, "5.7.509",
 "5.7.509", "", "", VERDICT_FIX_AUTH, 550},
{"5.4.1 recipient rejected, token only",
 "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) "
 "[HE1EUR02FT003.eop-EUR02.prod.protection.outlook.com]",
 NULL, NULL, M, VERDICT_NOT_A_BLOCK, "AS(201806281)", "5.4.1",
 "AS(201806281)", "", VERDICT_REMEDY_NONE, 550},
{"5.4.1 recipient rejected, folded, MX IP in brackets",
 "host example-org.mail.protection.outlook.com[198.51.100.2] said: 550 "
 "5.4.1\n    <user@example.org>: Recipient address rejected: Access denied\n"
 "    [BL2NAM02FT061.eop-nam02.prod.protection.outlook.com]",
 NULL, NULL, M, VERDICT_NOT_A_BLOCK, "5.4.1", "5.4.1", "", "",
 VERDICT_REMEDY_NONE, 550},
{"5.4.1 all recipient addresses rejected",
 "550 5.4.1 All recipient addresses rejected : Access denied "
 "[NEKONYAAN.cat-JPN22.prod.protection.outlook.com]",
 NULL, "example.org", M, VERDICT_NOT_A_BLOCK, "5.4.1", "5.4.1", "", "",
 VERDICT_REMEDY_NONE, 550},
{"5.1.10 recipient not found",
 "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP "
 "address lookup",
 NULL, "example.com", M, VERDICT_NOT_A_BLOCK, "5.1.10", "5.1.10", "", "",
 VERDICT_REMEDY_NONE, 550},
{"5.1.1 RecipNotFound at an onmicrosoft.com tenant",
 "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'",
 NULL, "example.onmicrosoft.com", M, VERDICT_NOT_A_BLOCK, "5.1.1", "5.1.1",
 "", "", VERDICT_REMEDY_NONE, 550},
{"5.5.0 mailbox unavailable at mx4.hotmail.com",
 "host mx4.hotmail.com[65.54.188.110] said: 550\nRequested action not "
 "taken: mailbox unavailable (in reply to RCPT TO\ncommand)",
 NULL, NULL, C, VERDICT_NOT_A_BLOCK, "", "", "", "", VERDICT_REMEDY_NONE,
 550},
{"spaces stripped: 5505.5.0",
 "<x@outlook.com>:host\n    outlook-com.olc.protection.outlook.com"
 "[104.47.56.33]said:5505.5.0\n    Requestedactionnottaken:"
 "mailboxunavailable(S2017062302).(inre=\nplyto\n    RCPTTOcommand)",
 NULL, NULL, C, VERDICT_NOT_A_BLOCK, "S2017062302", "5.5.0", "S2017062302",
 "", VERDICT_REMEDY_NONE, 550},
{"5.7.708 traffic not accepted from this IP: a block, M365 support",
 "Remote Server returned '550 5.7.708 Service unavailable. Access denied, "
 "traffic not accepted from this IP. For more information please go to "
 "http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230) "
 "[BM1PR01MB1076.INDPRD01.PROD.OUTLOOK.COM]'",
 NULL, NULL, M, VERDICT_BLOCK, "AS(7230)", "5.7.708", "AS(7230)", "",
 VERDICT_M365_SUPPORT, 550},
{"5.7.708 as the issue quotes it, no token",
 "550 5.7.708 Service unavailable. Access denied, traffic not accepted from "
 "this IP",
 NULL, NULL, M, VERDICT_BLOCK, "5.7.708", "5.7.708", "", "",
 VERDICT_M365_SUPPORT, 550},
{"S8002 sender domain on Spamhaus",
 "host hotmail-com.olc.protection.outlook.com[104.47.6.33] said: 550 5.7.1 "
 "Service unavailable, MailFrom domain is listed in Spamhaus. To request "
 "removal from this list see https://www.spamhaus.org/query/lookup/ (S8002) "
 "[VE1EUR02FT012.eop-EUR02.prod.protection.outlook.com]",
 NULL, NULL, C, VERDICT_DOMAIN_BLOCK, "S8002", "5.7.1", "S8002", "",
 VERDICT_SPAMHAUS, 550},
{"554 transaction failed at mx3.hotmail.com",
 "554 Transaction failed", "mx3.hotmail.com", "hotmail.example.com", C,
 VERDICT_NOT_A_BLOCK, "", "", "", "", VERDICT_REMEDY_NONE, 554},
{"5.4.14 hop count ATTR34",
 "554 5.4.14 Hop count exceeded - possible mail loop ATTR34 "
 "[TY0PEP000000000.JPNP255.PROD.OUTLOOK.COM 2025-01-06T03:22:22.000Z]",
 NULL, "example.co.jp", M, VERDICT_NOT_A_BLOCK, "ATTR34", "5.4.14",
 "ATTR34", "", VERDICT_REMEDY_NONE, 554},
{"delivered to Outlook.com",
 "250 2.6.0 <a@example.org> [InternalId=157736968921770, Hostname="
 "VI1PR09MB4383.eurprd09.prod.outlook.com] Queued mail for delivery",
 "hotmail-com.olc.protection.outlook.com", "hotmail.com", C,
 VERDICT_KIND_NONE, "", "2.6.0", "", "", VERDICT_REMEDY_NONE, 250},
/* --- not Microsoft --------------------------------------------------- */
{"gmail relaying a cbl lookalike",
 "554 554 5.7.1 Service unavailable; Client host [192.0.2.49] blocked using "
 "cbl.abuseat.org; https://www.abuseat.org/lookup.cgi?ip=192.0.2.49",
 "mx.example.net", "example.net", N, VERDICT_KIND_NONE, "", "5.7.1", "", "",
 VERDICT_REMEDY_NONE, 554},
{"postfix rbl reject with zen.spamhaus.org",
 "host lists.example.info[192.0.2.51] said: 554 5.7.1 Service unavailable; "
 "Client host [198.51.100.9] blocked using zen.spamhaus.org; Error: open "
 "resolver",
 NULL, NULL, N, VERDICT_KIND_NONE, "", "5.7.1", "", "", VERDICT_REMEDY_NONE,
 554},
{"postfix access map: recipient rejected, access denied",
 "host mx.example.org[192.0.2.52] said: 554 5.7.1 <a@example.org>: "
 "Recipient address rejected: Access denied",
 NULL, "example.org", N, VERDICT_KIND_NONE, "", "5.7.1", "", "",
 VERDICT_REMEDY_NONE, 554},
{"third party relayed by Exchange Online",
 "550 5.1.351 Remote server returned unknown recipient or mailbox "
 "unavailable -> 550 <a@example.jp>: User unknown",
 "msmx.example.jp", "example.jp", N, VERDICT_KIND_NONE, "", "5.1.351", "",
 "", VERDICT_REMEDY_NONE, 550},
{"third party: sender domain on Spamhaus",
 "host xxxx.example.com[192.0.2.53] said: 550-5.1.0 MXIN506 MailFrom domain "
 "is listed in Spamhaus. To request removal from this list see https: 550 "
 "5.1.0 //www.spamhaus.org/query/lookup/",
 NULL, NULL, N, VERDICT_KIND_NONE, "", "5.1.0", "", "", VERDICT_REMEDY_NONE,
 550},
{"relay names Microsoft, reply from Google",
 "host ALT2.ASPMX.L.GOOGLE.com[192.0.2.60] said: 452 4.1.1 <a@example.com> "
 "user is over quota, please try again later",
 "example-com.mail.protection.outlook.com", "example.com", N,
 VERDICT_KIND_NONE, "", "4.1.1", "", "", VERDICT_REMEDY_NONE, 452},
{"yahoo TSS04",
 "421 4.7.0 [TSS04] Messages from 192.0.2.108 temporarily deferred due to "
 "user complaints - 4.16.55.1; see https://help.yahoo.com/kb/postmaster/",
 "mta7.am0.yahoodns.net", "yahoo.com", N, VERDICT_KIND_NONE, "", "4.7.0", "",
 "", VERDICT_REMEDY_NONE, 421},
{"third party names our IP in an SPF failure",
 "550 5.1.0 192.0.2.222 is not allowed to send from <example.net> per it's "
 "SPF Record. IB508",
 "mx.example.net", "example.net", N, VERDICT_KIND_NONE, "", "5.1.0", "", "",
 VERDICT_REMEDY_NONE, 550},
{"empty text", "", NULL, NULL, N, VERDICT_KIND_NONE, "", "", "", "",
 VERDICT_REMEDY_NONE, 0},
};
/* clang-format on */

/* Masked or invalid IPs in otherwise valid block texts. */
static const char *const masked[] = {
	"[IP.IP.IP.IP]",
	"999.999.999.999",
	"[.1]",
	"[****]",
	"[x.xx.xx.xx]",
	"85.192.293.100",
	"[***.***.***.***]]",
	"",
	"[XXX.XXX.XXX.XXX]",
	"[1.2.3]",
	"[203.0.113.5.6]",
	"[0010.1.1.1]",
	"[::ffff:1.2.3]",
	"[2001:db8::zz]",
};

/* check_row - classify one row and compare every field */
static void check_row(const struct row *r)
{
	struct verdict v;
	int ret = verdict_classify(r->text, strlen(r->text), r->remote_mta,
				   r->rcpt_domain, &v);

	CHECK_INT(ret, r->provider != N, r->name);
	CHECK_STR(verdict_provider_name(v.provider),
		  verdict_provider_name(r->provider), r->name);
	CHECK_STR(verdict_kind_name(v.kind), verdict_kind_name(r->kind),
		  r->name);
	CHECK_STR(v.code, r->code, r->name);
	CHECK_STR(v.status, r->status, r->name);
	CHECK_STR(v.token, r->token, r->name);
	CHECK_STR(v.ip, r->ip, r->name);
	CHECK_STR(verdict_remedy_name(v.remedy), verdict_remedy_name(r->remedy),
		  r->name);
	CHECK_INT(v.reply_code, r->reply_code, r->name);
	CHECK_INT(verdict_alerts(&v),
		  r->provider != N && (r->kind == VERDICT_BLOCK ||
				       r->kind == VERDICT_RATELIMIT ||
				       r->kind == VERDICT_BAN),
		  r->name);
	CHECK((v.signature != NULL) == (r->provider != N), "%s: signature %s",
	      r->name, v.signature ? v.signature : "NULL");
}

/* test_masked - every masked form gives a block without an IP */
static void test_masked(void)
{
	char text[512];
	struct verdict v;
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(masked); i++) {
		snprintf(text, sizeof(text),
			 "550 5.7.1 Unfortunately, messages from %s weren't "
			 "sent. Please contact your Internet service provider "
			 "since part of their network is on our block list "
			 "(S3150).",
			 masked[i]);
		verdict_classify(text, strlen(text), NULL, NULL, &v);
		CHECK(v.kind == VERDICT_BLOCK && v.ip[0] == '\0',
		      "masked %s: kind %s ip \"%s\"", masked[i],
		      verdict_kind_name(v.kind), v.ip);
	}
}

/* test_prefixes - every prefix of every row, in an exact-size heap
 * buffer so that a read past the end is caught by ASan */
static void test_prefixes(void)
{
	struct verdict v, full;
	size_t i, n, len;

	for (i = 0; i < UTIL_ARRAY_SIZE(rows); i++) {
		len = strlen(rows[i].text);
		verdict_classify(rows[i].text, len, rows[i].remote_mta,
				 rows[i].rcpt_domain, &full);
		for (n = 0; n <= len; n++) {
			char *buf = malloc(n ? n : 1);

			if (!buf)
				abort();
			memcpy(buf, rows[i].text, n);
			verdict_classify(buf, n, rows[i].remote_mta,
					 rows[i].rcpt_domain, &v);
			/* A cut reply may say less, never something else:
			 * no other IP ("[203.0.113.5" of "[203.0.113.50]"),
			 * no alert charged to another provider.  (A prefix
			 * that raises nothing may guess the provider from
			 * the relay host: it claims nothing.) */
			CHECK(!v.ip[0] || !strcmp(v.ip, full.ip),
			      "%s: prefix %zu names IP %s, the text %s",
			      rows[i].name, n, v.ip, full.ip);
			CHECK(!verdict_alerts(&v) ||
				      v.provider == full.provider,
			      "%s: prefix %zu says %s, the text %s",
			      rows[i].name, n,
			      verdict_provider_name(v.provider),
			      verdict_provider_name(full.provider));
			free(buf);
		}
	}
}

/* classify_big - classify a heap copy of a big text; returns seconds */
static double classify_big(const char *buf, size_t len, struct verdict *v)
{
	clock_t t0 = clock();

	verdict_classify(buf, len, NULL, NULL, v);
	return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

/* fill - len bytes of pat repeated, then tail (len includes tail) */
static char *fill(size_t len, const char *pat, const char *tail)
{
	char *buf = malloc(len);
	size_t p = strlen(pat), t = tail ? strlen(tail) : 0, i;

	if (!buf)
		abort();
	for (i = 0; i + t < len; i++)
		buf[i] = pat[i % p];
	if (t)
		memcpy(buf + len - t, tail, t);
	return buf;
}

/* test_hostile - NULs, invalid UTF-8, 1 MB lines, pathological repeats */
static void test_hostile(void)
{
	static const char block[] =
		"550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't "
		"sent. Please contact your Internet service provider since "
		"part of their network is on our block list (S3150).";
	static const char nul_text[] = "550 5.7.1 Unfortunately, messages from "
				       "[203.0.113.5]\0 weren't "
				       "sent.\0\0 block list (S3150)";
	static const char nul_ip[] = "550 5.7.1 Unfortunately, messages from "
				     "[203.0\0.113.5] weren't "
				     "sent. (S3150)";
	static const char bad_utf8[] =
		"\xff\xfe\xc3\x28 550 5.7.1 Unfortunately, messages from "
		"[192.0.2.9] weren't sent \xed\xa0\x80 (S3140) \xE2\x80";
	static const struct {
		const char *pat, *tail;
		enum verdict_kind kind;
		const char *ip;
	} big[] = {
		{"A", block, VERDICT_BLOCK, "203.0.113.5"},
		{"[1.1.1.1", NULL, VERDICT_KIND_NONE, ""},
		{"(S", NULL, VERDICT_KIND_NONE, ""},
		{"(S", block, VERDICT_BLOCK, "203.0.113.5"},
		{"5.7.", NULL, VERDICT_KIND_NONE, ""},
		{"550 5.7.1 ", NULL, VERDICT_KIND_NONE, ""},
		{"messages from [", " weren't sent (S3150)", VERDICT_BLOCK, ""},
		{"messages from [1.1.1.1", " weren't sent", VERDICT_BLOCK, ""},
		{"host ", NULL, VERDICT_KIND_NONE, ""},
		{"host x", NULL, VERDICT_KIND_NONE, ""},
		{"weren't sent ", NULL, VERDICT_KIND_NONE, ""},
		{"messages   messages\n\t", NULL, VERDICT_KIND_NONE, ""},
		{"AS(1", NULL, VERDICT_KIND_NONE, ""},
		{"SC-00", NULL, VERDICT_KIND_NONE, ""},
		{" ", block, VERDICT_BLOCK, "203.0.113.5"},
		{"\xE2\x80", block, VERDICT_BLOCK, "203.0.113.5"},
	};
	struct verdict v;
	size_t i;
	double total = 0;
	char *zeros;

	verdict_classify(nul_text, sizeof(nul_text) - 1, NULL, NULL, &v);
	CHECK(v.kind == VERDICT_BLOCK && strcmp(v.ip, "203.0.113.5") == 0,
	      "NUL inside the text: %s %s", verdict_kind_name(v.kind), v.ip);
	verdict_classify(nul_ip, sizeof(nul_ip) - 1, NULL, NULL, &v);
	CHECK(v.kind == VERDICT_BLOCK && v.ip[0] == '\0',
	      "NUL inside the IP: %s \"%s\"", verdict_kind_name(v.kind), v.ip);
	verdict_classify(bad_utf8, sizeof(bad_utf8) - 1, NULL, NULL, &v);
	CHECK(v.kind == VERDICT_BLOCK && strcmp(v.ip, "192.0.2.9") == 0,
	      "invalid UTF-8: %s %s", verdict_kind_name(v.kind), v.ip);
	zeros = calloc(4096, 1);
	if (!zeros)
		abort();
	CHECK(verdict_classify(zeros, 4096, "\0", "", &v) == 0,
	      "all NUL text is nothing");
	free(zeros);
	CHECK(verdict_classify(NULL, 10, NULL, NULL, &v) == 0, "NULL text");

	for (i = 0; i < UTIL_ARRAY_SIZE(big); i++) {
		size_t len = 1u << 20;
		char *buf = fill(len, big[i].pat, big[i].tail);
		double t = classify_big(buf, len, &v);

		total += t;
		CHECK(v.kind == big[i].kind && strcmp(v.ip, big[i].ip) == 0,
		      "1 MB of \"%s\": kind %s ip \"%s\"", big[i].pat,
		      verdict_kind_name(v.kind), v.ip);
		CHECK(strlen(v.code) < sizeof(v.code) &&
			      strlen(v.status) < sizeof(v.status),
		      "1 MB of \"%s\": bounded fields", big[i].pat);
		free(buf);
	}
	printf("hostile: %zu texts of 1 MB classified in %.2f s\n",
	       UTIL_ARRAY_SIZE(big), total);
}

/* test_domains - consumer recipient domains and MX names */
static void test_domains(void)
{
	static const char *const yes[] = {
		"hotmail.com", "hotmail.co.uk",	  "hotmail.fr",
		"live.fr",     "outlook.de",	  "hotmail.de",
		"msn.com",     "windowslive.com", "passport.com",
		"live.com.au", "OUTLOOK.COM",	  "hotmail.com.",
		"outlook.jp",  "live.com"};
	static const char *const no[] = {"example.com",
					 "nothotmail.com",
					 "mail.hotmail.com",
					 "hotmail",
					 "",
					 "msn.com.example.org",
					 "onmicrosoft.com",
					 "outlook",
					 "gmail.com"};
	static const struct {
		const char *host;
		enum verdict_provider p;
	} mx[] = {
		{"hotmail-com.olc.protection.outlook.com", C},
		{"eur.olc.protection.outlook.com", C},
		{"apc.olc.protection.outlook.com.", C},
		{"mx1.hotmail.com", C},
		{"MX4.HOTMAIL.COM", C},
		{"example-com.mail.protection.outlook.com", M},
		{"contoso.mx.microsoft", M},
		{"hotmail-com.olc.protection.outlook.com[104.47.10.33]:25", C},
		{"DB5EUR03FT029.eop-EUR03.prod.protection.outlook.com", N},
		{"BN3PEPF0000B077.namprd04.prod.outlook.com", N},
		{"mail.protection.outlook.com.example.org", N},
		{"notmx.microsoft.example", N},
		{"h-bbc4b9165ca87161771776f10f217c9a551bfc", N},
		{"127.0.0.1", N},
		{"", N},
		{NULL, N},
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(yes); i++)
		CHECK(verdict_consumer_domain(yes[i]), "consumer %s", yes[i]);
	for (i = 0; i < UTIL_ARRAY_SIZE(no); i++)
		CHECK(!verdict_consumer_domain(no[i]), "not consumer %s",
		      no[i]);
	CHECK(!verdict_consumer_domain(NULL), "NULL domain");
	for (i = 0; i < UTIL_ARRAY_SIZE(mx); i++)
		CHECK(verdict_mx_provider(mx[i].host) == mx[i].p, "mx %s",
		      mx[i].host ? mx[i].host : "NULL");
}

/* test_names - names, labels, URLs and their reverse lookups */
static void test_names(void)
{
	int i;

	CHECK_STR(verdict_provider_name(C), "microsoft-consumer", "name");
	CHECK_STR(verdict_provider_name(M), "microsoft-365", "name");
	CHECK_STR(verdict_provider_name(N), "none", "name");
	CHECK_STR(verdict_provider_label(C), "Outlook.com", "label");
	CHECK_STR(verdict_provider_label(M), "Microsoft 365", "label");
	CHECK_STR(verdict_kind_name(VERDICT_DOMAIN_BLOCK), "domain-block",
		  "kind");
	CHECK_STR(verdict_kind_name(VERDICT_NOT_A_BLOCK), "not-a-block",
		  "kind");
	CHECK_STR(verdict_remedy_name(VERDICT_FIX_AUTH), "fix-authentication",
		  "remedy");
	CHECK_STR(verdict_remedy_url(VERDICT_DELIST_PORTAL),
		  "https://sender.office.com/", "url");
	CHECK_STR(verdict_remedy_url(VERDICT_DELIST_MAIL),
		  "mailto:delist@messaging.microsoft.com", "url");
	CHECK_STR(verdict_remedy_url(VERDICT_SENDER_SUPPORT_FORM),
		  "https://olcsupport.office.com/", "url");
	CHECK_STR(verdict_remedy_url(VERDICT_REMEDY_NONE), "", "url");
	for (i = 0; i <= VERDICT_MS_365; i++)
		CHECK_INT(verdict_provider_from_name(verdict_provider_name(i)),
			  i, "provider round trip");
	for (i = 0; i <= VERDICT_NOT_A_BLOCK; i++)
		CHECK_INT(verdict_kind_from_name(verdict_kind_name(i)), i,
			  "kind round trip");
	for (i = 0; i <= VERDICT_M365_SUPPORT; i++) {
		CHECK_INT(verdict_remedy_from_name(verdict_remedy_name(i)), i,
			  "remedy round trip");
		CHECK(i == 0 ||
			      strncmp(verdict_remedy_url(i), "http", 4) == 0 ||
			      strncmp(verdict_remedy_url(i), "mailto:", 7) == 0,
		      "remedy %d has a URL", i);
	}
	/* the provider table is in enum order, each row found by name */
	for (i = 0; i < provider_count(); i++) {
		CHECK_INT(provider_get((enum verdict_provider)i)->id, i,
			  "provider row order");
		CHECK_INT(verdict_provider_from_name(verdict_provider_name(
				  (enum verdict_provider)i)),
			  i, "provider round trip");
	}
	CHECK_INT(provider_count(), VERDICT_MS_365 + 1, "provider rows");
	CHECK_INT(verdict_provider_from_name("gmail"), -1, "unknown provider");
	CHECK_INT(verdict_kind_from_name(NULL), -1, "NULL kind");
	CHECK_INT(verdict_remedy_from_name(""), -1, "empty remedy");
	CHECK_STR(verdict_kind_name((enum verdict_kind)99), "", "out of range");
	CHECK(!verdict_alerts(NULL), "NULL verdict does not alert");
}

/* ---------------------------------------------------------------------
 * Corpus: maillog/dsn-snippets.tsv
 */

/* unescape - \n \t \\ in place; then unfold ("\n" + blank -> blank) */
static size_t unescape(char *s)
{
	size_t i, n = 0;

	for (i = 0; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1]) {
			i++;
			s[n++] = s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i];
		} else {
			s[n++] = s[i];
		}
	}
	s[n] = '\0';
	for (i = 0, n = 0; s[i]; i++)
		if (!(s[i] == '\n' && (s[i + 1] == ' ' || s[i + 1] == '\t')))
			s[n++] = s[i];
	s[n] = '\0';
	return n;
}

/* corpus_dir - $MILTER_DELIST_CORPUS or $srcdir/../shared/corpus */
static const char *corpus_dir(char *buf, size_t size)
{
	const char *env = getenv("MILTER_DELIST_CORPUS");
	struct stat st;

	if (env && *env)
		snprintf(buf, size, "%s", env);
	else
		check_path(buf, size, "../shared/corpus");
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

/* test_snippets - every row of dsn-snippets.tsv */
static void test_snippets(void)
{
	char dir[4096], path[4200], why[256];
	char *data, *line, *next;
	int total = 0, agree = 0, doubtful = 0;

	if (!corpus_dir(dir, sizeof(dir))) {
		printf("dsn-snippets: corpus not found, skipped\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/maillog/dsn-snippets.tsv", dir);
	data = check_slurp(path, NULL);
	CHECK(data != NULL, "cannot read %s", path);
	if (!data)
		return;
	line = strchr(data, '\n'); /* skip the header */
	for (line = line ? line + 1 : NULL; line && *line; line = next) {
		char *f[8] = {NULL};
		struct verdict v;
		size_t len;
		int i, ok, unsure;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (i = 0, f[0] = line; i < 7 && f[i]; i++) {
			f[i + 1] = strchr(f[i], '\t');
			if (f[i + 1])
				*f[i + 1]++ = '\0';
		}
		if (!f[5])
			continue;
		len = unescape(f[1]);
		verdict_classify(f[1], len, NULL, NULL, &v);
		total++;
		ok = label_agrees(f[2], f[3], f[4], f[5], &v, why, sizeof(why));
		unsure = strchr(f[2], '?') || strchr(f[3], '?');
		if (ok) {
			agree++;
		} else if (unsure) {
			doubtful++;
			printf("dsn-snippets: doubtful row %d (%s %s %s): %s\n",
			       total, f[2], f[3], f[4], why);
		} else {
			CHECK(0, "dsn-snippets row %d (%s %s %s %s): %s", total,
			      f[2], f[3], f[4], f[5], why);
		}
	}
	printf("dsn-snippets: agreements %d/%d (%d doubtful)\n", agree, total,
	       doubtful);
	free(data);
}

int main(void)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(rows); i++)
		check_row(&rows[i]);
	test_masked();
	test_prefixes();
	test_hostile();
	test_domains();
	test_names();
	test_snippets();
	return check_done("t-verdict");
}
