/*
 * t-request.c - the delisting request text (request.c) and the string
 * builder it writes into (buf.c)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "notice.h"
#include "remedy.h"
#include "request.h"
#include "util.h"

#define ROWS(a) (sizeof(a) / sizeof((a)[0]))
#define MAXS	12

static const char s3150[] =
	"550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. "
	"Please contact your Internet service provider since part of their "
	"network is on our block list (S3150). You can also refer your "
	"provider to http://mail.live.com/mail/troubleshooting.aspx#errors.";
static const char ban606[] =
	"550 5.7.606 Access denied, banned sending IP [203.0.113.5]. To "
	"request removal from this list please visit "
	"https://sender.office.com/";
static const char ban511[] =
	"550 5.7.511 Access denied, banned sender [203.0.113.5]. To request "
	"removal from this list, forward this message to "
	"delist@messaging.microsoft.com.";
static const char rl650[] =
	"421 4.7.650 The mail server [203.0.113.5] has been temporarily rate "
	"limited due to IP reputation.";
static const char as3130[] =
	"550 5.7.1 Service unavailable, Client host [203.0.113.5] blocked "
	"using Spamhaus. (AS3130)";

static struct config_contact full = {
	.name = "Jane Admin",
	.email = "postmaster@example.org",
	.company_type = "Small Business",
	.timezone = "(UTC+01:00) Amsterdam, Berlin",
	.website = "https://www.example.org/",
	.server_type = "dedicated",
	.sending_domain = "example.org",
};
static struct config_contact empty = {"", "", "", "", "", "", ""};
static struct config_contact nosite = {
	.name = "Jane Admin",
	.email = "postmaster@example.org",
	.company_type = "Small Business",
	.timezone = "UTC",
	.website = "",
	.server_type = "shared",
	.sending_domain = "example.org",
};

static char *ips1[] = {"203.0.113.5", NULL};
static char *ips2[] = {"203.0.113.5", "203.0.113.6", NULL};

/* Rendering rows: the incident, the contact, the strings that must
 * appear in this order, the strings that must not appear, the expected
 * request_missing() mask. */
