/*
 * state-make.c - write a state file with the real incident store, its
 * times relative to now: for the clock tests (times from the future,
 * incidents last seen years ago)
 *
 *   state-make FILE SPEC...
 *
 * SPEC: "IP,seen=S[,alerted=A][,sent=T][,next=N]", each a number of
 * seconds relative to now (negative: past).  A block of IP by Outlook.com
 * (S3150) last seen at now+S; alerted at now+A (incident_mark()); a
 * delivery accepted at now+T (incident_sent()); a failed send at now+N
 * with a 1 s retry (incident_failed(): the next attempt then lies at
 * now+N+1).  Exit 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "finding.h"
#include "incident.h"
#include "util.h"

/* field - the value of "key=" in spec, into *v; 1 when present */
static int field(const char *spec, const char *key, long long *v)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), ",%s=", key);
	p = strstr(spec, pat);
	if (!p)
		return 0;
	*v = strtoll(p + strlen(pat), NULL, 10);
	return 1;
}

int main(int argc, char **argv)
{
	struct incident_store *s = incident_store_new(0);
	time_t now = time(NULL);
	struct incident *inc;
	struct finding f;
	long long seen, v;
	int i;

	if (argc < 3 || !s) {
		fprintf(stderr, "usage: state-make FILE SPEC...\n");
		return 1;
	}
	for (i = 2; i < argc; i++) {
		memset(&f, 0, sizeof(f));
		util_copy(f.v.ip, sizeof(f.v.ip), argv[i],
			  strcspn(argv[i], ","));
		if (!field(argv[i], "seen", &seen)) {
			fprintf(stderr, "%s: no seen=\n", argv[i]);
			return 1;
		}
		f.v.provider = VERDICT_MS_CONSUMER;
		f.v.kind = VERDICT_BLOCK;
		f.v.remedy = VERDICT_SENDER_SUPPORT_FORM;
		f.v.reply_code = 550;
		util_strcpy(f.v.code, sizeof(f.v.code), "S3150");
		util_strcpy(f.v.status, sizeof(f.v.status), "5.7.1");
		util_strcpy(f.rcpt_domain, sizeof(f.rcpt_domain),
			    "hotmail.com");
		f.source = FINDING_POSTFIX_LOG;
		f.when = now + (time_t)seen;
		inc = incident_note(s, &f, NULL);
		if (!inc) {
			fprintf(stderr, "%s: not noted\n", argv[i]);
			return 1;
		}
		if (field(argv[i], "alerted", &v))
			incident_mark(inc, INCIDENT_DUE_ALERT, now + (time_t)v);
		if (field(argv[i], "sent", &v))
			incident_sent(s, inc->ip, inc->provider,
				      now + (time_t)v, NULL);
		if (field(argv[i], "next", &v))
			incident_failed(inc, now + (time_t)v, 1);
	}
	if (incident_save(s, argv[1]) < 0) {
		perror(argv[1]);
		return 1;
	}
	incident_store_free(s);
	return 0;
}
