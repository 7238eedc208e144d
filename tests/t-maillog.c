/*
 * t-maillog.c - unit tests of the mail log line parser
 *
 * A table of Postfix and Sendmail lines (our own, modelled on the shared
 * corpus, with documentation addresses) run under several time zones;
 * round trips of classic syslog stamps; every prefix of every row and
 * seeded random mutations (the parser must never read outside the line);
 * hostile megabyte lines against a time budget; then, when the shared
 * corpus is present, every labelled row of maillog/real-lines.tsv.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* setenv, tzset, localtime_r, memmem */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "maillog.h"

/* 2026-01-20 12:00:00 UTC: "now" for every table row */
#define NOW 1768910400

#define HOTMAIL_MX "hotmail-com.olc.protection.outlook.com"
#define OUTLOOK_MX "outlook-com.olc.protection.outlook.com"

#define S3150_TEXT                                                             \
	"550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. "  \
	"Please contact your Internet service provider since part of their "   \
	"network is on our block list (S3150). You can also refer your "       \
	"provider to http://mail.live.com/mail/troubleshooting.aspx#errors. "  \
	"[DB5EUR03FT029.eop-EUR03.prod.protection.outlook.com]"

#define RATE_TEXT                                                              \
	"451 4.7.650 The mail server [203.0.113.5] has been temporarily "      \
	"rate limited due to IP reputation. For e-mail delivery "              \
	"information, see https://aka.ms/postmaster (S775)"