static const struct {
	const char *name;
	enum verdict_provider provider;
	enum verdict_kind kind;
	enum verdict_remedy remedy;
	const char *ip;
	int inferred;
	const char *code;
	const char *domains[4];
	const char *sample;
	const struct config_contact *contact;
	char **ips;
	size_t n_ips;
	const char *want[MAXS];	  /* in order */
	const char *reject[MAXS]; /* anywhere */
	unsigned missing;
} rows[] = {
	{"consumer, every field",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM,
	 "203.0.113.5",
	 0,
	 "S3150",
	 {"hotmail.com"},
	 s3150,
	 &full,
	 ips1,
	 1,
	 {"[1] Issue title\nServer IP Listed / Non-Delivery Returned Mail\n",
	  "[2] Contact name\nJane Admin\n",
	  "[3] What domain are you sending to?\nhotmail.com\n",
	  "[4] Contact e-mail (Microsoft replies there)\n"
	  "postmaster@example.org\n",
	  "[5] Timezone\n(UTC+01:00) Amsterdam, Berlin\n",
	  "[6] What domain are you sending from?\nexample.org\n",
	  "[7] How would you describe your company or yourself?\n"
	  "Small Business\n",
	  "[8] Outbound IP(s) or range(s)\n203.0.113.5\n\n",
	  "[9] Is your server dedicated or shared?\nDedicated\n",
	  "[10] Error messages (paste them as they are)\n550 5.7.1 "
	  "Unfortunately, messages from [203.0.113.5] weren't sent.",
	  "[11] URL of your website\nhttps://www.example.org/\n",
	  "Before you reply to Microsoft"},
	 {"<fill in:", "other outbound IPs", "did not name the IP"},
	 0},
	{"consumer, order of the rest",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM,
	 "203.0.113.5",
	 0,
	 "S3150",
	 {"hotmail.com"},
	 s3150,
	 &full,
	 ips1,
	 1,
	 {"https://olcsupport.office.com/", "[1] Issue title",
	  "No account is compromised", "SPF: example.org", "DKIM", "DMARC",
	  "open relay", "PTR", "Reply to \"not qualified for mitigation\"",
	  "mail from our server 203.0.113.5 to hotmail.com is still refused",
	  "SPF, DKIM and DMARC are set up for example.org",
	  "Please remove 203.0.113.5 from your block list.\n\nRegards,\n"
	  "Jane Admin\npostmaster@example.org\n"},
	 {NULL},
	 0},
	{"consumer, verify",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM,
	 "203.0.113.5",
	 0,
	 "S3150",
	 {"hotmail.com"},
	 s3150,
	 &full,
	 ips1,
	 1,
	 {"Verify the unblock", "24 to 48 hours",
	  "mail to an address at hotmail.com", "\"cleared\""},
	 {NULL},
	 0},
	{"consumer, nothing configured",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM,
	 "203.0.113.5",
	 0,
	 "S3150",
	 {"outlook.com"},
	 s3150,
	 &empty,
	 NULL,
	 0,
	 {"[2] Contact name\n<fill in: contact name>\n",
	  "[3] What domain are you sending to?\noutlook.com\n",
	  "[4] Contact e-mail (Microsoft replies there)\n"
	  "<fill in: contact e-mail>\n",
	  "[5] Timezone\n<fill in: time zone>\n",
	  "[6] What domain are you sending from?\n<fill in: sending domain>\n",
	  "[7] How would you describe your company or yourself?\n"
	  "<fill in: company type>\n",
	  "[8] Outbound IP(s) or range(s)\n203.0.113.5\n",
	  "[9] Is your server dedicated or shared?\n"
	  "<fill in: dedicated or shared>\n",
	  "[11] URL of your website\n<fill in: website>\n",
	  "Regards,\n<fill in: contact name>\n<fill in: contact e-mail>\n"},
	 {NULL},
	 REQUEST_NAME | REQUEST_EMAIL | REQUEST_TIMEZONE |
		 REQUEST_SENDING_DOMAIN | REQUEST_COMPANY_TYPE |
		 REQUEST_SERVER_TYPE | REQUEST_WEBSITE},
	{"consumer, website falls back to the mail domain",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM,
	 "203.0.113.5",
	 0,
	 "S3150",
	 {"live.com"},
	 s3150,
	 &nosite,
	 ips1,
	 1,
	 {"[9] Is your server dedicated or shared?\nShared\n",
	  "[11] URL of your website\nexample.org\n"},
	 {"<fill in:"},
	 0},
	{"consumer, recipient domains mapped to the drop-down",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM,
	 "203.0.113.5",
	 0,
	 "S3150",
	 {"outlook.de", "hotmail.co.uk", "live.fr", "msn.com"},
	 s3150,
	 &full,
	 ips1,
	 1,
	 {"[3] What domain are you sending to?\noutlook.com\n"
	  "  (mail to each recipient domain: outlook.de: refused or"},
	 {"outlook.de\n", "hotmail.co.uk\n", "also refused"},
	 0},
	{"consumer, duplicates in the drop-down collapse",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM,
	 "203.0.113.5",
	 0,
	 "S3150",
	 {"hotmail.fr", "hotmail.com"},
	 s3150,
	 &full,
	 ips1,
	 1,
	 {"[3] What domain are you sending to?\nhotmail.com\n  (mail to each "
	  "recipient domain: hotmail.fr: refused or deferred"},
	 {"also refused"},
	 0},
	{"consumer, other outbound IPs noted",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM,
	 "203.0.113.5",
	 0,
	 "S3150",
	 {"hotmail.com"},
	 s3150,
	 &full,
	 ips2,
	 2,
	 {"[8] Outbound IP(s) or range(s)\n203.0.113.5\n"
	  "  (other outbound IPs of this site: 203.0.113.6."},
	 {"did not name the IP"},
	 0},
	{"consumer, inferred IP",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM,
	 "203.0.113.5",
	 1,
	 "S3150",
	 {"hotmail.com"},
	 s3150,
	 &full,
	 ips2,
	 2,
	 {"Note: the refusal did not name the IP",
	  "[8] Outbound IP(s) or range(s)\n203.0.113.5; 203.0.113.6\n"},
	 {"other outbound IPs"},
	 0},
	{"365 ban, delist portal",
	 VERDICT_MS_365,
	 VERDICT_BAN,
	 VERDICT_DELIST_PORTAL,
	 "203.0.113.5",
	 0,
	 "5.7.606",
	 {"example.com"},
	 ban606,
	 &full,
	 ips1,
	 1,
	 {"at Microsoft 365 (5.7.606)", "one e-mail address and one IP",
	  "First check", "1. Open https://sender.office.com/",
	  "2. E-mail address", "postmaster@example.org\n",
	  "3. IP address:\n203.0.113.5\n", "\"Delist IP\"", "24 hours",
	  "550 5.7.606 Access denied", "Verify the unblock"},
	 {"[1] Issue title", "delist@messaging", "<fill in:"},
	 0},
	{"365 ban, portal needs only the e-mail",
	 VERDICT_MS_365,
	 VERDICT_BAN,
	 VERDICT_DELIST_PORTAL,
	 "203.0.113.5",
	 0,
	 "5.7.606",
	 {"example.com"},
	 ban606,
	 &empty,
	 NULL,
	 0,
	 {"2. E-mail address", "<fill in: contact e-mail>\n"},
	 {"<fill in: contact name>", "<fill in: time zone>"},
	 REQUEST_EMAIL},
	{"365 5.7.511, delist mail",
	 VERDICT_MS_365,
	 VERDICT_BAN,
	 VERDICT_DELIST_MAIL,
	 "203.0.113.5",
	 0,
	 "5.7.511",
	 {"example.com"},
	 ban511,
	 &full,
	 ips1,
	 1,
	 {"banned 203.0.113.5 with 5.7.511", "delist portal is not allowed",
	  "1. Forward the bounce you received, as an attachment, to:\n"
	  "delist@messaging.microsoft.com\n",
	  "2. Subject:\nDelist request for 203.0.113.5 (5.7.511)\n",
	  "our mail server 203.0.113.5, sending for example.org",
	  "550 5.7.511 Access denied",
	  "Please remove 203.0.113.5 from the ban list.",
	  "Jane Admin\npostmaster@example.org\n"},
	 {"sender.office.com/\n", "[1] Issue title"},
	 0},
	{"spamhaus",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SPAMHAUS,
	 "203.0.113.5",
	 0,
	 "AS3130",
	 {"hotmail.com"},
	 as3130,
	 &full,
	 ips1,
	 1,
	 {"because of a Spamhaus listing",
	  "1. Look up the IP at https://check.spamhaus.org/\n203.0.113.5\n",
	  "example.org\n", "CSS or XBL", "PBL", "3. Request the removal",
	  "postmaster@example.org\n", "Microsoft follows"},
	 {"[1] Issue title", "sender.office.com"},
	 0},
	{"rate limit, wait",
	 VERDICT_MS_CONSUMER,
	 VERDICT_RATELIMIT,
	 VERDICT_WAIT,
	 "203.0.113.5",
	 0,
	 "4.7.650",
	 {"outlook.com"},
	 rl650,
	 &empty,
	 NULL,
	 0,
	 {"what to do for 203.0.113.5", "rate limiting 203.0.113.5 (4.7.650)",
	  "deferred, not lost", "What to do", "compromised account",
	  "Reduce the rate", "destination_rate_delay", "SNDS", "What to expect",
	  "more than a day", "421 4.7.650"},
	 {"[1] Issue title", "<fill in:", "delisting request"},
	 0},
	{"IPv6 incident",
	 VERDICT_MS_CONSUMER,
	 VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM,
	 "2001:db8::25",
	 0,
	 "S3150",
	 {"hotmail.com"},
	 s3150,
	 &full,
	 NULL,
	 0,
	 {"[8] Outbound IP(s) or range(s)\n2001:db8::25\n",
	  "Please remove 2001:db8::25 from your block list."},
	 {NULL},
	 0},
};

