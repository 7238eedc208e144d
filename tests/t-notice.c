/*
 * t-notice.c - the three mails about an incident (notice.c): subjects,
 * bodies, whole messages parsed back by the checker of alertcheck.h, with
 * hostile bounce-derived values in every field
 *
 * "t-notice --emit alert|hostile|cleared|v6 [MARKER]" writes one composed
 * message to stdout for tests/t-mime-parse.sh (Python's email package checks
 * it).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alertcheck.h"
#include "check.h"
#include "notice.h"
#include "util.h"

#define NOW 1714737000 /* Fri, 03 May 2024 11:50:00 UTC */

static const char s3150[] =
	"550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. "
	"Please contact your Internet service provider since part of their "
	"network is on our block list (S3150). You can also refer your "
	"provider to http://mail.live.com/mail/troubleshooting.aspx#errors. "
	"[DB5EUR03FT034.eop-EUR03.prod.protection.outlook.com]";

static char *ips[] = {"203.0.113.5", "203.0.113.6", NULL};
static char *sendmail[] = {"/usr/sbin/sendmail", "-oi", "-t", NULL};

/* fixture - a consumer S3150 incident and a configuration */
static void fixture(struct incident *inc, struct config *cfg)
{
	memset(inc, 0, sizeof(*inc));
	memset(cfg, 0, sizeof(*cfg));
	inc->id = 7;
	util_strcpy(inc->ip, sizeof(inc->ip), "203.0.113.5");
	inc->provider = VERDICT_MS_CONSUMER;
	inc->kind = VERDICT_BLOCK;
	inc->remedy = VERDICT_SENDER_SUPPORT_FORM;
	inc->state = INCIDENT_OPEN;
	inc->first_seen = NOW - 5880;
	inc->last_seen = NOW - 600;
	inc->count = 14;
	inc->bounced = 12;
	inc->deferred = 2;
	inc->n_codes = 2;
	inc->codes[0] = "S3150";
	inc->codes[1] = "5.7.1";
	inc->n_domains = 2;
	inc->domains[0] = "hotmail.com";
	inc->domains[1] = "outlook.de";
	inc->n_samples = 1;
	inc->samples[0] = (char *)s3150;

	cfg->file = "/etc/milter-delist.conf";
	cfg->outbound_ips = ips;
	cfg->n_outbound_ips = 2;
	cfg->alert.to = "postmaster@example.org";
	cfg->alert.from = "milter-delist@example.org";
	cfg->alert.sendmail = sendmail;
	cfg->alert.reminder = 86400;
	cfg->alert.clear_after = 3600;
	cfg->alert.timeout = 60;
	cfg->alert.retry = 300;
	cfg->contact.name = "Jane Admin";
	cfg->contact.email = "postmaster@example.org";
	cfg->contact.company_type = "";
	cfg->contact.timezone = "";
	cfg->contact.website = "https://www.example.org/";
	cfg->contact.server_type = "dedicated";
	cfg->contact.sending_domain = "example.org";
}

static const struct notice_count top_senders[] = {
	{"newsletter@example.org", 812}, {"alice@example.org", 34}};
static const struct notice_count top_users[] = {{"newsletter", 812},
						{"alice", 30}};
static const struct notice_volume volume = {86400,	 870, 842,	 14, 3,
					    top_senders, 2,   top_users, 2};

/* hostile - fill inc with hostile samples, domains, codes; big is 1 MB */
static void hostile(struct incident *inc, char *big, size_t which)
{
	size_t i;

	for (i = 0; i < INCIDENT_MAX_SAMPLES; i++)
		inc->samples[i] = (char *)evil[(which + i) % ROWS(evil)];
	inc->n_samples = INCIDENT_MAX_SAMPLES;
	if (big)
		inc->samples[2] = big;
	inc->n_domains = 2;
	inc->domains[0] = evil[which % ROWS(evil)];
	inc->domains[1] = "hotmail.com\r\nBcc: x@evil";
	inc->codes[0] = "S3150\r\nBcc: x@evil";
	inc->codes[1] = evil[(which + 1) % ROWS(evil)];
}

