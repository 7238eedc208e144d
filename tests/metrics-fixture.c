/*
 * metrics-fixture.c - a metrics file from real log lines, for t-metrics.sh
 *
 *   metrics-fixture OUT IP_CAP < maillog
 *
 * Each line goes through the daemon's own pipeline pieces (maillog_parse,
 * finding_from_log, incident_note); every finding is counted with
 * metrics_finding(), a few alert, lag and save counts are added, and
 * metrics_write() writes OUT.  Exit 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "finding.h"
#include "incident.h"
#include "maillog.h"
#include "metrics.h"

int main(int argc, char **argv)
{
	static char line[65536];
	struct incident_store *store = incident_store_new(0);
	struct metrics *m = metrics_new();
	struct maillog_rec rec;
	struct finding f;
	time_t now = time(NULL);
	size_t len;
	int is_new;

	if (argc != 3 || !store || !m) {
		fprintf(stderr,
			"usage: metrics-fixture OUT IP_CAP < maillog\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		len = strcspn(line, "\n");
		if (maillog_parse(line, len, now, &rec) <= 0 ||
		    !finding_from_log(&f, &rec, now))
			continue;
		if (f.sent) {
			incident_sent(store, "", f.v.provider, f.when, NULL);
			continue;
		}
		metrics_finding(m, finding_source_name(f.source),
				verdict_provider_name(f.v.provider), f.v.code);
		if (verdict_alerts(&f.v) &&
		    !incident_note(store, &f, &is_new)) {
			perror("incident_note");
			return 1;
		}
	}
	metrics_alert(m, "mail", 1);
	metrics_alert(m, "mail", 0);
	metrics_alert(m, "exec", 1);
	metrics_lag(m, "/var/log/mail.log", 4096, 2.5);
	metrics_lag(m, "journal \"x\"\\", HEALTH_NO_BYTES, 7.25);
	metrics_save(m, 0.0123, 1);
	metrics_save(m, 0.5, 0);
	if (metrics_write(m, argv[1], store, strtoul(argv[2], NULL, 10),
			  (gid_t)-1) < 0) {
		perror(argv[1]);
		return 1;
	}
	metrics_free(m);
	incident_store_free(store);
	return 0;
}