/* make - an incident from a row */
static void make(struct incident *inc, size_t r)
{
	size_t i;

	memset(inc, 0, sizeof(*inc));
	inc->id = 1;
	util_strcpy(inc->ip, sizeof(inc->ip), rows[r].ip);
	inc->provider = rows[r].provider;
	inc->kind = rows[r].kind;
	inc->remedy = rows[r].remedy;
	inc->ip_inferred = rows[r].inferred;
	inc->n_codes = 1;
	inc->codes[0] = rows[r].code;
	for (i = 0; i < ROWS(rows[r].domains) && rows[r].domains[i]; i++)
		inc->domains[inc->n_domains++] = rows[r].domains[i];
	inc->n_samples = 1;
	inc->samples[0] = (char *)rows[r].sample;
	inc->count = inc->bounced = 3;
}

/* clean_text - only printable bytes, TAB-free, LF line ends */
static int clean_text(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
			return 0;
	return 1;
}

/* test_rows - render every row, check order, absence, missing mask */
static void test_rows(void)
{
	struct incident inc;
	struct buf b;
	size_t r, i;

	for (r = 0; r < ROWS(rows); r++) {
		const char *at;

		make(&inc, r);
		buf_init(&b);
		CHECK_INT(request_render(&b, &inc, rows[r].contact, rows[r].ips,
					 rows[r].n_ips),
			  0, rows[r].name);
		at = buf_str(&b);
		for (i = 0; i < MAXS && rows[r].want[i]; i++) {
			const char *hit = strstr(at, rows[r].want[i]);

			CHECK(hit != NULL, "%s: \"%s\" missing or out of order",
			      rows[r].name, rows[r].want[i]);
			if (hit)
				at = hit + strlen(rows[r].want[i]);
		}
		for (i = 0; i < MAXS && rows[r].reject[i]; i++)
			CHECK(strstr(buf_str(&b), rows[r].reject[i]) == NULL,
			      "%s: \"%s\" must not appear", rows[r].name,
			      rows[r].reject[i]);
		CHECK_INT(request_missing(&inc, rows[r].contact),
			  rows[r].missing, rows[r].name);
		CHECK(clean_text(buf_str(&b), b.len), "%s: control chars",
		      rows[r].name);
		buf_free(&b);
	}
}