/* Subject rows of notices: due, kind, provider, remedy, code, want. */
static const struct {
	enum incident_due due;
	enum verdict_kind kind;
	enum verdict_provider provider;
	enum verdict_remedy remedy;
	const char *code, *want;
} notice_subjects[] = {
	{INCIDENT_DUE_ALERT, VERDICT_BLOCK, VERDICT_MS_CONSUMER,
	 VERDICT_SENDER_SUPPORT_FORM, "S3150",
	 "[milter-delist] 203.0.113.5 blocked by Outlook.com (S3150): "
	 "delisting request attached"},
	{INCIDENT_DUE_ALERT, VERDICT_BAN, VERDICT_MS_365, VERDICT_DELIST_PORTAL,
	 "5.7.606",
	 "[milter-delist] 203.0.113.5 banned by Microsoft 365 (5.7.606): "
	 "delisting request attached"},
	{INCIDENT_DUE_ALERT, VERDICT_RATELIMIT, VERDICT_MS_CONSUMER,
	 VERDICT_WAIT, "4.7.650",
	 "[milter-delist] 203.0.113.5 rate limited by Outlook.com (4.7.650)"},
	{INCIDENT_DUE_REMINDER, VERDICT_BLOCK, VERDICT_MS_CONSUMER,
	 VERDICT_SENDER_SUPPORT_FORM, "S3150",
	 "[milter-delist] 203.0.113.5 still blocked by Outlook.com (S3150) "
	 "after 24 h"},
	{INCIDENT_DUE_CLEARED, VERDICT_BLOCK, VERDICT_MS_CONSUMER,
	 VERDICT_SENDER_SUPPORT_FORM, "S3150",
	 "[milter-delist] 203.0.113.5 cleared: mail to Outlook.com is "
	 "accepted again since 2024-05-04 09:00 +0000"},
	{INCIDENT_DUE_ALERT, VERDICT_BLOCK, VERDICT_MS_CONSUMER,
	 VERDICT_SENDER_SUPPORT_FORM, "",
	 "[milter-delist] 203.0.113.5 blocked by Outlook.com: delisting "
	 "request attached"},
};

/* test_notice_subjects - the subject of each mail */
static void test_notice_subjects(void)
{
	struct incident inc;
	struct config cfg;
	struct buf b;
	size_t i;

	for (i = 0; i < ROWS(notice_subjects); i++) {
		fixture(&inc, &cfg);
		inc.kind = notice_subjects[i].kind;
		inc.provider = notice_subjects[i].provider;
		inc.remedy = notice_subjects[i].remedy;
		inc.codes[0] = notice_subjects[i].code;
		inc.n_codes = *notice_subjects[i].code ? 1 : 0;
		inc.alerted_at = NOW - 86400 + 120;
		inc.sent_since = 1714813200; /* 2024-05-04 09:00 UTC */
		buf_init(&b);
		CHECK_INT(notice_subject(&b, notice_subjects[i].due, &inc, &cfg,
					 NOW),
			  0, notice_subjects[i].want);
		CHECK_STR(buf_str(&b), notice_subjects[i].want,
			  notice_subjects[i].want);
		buf_free(&b);
	}
	buf_init(&b);
	CHECK_INT(notice_subject(&b, INCIDENT_DUE_NONE, &inc, &cfg, NOW), -1,
		  "due none");
	buf_free(&b);
}

/* has_in_order - the needles occur in s in this order */
static int has_in_order(const char *s, const char *const *needles, size_t n,
			const char *row)
{
	size_t i;
	int ok = 1;

	for (i = 0; i < n; i++) {
		const char *hit = strstr(s, needles[i]);

		CHECK(hit != NULL, "%s: \"%s\" missing or out of order", row,
		      needles[i]);
		if (!hit)
			return 0;
		s = hit + strlen(needles[i]);
	}
	return ok;
}