struct row {
	const char *name;
	const char *line;
	int ret;
	enum maillog_status status;
	enum maillog_mta mta;
	/* For ret == 1 every string is compared; NULL means "". */
	const char *qid, *rcpt, *domain, *relay_host, *relay_ip, *dsn;
	const char *reply_host; /* the host in "host X said:" */
	/* Text: must start / end / contain / not contain; all NULL: no
	 * text at all. */
	const char *start, *end, *has, *hasnt;
	/* "YYYY-MM-DD hh:mm:ss" local time, "@N" seconds since the epoch,
	 * NULL: no time (0). */
	const char *when;
	unsigned int nrcpt; /* 0: 1 for deliveries, 0 for attempts */
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

#define PF MAILLOG_POSTFIX
#define SM MAILLOG_SENDMAIL

static const struct row rows[] = {
	/* ---- Postfix deliveries ---- */
	{.name = "postfix deferred 4.7.651 at RCPT",
	 .line = "Oct 28 12:19:32 mail postfix/smtp[39032]: 213A0C01A2: "
		 "to=<user@hotmail.com>, relay=" HOTMAIL_MX
		 "[192.0.2.161]:25, delay=767, delays=760/3.5/2.5/0.63, "
		 "dsn=4.7.651, status=deferred (host " HOTMAIL_MX
		 "[192.0.2.161] said: 451 4.7.651 The mail server "
		 "[203.0.113.5] has been temporarily rate limited due to IP "
		 "reputation. For e-mail delivery information, see "
		 "https://postmaster.live.com (S844) "
		 "[DM6NAM11FT088.eop-nam11.prod.protection.outlook.com "
		 "2023-10-28T12:19:31.847Z 08DBD70830F39917] (in reply to "
		 "RCPT TO command))",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "213A0C01A2",
	 .rcpt = "user@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.161",
	 .dsn = "4.7.651",
	 .reply_host = HOTMAIL_MX,
	 .start = "451 4.7.651 The mail server [203.0.113.5]",
	 .end = "08DBD70830F39917]",
	 .has = "(S844)",
	 .hasnt = "in reply to",
	 .when = "2025-10-28 12:19:32"},
	{.name = "postfix bounced S3150 at MAIL FROM, space-padded day",
	 .line = "Dec  9 10:18:24 mail postfix/smtp[20056]: 1310930001DB: "
		 "to=<recipient1@Outlook.COM>, relay=" OUTLOOK_MX
		 "[192.0.2.33]:25, delay=0.22, delays=0.02/0.08/0.09/0.03, "
		 "dsn=5.7.1, status=bounced (host " OUTLOOK_MX
		 "[192.0.2.33] said: " S3150_TEXT
		 " (in reply to MAIL FROM command))",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "1310930001DB",
	 .rcpt = "recipient1@Outlook.COM",
	 .domain = "outlook.com",
	 .relay_host = OUTLOOK_MX,
	 .relay_ip = "192.0.2.33",
	 .dsn = "5.7.1",
	 .reply_host = OUTLOOK_MX,
	 .start = S3150_TEXT,
	 .end = S3150_TEXT,
	 .hasnt = "MAIL FROM",
	 .when = "2025-12-09 10:18:24"},
	{.name = "postfix M365 5.7.606, said: host without a name",
	 .line = "Jan 10 00:00:56 node postfix/smtp[12357]: 375593D395: "
		 "to=<recipient@example.com>, "
		 "relay=example-com.mail.protection.outlook.com[192.0.2.90]:"
		 "25, delay=0.86, delays=0.1/0/0.71/0.05, dsn=5.7.606, "
		 "status=bounced (host [192.0.2.90] said: 550 5.7.606 Access "
		 "denied, banned sending IP [203.0.113.50]. To request removal "
		 "from this list please visit https://sender.office.com/ and "
		 "follow the directions. For more information please go to  "
		 "http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609) "
		 "(in reply to RCPT TO command))",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "375593D395",
	 .rcpt = "recipient@example.com",
	 .domain = "example.com",
	 .relay_host = "example-com.mail.protection.outlook.com",
	 .relay_ip = "192.0.2.90",
	 .dsn = "5.7.606",
	 .start = "550 5.7.606 Access denied, banned sending IP "
		  "[203.0.113.50].",
	 .end = "(AS16012609)",
	 .when = "2026-01-10 00:00:56"},
	{.name = "postfix 5.7.511 split in the text, Feb line is last year",
	 .line = "Feb 23 12:22:22 mail postfix/smtp[8292]: 46187194BD9: "
		 "to=<recip@example.net>, "
		 "relay=example-net.mail.protection.outlook.com[192.0.2.1]:25,"
		 " delay=1.3, delays=0.25/0.01/0.15/0.85, dsn=5.7.511, "
		 "status=bounced (host "
		 "example-net.mail.protection.outlook.com[192.0.2.1] said: "
		 "550 5.7.51 1 Access denied, banned sender[203.0.113.7]. To "
		 "request removal from this list please forward this message "
		 "to delist@messaging.microsoft.com. AS(1410) "
		 "[LO2GBR01FT012.eop-gbr01.prod.protection.outlook.com] (in "
		 "reply to RCPT TO command))",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "46187194BD9",
	 .rcpt = "recip@example.net",
	 .domain = "example.net",
	 .relay_host = "example-net.mail.protection.outlook.com",
	 .relay_ip = "192.0.2.1",
	 .dsn = "5.7.511",
	 .reply_host = "example-net.mail.protection.outlook.com",
	 .start = "550 5.7.51 1 Access denied, banned sender[203.0.113.7]",
	 .end = "prod.protection.outlook.com]",
	 .hasnt = "in reply",
	 .when = "2025-02-23 12:22:22"},
	{.name = "postfix per-attempt said: line, no syslog stamp",
	 .line = "postfix/smtp[25122]: B60EA42D4: host " HOTMAIL_MX
		 "[192.0.2.41] said: 451 4.7.500 Server busy. Please try "
		 "again later from [203.0.113.9]. (AS843) (in reply to RCPT "
		 "TO command)",
	 .ret = 1,
	 .status = MAILLOG_ATTEMPT,
	 .mta = PF,
	 .qid = "B60EA42D4",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.41",
	 .reply_host = HOTMAIL_MX,
	 .start = "451 4.7.500 Server busy.",
	 .end = "[203.0.113.9]. (AS843)"},
	{.name = "postfix deferred twin of the attempt, no stamp",
	 .line = "postfix/smtp[25122]: B60EA42D4: to=<MASKED@hotmail.com>, "
		 "relay=" HOTMAIL_MX "[192.0.2.42]:25, delay=0.77, "
		 "delays=0.06/0/0.61/0.09, dsn=4.7.500, status=deferred "
		 "(host " HOTMAIL_MX
		 "[192.0.2.42] said: 451 4.7.500 Server busy. "
		 "Please try again later from [203.0.113.9]. (AS843) (in "
		 "reply to RCPT TO command))",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "B60EA42D4",
	 .rcpt = "MASKED@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.42",
	 .dsn = "4.7.500",
	 .reply_host = HOTMAIL_MX,
	 .start = "451 4.7.500",
	 .end = "(AS843)"},
	{.name = "postfix 550 at the greeting: refused to talk to me",
	 .line = "Apr 21 08:45:19 mail postfix/smtp[1274]: 670E6AA0517: "
		 "to=<user@live.com>, "
		 "relay=live-com.olc.protection.outlook.com[192.0.2.80]:25, "
		 "delay=46540, delays=46537/0.06/3/0, dsn=4.0.0, "
		 "status=deferred (host "
		 "live-com.olc.protection.outlook.com[192.0.2.80] refused to "
		 "talk to me: 550 5.7.1 Unfortunately, messages from "
		 "[203.0.113.5] weren't sent. Please contact your Internet "
		 "service provider since part of their network is on our "
		 "block list (S3140).)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "670E6AA0517",
	 .rcpt = "user@live.com",
	 .domain = "live.com",
	 .relay_host = "live-com.olc.protection.outlook.com",
	 .relay_ip = "192.0.2.80",
	 .dsn = "4.0.0",
	 .reply_host = "live-com.olc.protection.outlook.com",
	 .start = "550 5.7.1 Unfortunately",
	 .end = "block list (S3140).",
	 .hasnt = "refused",
	 .when = "2025-04-21 08:45:19"},
	{.name = "postfix own words (TLS required) kept whole",
	 .line = "Oct 11 03:58:22 box postfix/smtp[1885]: 7356ABD12E: "
		 "to=<someone@hotmail.com>, relay=" HOTMAIL_MX
		 "[192.0.2.2]:25, delay=21537, delays=21536/0.08/0.72/0, "
		 "dsn=4.7.4, status=deferred (TLS is required, but was not "
		 "offered by host " HOTMAIL_MX "[192.0.2.2])",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "7356ABD12E",
	 .rcpt = "someone@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.2",
	 .dsn = "4.7.4",
	 .start = "TLS is required, but was not offered by host",
	 .end = "outlook.com[192.0.2.2]",
	 .when = "2025-10-11 03:58:22"},
	{.name = "postfix relay=none, DNS failure, no stamp",
	 .line = "postfix/smtp[813]: 64EA7270417: to=<email@outlook.com>, "
		 "relay=none, delay=1.5, delays=0.8/0.09/0.64/0, dsn=5.4.4, "
		 "status=bounced (Host or domain name not found. Name service "
		 "error for name=" OUTLOOK_MX " type=A: Host found but no "
		 "data record of requested type)",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "64EA7270417",
	 .rcpt = "email@outlook.com",
	 .domain = "outlook.com",
	 .dsn = "5.4.4",
	 .start = "Host or domain name not found.",
	 .end = "no data record of requested type"},
	{.name = "postfix status=sent keeps the 250 reply",
	 .line = "postfix/smtp[921]: DA4042704CD: to=<email@hotmail.com>, "
		 "relay=" HOTMAIL_MX "[192.0.2.33]:25, delay=5.4, "
		 "delays=0.85/0.05/2.1/2.4, dsn=2.6.0, status=sent (250 2.6.0 "
		 "<a05d1e16@example.org> [InternalId=157736968921770, "
		 "Hostname=VI1PR09MB4383.eurprd09.prod.outlook.com] 10020 "
		 "bytes in 0.270, 36.199 KB/sec Queued mail for delivery -> "
		 "250 2.1.5)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = PF,
	 .qid = "DA4042704CD",
	 .rcpt = "email@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.33",
	 .dsn = "2.6.0",
	 .start = "250 2.6.0 <a05d1e16@example.org>",
	 .end = "Queued mail for delivery -> 250 2.1.5"},
	{.name = "postfix long queue id",
	 .line = "Jan 19 13:43:49 mx1 postfix/smtp[46829]: 4JfcC62DS0z1c1C: "
		 "to=<user@example.fr>, relay=mx2.example.fr[198.51.100.58]:"
		 "25, delay=275667, delays=275667/0.09/0.13/0, dsn=4.0.0, "
		 "status=deferred (host mx2.example.fr[198.51.100.58] refused "
		 "to talk to me: 421 Refused. Your reverse DNS entry does not "
		 "resolve to an IP.)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "4JfcC62DS0z1c1C",
	 .rcpt = "user@example.fr",
	 .domain = "example.fr",
	 .relay_host = "mx2.example.fr",
	 .relay_ip = "198.51.100.58",
	 .dsn = "4.0.0",
	 .reply_host = "mx2.example.fr",
	 .start = "421 Refused.",
	 .end = "does not resolve to an IP.",
	 .when = "2026-01-19 13:43:49"},
	{.name = "postfix multi-instance program postfix-ADDR/smtp",
	 .line = "Sep 30 20:46:08 smtpnode16 postfix-203.0.113.50/smtp[23560]"
		 ": 23EBE3D5C0: to=<someone@outlook.com>, relay=" OUTLOOK_MX
		 "[192.0.2.60]:25, delay=44, delays=40/0.04/1.6/0.84, "
		 "dsn=4.7.650, status=deferred (host " OUTLOOK_MX
		 "[192.0.2.60] said: " RATE_TEXT
		 " [Name=Protocol Filter Agent][AGT=PFA][MxId=11BD5B61254CB1FC]"
		 " [AMS0EPF0000019C.eurprd05.prod.outlook.com "
		 "2026-01-14T15:49:33.598Z 08DEADB0994CCD76] (in reply to "
		 "MAIL FROM command))",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "23EBE3D5C0",
	 .rcpt = "someone@outlook.com",
	 .domain = "outlook.com",
	 .relay_host = OUTLOOK_MX,
	 .relay_ip = "192.0.2.60",
	 .dsn = "4.7.650",
	 .reply_host = OUTLOOK_MX,
	 .start = RATE_TEXT,
	 .end = "08DEADB0994CCD76]",
	 .when = "2025-09-30 20:46:08"},
	{.name = "postfix/relay (master.cf alias)",
	 .line = "Nov  3 08:00:01 gw postfix/relay[4242]: 5C1D2E3F4A: "
		 "to=<a@hotmail.co.uk>, "
		 "relay=smarthost.example.net[198.51.100.25]:587, delay=1.1, "
		 "delays=0.1/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: "
		 "queued as 9F8E7D6C5B)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = PF,
	 .qid = "5C1D2E3F4A",
	 .rcpt = "a@hotmail.co.uk",
	 .domain = "hotmail.co.uk",
	 .relay_host = "smarthost.example.net",
	 .relay_ip = "198.51.100.25",
	 .dsn = "2.0.0",
	 .start = "250 2.0.0 Ok: queued as 9F8E7D6C5B",
	 .end = "9F8E7D6C5B",
	 .when = "2025-11-03 08:00:01"},
	{.name = "postfix/relay/smtp with orig_to= and conn_use=",
	 .line = "Nov  3 08:00:02 gw postfix/relay/smtp[4243]: 5C1D2E3F4B: "
		 "to=<b@msn.com>, orig_to=<alias@example.org>, "
		 "relay=msn-com.olc.protection.outlook.com[192.0.2.7]:25, "
		 "conn_use=2, delay=0.5, delays=0.1/0/0.2/0.2, dsn=5.7.1, "
		 "status=bounced (host "
		 "msn-com.olc.protection.outlook.com[192.0.2.7] said: 550 "
		 "5.7.1 Unfortunately, messages from [203.0.113.5] weren't "
		 "sent. (AS3140) (in reply to RCPT TO command))",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "5C1D2E3F4B",
	 .rcpt = "b@msn.com",
	 .domain = "msn.com",
	 .relay_host = "msn-com.olc.protection.outlook.com",
	 .relay_ip = "192.0.2.7",
	 .dsn = "5.7.1",
	 .reply_host = "msn-com.olc.protection.outlook.com",
	 .start = "550 5.7.1",
	 .end = "(AS3140)",
	 .when = "2025-11-03 08:00:02"},
	{.name = "postfix lmtp over a unix socket: no relay address",
	 .line = "Nov  3 08:00:03 gw postfix/lmtp[77]: 0A1B2C3D4E: "
		 "to=<me@example.org>, "
		 "relay=mail.example.org[private/dovecot-lmtp], delay=0.1, "
		 "delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 "
		 "<me@example.org> Saved)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = PF,
	 .qid = "0A1B2C3D4E",
	 .rcpt = "me@example.org",
	 .domain = "example.org",
	 .relay_host = "mail.example.org",
	 .dsn = "2.0.0",
	 .start = "250 2.0.0",
	 .end = "Saved",
	 .when = "2025-11-03 08:00:03"},
	{.name = "postfix RFC 3339 stamp with +01:00",
	 .line = "2026-01-24T07:00:10.851234+01:00 mail postfix/smtp[1]: "
		 "AB12CD34EF: to=<x@hotmail.com>, relay=" HOTMAIL_MX
		 "[192.0.2.3]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.7.1, "
		 "status=bounced (host " HOTMAIL_MX "[192.0.2.3] said: 550 "
		 "5.7.1 Unfortunately, messages from [203.0.113.5] weren't "
		 "sent. (S3150) (in reply to MAIL FROM command))",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "AB12CD34EF",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.3",
	 .dsn = "5.7.1",
	 .reply_host = HOTMAIL_MX,
	 .start = "550 5.7.1",
	 .end = "(S3150)",
	 .when = "@1769234410"},
	{.name = "postfix RFC 3339 stamp in UTC (Z)",
	 .line = "2026-01-24T06:00:10Z mail postfix/smtp[1]: AB12CD34EF: "
		 "to=<x@hotmail.com>, relay=none, dsn=4.4.1, status=deferred "
		 "(connect to " HOTMAIL_MX "[192.0.2.3]:25: Connection timed "
		 "out)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "AB12CD34EF",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.4.1",
	 .start = "connect to " HOTMAIL_MX,
	 .end = "Connection timed out",
	 .when = "@1769234410"},
	{.name = "postfix journal stamp +0100 without colon",
	 .line = "2026-01-24T07:00:10+0100 mail postfix/smtp[1]: AB12CD34EF: "
		 "to=<x@hotmail.com>, relay=none, dsn=4.4.1, status=deferred "
		 "(x)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "AB12CD34EF",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.4.1",
	 .start = "x",
	 .end = "x",
	 .when = "@1769234410"},
	{.name = "postfix RFC 3339 stamp -05:00 with fraction",
	 .line = "2026-01-24T01:00:10.5-05:00 mail postfix/smtp[1]: "
		 "AB12CD34EF: to=<x@hotmail.com>, relay=none, dsn=4.4.1, "
		 "status=deferred (x)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "AB12CD34EF",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.4.1",
	 .start = "x",
	 .end = "x",
	 .when = "@1769234410"},
	/* Found by fuzz-maillog: a zone that does not parse left the stamp
	 * "local" with no year (garbage time, signed overflow). */
	{.name = "postfix RFC 3339 stamp with a broken zone: no time",
	 .line = "2026-01-24T01:00:10.5+00x mail postfix/smtp[1]: "
		 "AB12CD34EF: to=<x@hotmail.com>, relay=none, dsn=4.4.1, "
		 "status=deferred (x)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "AB12CD34EF",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.4.1",
	 .start = "x",
	 .end = "x"},
	{.name = "postfix line with stamp but no host and no program",
	 .line = "Sep 21 09:27:58 0EEA7827E9: to=<someone@hotmail.com>, "
		 "relay=" HOTMAIL_MX "[192.0.2.5]:25, delay=1, "
		 "delays=0.01/0.01/0.88/0.11, dsn=5.7.1, status=bounced "
		 "(host " HOTMAIL_MX
		 "[192.0.2.5] said: 550 5.7.1 Service unavailable, "
		 "Client host [203.0.113.5] blocked using Spamhaus. To "
		 "request removal from this list see "
		 "https://www.spamhaus.org/query/ip/203.0.113.5 (AS3130). "
		 "[Name=Protocol Filter Agent][AGT=PFA][MxId=11B9A53DC314A6C4] "
		 "[CH3PEPF0000000F.namprd04.prod.outlook.com "
		 "2024-09-21T09:27:58.008Z 08DCD29EEC0C7774] (in reply to MAIL "
		 "FROM command))",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "0EEA7827E9",
	 .rcpt = "someone@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.5",
	 .dsn = "5.7.1",
	 .reply_host = HOTMAIL_MX,
	 .start = "550 5.7.1 Service unavailable, Client host",
	 .end = "08DCD29EEC0C7774]",
	 .has = "(AS3130)",
	 .when = "2025-09-21 09:27:58"},
	{.name = "postfix line cut before to= (no prefix, no queue id)",
	 .line = " to=<example@example.com>, "
		 "relay=alt1.aspmx.l.example.com[198.51.100.26]:25, delay=332, "
		 "delays=328/0.03/3.4/0.57, dsn=4.7.28, status=deferred (host "
		 "alt1.aspmx.l.example.com[198.51.100.26] said: 421-4.7.28 Our "
		 "system has detected an unusual rate of 421-4.7.28 "
		 "unsolicited mail originating from your IP address. (in "
		 "reply to end of DATA command))",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .rcpt = "example@example.com",
	 .domain = "example.com",
	 .relay_host = "alt1.aspmx.l.example.com",
	 .relay_ip = "198.51.100.26",
	 .dsn = "4.7.28",
	 .reply_host = "alt1.aspmx.l.example.com",
	 .start = "421-4.7.28 Our system",
	 .end = "from your IP address.",
	 .hasnt = "DATA"},
	{.name = "postfix line without host name",
	 .line = "Oct 28 12:19:32 postfix/smtp[39032]: 213A0C01A3: "
		 "to=<user@hotmail.com>, relay=" HOTMAIL_MX
		 "[192.0.2.9]:25, delay=1, dsn=2.6.0, status=sent (250 2.6.0 "
		 "ok)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = PF,
	 .qid = "213A0C01A3",
	 .rcpt = "user@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.9",
	 .dsn = "2.6.0",
	 .start = "250 2.6.0 ok",
	 .end = "250 2.6.0 ok",
	 .when = "2025-10-28 12:19:32"},
	{.name = "postfix line with host name but no program",
	 .line = "Oct 28 12:19:32 mail 213A0C01A4: to=<user@hotmail.com>, "
		 "relay=" HOTMAIL_MX "[192.0.2.9]:25, delay=1, dsn=2.6.0, "
		 "status=sent (250 2.6.0 ok)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = PF,
	 .qid = "213A0C01A4",
	 .rcpt = "user@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.9",
	 .dsn = "2.6.0",
	 .start = "250 2.6.0 ok",
	 .end = "250 2.6.0 ok",
	 .when = "2025-10-28 12:19:32"},
	{.name = "postfix/error: delivery temporarily suspended",
	 .line = "Oct 28 12:20:00 mail postfix/error[39040]: 3B4C5D6E7F: "
		 "to=<other@hotmail.com>, relay=none, delay=800, "
		 "delays=799/1/0/0, dsn=4.7.650, status=deferred (delivery "
		 "temporarily suspended: host " HOTMAIL_MX "[192.0.2.161] "
		 "refused to talk to me: " RATE_TEXT ")",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "3B4C5D6E7F",
	 .rcpt = "other@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.161",
	 .dsn = "4.7.650",
	 .reply_host = HOTMAIL_MX,
	 .start = RATE_TEXT,
	 .end = RATE_TEXT,
	 .when = "2025-10-28 12:20:00"},
	{.name = "postfix status=expired",
	 .line = "Oct 28 12:21:00 mail postfix/smtp[39041]: 3B4C5D6E80: "
		 "to=<x@hotmail.com>, relay=none, delay=432000, "
		 "delays=432000/0/0/0, dsn=4.4.1, status=expired (connect "
		 "to " HOTMAIL_MX "[192.0.2.161]:25: Connection timed out)",
	 .ret = 1,
	 .status = MAILLOG_EXPIRED,
	 .mta = PF,
	 .qid = "3B4C5D6E80",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.4.1",
	 .start = "connect to",
	 .end = "timed out",
	 .when = "2025-10-28 12:21:00"},
	{.name = "postfix address probe: undeliverable reads as bounced",
	 .line = "Oct 28 12:22:00 mail postfix/smtp[39042]: 3B4C5D6E81: "
		 "to=<probe@hotmail.com>, relay=" HOTMAIL_MX
		 "[192.0.2.161]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.7.1, "
		 "status=undeliverable (host " HOTMAIL_MX "[192.0.2.161] said: "
		 "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't "
		 "sent. (S3150) (in reply to MAIL FROM command))",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "3B4C5D6E81",
	 .rcpt = "probe@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.161",
	 .dsn = "5.7.1",
	 .reply_host = HOTMAIL_MX,
	 .start = "550 5.7.1",
	 .end = "(S3150)",
	 .when = "2025-10-28 12:22:00"},
	{.name = "postfix IPv6 relay",
	 .line = "Oct 28 12:23:00 mail postfix/smtp[1]: 3B4C5D6E82: "
		 "to=<x@outlook.com>, relay=" OUTLOOK_MX
		 "[2001:DB8:0:0::25]:25, delay=1, delays=0/0/0.5/0.5, "
		 "dsn=2.6.0, status=sent (250 2.6.0 queued)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = PF,
	 .qid = "3B4C5D6E82",
	 .rcpt = "x@outlook.com",
	 .domain = "outlook.com",
	 .relay_host = OUTLOOK_MX,
	 .relay_ip = "2001:db8::25",
	 .dsn = "2.6.0",
	 .start = "250 2.6.0 queued",
	 .end = "queued",
	 .when = "2025-10-28 12:23:00"},
	{.name = "postfix upper-case domain is lowered",
	 .line = "postfix/smtp[22442]: C3F1FD6E: to=<MASKED@EARTHLINK.NET>, "
		 "relay=mx1.EARTHLINK.NET[198.51.100.226]:25, delay=0.55, "
		 "delays=0.01/0.02/0.48/0.04, dsn=5.0.0, status=bounced (host "
		 "mx1.EARTHLINK.NET[198.51.100.226] said: 550 IP 203.0.113.243 "
		 "is blocked by EarthLink. (in reply to MAIL FROM command))",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "C3F1FD6E",
	 .rcpt = "MASKED@EARTHLINK.NET",
	 .domain = "earthlink.net",
	 .relay_host = "mx1.EARTHLINK.NET",
	 .relay_ip = "198.51.100.226",
	 .dsn = "5.0.0",
	 .reply_host = "mx1.EARTHLINK.NET",
	 .start = "550 IP 203.0.113.243",
	 .end = "by EarthLink."},
	{.name = "postfix reply quoting status= and (in reply to",
	 .line = "Oct 28 12:24:00 mail postfix/smtp[1]: 3B4C5D6E83: "
		 "to=<x@example.com>, relay=mx.example.com[198.51.100.1]:25, "
		 "delay=1, dsn=5.7.1, status=bounced (host "
		 "mx.example.com[198.51.100.1] said: 550 5.7.1 policy, "
		 "status=sent (in reply to nothing) really (in reply to end of "
		 "DATA command))",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "3B4C5D6E83",
	 .rcpt = "x@example.com",
	 .domain = "example.com",
	 .relay_host = "mx.example.com",
	 .relay_ip = "198.51.100.1",
	 .dsn = "5.7.1",
	 .reply_host = "mx.example.com",
	 .start = "550 5.7.1 policy, status=sent (in reply to nothing)",
	 .end = "nothing) really",
	 .hasnt = "DATA",
	 .when = "2025-10-28 12:24:00"},
	{.name = "postfix line cut without its closing parenthesis",
	 .line = "Oct 28 12:25:00 mail postfix/smtp[1]: 3B4C5D6E84: "
		 "to=<x@hotmail.com>, relay=" HOTMAIL_MX "[192.0.2.161]:25, "
		 "delay=1, dsn=4.7.650, status=deferred (host " HOTMAIL_MX
		 "[192.0.2.161] said: 451 4.7.650 The mail server "
		 "[203.0.113.5] has been temporarily rate lim",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "3B4C5D6E84",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.161",
	 .dsn = "4.7.650",
	 .reply_host = HOTMAIL_MX,
	 .start = "451 4.7.650",
	 .end = "rate lim",
	 .when = "2025-10-28 12:25:00"},
	{.name = "postfix CRLF line end ignored",
	 .line = "Oct 28 12:26:00 mail postfix/smtp[1]: 3B4C5D6E85: "
		 "to=<x@hotmail.com>, relay=none, dsn=2.0.0, status=sent "
		 "(250 ok)\r\n",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = PF,
	 .qid = "3B4C5D6E85",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "2.0.0",
	 .start = "250 ok",
	 .end = "250 ok",
	 .when = "2025-10-28 12:26:00"},
	{.name = "postfix classic stamp with a fraction of a second",
	 .line = "Oct 28 12:19:32.123456 mail postfix/smtp[1]: 3B4C5D6E86: "
		 "to=<x@hotmail.com>, relay=none, dsn=2.0.0, status=sent "
		 "(250 ok)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = PF,
	 .qid = "3B4C5D6E86",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "2.0.0",
	 .start = "250 ok",
	 .end = "250 ok",
	 .when = "2025-10-28 12:19:32"},
	{.name = "postfix unknown service name is read by content",
	 .line = "Oct 28 12:27:00 mail postfix/smtp-out[1]: 3B4C5D6E87: "
		 "to=<x@hotmail.com>, relay=" HOTMAIL_MX "[192.0.2.161]:25, "
		 "dsn=2.6.0, status=sent (250 2.6.0 ok)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = PF,
	 .qid = "3B4C5D6E87",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.161",
	 .dsn = "2.6.0",
	 .start = "250 2.6.0 ok",
	 .end = "ok",
	 .when = "2025-10-28 12:27:00"},
	{.name = "postfix masked relay address gives no relay_ip",
	 .line = "Oct 28 12:28:00 mail postfix/smtp[1]: 3B4C5D6E88: "
		 "to=<x@hotmail.com>, relay=" HOTMAIL_MX "[104.47.x.x]:25, "
		 "dsn=2.6.0, status=sent (250 2.6.0 ok)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = PF,
	 .qid = "3B4C5D6E88",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .dsn = "2.6.0",
	 .start = "250 2.6.0 ok",
	 .end = "ok",
	 .when = "2025-10-28 12:28:00"},

	{.name = "postfix hard-wrapped line joined with spaces",
	 .line = "Sep 21 09:27:58 0EEA7827E9: to=<someone@hotmail.com>, "
		 "relay=" HOTMAIL_MX "[192.0.2.5]:25, delay=1, "
		 "delays=0.01/0.01/0.88/0.11, dsn=5.7.1, status=bounced "
		 "(host " HOTMAIL_MX " [192.0.2.5] said: 550 5.7.1 Service "
		 "unavailable, Client host [203.0.113.5] blocked using "
		 "Spamhaus.  To request removal from this list see "
		 "https://www.spamhaus.org/query/ip/203.0.113.5 (AS3130).  "
		 "[CH3PEPF0000000F.namprd04.prod.outlook.com "
		 "2024-09-21T09:27:58.008Z 08DCD29EEC0C7774] (in reply to MAIL "
		 "FROM command))",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = PF,
	 .qid = "0EEA7827E9",
	 .rcpt = "someone@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.5",
	 .dsn = "5.7.1",
	 .reply_host = HOTMAIL_MX,
	 .start = "550 5.7.1 Service unavailable",
	 .end = "08DCD29EEC0C7774]",
	 .hasnt = "said",
	 .when = "2025-09-21 09:27:58"},
	{.name = "postfix wrapped attempt: blank before the address",
	 .line = "postfix/smtp[25122]: B60EA42D4: host " HOTMAIL_MX
		 " [192.0.2.41] said: 451 4.7.500 Server busy. (AS843) (in "
		 "reply to RCPT TO command)",
	 .ret = 1,
	 .status = MAILLOG_ATTEMPT,
	 .mta = PF,
	 .qid = "B60EA42D4",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.41",
	 .reply_host = HOTMAIL_MX,
	 .start = "451 4.7.500",
	 .end = "(AS843)"},
	{.name = "sendmail line behind a list-archive prefix, wrapped field",
	 .line = "exmx1 : Dec 14 05:28:39 exmx1 sendmail[31574]: "
		 "mBDIYhEa031574: to=<customer@example.com>, delay=00:00:00, "
		 "xde lay=00:00:00, mailer=esmtp, pri=41874, "
		 "relay=mail.example.com., dsn=4.0.0, stat=Deferred: 451 "
		 "4.7.650 test",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = SM,
	 .qid = "mBDIYhEa031574",
	 .rcpt = "customer@example.com",
	 .domain = "example.com",
	 .relay_host = "mail.example.com",
	 .dsn = "4.0.0",
	 .start = "451 4.7.650 test",
	 .end = "test"},
	{.name = "local delivery behind a list-archive prefix is ignored",
	 .line = "exmx1 : Dec 14 05:28:39 exmx1 postfix/local[1]: "
		 "4A5B6C7D8E: to=<alice@example.org>, relay=local, "
		 "dsn=2.0.0, status=sent (delivered to mailbox)"},

	{.name = "postfix maillog_file (postlogd) line, zero-padded day",
	 .line = "Sep 09 10:00:00 mail postfix/smtp[1]: 3B4C5D6E89: "
		 "to=<x@hotmail.com>, relay=" HOTMAIL_MX "[192.0.2.161]:25, "
		 "delay=1, delays=0/0/0.5/0.5, dsn=4.7.650, status=deferred "
		 "(host " HOTMAIL_MX "[192.0.2.161] said: " RATE_TEXT
		 " (in reply to MAIL FROM command))",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "3B4C5D6E89",
	 .rcpt = "x@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.161",
	 .dsn = "4.7.650",
	 .reply_host = HOTMAIL_MX,
	 .start = RATE_TEXT,
	 .end = RATE_TEXT,
	 .when = "2025-09-09 10:00:00"},
	{.name = "postlog -t postfix/vfilter line is no delivery",
	 .line = "Sep 09 10:00:00 mail postfix/vfilter[2]: error: VirusTotal "
		 "filter failed on line 3 with exit code 1"},

	/* ---- year and stamp edge cases (now: 2026-01-20 12:00 UTC) ---- */
	{.name = "stamp more than a day ahead belongs to last year",
	 .line = "Jan 22 12:00:00 mail postfix/smtp[1]: 0123456789: "
		 "to=<a@hotmail.com>, relay=none, dsn=4.0.0, "
		 "status=deferred (x)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "0123456789",
	 .rcpt = "a@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.0.0",
	 .start = "x",
	 .end = "x",
	 .when = "2025-01-22 12:00:00"},
	{.name = "stamp a few hours ahead stays this year",
	 .line = "Jan 20 20:00:00 mail postfix/smtp[1]: 0123456789: "
		 "to=<a@hotmail.com>, relay=none, dsn=4.0.0, "
		 "status=deferred (x)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "0123456789",
	 .rcpt = "a@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.0.0",
	 .start = "x",
	 .end = "x",
	 .when = "2026-01-20 20:00:00"},
	{.name = "Dec 31 read in January is last year",
	 .line = "Dec 31 23:59:59 mail postfix/smtp[1]: 0123456789: "
		 "to=<a@hotmail.com>, relay=none, dsn=4.0.0, "
		 "status=deferred (x)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "0123456789",
	 .rcpt = "a@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.0.0",
	 .start = "x",
	 .end = "x",
	 .when = "2025-12-31 23:59:59"},
	{.name = "Feb 29 goes back to the last leap year",
	 .line = "Feb 29 12:00:00 mail postfix/smtp[1]: 0123456789: "
		 "to=<a@hotmail.com>, relay=none, dsn=4.0.0, "
		 "status=deferred (x)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "0123456789",
	 .rcpt = "a@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.0.0",
	 .start = "x",
	 .end = "x",
	 .when = "2024-02-29 12:00:00"},
	{.name = "impossible date: record kept, no time",
	 .line = "Feb 30 12:00:00 mail postfix/smtp[1]: 0123456789: "
		 "to=<a@hotmail.com>, relay=none, dsn=4.0.0, "
		 "status=deferred (x)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "0123456789",
	 .rcpt = "a@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.0.0",
	 .start = "x",
	 .end = "x"},
	{.name = "impossible hour: record kept, no time",
	 .line = "2026-01-10T25:00:00Z mail postfix/smtp[1]: 0123456789: "
		 "to=<a@hotmail.com>, relay=none, dsn=4.0.0, "
		 "status=deferred (x)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "0123456789",
	 .rcpt = "a@hotmail.com",
	 .domain = "hotmail.com",
	 .dsn = "4.0.0",
	 .start = "x",
	 .end = "x"},

	/* ---- Postfix lines that are not delivery records ---- */
	{.name = "postfix lost connection: an attempt without a reply",
	 .line = "Dec  9 10:18:24 mail postfix/smtp[20056]: 1310930001DB: "
		 "lost connection with " HOTMAIL_MX
		 "[192.0.2.33] while sending RCPT TO",
	 .ret = 1,
	 .status = MAILLOG_ATTEMPT,
	 .mta = PF,
	 .qid = "1310930001DB",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.33",
	 .reply_host = HOTMAIL_MX,
	 .start = "lost connection with " HOTMAIL_MX,
	 .end = "while sending RCPT TO",
	 .when = "2025-12-09 10:18:24"},
	{.name = "postfix conversation timed out: an attempt",
	 .line = "Dec  9 10:18:25 mail postfix/smtp[20057]: 1310930001DC: "
		 "conversation with " OUTLOOK_MX "[192.0.2.34] timed out "
		 "while receiving the initial server greeting",
	 .ret = 1,
	 .status = MAILLOG_ATTEMPT,
	 .mta = PF,
	 .qid = "1310930001DC",
	 .relay_host = OUTLOOK_MX,
	 .relay_ip = "192.0.2.34",
	 .reply_host = OUTLOOK_MX,
	 .start = "conversation with",
	 .end = "initial server greeting",
	 .when = "2025-12-09 10:18:25"},
	{.name = "postfix lost connection without queue id",
	 .line = "Dec  9 10:18:24 mail postfix/smtp[20056]: lost connection "
		 "with " HOTMAIL_MX "[192.0.2.33] while receiving the initial "
		 "server greeting"},
	{.name = "postfix relay= and said: host differ (edited log)",
	 .line = "Sep 30 20:46:08 smtpnode16 postfix/smtp[23560]: 23EBE3D5C1: "
		 "to=<someone@example.net>, "
		 "relay=example-net.mail.protection.outlook.com[192.0.2.60]:25,"
		 " delay=44, delays=40/0.04/1.6/0.84, dsn=4.1.1, "
		 "status=deferred (host ALT2.ASPMX.L.EXAMPLE.com[192.0.2.60] "
		 "said: 452 4.1.1 <someone@example.net> user is over quota "
		 "(in reply to RCPT TO command))",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = PF,
	 .qid = "23EBE3D5C1",
	 .rcpt = "someone@example.net",
	 .domain = "example.net",
	 .relay_host = "example-net.mail.protection.outlook.com",
	 .relay_ip = "192.0.2.60",
	 .reply_host = "ALT2.ASPMX.L.EXAMPLE.com",
	 .dsn = "4.1.1",
	 .start = "452 4.1.1",
	 .end = "over quota",
	 .when = "2025-09-30 20:46:08"},
	{.name = "postfix connect timeout without queue id",
	 .line = "Oct 28 12:19:32 mail postfix/smtp[1]: connect to " HOTMAIL_MX
		 "[192.0.2.1]:25: Connection timed out"},
	{.name = "postfix TLS established",
	 .line = "Oct 28 12:19:32 mail postfix/smtp[1]: Trusted TLS "
		 "connection established to " HOTMAIL_MX
		 "[192.0.2.1]:25: TLSv1.2 with cipher "
		 "ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)"},
	{.name = "postfix smtp warning",
	 .line = "Oct 28 12:19:32 mail postfix/smtp[1]: warning: " HOTMAIL_MX
		 "[192.0.2.1]:25 said: nothing useful"},
	{.name = "postfix smtp greeted-me line is no said:",
	 .line = "Oct 28 12:19:32 mail postfix/smtp[1]: 0123456789: host "
		 "mx.example.com[198.51.100.1] greeted me with my own "
		 "hostname mail.example.org"},
	{.name = "postscreen blocked using: about our client, not our IP",
	 .line = "Jan 27 07:49:18 mail postfix/postscreen[8291]: NOQUEUE: "
		 "reject: RCPT from [198.51.100.6]:63966: 550 5.7.1 Service "
		 "unavailable; client [198.51.100.6] blocked using "
		 "zen.spamhaus.org; from=<a@example.net>, "
		 "to=<b@example.org>, proto=ESMTP, helo=<WIN-QGFOVKPDT6T>"},
	{.name = "smtpd NOQUEUE reject",
	 .line = "Jan 27 07:49:18 mail postfix/smtpd[8292]: NOQUEUE: reject: "
		 "RCPT from unknown[198.51.100.7]: 554 5.7.1 "
		 "<b@example.org>: Relay access denied; from=<a@example.net> "
		 "to=<b@example.org> proto=ESMTP helo=<x>"},
	{.name = "smtpd client= line",
	 .line = "Jan 27 07:49:18 mail postfix/smtpd[8292]: 4A5B6C7D8E: "
		 "client=unknown[198.51.100.7]"},
	{.name = "submission smtpd (syslog_name postfix/submission)",
	 .line = "Jan 27 07:49:18 mail postfix/submission/smtpd[1]: "
		 "4A5B6C7D8F: client=c.example.net[198.51.100.8], "
		 "sasl_method=PLAIN, sasl_username=alice"},
	{.name = "cleanup message-id",
	 .line = "Jan 27 07:49:18 mail postfix/cleanup[1]: 4A5B6C7D8E: "
		 "message-id=<x@example.org>"},
	{.name = "qmgr from=",
	 .line = "Jan 27 07:49:18 mail postfix/qmgr[1]: 4A5B6C7D8E: "
		 "from=<a@example.org>, size=1234, nrcpt=1 (queue active)"},
	{.name = "qmgr status=expired (sender line)",
	 .line = "Jan 27 07:49:18 mail postfix/qmgr[1]: 4A5B6C7D8E: "
		 "from=<a@example.org>, status=expired, returned to sender"},
	{.name = "local delivery relay=local",
	 .line = "Jan 27 07:49:18 mail postfix/local[1]: 4A5B6C7D8E: "
		 "to=<alice@example.org>, relay=local, delay=0.1, "
		 "delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to "
		 "mailbox)"},
	{.name = "virtual delivery",
	 .line = "Jan 27 07:49:18 mail postfix/virtual[1]: 4A5B6C7D8E: "
		 "to=<alice@example.org>, relay=virtual, delay=0.1, "
		 "delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to "
		 "maildir)"},
	{.name = "pipe delivery",
	 .line = "Jan 27 07:49:18 mail postfix/pipe[1]: 4A5B6C7D8E: "
		 "to=<alice@example.org>, relay=dovecot, delay=0.1, "
		 "delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered via "
		 "dovecot service)"},
	{.name = "bounce notification",
	 .line = "Jan 27 07:49:18 mail postfix/bounce[1]: 4A5B6C7D8E: sender "
		 "non-delivery notification: 5E6F7A8B9C"},
	{.name = "our own syslog line",
	 .line = "Oct 28 12:19:33 mail milter-delist[77]: event=block "
		 "ip=203.0.113.5 provider=microsoft-consumer kind=block "
		 "code=S3150 rcpt_domain=hotmail.com source=postfix-log "
		 "queue_id=213A0C01A2: to=<x@hotmail.com>, status=bounced (x)"},
	/* ---- Exim main log ---- */
	{.name = "exim attempt at one host (H=)",
	 .line = "2026-01-14 17:49:33 1wN9t2-00000002BQv-3hr9 "
		 "H=" HOTMAIL_MX " [192.0.2.17]: SMTP error from remote mail "
		 "server after pipelined MAIL FROM:<a@example.org> "
		 "SIZE=4169: " RATE_TEXT,
	 .ret = 1,
	 .status = MAILLOG_ATTEMPT,
	 .mta = MAILLOG_EXIM,
	 .qid = "1wN9t2-00000002BQv-3hr9",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.17",
	 .reply_host = HOTMAIL_MX,
	 .start = "451 4.7.650 The mail server",
	 .hasnt = "SIZE=4169",
	 .when = "2026-01-14 17:49:33"},
	{.name = "exim bounce (**), old-style id",
	 .line = "2026-01-14 17:50:01 1rAbCd-0001xY-Ab ** bob@Hotmail.com "
		 "R=dnslookup T=remote_smtp H=" HOTMAIL_MX " [192.0.2.18]: "
		 "SMTP error from remote mail server after RCPT "
		 "TO:<bob@hotmail.com>: 550 5.7.1 Unfortunately, messages "
		 "from [203.0.113.5] weren't sent. (S3150)",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = MAILLOG_EXIM,
	 .qid = "1rAbCd-0001xY-Ab",
	 .rcpt = "bob@Hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.18",
	 .reply_host = HOTMAIL_MX,
	 .start = "550 5.7.1 Unfortunately",
	 .end = "(S3150)",
	 .hasnt = "RCPT TO",
	 .when = "2026-01-14 17:50:01"},
	{.name = "exim deferral (==) with a zone",
	 .line = "2026-01-14 17:51:02 +0100 1rAbCd-0001xY-Ac == "
		 "<carol@outlook.com> R=dnslookup T=remote_smtp defer (-44) "
		 "H=" HOTMAIL_MX " [192.0.2.19]: SMTP error from remote mail "
		 "server after MAIL FROM:<a@example.org>: " RATE_TEXT,
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = MAILLOG_EXIM,
	 .qid = "1rAbCd-0001xY-Ac",
	 .rcpt = "carol@outlook.com",
	 .domain = "outlook.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.19",
	 .reply_host = HOTMAIL_MX,
	 .start = "451 4.7.650",
	 .when = "2026-01-14 17:51:02"},
	{.name = "exim delivery (=>)",
	 .line = "2026-01-14 17:52:03 1rAbCd-0001xY-Ad => dan@live.com "
		 "R=dnslookup T=remote_smtp H=" HOTMAIL_MX " [192.0.2.20] "
		 "X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes K "
		 "C=\"250 2.6.0 <x@example.org> Queued mail for delivery\"",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = MAILLOG_EXIM,
	 .qid = "1rAbCd-0001xY-Ad",
	 .rcpt = "dan@live.com",
	 .domain = "live.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.20",
	 .reply_host = HOTMAIL_MX,
	 .start = "250 2.6.0",
	 .end = "Queued mail for delivery",
	 .when = "2026-01-14 17:52:03"},
	{.name = "exim arrival (<=) is not a delivery",
	 .line = "2026-01-14 17:49:30 1wN9t2-00000002BQv-3hr9 <= "
		 "a@example.org H=client [198.51.100.1] P=esmtps S=4169"},
	{.name = "exim-like stamp, bad id",
	 .line = "2026-01-14 17:49:33 1wN9t2_bad H=" HOTMAIL_MX
		 " [192.0.2.17]: SMTP error from remote mail server after "
		 "MAIL FROM:<a@example.org>: " RATE_TEXT},
	{.name = "kernel line", .line = "Oct 28 12:19:32 mail kernel: [1.2] x"},
	{.name = "empty line", .line = ""},
	{.name = "blank line", .line = "   \t "},
	{.name = "stamp only", .line = "Oct 28 12:19:32"},

	/* ---- Sendmail ---- */
	{.name = "sendmail 550 at RCPT, cut reply, stat=User unknown",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: "
		 "to=<bob2@hotmail.com>, ctladdr=<alice@example.org> "
		 "(1000/1000), delay=00:00:01, xdelay=00:00:01, "
		 "mailer=esmtp, pri=120345, relay=" HOTMAIL_MX
		 ". [192.0.2.15], dsn=5.7.1, reply=550 5.7.1 Unfortunately, "
		 "messages from [203.0.113.5] weren't sent. Please contact "
		 "your Internet serv...ail.live.com/mail/"
		 "troubleshooting.aspx#errors. [DB5EUR03FT012...], stat=User "
		 "unknown",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = SM,
	 .qid = "4ARA0xYZ012345",
	 .rcpt = "bob2@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.15",
	 .dsn = "5.7.1",
	 .start = "550 5.7.1 Unfortunately, messages from [203.0.113.5]",
	 .end = "#errors. [DB5EUR03FT012...]",
	 .hasnt = "stat=",
	 .when = "2025-11-27 10:00:00"},
	{.name = "sendmail Deferred: without reply=",
	 .line = "Nov 27 10:05:00 host sm-mta[1235]: 4ARA5xYZ012346: "
		 "to=<carol@outlook.com>, delay=00:00:02, xdelay=00:00:02, "
		 "mailer=esmtp, pri=120346, relay=" OUTLOOK_MX
		 ". [192.0.2.16], dsn=4.7.650, stat=Deferred: 421 4.7.650 The "
		 "mail server [203.0.113.5] has been temporarily rate limited "
		 "due to IP reputation. For e-mail delivery information, see "
		 "https://aka.ms/postmaster (S775)",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = SM,
	 .qid = "4ARA5xYZ012346",
	 .rcpt = "carol@outlook.com",
	 .domain = "outlook.com",
	 .relay_host = OUTLOOK_MX,
	 .relay_ip = "192.0.2.16",
	 .dsn = "4.7.650",
	 .start = "421 4.7.650 The mail server",
	 .end = "(S775)",
	 .hasnt = "Deferred",
	 .when = "2025-11-27 10:05:00"},
	{.name = "sendmail Deferred: with reply= prefers the reply",
	 .line = "Nov 27 10:06:00 host sm-mta[1236]: 4ARA6xYZ012347: "
		 "to=<carol@outlook.com>, delay=00:00:02, xdelay=00:00:02, "
		 "mailer=esmtp, pri=120346, relay=" OUTLOOK_MX
		 ". [192.0.2.16], dsn=4.7.650, reply=" RATE_TEXT
		 ", stat=Deferred: 421 4.7.650 The mail server [203.0.113.5] "
		 "has been temporarily rate limited",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = SM,
	 .qid = "4ARA6xYZ012347",
	 .rcpt = "carol@outlook.com",
	 .domain = "outlook.com",
	 .relay_host = OUTLOOK_MX,
	 .relay_ip = "192.0.2.16",
	 .dsn = "4.7.650",
	 .start = RATE_TEXT,
	 .end = RATE_TEXT,
	 .when = "2025-11-27 10:06:00"},
	{.name = "sendmail Sent (...)",
	 .line = "Nov 27 10:10:00 host sm-mta[1237]: 4ARAAxYZ012348: "
		 "to=<dave@hotmail.com>, ctladdr=<alice@example.org> "
		 "(1000/1000), delay=00:00:03, xdelay=00:00:03, "
		 "mailer=esmtp, pri=30345, relay=" HOTMAIL_MX
		 ". [192.0.2.15], dsn=2.0.0, stat=Sent "
		 "(<20251127100957.4ARA9xYZ012340@example.org> "
		 "[InternalId=123, Hostname=AM0PR01MB1234.eurprd01.prod."
		 "exchangelabs.com] 1234 bytes in 0.120, 10.0 KB/sec Queued "
		 "mail for delivery)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = SM,
	 .qid = "4ARAAxYZ012348",
	 .rcpt = "dave@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.15",
	 .dsn = "2.0.0",
	 .start = "<20251127100957.4ARA9xYZ012340@example.org>",
	 .end = "Queued mail for delivery",
	 .when = "2025-11-27 10:10:00"},
	{.name = "sendmail several recipients on one line",
	 .line = "Nov 27 10:15:00 host sm-mta[1238]: 4ARAFxYZ012349: "
		 "to=<bob@hotmail.com>,<carol@hotmail.com>,<dave@hotmail.com>,"
		 " ctladdr=<alice@example.org> (1000/1000), delay=00:00:01, "
		 "xdelay=00:00:01, mailer=esmtp, pri=150345, relay=" HOTMAIL_MX
		 ". [192.0.2.15], dsn=5.7.1, reply=550 5.7.1 Unfortunately, "
		 "messages from [203.0.113.5] weren't sent. (S3150), "
		 "stat=Service unavailable",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = SM,
	 .qid = "4ARAFxYZ012349",
	 .rcpt = "bob@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.15",
	 .dsn = "5.7.1",
	 .start = "550 5.7.1",
	 .end = "(S3150)",
	 .when = "2025-11-27 10:15:00",
	 .nrcpt = 3},
	{.name = "sendmail bare address list, stat text without reply",
	 .line = "Nov 27 10:16:00 host sm-mta[1239]: 4ARAGxYZ012350: "
		 "to=Bob@Hotmail.COM,carol@live.com, delay=00:00:01, "
		 "xdelay=00:00:01, mailer=esmtp, pri=150345, relay=" HOTMAIL_MX
		 ". [192.0.2.15], dsn=5.0.0, stat=Service unavailable",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = SM,
	 .qid = "4ARAGxYZ012350",
	 .rcpt = "Bob@Hotmail.COM",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.15",
	 .dsn = "5.0.0",
	 .start = "Service unavailable",
	 .end = "Service unavailable",
	 .when = "2025-11-27 10:16:00",
	 .nrcpt = 2},
	{.name = "sendmail reply with commas and stat= inside, no dsn=",
	 .line = "Nov 27 10:17:00 host sm-mta[1240]: 4ARAHxYZ012351: "
		 "to=<eve@example.net>, delay=00:00:01, xdelay=00:00:01, "
		 "mailer=esmtp, pri=120345, relay=mx.example.net. "
		 "[198.51.100.9], reply=550 Go away, you, stat=x, bad, "
		 "stat=Service unavailable",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = SM,
	 .qid = "4ARAHxYZ012351",
	 .rcpt = "eve@example.net",
	 .domain = "example.net",
	 .relay_host = "mx.example.net",
	 .relay_ip = "198.51.100.9",
	 .start = "550 Go away, you, stat=x, bad",
	 .end = "stat=x, bad",
	 .hasnt = "Service",
	 .when = "2025-11-27 10:17:00"},
	/* The submission program (Debian's sendmail, FEATURE(`msp')) hands
	 * every message to our own daemon with mailer=relay: that "Sent" is
	 * no delivery to Microsoft (seen with Sendmail 8.17 in
	 * t-e2e-sendmail.sh, where it cleared a block). */
	{.name = "sendmail submission program, address-literal relay",
	 .line = "Nov 27 10:00:00 host sendmail[999]: 4ARA0xYZ012300: "
		 "to=bob@hotmail.com, ctladdr=alice (1000/1000), "
		 "delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30057, "
		 "relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent "
		 "(4ARA0xYZ012345 Message accepted for delivery)"},
	{.name = "sendmail MSP hand-over to sm-mta, Debian 8.17",
	 .line = "Nov 27 19:33:33 mail sendmail[29502]: 6ARJXXQb029502: "
		 "to=bob@outlook.com, ctladdr=sender@example.org (0/0), "
		 "delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30061, "
		 "relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent "
		 "(6ARJXXo2029654 Message accepted for delivery)"},
	{.name = "sendmail smart host (mailer=relay) Sent",
	 .line = "Nov 27 10:00:01 host sm-mta[1001]: 4ARA0xYZ012301: "
		 "to=<bob@hotmail.com>, delay=00:00:01, xdelay=00:00:01, "
		 "mailer=relay, pri=30345, relay=smarthost.example.net. "
		 "[198.51.100.25], dsn=2.0.0, stat=Sent (4ARA0xAB012399 "
		 "Message accepted for delivery)"},
	{.name = "sendmail smart host (mailer=relay) refusal is a record",
	 .line = "Nov 27 10:00:02 host sm-mta[1002]: 4ARA0xYZ012302: "
		 "to=<bob@hotmail.com>, delay=00:00:01, xdelay=00:00:01, "
		 "mailer=relay, pri=30345, relay=smarthost.example.net. "
		 "[198.51.100.25], dsn=5.7.1, reply=550 5.7.1 Unfortunately, "
		 "messages from [203.0.113.5] weren't sent. (S3150), "
		 "stat=Service unavailable",
	 .ret = 1,
	 .status = MAILLOG_BOUNCED,
	 .mta = SM,
	 .qid = "4ARA0xYZ012302",
	 .rcpt = "bob@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = "smarthost.example.net",
	 .relay_ip = "198.51.100.25",
	 .dsn = "5.7.1",
	 .start = "550 5.7.1",
	 .end = "(S3150)",
	 .when = "2025-11-27 10:00:02"},
	{.name = "sendmail IPv6 relay",
	 .line = "Nov 27 10:18:00 host sm-mta[1241]: 4ARAIxYZ012352: "
		 "to=<eve@example.net>, delay=00:00:01, mailer=esmtp, "
		 "pri=120345, relay=mx.example.net. [IPv6:2001:db8::25], "
		 "dsn=2.0.0, stat=Sent (ok)",
	 .ret = 1,
	 .status = MAILLOG_SENT,
	 .mta = SM,
	 .qid = "4ARAIxYZ012352",
	 .rcpt = "eve@example.net",
	 .domain = "example.net",
	 .relay_host = "mx.example.net",
	 .relay_ip = "2001:db8::25",
	 .dsn = "2.0.0",
	 .start = "ok",
	 .end = "ok",
	 .when = "2025-11-27 10:18:00"},
	{.name = "sendmail bare Deferred, relay without address",
	 .line = "Dec 14 05:28:39 exmx1 sendmail[31574]: mBDIYhEa031574: "
		 "to=<customer@example.com>, delay=00:00:00, "
		 "xdelay=00:00:00, mailer=esmtp, pri=41874, "
		 "relay=mail.example.com., dsn=4.0.0, stat=Deferred",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = SM,
	 .qid = "mBDIYhEa031574",
	 .rcpt = "customer@example.com",
	 .domain = "example.com",
	 .relay_host = "mail.example.com",
	 .dsn = "4.0.0",
	 .when = "2025-12-14 05:28:39"},
	{.name = "sendmail Deferred: local words",
	 .line = "Dec 14 05:29:00 exmx1 sm-mta[31575]: mBDIYhEa031575: "
		 "to=<customer@hotmail.com>, delay=00:00:00, mailer=esmtp, "
		 "pri=41874, relay=" HOTMAIL_MX ". [192.0.2.15], dsn=4.0.0, "
		 "stat=Deferred: Connection refused by " HOTMAIL_MX ".",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = SM,
	 .qid = "mBDIYhEa031575",
	 .rcpt = "customer@hotmail.com",
	 .domain = "hotmail.com",
	 .relay_host = HOTMAIL_MX,
	 .relay_ip = "192.0.2.15",
	 .dsn = "4.0.0",
	 .start = "Connection refused by",
	 .end = "outlook.com.",
	 .when = "2025-12-14 05:29:00"},
	{.name = "sendmail client queue runner",
	 .line = "Dec 14 05:30:00 exmx1 sm-msp-queue[1]: mBDIYhEa031576: "
		 "to=root, ctladdr=root (0/0), delay=00:00:00, "
		 "xdelay=00:00:00, mailer=relay, pri=30000, "
		 "relay=[127.0.0.1] [127.0.0.1], dsn=4.0.0, stat=Deferred: "
		 "Connection refused by [127.0.0.1]",
	 .ret = 1,
	 .status = MAILLOG_DEFERRED,
	 .mta = SM,
	 .qid = "mBDIYhEa031576",
	 .rcpt = "root",
	 .relay_ip = "127.0.0.1",
	 .dsn = "4.0.0",
	 .start = "Connection refused",
	 .end = "[127.0.0.1]",
	 .when = "2025-12-14 05:30:00"},
	{.name = "sendmail from= line",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: "
		 "from=<alice@example.org>, size=1234, class=0, nrcpts=1, "
		 "msgid=<x@example.org>, proto=ESMTP, daemon=MTA-v4, "
		 "relay=localhost [127.0.0.1]"},
	{.name = "sendmail Milter: to= line",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: Milter: "
		 "to=<bob@hotmail.com>, reject=550 5.7.1 Command rejected"},
	{.name = "sendmail Milter: to= line without queue id",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: Milter: "
		 "to=<bob@hotmail.com>, reject=550 5.7.1 Command rejected"},
	{.name = "sendmail Milter add",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: Milter "
		 "add: header: X-Spam: yes"},
	{.name = "sendmail AUTH=",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: "
		 "AUTH=server, relay=client.example.net [198.51.100.3], "
		 "authid=alice, mech=PLAIN, bits=0"},
	{.name = "sendmail ruleset=",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: "
		 "ruleset=check_rcpt, arg1=<bob@example.org>, "
		 "relay=client.example.net [198.51.100.3], reject=550 5.7.1 "
		 "<bob@example.org>... Relaying denied"},
	{.name = "sendmail lost input channel",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: lost "
		 "input channel from client.example.net [198.51.100.3] to MTA "
		 "after rcpt"},
	{.name = "sendmail STARTTLS=client",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: STARTTLS=client, "
		 "relay=" HOTMAIL_MX ", version=TLSv1.3, verify=FAIL"},
	{.name = "sendmail DSN line",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: "
		 "4ARA0xYZ012399: DSN: User unknown"},
	{.name = "sendmail local mailer",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: "
		 "to=<alice@example.org>, ctladdr=<alice@example.org> "
		 "(1000/1000), delay=00:00:00, xdelay=00:00:00, "
		 "mailer=local, pri=30345, dsn=2.0.0, stat=Sent"},
	{.name = "sendmail prog mailer",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: "
		 "to=|/usr/bin/procmail, delay=00:00:00, mailer=prog, "
		 "pri=30345, dsn=2.0.0, stat=Sent"},
	{.name = "sendmail stat=queued",
	 .line = "Nov 27 10:00:00 host sm-mta[1234]: 4ARA0xYZ012345: "
		 "to=<bob@hotmail.com>, delay=00:00:00, mailer=esmtp, "
		 "pri=30345, stat=queued"},

	/* ---- malformed delivery lines ---- */
	{.name = "postfix to=< without >",
	 .line = "Oct 28 12:19:32 mail postfix/smtp[1]: ABCDEF1234: "
		 "to=<user@hotmail.com, relay=none, status=deferred (x)",
	 .ret = -1},
	{.name = "postfix to= without status=",
	 .line = "Oct 28 12:19:32 mail postfix/smtp[1]: ABCDEF1234: "
		 "to=<user@hotmail.com>, relay=none, delay=1",
	 .ret = -1},
	{.name = "postfix unknown status word",
	 .line = "Oct 28 12:19:32 mail postfix/smtp[1]: ABCDEF1234: "
		 "to=<user@hotmail.com>, relay=none, status=weird (x)",
	 .ret = -1},
	{.name = "postfix empty status",
	 .line = "Oct 28 12:19:32 mail postfix/smtp[1]: ABCDEF1234: "
		 "to=<user@hotmail.com>, relay=none, status= (x)",
	 .ret = -1},
	{.name = "postfix junk after to=",
	 .line = "Oct 28 12:19:32 mail postfix/smtp[1]: ABCDEF1234: "
		 "to=<user@hotmail.com> junk, status=sent (x)",
	 .ret = -1},
	{.name = "sendmail to= without stat=",
	 .line = "Nov 27 10:00:00 host sm-mta[1]: 4ARA0xYZ012345: "
		 "to=<bob@hotmail.com>, delay=00:00:01, mailer=esmtp",
	 .ret = -1},
	{.name = "sendmail reply= without stat=",
	 .line = "Nov 27 10:00:00 host sm-mta[1]: 4ARA0xYZ012345: "
		 "to=<bob@hotmail.com>, mailer=esmtp, reply=550 5.7.1 no",
	 .ret = -1},
};

/* orempty - an expected string: NULL stands for "" */
static const char *orempty(const char *s)
{
	return s ? s : "";
}

/* expect_when - the time_t a row's .when stands for (0 for NULL) */
static time_t expect_when(const char *w)
{
	struct tm tm;

	if (!w)
		return 0;
	if (w[0] == '@')
		return (time_t)strtoll(w + 1, NULL, 10);
	memset(&tm, 0, sizeof(tm));
	if (sscanf(w, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return (time_t)-1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* text_has - does the record's text contain s? */
static int text_has(const struct maillog_rec *r, const char *s)
{
	return r->text && memmem(r->text, r->text_len, s, strlen(s)) != NULL;
}

/* check_text - the text expectations of a row */
static void check_text(const struct row *t, const struct maillog_rec *r,
		       const char *buf, size_t len)
{
	size_t n;

	if (!t->start && !t->end && !t->has) {
		CHECK(r->text == NULL && r->text_len == 0,
		      "%s: unexpected text \"%.*s\"", t->name, (int)r->text_len,
		      r->text ? r->text : "");
		return;
	}
	CHECK(r->text != NULL, "%s: no text", t->name);
	if (!r->text)
		return;
	CHECK(r->text >= buf && r->text + r->text_len <= buf + len,
	      "%s: text outside the line", t->name);
	if (t->start) {
		n = strlen(t->start);
		CHECK(r->text_len >= n && memcmp(r->text, t->start, n) == 0,
		      "%s: text \"%.*s\" does not start with \"%s\"", t->name,
		      (int)r->text_len, r->text, t->start);
	}
	if (t->end) {
		n = strlen(t->end);
		CHECK(r->text_len >= n &&
			      memcmp(r->text + r->text_len - n, t->end, n) == 0,
		      "%s: text \"%.*s\" does not end with \"%s\"", t->name,
		      (int)r->text_len, r->text, t->end);
	}
	if (t->has)
		CHECK(text_has(r, t->has), "%s: text lacks \"%s\"", t->name,
		      t->has);
	if (t->hasnt)
		CHECK(!text_has(r, t->hasnt), "%s: text has \"%s\"", t->name,
		      t->hasnt);
}

/* run_row - parse one row (from an exact-size copy) with r, whose offset
 * cache carries over from row to row and zone to zone, and check it */
static void run_row(const struct row *t, const char *zone,
		    struct maillog_rec *r)
{
	size_t len = strlen(t->line);
	char *buf = malloc(len ? len : 1);
	int ret;

	if (!buf)
		exit(99);
	memcpy(buf, t->line, len);
	ret = maillog_parse(buf, len, NOW, r);
	CHECK(ret == t->ret, "%s [%s]: returned %d, want %d", t->name, zone,
	      ret, t->ret);
	if (ret == 1 && t->ret == 1) {
		unsigned int nrcpt = t->nrcpt;

		if (!nrcpt && t->status != MAILLOG_ATTEMPT)
			nrcpt = 1;

		CHECK_INT(r->status, t->status, t->name);
		CHECK_INT(r->mta, t->mta, t->name);
		CHECK_STR(r->queue_id, orempty(t->qid), t->name);
		CHECK_STR(r->rcpt, orempty(t->rcpt), t->name);
		CHECK_STR(r->rcpt_domain, orempty(t->domain), t->name);
		CHECK_STR(r->relay_host, orempty(t->relay_host), t->name);
		CHECK_STR(r->relay_ip, orempty(t->relay_ip), t->name);
		CHECK_STR(r->reply_host, orempty(t->reply_host), t->name);
		CHECK_STR(r->dsn, orempty(t->dsn), t->name);
		CHECK_INT(r->nrcpt, nrcpt, t->name);
		CHECK(r->when == expect_when(t->when),
		      "%s [%s]: when %lld, want %lld (%s)", t->name, zone,
		      (long long)r->when, (long long)expect_when(t->when),
		      t->when ? t->when : "none");
		check_text(t, r, buf, len);
	}
	free(buf);
}

/* set_zone - switch the process time zone */
static void set_zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* test_table - every row under zones with and without DST, both
 * hemispheres */
static void test_table(void)
{
	static const char *const zones[] = {
		"UTC0", "CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0",
		"NZST-12NZDT,M9.5.0,M4.1.0/3", "<+1345>-13:45"};
	struct maillog_rec r;
	size_t z, i;

	memset(&r, 0, sizeof(r));
	for (z = 0; z < N_ELEM(zones); z++) {
		set_zone(zones[z]);
		for (i = 0; i < N_ELEM(rows); i++)
			run_row(&rows[i], zones[z], &r);
	}
	set_zone("UTC0");
}

/* roundtrip_one - stamp t as syslog does, parse it back with r (whose
 * offset cache carries over from the previous call); 1 if right */
static int roundtrip_one(time_t t, struct maillog_rec *r, const char *zone)
{
	struct tm a, b;
	char stamp[64], line[256];

	localtime_r(&t, &a);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &a);
	snprintf(line, sizeof(line),
		 "%s mail postfix/smtp[1]: 0123456789: to=<a@hotmail.com>, "
		 "relay=none, dsn=4.0.0, status=deferred (x)",
		 stamp);
	if (maillog_parse(line, strlen(line), t + 3600, r) != 1)
		return 0;
	if (r->when == t)
		return 1;
	/* In the repeated hour of a DST change either instant will do. */
	localtime_r(&r->when, &b);
	if (b.tm_hour == a.tm_hour && b.tm_min == a.tm_min &&
	    b.tm_sec == a.tm_sec && b.tm_mday == a.tm_mday &&
	    b.tm_mon == a.tm_mon && b.tm_year == a.tm_year)
		return 1;
	fprintf(stderr, "roundtrip %s: %s -> %lld, want %lld\n", zone, stamp,
		(long long)r->when, (long long)t);
	return 0;
}

/* test_roundtrip - classic stamps written by localtime_r read back to the
 * same instant (or, in the repeated hour, the same wall clock): two years
 * in 2.2 h steps, ten-minute steps across each DST change, and times in
 * scrambled order, all with one struct so that the offset cache is used */
static void test_roundtrip(void)
{
	static const char *const zones[] = {
		"CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0",
		"NZST-12NZDT,M9.5.0,M4.1.0/3", "UTC0"};
	struct maillog_rec r;
	unsigned long long seed = 7;
	size_t z;
	int bad = 0, n = 0;
	time_t t;

	memset(&r, 0xA5, sizeof(r)); /* any cache content is safe */
	for (z = 0; z < N_ELEM(zones); z++) {
		set_zone(zones[z]);
		for (t = 1704067200; t < 1767225600; t += 7919, n++)
			bad += !roundtrip_one(t, &r, zones[z]);
		for (t = 1704067200; t < 1767225600; t += 86400 / 4) {
			struct tm a, b;
			time_t u = t + 86400 / 4, v;

			localtime_r(&t, &a);
			localtime_r(&u, &b);
			if (a.tm_isdst == b.tm_isdst)
				continue;
			for (v = t - 2 * 86400; v < t + 2 * 86400;
			     v += 600, n++)
				bad += !roundtrip_one(v, &r, zones[z]);
		}
		for (t = 0; t < 20000; t++, n++) {
			seed = seed * 6364136223846793005ULL + 1;
			bad += !roundtrip_one(
				1704067200 + (time_t)((seed >> 33) % 63158400),
				&r, zones[z]);
		}
	}
	set_zone("UTC0");
	CHECK(bad == 0, "roundtrip: %d of %d stamps wrong", bad, n);
	printf("roundtrip: %d stamps\n", n);
}

/* sane - invariants of any parse result on a buffer */
static int sane(int ret, const struct maillog_rec *r, const char *buf,
		size_t len)
{
	if (ret < -1 || ret > 1)
		return 0;
	if (ret != 1)
		return 1;
	if (r->text && (r->text < buf || r->text + r->text_len > buf + len))
		return 0;
	if (!r->text && r->text_len)
		return 0;
	return memchr(r->queue_id, 0, sizeof(r->queue_id)) &&
	       memchr(r->rcpt, 0, sizeof(r->rcpt)) &&
	       memchr(r->rcpt_domain, 0, sizeof(r->rcpt_domain)) &&
	       memchr(r->relay_host, 0, sizeof(r->relay_host)) &&
	       memchr(r->relay_ip, 0, sizeof(r->relay_ip)) &&
	       memchr(r->dsn, 0, sizeof(r->dsn));
}

/* test_prefixes - every prefix of every row, in exact-size buffers (ASan
 * sees any read past the end) */
static void test_prefixes(void)
{
	size_t i, k, bad = 0, runs = 0;

	for (i = 0; i < N_ELEM(rows); i++) {
		size_t len = strlen(rows[i].line);

		for (k = 0; k <= len; k++) {
			struct maillog_rec r;
			char *buf = malloc(k ? k : 1);
			int ret;

			if (!buf)
				exit(99);
			memcpy(buf, rows[i].line, k);
			ret = maillog_parse(buf, k, NOW, &r);
			runs++;
			if (!sane(ret, &r, buf, k))
				bad++;
			free(buf);
		}
	}
	CHECK(bad == 0, "prefixes: %zu of %zu results insane", bad, runs);
}

/* lcg - the seeded generator of the mutation test */
static unsigned int lcg(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned int)(*s >> 33);
}

/* test_mutations - random byte edits of the rows (fixed seed) */
static void test_mutations(void)
{
	static const char alphabet[] = "<>()[],:= @.\0\r\n\xff\xc3"
				       "as0";
	unsigned long long seed = 20260120;
	size_t bad = 0, iter;

	for (iter = 0; iter < 40000; iter++) {
		const struct row *t = &rows[lcg(&seed) % N_ELEM(rows)];
		size_t len = strlen(t->line), edits, j;
		struct maillog_rec r;
		char *buf;
		int ret;

		if (len == 0)
			continue;
		buf = malloc(len);
		if (!buf)
			exit(99);
		memcpy(buf, t->line, len);
		edits = 1 + lcg(&seed) % 8;
		for (j = 0; j < edits; j++)
			buf[lcg(&seed) % len] =
				alphabet[lcg(&seed) % (sizeof(alphabet) - 1)];
		ret = maillog_parse(buf, len, NOW, &r);
		if (!sane(ret, &r, buf, len))
			bad++;
		free(buf);
	}
	CHECK(bad == 0, "mutations: %zu insane results", bad);
}

/* hostile - build head + n copies of unit + tail, parse it, check the
 * result and return it */
static int hostile(const char *name, const char *head, const char *unit,
		   size_t n, const char *tail, double *secs,
		   struct maillog_rec *r, char **out, size_t *outlen)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	size_t len = hl + ul * n + tl, i;
	char *buf = malloc(len ? len : 1);
	clock_t c0;
	int ret;

	if (!buf)
		exit(99);
	memcpy(buf, head, hl);
	for (i = 0; i < n; i++)
		memcpy(buf + hl + i * ul, unit, ul);
	memcpy(buf + hl + ul * n, tail, tl);
	c0 = clock();
	ret = maillog_parse(buf, len, NOW, r);
	*secs += (double)(clock() - c0) / CLOCKS_PER_SEC;
	if (getenv("T_MAILLOG_VERBOSE"))
		printf("%s: %.4f s\n", name,
		       (double)(clock() - c0) / CLOCKS_PER_SEC);
	CHECK(sane(ret, r, buf, len), "%s: insane result", name);
	*out = buf;
	*outlen = len;
	return ret;
}

#define MB  (1024 * 1024)
#define PFX "Oct 28 12:19:32 mail postfix/smtp[1]: ABCDEF1234: "
#define SMX "Nov 27 10:00:00 host sm-mta[1]: 4ARA0xYZ012345: "

/* test_hostile - megabyte lines built to trip a naive parser */
static void test_hostile(void)
{
	struct maillog_rec r;
	double secs = 0;
	char *buf;
	size_t len;
	int ret;

	ret = hostile("to=< without >", PFX "to=<", "a", MB, "", &secs, &r,
		      &buf, &len);
	CHECK_INT(ret, -1, "to=< without >");
	free(buf);

	ret = hostile("1 MB of (",
		      PFX "to=<a@hotmail.com>, relay=none, "
			  "status=deferred (",
		      "(", MB, "", &secs, &r, &buf, &len);
	CHECK_INT(ret, 1, "1 MB of (");
	CHECK(r.text_len == MB, "1 MB of (: text length %zu", r.text_len);
	free(buf);

	ret = hostile("1 MB of )",
		      PFX "to=<a@hotmail.com>, relay=none, "
			  "status=deferred (host x[192.0.2.1] said: 5",
		      ")", MB, "", &secs, &r, &buf, &len);
	CHECK_INT(ret, 1, "1 MB of )");
	free(buf);

	ret = hostile("10k commas", PFX "to=<a@hotmail.com>", ", ", 10000,
		      "status=sent (x)", &secs, &r, &buf, &len);
	/* Empty fields are skipped like ", " inside a value. */
	CHECK_INT(ret, 1, "10k commas");
	CHECK(r.text_len == 1 && r.text[0] == 'x', "10k commas: text");
	free(buf);

	ret = hostile("100k fields", PFX "to=<a@hotmail.com>", ", delay=1",
		      100000, ", dsn=2.0.0, status=sent (250 ok)", &secs, &r,
		      &buf, &len);
	CHECK_INT(ret, 1, "100k fields");
	CHECK_STR(r.dsn, "2.0.0", "100k fields");
	free(buf);

	ret = hostile("1 MB of >", PFX "to=<", ">", MB, "", &secs, &r, &buf,
		      &len);
	CHECK_INT(ret, -1, "1 MB of >"); /* an address, but no status= */
	free(buf);

	{
		static const char line[] =
			PFX "to=<a\xff\xc3\x28@Hot\0MAIL.com>, "
			    "relay=mx[192.0.2.1]:25, dsn=5.7.1, "
			    "status=bounced (host mx[192.0.2.1] said: 550 "
			    "\0\xfe\xe2\x82 x (in reply to RCPT TO command))";
		size_t l = sizeof(line) - 1;
		char *b = malloc(l);

		if (!b)
			exit(99);
		memcpy(b, line, l);
		ret = maillog_parse(b, l, NOW, &r);
		CHECK_INT(ret, 1, "NULs and bad UTF-8");
		CHECK(r.text && r.text_len == 10 &&
			      memcmp(r.text, "550 \0\xfe\xe2\x82 x", 10) == 0,
		      "NULs and bad UTF-8: text keeps its bytes");
		CHECK(r.rcpt[0] == 'a' && (unsigned char)r.rcpt[1] == 0xff,
		      "NULs and bad UTF-8: rcpt keeps its bytes");
		free(b);
	}

	ret = hostile("1 MB of host", PFX, "host ", MB / 5, "", &secs, &r, &buf,
		      &len);
	CHECK_INT(ret, 0, "1 MB of host");
	free(buf);

	ret = hostile("1 MB of : to= without structure", "x y z",
		      ": to=", MB / 5, "", &secs, &r, &buf, &len);
	CHECK(ret <= 0, "1 MB of : to=: %d", ret);
	free(buf);

	ret = hostile("1 MB of : host without structure", "x y z",
		      "A1B2C3: host ", MB / 13, "", &secs, &r, &buf, &len);
	CHECK_INT(ret, 0, "1 MB of : host");
	free(buf);

	ret = hostile("sendmail 1 MB reply full of , stat=",
		      SMX "to=<b@hotmail.com>, mailer=esmtp, reply=550 x",
		      ", stat=", MB / 7, "User unknown", &secs, &r, &buf, &len);
	CHECK_INT(ret, 1, "sendmail 1 MB reply");
	CHECK(r.text && r.text_len == len - (size_t)(r.text - buf) -
					      strlen(", stat=User unknown"),
	      "sendmail 1 MB reply: runs up to the last stat=");
	free(buf);

	ret = hostile("sendmail 1 MB of , reply=",
		      SMX "to=<b@hotmail.com>, mailer=esmtp",
		      ", reply=", MB / 8, "", &secs, &r, &buf, &len);
	CHECK_INT(ret, -1, "sendmail 1 MB of , reply=");
	free(buf);

	ret = hostile("1 MB of commas in Sendmail to=", SMX "to=a", ",a",
		      MB / 2, ", mailer=esmtp, stat=Sent", &secs, &r, &buf,
		      &len);
	CHECK_INT(ret, 1, "1 MB of commas in to=");
	CHECK_INT(r.nrcpt, MB / 2 + 1, "1 MB of commas in to=");
	free(buf);

	ret = hostile("1 MB stamp-like prefix", "", "Oct 28 ", MB / 7, "",
		      &secs, &r, &buf, &len);
	CHECK_INT(ret, 0, "1 MB stamp-like prefix");
	free(buf);

	printf("hostile lines: %.3f s\n", secs);
	CHECK(secs < 5.0, "hostile lines took %.3f s: not linear?", secs);
}

/* test_names - maillog_status_name */
static void test_names(void)
{
	CHECK_STR(maillog_status_name(MAILLOG_SENT), "sent", "name");
	CHECK_STR(maillog_status_name(MAILLOG_DEFERRED), "deferred", "name");
	CHECK_STR(maillog_status_name(MAILLOG_BOUNCED), "bounced", "name");
	CHECK_STR(maillog_status_name(MAILLOG_EXPIRED), "expired", "name");
	CHECK_STR(maillog_status_name(MAILLOG_ATTEMPT), "attempt", "name");
	CHECK_STR(maillog_status_name(MAILLOG_STATUS_NONE), "none", "name");
}

/* unwrap - the "(wrapped)" rows: literal \n and \t back to spaces */
static size_t unwrap(char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n &&
		    (s[i + 1] == 'n' || s[i + 1] == 't')) {
			s[o++] = ' ';
			i++;
			continue;
		}
		s[o++] = s[i];
	}
	return o;
}