/* test_hostile - samples, domains and codes from a stranger's bounce */
static void test_hostile(void)
{
	static const char *evil[] = {
		"550 x\r\nBcc: x@evil\r\n\r\nbody",
		"550 x\nX-Injected: 1",
		"550 --=_milter-delist_0123456789ABCDEF01234567--",
		"550 \x1b[31mred\x07\x7f\x01 `id` $(touch /tmp/pwned) ; | -rf",
		"550 \xff\xfe invalid \xc3 utf-8 \xed\xa0\x80",
	};
	struct incident inc;
	struct buf b;
	char *big = malloc((1u << 20) + 1);
	size_t i;

	if (!big)
		return;
	memset(big, 'A', 1u << 20);
	big[1u << 20] = '\0';
	for (i = 0; i < ROWS(evil) + 1; i++) {
		const char *s = i < ROWS(evil) ? evil[i] : big;

		make(&inc, 0);
		inc.samples[0] = (char *)s;
		inc.domains[0] =
			i < ROWS(evil) ? s : "hotmail.com\r\nBcc: x@evil";
		inc.codes[0] = "S3150\r\nX: 1";
		buf_init(&b);
		CHECK_INT(request_render(&b, &inc, &full, ips1, 1), 0,
			  "hostile");
		CHECK(clean_text(buf_str(&b), b.len),
		      "hostile %zu: control characters rendered", i);
		CHECK(b.len < 64 * 1024, "hostile %zu: %zu bytes", i, b.len);
		buf_free(&b);
	}
	/* CR LF inside a sample: separate lines, each cleaned. */
	make(&inc, 0);
	inc.samples[0] = "550 first\r\nBcc: x@evil\rthird";
	buf_init(&b);
	request_render(&b, &inc, &full, ips1, 1);
	CHECK(strstr(buf_str(&b), "(paste them as they are)\n550 first\n"
				  "Bcc: x@evil\nthird\n") != NULL,
	      "sample lines split");
	buf_free(&b);
	/* 1 MB sample: capped and marked. */
	inc.samples[0] = big;
	buf_init(&b);
	request_render(&b, &inc, &full, ips1, 1);
	CHECK(strstr(buf_str(&b), "\n[...]\n") != NULL, "cut marked");
	buf_free(&b);
	free(big);
}