/* test_notice_bodies - what each body says */
static void test_notice_bodies(void)
{
	static const char *const alert[] = {
		"Since 2024-05-03 10:12 +0000, Outlook.com has refused mail",
		"203.0.113.5",
		"Messages refused:   12",
		"Messages deferred:  2",
		"Recipient domains:  hotmail.com, outlook.de",
		"Codes:              S3150, 5.7.1",
		"replied (verbatim):\n\n  550 5.7.1 Unfortunately",
		"What to do (sender-support-form)",
		"https://olcsupport.office.com/",
		"delist-request-203.0.113.5.txt",
		"sudden top sender",
		"870 messages from 14 senders; 842 by 3 SASL users",
		"Top senders:\n       812  newsletter@example.org\n"
		"        34  alice@example.org\n",
		"Top SASL users:\n       812  newsletter\n",
		"(timezone),",
		"(company_type)",
		"still refused in 24 h",
		"accepted for 1 h",
	};
	static const char *const reminder[] = {
		"Reminder: 203.0.113.5 is still blocked by Outlook.com (S3150)",
		"Messages refused:   12",
		"does not remind you again",
	};
	static const char *const cleared[] = {
		"Mail from 203.0.113.5 to Outlook.com is accepted again since "
		"2024-05-04\n09:00 +0000.",
		"first seen 2024-05-03 10:12 +0000",
		"Messages refused:   12",
		"Nothing more to do",
	};
	struct incident inc;
	struct config cfg;
	struct buf b;

	fixture(&inc, &cfg);
	inc.sent_since = 1714813200;
	buf_init(&b);
	CHECK_INT(notice_body(&b, INCIDENT_DUE_ALERT, &inc, &cfg, &volume, NOW),
		  0, "alert body");
	has_in_order(buf_str(&b), alert, ROWS(alert), "alert body");
	CHECK(strstr(buf_str(&b), "Reminder") == NULL, "alert: no reminder");
	CHECK(strstr(buf_str(&b), "did not name the IP") == NULL,
	      "alert: not inferred");
	buf_free(&b);

	inc.ip_inferred = 1;
	buf_init(&b);
	notice_body(&b, INCIDENT_DUE_ALERT, &inc, &cfg, NULL, NOW);
	CHECK(strstr(buf_str(&b), "did not name the IP") != NULL, "inferred");
	CHECK(strstr(buf_str(&b), "Not available") != NULL, "no volume");
	buf_free(&b);
	inc.ip_inferred = 0;

	cfg.alert.reminder = 0;
	buf_init(&b);
	notice_body(&b, INCIDENT_DUE_ALERT, &inc, &cfg, &volume, NOW);
	CHECK(strstr(buf_str(&b), "no reminder is configured") != NULL,
	      "reminder off");
	buf_free(&b);
	cfg.alert.reminder = 86400;

	buf_init(&b);
	notice_body(&b, INCIDENT_DUE_REMINDER, &inc, &cfg, &volume, NOW);
	has_in_order(buf_str(&b), reminder, ROWS(reminder), "reminder body");
	buf_free(&b);

	buf_init(&b);
	notice_body(&b, INCIDENT_DUE_CLEARED, &inc, &cfg, &volume, NOW);
	has_in_order(buf_str(&b), cleared, ROWS(cleared), "cleared body");
	CHECK(strstr(buf_str(&b), "Top senders") == NULL, "cleared: short");
	buf_free(&b);

	/* Everything configured: no "Missing" paragraph. */
	cfg.contact.company_type = "Small Business";
	cfg.contact.timezone = "UTC";
	buf_init(&b);
	notice_body(&b, INCIDENT_DUE_ALERT, &inc, &cfg, &volume, NOW);
	CHECK(strstr(buf_str(&b), "Missing in the contact") == NULL,
	      "nothing missing");
	buf_free(&b);
}

/* test_notice_build - whole messages, parsed back */
static void test_notice_build(void)
{
	static const enum incident_due dues[] = {INCIDENT_DUE_ALERT,
						 INCIDENT_DUE_REMINDER,
						 INCIDENT_DUE_CLEARED};
	struct incident inc;
	struct config cfg;
	struct parsed p;
	struct buf b;
	size_t i;

	for (i = 0; i < ROWS(dues); i++) {
		char *dec;

		fixture(&inc, &cfg);
		buf_init(&b);
		CHECK_INT(notice_build(&b, dues[i], &inc, &cfg, &volume,
				       "mx.example.org", NOW),
			  0, "build");
		check_alert_shape(buf_str(&b), b.len, "build",
				  dues[i] == INCIDENT_DUE_CLEARED ? 1 : 2, &p);
		CHECK_STR(header(&p, "To") ? header(&p, "To") : "",
			  "postmaster@example.org", "build to");
		CHECK_STR(header(&p, "From") ? header(&p, "From") : "",
			  "milter-delist@example.org", "build from");
		if (dues[i] != INCIDENT_DUE_CLEARED) {
			dec = p.part[1] ? qp_decode(p.part[1]) : NULL;
			CHECK(dec && strstr(dec, "[1] Issue title\nServer IP "
						 "Listed / Non-Delivery "
						 "Returned Mail\n"),
			      "attachment is the request");
			CHECK(dec && strstr(dec, s3150), "verbatim sample");
			free(dec);
		}
		parsed_free(&p);
		buf_free(&b);
	}
	fixture(&inc, &cfg);
	cfg.alert.to = "a@b, x@evil";
	buf_init(&b);
	errno = 0;
	CHECK_INT(notice_build(&b, INCIDENT_DUE_ALERT, &inc, &cfg, NULL, NULL,
			       NOW),
		  -1, "two recipients refused");
	CHECK_INT(errno, EINVAL, "two recipients: EINVAL");
	buf_free(&b);
}