/* label_in_text - is label (a code token or an IP, markers removed) in the
 * record's text, or the record's dsn? */
static int label_in_text(const struct maillog_rec *r, const char *l, size_t n)
{
	const char *paren = memchr(l, '(', n);

	if (paren && paren > l)
		n = (size_t)(paren - l);
	if (n && l[n - 1] == '?')
		n--;
	if (n == strlen(r->dsn) && memcmp(l, r->dsn, n) == 0)
		return 1;
	return r->text && n && memmem(r->text, r->text_len, l, n) != NULL;
}

/* corpus_row - check one real line; 1 when it agrees with its labels */
static int corpus_row(char **col, size_t line_len)
{
	struct maillog_rec r;
	const char *line = col[1], *tok = col[4], *ip = col[5];
	int want, ret, ok;

	want = memmem(line, line_len, "status=", 7) ||
	       memmem(line, line_len, "stat=", 5) ||
	       memmem(line, line_len, " said: ", 7) ||
	       memmem(line, line_len, "refused to talk to me: ", 23) ||
	       memmem(line, line_len, ": lost connection with ", 23);
	ret = maillog_parse(line, line_len, NOW, &r);
	ok = ret == (want ? 1 : 0);
	if (ok && want) {
		/* Every code token (";"-separated) and the IP must be in
		 * the text; doubtful labels ("?") are reported only. */
		const char *p = tok;

		while (strcmp(tok, "-") != 0 && *p) {
			size_t n = strcspn(p, ";");

			if (n && !label_in_text(&r, p, n)) {
				if (p[n - 1] == '?')
					printf("real-lines: doubtful token "
					       "%.*s not in text\n",
					       (int)n, p);
				else
					ok = 0;
			}
			p += n + (p[n] == ';');
		}
		if (strcmp(ip, "-") != 0 && !label_in_text(&r, ip, strlen(ip)))
			ok = 0;
	}
	CHECK(ok, "real-lines: %.80s...: ret %d text \"%.*s\" (token %s ip %s)",
	      line, ret, r.text ? (int)r.text_len : 0, r.text ? r.text : "",
	      tok, ip);
	return ok;
}