/* Quote rows: input, indent, expected. */
static const struct {
	const char *in, *indent, *want;
} quote_rows[] = {
	{"a\r\nb", "  ", "  a\n  b\n"},
	{"a\rb\n\nc\n", "", "a\nb\nc\n"},
	{"x\ty\x01z", "> ", "> x y z\n"},
	{"\r\n\r\n", "  ", ""},
	{"  lead and trail  ", "", "lead and trail\n"},
	{"\xc3\xa9t\xc3\xa9", "", "\xc3\xa9t\xc3\xa9\n"},
};

/* test_quote - request_quote() line handling */
static void test_quote(void)
{
	struct buf b;
	char *longline;
	size_t i, lines = 0, maxlen = 0, cur = 0;

	for (i = 0; i < ROWS(quote_rows); i++) {
		buf_init(&b);
		request_quote(&b, quote_rows[i].in, quote_rows[i].indent);
		CHECK_STR(buf_str(&b), quote_rows[i].want, quote_rows[i].in);
		buf_free(&b);
	}
	/* A 3000-byte line of 2-byte characters: split, never mid-char. */
	longline = malloc(3001);
	if (!longline)
		return;
	for (i = 0; i < 3000; i += 2)
		memcpy(longline + i, "\xc3\xa9", 2);
	longline[3000] = '\0';
	buf_init(&b);
	request_quote(&b, longline, "");
	for (i = 0; i < b.len; i++) {
		if (b.data[i] == '\n') {
			lines++;
			if (cur > maxlen)
				maxlen = cur;
			CHECK(i == 0 || ((unsigned char)b.data[i - 1] == 0xa9),
			      "line %zu ends mid-character", lines);
			cur = 0;
		} else {
			cur++;
		}
	}
	CHECK(lines == 3 && maxlen < 1024, "long line: %zu lines, max %zu",
	      lines, maxlen);
	CHECK_INT(b.len, 3000 + 3, "long line: nothing lost");
	buf_free(&b);
	free(longline);
}

/* test_filename - the attachment name for any IP text */
static void test_filename(void)
{
	static const struct {
		const char *ip, *want;
	} f[] = {
		{"203.0.113.5", "delist-request-203.0.113.5.txt"},
		{"2001:db8::1", "delist-request-2001-db8--1.txt"},
		{"../../etc/passwd", "delist-request-..-..-etc-passwd.txt"},
		{"a\"b\r\nc", "delist-request-a-b--c.txt"},
		{"", "delist-request-x.txt"},
	};
	char name[80];
	size_t i;

	for (i = 0; i < ROWS(f); i++) {
		request_filename(name, sizeof(name), f[i].ip);
		CHECK_STR(name, f[i].want, f[i].ip);
	}
	CHECK_STR(request_field_label(REQUEST_TIMEZONE), "time zone", "label");
	CHECK_STR(request_field_option(REQUEST_TIMEZONE), "timezone", "opt");
}

/* Wrap rows: width, input, expected. */
static const struct {
	size_t width;
	const char *in, *want;
} wrap_rows[] = {
	{20, "one two three four five six", "one two three four\nfive six"},
	{10, "[ ] aaaa bbbb cccc", "[ ] aaaa\n    bbbb\n    cccc"},
	{10, "12. aa bb cc dd", "12. aa bb\n    cc dd"},
	{10, "  - aa bb cc dd", "  - aa bb\n    cc dd"},
	{8, "averyveryverylongword x", "averyveryverylongword\nx"},
	{20, "a\n\nb  c\n", "a\n\nb c\n"},
};

/* test_buf - growth, printf, cap and sticky error, wrapping */
static void test_buf(void)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	CHECK_STR(buf_str(&b), "", "empty");
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "%zu,", i % 10);
	CHECK_INT(b.len, 20000, "grown");
	CHECK(b.err == 0 && b.data[b.len] == '\0', "terminated");
	buf_add(&b, "a\0b", 3);
	CHECK_INT(b.len, 20003, "NUL bytes added");
	buf_free(&b);

	buf_init(&b);
	b.max = 10;
	CHECK_INT(buf_puts(&b, "0123456789"), 0, "up to the cap");
	CHECK_INT(buf_addc(&b, 'x'), -1, "past the cap");
	CHECK_INT(b.err, EMSGSIZE, "cap error");
	CHECK_INT(buf_puts(&b, ""), -1, "sticky");
	CHECK_STR(buf_str(&b), "0123456789", "content kept");
	buf_reset(&b);
	CHECK(b.err == 0 && b.len == 0, "reset");
	buf_free(&b);

	for (i = 0; i < ROWS(wrap_rows); i++) {
		buf_init(&b);
		buf_wrapf(&b, wrap_rows[i].width, "%s", wrap_rows[i].in);
		CHECK_STR(buf_str(&b), wrap_rows[i].want, wrap_rows[i].in);
		buf_free(&b);
	}
}

