/*
 * exec-fixture.c - run an alert.exec program as the daemon will, for
 * t-notify.sh
 *
 *   exec-fixture PROGRAM EVENT IP REPLY
 *
 * A finding with that IP and reply text (a Microsoft 365 ban 5.7.606 when
 * REPLY contains it, else an Outlook.com S3150 block) goes into a real
 * incident store; exec_incident_event() builds the event and
 * exec_run() runs PROGRAM (timeout 20 s).  Prints "ok" or the reason;
 * exit 0 when the run succeeded, 1 when it failed, 2 on usage.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exec.h"
#include "incident.h"

int main(int argc, char **argv)
{
	struct incident_store *store = incident_store_new(0);
	struct incident *inc;
	struct exec_env env;
	struct finding f;
	struct buf json;
	char err[300];
	int is_new, ban;

	if (argc != 5 || !store) {
		fprintf(stderr, "usage: exec-fixture PROGRAM EVENT IP REPLY\n");
		return 2;
	}
	ban = strstr(argv[4], "5.7.606") != NULL;
	memset(&f, 0, sizeof(f));
	f.source = FINDING_POSTFIX_LOG;
	f.when = time(NULL);
	f.v.provider = ban ? VERDICT_MS_365 : VERDICT_MS_CONSUMER;
	f.v.kind = ban ? VERDICT_BAN : VERDICT_BLOCK;
	f.v.remedy = ban ? VERDICT_DELIST_PORTAL : VERDICT_SENDER_SUPPORT_FORM;
	f.v.reply_code = 550;
	snprintf(f.v.code, sizeof(f.v.code), "%s", ban ? "5.7.606" : "S3150");
	snprintf(f.v.ip, sizeof(f.v.ip), "%s", argv[3]);
	snprintf(f.rcpt_domain, sizeof(f.rcpt_domain), "hotmail.com");
	f.text = argv[4];
	f.text_len = strlen(argv[4]);
	inc = incident_note(store, &f, &is_new);
	if (!inc) {
		perror("incident_note");
		return 2;
	}
	buf_init(&json);
	exec_incident_event(&json, &env, argv[2], inc, time(NULL));
	if (exec_run(argv[1], json.data, json.len, env.envp, 20, NULL, NULL,
		     err, sizeof(err)) < 0) {
		printf("%s\n", err);
		return 1;
	}
	printf("ok\n");
	buf_free(&json);
	incident_store_free(store);
	return 0;
}
