/*
 * t-health.c - the health file (write, read back, mode, hostile text)
 * and what --check and --status make of it: the daemon's pid alive or
 * gone, a failed state save, the log sources (a journal's lag in seconds
 * only: no bytes in the file, --check, --status or its JSON)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "health.h"
#include "incident.h"
#include "status.h"

static char dir[] = "/tmp/t-health.XXXXXX";
static char state[128], hpath[160];

/* sample - a health record with hostile text */
static void sample(struct health *h, long pid)
{
	memset(h, 0, sizeof(*h));
	h->pid = pid;
	snprintf(h->version, sizeof(h->version), "9.9");
	snprintf(h->config, sizeof(h->config), "/etc/milter-delist.conf");
	snprintf(h->state_file, sizeof(h->state_file), "%s", state);
	h->started = 1700000000;
	h->updated = 1700000300;
	h->state_saved = 1700000290;
	h->n_sources = 2;
	snprintf(h->sources[0].name, sizeof(h->sources[0].name),
		 "/var/log/mail.log");
	h->sources[0].bytes_behind = 10;
	h->sources[0].seconds_behind = 3;
	snprintf(h->sources[1].name, sizeof(h->sources[1].name),
		 "/var/log/a b\npid=1");
	h->sources[1].seconds_behind = -1;
}

/* run - status_check or status_print into a string (caller frees) */
static char *run(int print, int json, int *code)
{
	struct status_opts o;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	memset(&o, 0, sizeof(o));
	o.state_file = state;
	o.warning = o.critical = 1;
	o.recent = 86400;
	o.json = json;
	*code = print ? status_print(&o, fp) : status_check(&o, fp);
	fclose(fp);
	return text;
}

static void test_roundtrip(void)
{
	struct health h, back;
	struct stat st;
	char err[256];

	sample(&h, (long)getpid());
	CHECK_INT(health_write(hpath, &h, (gid_t)-1), 0, "write");
	CHECK(stat(hpath, &st) == 0 && (st.st_mode & 0777) == 0640,
	      "mode 0640: %o", st.st_mode & 0777);
	CHECK_INT(health_read(hpath, &back, err, sizeof(err)), 0, "read");
	CHECK_INT(back.pid, getpid(), "pid");
	CHECK_STR(back.version, "9.9", "version");
	CHECK_INT(back.state_saved, 1700000290, "state_saved");
	CHECK_INT(back.n_sources, 2, "sources");
	CHECK_STR(back.sources[1].name, "/var/log/a b pid=1",
		  "a newline in a name cannot forge a key");
	CHECK_INT(back.sources[1].seconds_behind, -1, "seconds unknown");
	CHECK_INT(back.sources[0].bytes_behind, 10, "bytes behind");
	CHECK_INT(health_alive(getpid()), 1, "we are alive");
}

static void test_status(void)
{
	struct incident_store *s = incident_store_new(0);
	struct health h;
	char *out;
	pid_t child;
	int code;

	CHECK_INT(incident_save(s, state), 0, "empty state saved");
	sample(&h, (long)getpid());
	health_write(hpath, &h, (gid_t)-1);
	out = run(0, 0, &code);
	CHECK(code == STATUS_OK &&
		      strncmp(out, "MILTER-DELIST OK - ", 19) == 0 &&
		      strstr(out, " lag_bytes=10B;;;0 lag=3s;;;0") != NULL,
	      "running, clear: %d %s", code, out);
	free(out);
	out = run(1, 1, &code);
	CHECK(strstr(out, "\"running\":true") &&
		      strstr(out, "{\"name\":\"/var/log/mail.log\","
				  "\"bytes_behind\":10,\"seconds_behind\":3}"),
	      "--status --json shows the sources: %s", out);
	free(out);

	snprintf(h.state_error, sizeof(h.state_error),
		 "write: No space left on device");
	h.state_save_failures = 3;
	health_write(hpath, &h, (gid_t)-1);
	out = run(0, 0, &code);
	CHECK(code == STATUS_WARNING &&
		      strstr(out, "last state save failed: write: No space"),
	      "failed save: %d %s", code, out);
	free(out);
	out = run(1, 0, &code);
	CHECK(strstr(out, "LAST SAVE FAILED: write: No space left on device "
			  "(3 failures since start)") != NULL,
	      "--status names the failure: %s", out);
	free(out);

	/* Our pid lives, but the file was last written long ago: hung, or
	 * the pid was reused. */
	sample(&h, (long)getpid());
	h.interval = 60;
	h.updated = time(NULL) - 3600;
	health_write(hpath, &h, (gid_t)-1);
	out = run(0, 0, &code);
	CHECK(code == STATUS_UNKNOWN &&
		      strstr(out, "daemon not answering: pid"),
	      "stale health file: %d %s", code, out);
	free(out);
	h.updated = time(NULL);
	health_write(hpath, &h, (gid_t)-1);
	out = run(0, 0, &code);
	CHECK(code == STATUS_OK, "fresh health file: %d %s", code, out);
	free(out);

	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	sample(&h, (long)child);
	health_write(hpath, &h, (gid_t)-1);
	out = run(0, 0, &code);
	CHECK(code == STATUS_UNKNOWN && strstr(out, "is gone"),
	      "dead pid: %d %s", code, out);
	free(out);

	unlink(hpath);
	out = run(0, 0, &code);
	CHECK(code == STATUS_UNKNOWN && strstr(out, "no health file"),
	      "no health file: %d %s", code, out);
	free(out);
	incident_store_free(s);
}