/* test_corpus - maillog/real-lines.tsv of the shared corpus, if present */
static void test_corpus(void)
{
	char path[4200], dir[4096];
	const char *env = getenv("MILTER_DELIST_CORPUS");
	char *data, *line, *next;
	struct stat sb;
	int parsed = 0, total = 0, first = 1;

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		check_path(dir, sizeof(dir), "../shared/corpus");
	snprintf(path, sizeof(path), "%s/maillog/real-lines.tsv", dir);
	if (stat(path, &sb) != 0 || !(data = check_slurp(path, NULL))) {
		printf("real-lines: skipped, %s not found\n", path);
		return;
	}
	for (line = data; line && *line; line = next) {
		char *col[8];
		size_t c, n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (first) { /* header */
			first = 0;
			continue;
		}
		for (c = 0; c < 8; c++) {
			col[c] = line;
			line = line ? strchr(line, '\t') : NULL;
			if (line)
				*line++ = '\0';
		}
		if (!col[7] || (strncmp(col[6], "postfix-log", 11) != 0 &&
				strncmp(col[6], "sendmail-log", 12) != 0))
			continue;
		n = strlen(col[1]);
		if (strstr(col[6], "(wrapped)"))
			n = unwrap(col[1], n);
		total++;
		parsed += corpus_row(col, n);
	}
	free(data);
	printf("real-lines: %d parsed / %d\n", parsed, total);
	CHECK(total > 0, "real-lines: no rows read from %s", path);
}