/* unwrap - s with every run of white space made one space (wrapped prose
 * compared as text); caller frees */
static char *unwrap(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p = o;
	int sp = 0;

	if (!o)
		abort();
	for (; *s; s++) {
		if (*s == ' ' || *s == '\n') {
			sp = 1;
			continue;
		}
		if (sp && p > o)
			*p++ = ' ';
		sp = 0;
		*p++ = *s;
	}
	*p = '\0';
	return o;
}

/*
 * test_outcomes - the request says per recipient domain what happened:
 * outlook.de only deferred and outlook.com accepted again are not
 * "refused" (the request once said "also refused: outlook.com")
 */
static void test_outcomes(void)
{
	struct incident inc;
	struct buf b;
	char *text;

	memset(&inc, 0, sizeof(inc));
	util_strcpy(inc.ip, sizeof(inc.ip), "203.0.113.5");
	inc.provider = VERDICT_MS_CONSUMER;
	inc.kind = VERDICT_BLOCK;
	inc.remedy = VERDICT_SENDER_SUPPORT_FORM;
	inc.count = 3;
	inc.n_samples = 1;
	inc.samples[0] = (char *)s3150;
	inc.n_domains = 3;
	inc.domains[0] = "outlook.de";
	inc.domains[1] = "hotmail.com";
	inc.domains[2] = "outlook.com";
	inc.domain_outcomes[0] = INCIDENT_OUTCOME_DEFERRED;
	inc.domain_outcomes[1] = INCIDENT_OUTCOME_REFUSED;
	inc.domain_outcomes[2] =
		INCIDENT_OUTCOME_DEFERRED | INCIDENT_OUTCOME_ACCEPTED;
	buf_init(&b);
	CHECK(request_render(&b, &inc, &full, ips1, 1) == 0, "outcomes");
	text = unwrap(buf_str(&b));
	CHECK(strstr(text, "outlook.de: deferred;") != NULL, "%s", text);
	CHECK(strstr(text, "hotmail.com: refused;") != NULL, "%s", text);
	CHECK(strstr(text, "outlook.com: deferred, then accepted again.") !=
		      NULL,
	      "%s", text);
	CHECK(!strstr(text, "also refused") &&
		      !strstr(text, "outlook.com: refused") &&
		      !strstr(text, "outlook.de: refused"),
	      "a domain called refused that was not: %s", text);
	/* the entry to pick: the first domain still failing */
	CHECK(strstr(text, "sending to? outlook.com (mail to each") != NULL,
	      "drop-down entry: %s", text);
	free(text);
	buf_free(&b);
}

/* test_no_finding - no finding, no request (--request for an IP the
 * files do not name once printed "Outlook.com refuses mail from ...") */
static void test_no_finding(void)
{
	struct incident inc;
	struct buf b;

	memset(&inc, 0, sizeof(inc));
	util_strcpy(inc.ip, sizeof(inc.ip), "192.0.2.99");
	inc.provider = VERDICT_MS_CONSUMER;
	inc.kind = VERDICT_BLOCK;
	inc.remedy = VERDICT_SENDER_SUPPORT_FORM;
	buf_init(&b);
	errno = 0;
	CHECK(request_render(&b, &inc, &full, ips1, 1) == -1 && errno == ENOENT,
	      "a request rendered for an incident without findings");
	CHECK_INT(b.len, 0, "nothing appended without findings");
	buf_free(&b);
}