/* test_hostile_numbers - numbers a broken or hostile file may hold: out of
 * range they are bounded on read (a time to the years 1970-9999, the
 * interval to a year, a pid to a positive pid_t), so that --check's
 * staleness test cannot overflow (found by fuzz-health under UBSan) */
static void test_hostile_numbers(void)
{
	struct health h;
	char err[256], *out;
	FILE *fp;
	int code, i;

	fp = fopen(hpath, "w");
	if (!fp) {
		CHECK(0, "cannot write %s", hpath);
		return;
	}
	fprintf(fp, "%s\npid=%ld\nupdated=-9223372036854775808\n"
		    "interval=9223372036854775807\nstarted=99999999999999\n"
		    "state_saved=-5\nsource=1 9223372036854775807 /x\n",
		HEALTH_MAGIC, (long)getpid());
	fclose(fp);
	CHECK_INT(health_read(hpath, &h, err, sizeof(err)), 0, "read");
	CHECK(h.interval >= 0 && h.interval <= HEALTH_INTERVAL_MAX,
	      "interval bounded: %lld", (long long)h.interval);
	CHECK(h.updated >= 0 && h.updated <= HEALTH_TIME_MAX,
	      "updated bounded: %lld", (long long)h.updated);
	CHECK(h.started >= 0 && h.started <= HEALTH_TIME_MAX,
	      "started bounded: %lld", (long long)h.started);
	CHECK(h.state_saved >= 0, "state_saved bounded: %lld",
	      (long long)h.state_saved);
	CHECK(h.sources[0].seconds_behind <= HEALTH_TIME_MAX,
	      "seconds behind bounded: %lld", h.sources[0].seconds_behind);
	out = run(0, 0, &code);
	CHECK(code == STATUS_UNKNOWN && strstr(out, "not answering"),
	      "a file last written in 1970 is stale: %d %s", code, out);
	free(out);

	for (i = 0; i < 3; i++) {
		static const char *const pids[] = {"-1", "4294967295", "0x10"};

		fp = fopen(hpath, "w");
		if (fp) {
			fprintf(fp, "%s\npid=%s\n", HEALTH_MAGIC, pids[i]);
			fclose(fp);
		}
		CHECK_INT(health_read(hpath, &h, err, sizeof(err)), 0, "read");
		CHECK(h.pid == 0, "pid=%s is no pid: %ld", pids[i], h.pid);
	}
	unlink(hpath);
}

/* test_journal - a journal source has no bytes behind: "-" in the file,
 * null in the JSON, no lag_bytes in --check's perfdata when no file is
 * followed, and --status says what its seconds are */
static void test_journal(void)
{
	struct incident_store *s = incident_store_new(0);
	struct health h, back;
	char err[256], *out;
	int code;

	CHECK_INT(incident_save(s, state), 0, "empty state saved");
	sample(&h, (long)getpid());
	h.n_sources = 1;
	snprintf(h.sources[0].name, sizeof(h.sources[0].name),
		 "journal:/srv/journal");
	h.sources[0].bytes_behind = HEALTH_NO_BYTES;
	h.sources[0].seconds_behind = 42;
	CHECK_INT(health_write(hpath, &h, (gid_t)-1), 0, "write");
	CHECK_INT(health_read(hpath, &back, err, sizeof(err)), 0, "read");
	CHECK(back.n_sources == 1 &&
		      back.sources[0].bytes_behind == HEALTH_NO_BYTES &&
		      back.sources[0].seconds_behind == 42 &&
		      !strcmp(back.sources[0].name, "journal:/srv/journal"),
	      "journal source read back: %llu %lld %s",
	      back.sources[0].bytes_behind, back.sources[0].seconds_behind,
	      back.sources[0].name);
	out = run(0, 0, &code);
	CHECK(code == STATUS_OK && strstr(out, " lag=42s;;;0") &&
		      !strstr(out, "lag_bytes"),
	      "--check, a journal only: %d %s", code, out);
	free(out);
	out = run(1, 0, &code);
	CHECK(strstr(out, "log source: journal:/srv/journal, 42 s behind its "
			  "newest entry\n") != NULL,
	      "--status names the journal and its lag: %s", out);
	free(out);
	out = run(1, 1, &code);
	CHECK(strstr(out, "{\"name\":\"journal:/srv/journal\","
			  "\"bytes_behind\":null,\"seconds_behind\":42}") !=
		      NULL,
	      "--status --json, a journal: %s", out);
	free(out);

	/* A file beside it: the file's bytes, the worst seconds. */
	h.n_sources = 2;
	snprintf(h.sources[1].name, sizeof(h.sources[1].name),
		 "/var/log/mail.log");
	h.sources[1].bytes_behind = 10;
	h.sources[1].seconds_behind = 3;
	health_write(hpath, &h, (gid_t)-1);
	out = run(0, 0, &code);
	CHECK(code == STATUS_OK &&
		      strstr(out, " lag_bytes=10B;;;0 lag=42s;;;0") != NULL,
	      "--check, a journal and a file: %d %s", code, out);
	free(out);
	unlink(hpath);
	incident_store_free(s);
}

int main(void)
{
	char cmd[256];

	if (!mkdtemp(dir))
		return 99;
	snprintf(state, sizeof(state), "%s/state", dir);
	health_path(state, hpath, sizeof(hpath));
	test_roundtrip();
	test_status();
	test_hostile_numbers();
	test_journal();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 99;
	return check_done("t-health");
}