/* test_stamp_len - what tells a log line from a header line */
static void test_stamp_len(void)
{
	static const struct {
		const char *name, *line;
		size_t want;
	} cases[] = {
		{"rsyslog RFC 3339 high precision",
		 "2026-12-06T09:12:01.114532+01:00 mx1 postfix/smtp[1]: x", 32},
		{"journalctl short-iso", "2026-12-06T09:12:01+0100 mx1 x", 24},
		{"journalctl short-iso-precise",
		 "2026-12-06T09:12:01.114532+0100 mx1 x", 31},
		{"UTC", "2026-12-06T08:12:01Z mx1 x", 20},
		{"journalctl short-precise", "Dec 06 09:12:01.114532 mx1 x",
		 22},
		{"classic syslog", "Dec  6 09:12:01 mx1 postfix/smtp[1]: x",
		 15},
		{"Exim", "2026-12-06 09:12:01 1rAbCd-0001xY-Ac => x", 19},
		{"a header named like a date", "2026-12-06T09: x", 0},
		{"a header", "Received: from mx1 (mx1 [192.0.2.1])", 0},
		{"an mbox separator", "From a@b Sun Dec  6 09:12:01 2026", 0},
		{"a stamp alone", "2026-12-06T09:12:01+01:00", 0},
		{"an impossible date", "2026-02-30T09:12:01+01:00 mx1 x", 0},
		{"a stamp glued to text", "2026-12-06T09:12:01+01:00mx1 x", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(maillog_stamp_len(cases[i].line, strlen(cases[i].line)) ==
			      cases[i].want,
		      "stamp_len %s: got %zu, want %zu", cases[i].name,
		      maillog_stamp_len(cases[i].line, strlen(cases[i].line)),
		      cases[i].want);
}

/* test_date - RFC 5322 Date values, the time of a bounce's findings */
static void test_date(void)
{
	static const struct {
		const char *name, *in;
		long long want; /* -1: refused */
	} cases[] = {
		{"full", "Sun, 06 Dec 2026 09:12:01 +0100", 1796544721},
		{"no day of week", "6 Dec 2026 08:12:01 +0000", 1796544721},
		{"comment after the zone", "Tue,  3 Feb 2026 10:15:02 +0100 (CET)",
		 1770110102},
		{"no seconds", "Sun, 06 Dec 2026 08:12 GMT", 1796544720},
		{"obsolete zone", "Sun, 06 Dec 2026 03:12:01 EST", 1796544721},
		{"military zone as -0000", "Sun, 06 Dec 2026 08:12:01 A",
		 1796544721},
		{"two-digit year", "06 Dec 26 08:12:01 +0000", 1796544721},
		{"negative zone", "Sun, 06 Dec 2026 00:12:01 -0800", 1796544721},
		{"no such day", "31 Feb 2026 08:12:01 +0000", -1},
		{"no month", "06 Dez 2026 08:12:01 +0000", -1},
		{"no zone", "06 Dec 2026 08:12:01", -1},
		{"bad zone", "06 Dec 2026 08:12:01 +01", -1},
		{"hour 24", "06 Dec 2026 24:00:00 +0000", -1},
		{"before 1970", "06 Dec 1969 08:12:01 +0000", -1},
		{"empty", "", -1},
		{"garbage", "yesterday", -1},
	};
	size_t i;
	time_t t;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = 0;
		r = maillog_date(cases[i].in, strlen(cases[i].in), &t);
		if (cases[i].want < 0)
			CHECK(r < 0, "date %s: read as %lld", cases[i].name,
			      (long long)t);
		else
			CHECK(r == 0 && (long long)t == cases[i].want,
			      "date %s: r %d, got %lld, want %lld",
			      cases[i].name, r, (long long)t, cases[i].want);
	}
}

int main(void)
{
	set_zone("UTC0");
	test_names();
	test_table();
	test_stamp_len();
	test_date();
	test_roundtrip();
	test_prefixes();
	test_mutations();
	test_hostile();
	test_corpus();
	return check_done("t-maillog");
}