/* test_notice_hostile - hostile incident values in every field */
static void test_notice_hostile(void)
{
	char *big = malloc((1u << 20) + 1);
	struct incident inc;
	struct config cfg;
	struct parsed p;
	struct buf b;
	size_t i;

	if (!big)
		return;
	memset(big, 'C', 1u << 20);
	memcpy(big + 1000, "\r\nBcc: x@evil\r\n", 15);
	big[1u << 20] = '\0';
	for (i = 0; i < ROWS(evil) + 1; i++) {
		char row[64];
		int due;

		snprintf(row, sizeof(row), "hostile notice %zu", i);
		for (due = INCIDENT_DUE_ALERT; due <= INCIDENT_DUE_CLEARED;
		     due++) {
			fixture(&inc, &cfg);
			hostile(&inc, i == ROWS(evil) ? big : NULL, i);
			buf_init(&b);
			CHECK_INT(notice_build(&b, (enum incident_due)due, &inc,
					       &cfg, &volume, "mx", NOW),
				  0, row);
			check_alert_shape(buf_str(&b), b.len, row,
					  due == INCIDENT_DUE_CLEARED ? 1 : 2,
					  &p);
			CHECK_STR(header(&p, "To") ? header(&p, "To") : "",
				  "postmaster@example.org", row);
			CHECK(b.len < 256 * 1024, "%s: %zu bytes", row, b.len);
			parsed_free(&p);
			buf_free(&b);
		}
	}
	free(big);
}

/* emit - write the named case to stdout; 0, or 2 if unknown.  marker
 * (hostile only, or NULL): a file that a shell running the bounce text
 * would create, for t-mime-parse.sh to look for */
static int emit(const char *what, const char *marker)
{
	char payload[600];
	struct incident inc;
	struct config cfg;
	struct buf b;
	enum incident_due due = INCIDENT_DUE_ALERT;
	char *big = NULL;
	int rc;

	fixture(&inc, &cfg);
	if (strcmp(what, "hostile") == 0) {
		big = malloc((1u << 20) + 1);
		if (!big)
			return 99;
		memset(big, 'D', 1u << 20);
		memcpy(big + 4096, "\r\nBcc: x@evil\r\n", 15);
		big[1u << 20] = '\0';
		hostile(&inc, big, 0);
		/* The verbatim sample the checker looks for comes first. */
		inc.samples[0] = (char *)s3150;
		if (marker) {
			snprintf(payload, sizeof(payload),
				 "$(touch %s) `touch %s` ; | -rf", marker,
				 marker);
			inc.samples[1] = payload;
			inc.domains[0] = payload;
		}
	} else if (strcmp(what, "cleared") == 0) {
		due = INCIDENT_DUE_CLEARED;
		inc.sent_since = 1714813200;
	} else if (strcmp(what, "v6") == 0) {
		util_strcpy(inc.ip, sizeof(inc.ip), "2001:db8::25");
		inc.provider = VERDICT_MS_365;
		inc.kind = VERDICT_BAN;
		inc.remedy = VERDICT_DELIST_PORTAL;
		inc.codes[0] = "5.7.606";
		inc.samples[0] = "550 5.7.606 Access denied, banned sending IP "
				 "[2001:db8::25].";
	} else if (strcmp(what, "alert") != 0) {
		return 2;
	}
	buf_init(&b);
	rc = notice_build(&b, due, &inc, &cfg, &volume, "mx.example.org", NOW);
	if (rc == 0)
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	free(big);
	return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	setenv("TZ", "UTC", 1);
	tzset();
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "--emit") == 0)
		return emit(argv[2], argc == 4 ? argv[3] : NULL);
	test_notice_subjects();
	test_notice_bodies();
	test_notice_build();
	test_notice_hostile();
	return check_done("t-notice");
}