/* test_ip_list - the form's IP field: the fewest ranges */
static void test_ip_list(void)
{
	static const struct {
		const char *name;
		char *ips[8];
		size_t n;
		const char *want;
		int rc;
	} t[] = {
		{"one", {"203.0.113.5"}, 1, "203.0.113.5", 0},
		{"four in a /30 and a stray",
		 {"192.0.2.13", "192.0.2.12", "198.51.100.7", "192.0.2.15",
		  "192.0.2.14"},
		 5,
		 "192.0.2.12/30; 198.51.100.7",
		 0},
		{"mapped and plain are one",
		 {"::ffff:192.0.2.1", "192.0.2.1"},
		 2,
		 "192.0.2.1",
		 0},
		{"a configured range stays",
		 {"192.0.2.8/29", "203.0.113.5"},
		 2,
		 "203.0.113.5; 192.0.2.8/29",
		 0},
		{"IPv6", {"2001:db8::1", "2001:db8::"}, 2, "2001:db8::/127", 0},
		{"not an address left out",
		 {"unknown", "192.0.2.1"},
		 2,
		 "192.0.2.1",
		 1},
		{"none", {NULL}, 0, "", 0},
	};
	size_t i;

	for (i = 0; i < ROWS(t); i++) {
		struct buf b;

		buf_init(&b);
		CHECK_INT(request_ip_list(&b, t[i].ips, t[i].n), t[i].rc,
			  t[i].name);
		CHECK_STR(buf_str(&b), t[i].want, t[i].name);
		buf_free(&b);
	}
}

/*
 * test_same_url - for every remedy, the URL the alert body names is the
 * one the attachment names: both read it from the one remedy table, so
 * neither can drift (the Spamhaus URL once differed between the two).
 */
static void test_same_url(void)
{
	int r;

	for (r = 1; r < remedy_count(); r++) {
		const char *name = verdict_remedy_name((enum verdict_remedy)r);
		const char *url = verdict_remedy_url((enum verdict_remedy)r);
		struct incident inc;
		struct config cfg;
		struct buf body, att;

		memset(&inc, 0, sizeof(inc));
		memset(&cfg, 0, sizeof(cfg));
		util_strcpy(inc.ip, sizeof(inc.ip), "203.0.113.5");
		inc.provider = VERDICT_MS_365;
		inc.kind = VERDICT_BLOCK;
		inc.remedy = (enum verdict_remedy)r;
		inc.state = INCIDENT_OPEN;
		inc.first_seen = inc.last_seen = 1714813200;
		inc.count = inc.bounced = 1;
		inc.n_codes = 1;
		inc.codes[0] = "S3150";
		cfg.alert.to = "postmaster@example.org";
		cfg.alert.from = "milter-delist@example.org";
		cfg.contact = full;
		buf_init(&body);
		buf_init(&att);
		CHECK(notice_body(&body, INCIDENT_DUE_ALERT, &inc, &cfg, NULL,
				  1714813200) == 0,
		      "%s: body", name);
		CHECK(request_render(&att, &inc, &full, NULL, 0) == 0,
		      "%s: request", name);
		CHECK(url[0] != '\0', "%s: no URL", name);
		CHECK(strstr(buf_str(&body), url) != NULL, "%s: body lacks %s",
		      name, url);
		CHECK(strstr(buf_str(&att), url) != NULL,
		      "%s: attachment lacks %s", name, url);
		/* 5.7.708: not the portal, whatever else is said */
		if (r == VERDICT_M365_SUPPORT)
			CHECK(!strstr(buf_str(&att), "sender.office.com") &&
				      !strstr(buf_str(&body),
					      "sender.office.com") &&
				      strstr(buf_str(&att), "support request"),
			      "5.7.708 points to the portal");
		buf_free(&body);
		buf_free(&att);
	}
	CHECK(r > VERDICT_M365_SUPPORT, "only %d remedies walked", r);
	/* the table is in enum order, each row found by its name */
	for (r = 0; r < remedy_count(); r++) {
		CHECK_INT(remedy_get((enum verdict_remedy)r)->id, r,
			  "row order");
		CHECK_INT(remedy_from_name(
				  remedy_get((enum verdict_remedy)r)->name),
			  r, remedy_get((enum verdict_remedy)r)->name);
	}
}

int main(void)
{
	test_buf();
	test_quote();
	test_filename();
	test_rows();
	test_hostile();
	test_same_url();
	test_outcomes();
	test_no_finding();
	test_ip_list();
	return check_done("t-request");
}
