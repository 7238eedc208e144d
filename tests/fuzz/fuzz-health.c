/*
 * fuzz-health.c - libFuzzer target of the health file reader
 * (health_read() of health.h) and of what --check and --status make of it
 *
 * The input is written as "<state>.health" next to an empty state file in
 * a private directory (on /dev/shm when there is one).
 * Invariants: health_read() succeeds or fails with a message; what it
 * read writes back (health_write) and reads again into the same record
 * (sources capped, values one line); status_check() gives one line and a
 * code 0-3; status_print() in both forms does not crash.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* mkdtemp, open_memstream */
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#include "health.h"
#include "incident.h"
#include "status.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[64], state[96], hpath[112], back[112];

/* cleanup - remove the private directory at exit */
static void cleanup(void)
{
	unlink(hpath);
	unlink(back);
	unlink(state);
	rmdir(dir);
}

/* LLVMFuzzerInitialize - the directory and an empty state file */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct incident_store *s = incident_store_new(0);
	struct stat st;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/fuzz-health.XXXXXX",
		 stat("/dev/shm", &st) == 0 && access("/dev/shm", W_OK) == 0
			 ? "/dev/shm"
			 : "/tmp");
	if (!mkdtemp(dir) || !s)
		abort();
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(hpath, sizeof(hpath), "%s.health", state);
	snprintf(back, sizeof(back), "%s/back", dir);
	if (incident_save(s, state) < 0)
		abort();
	incident_store_free(s);
	atexit(cleanup);
	return 0;
}

/* same - the persisted fields of two records */
static void same(const struct health *a, const struct health *b)
{
	size_t i;

	FUZZ_CHECK(a->pid == b->pid && a->started == b->started &&
			   a->updated == b->updated &&
			   a->interval == b->interval &&
			   a->state_saved == b->state_saved &&
			   a->state_save_failures == b->state_save_failures,
		   "numbers");
	FUZZ_CHECK(!strcmp(a->version, b->version) &&
			   !strcmp(a->config, b->config) &&
			   !strcmp(a->state_error, b->state_error) &&
			   !strcmp(a->alert_error, b->alert_error),
		   "texts: \"%s\" \"%s\"", a->config, b->config);
	FUZZ_CHECK(a->n_sources == b->n_sources, "sources %zu %zu",
		   a->n_sources, b->n_sources);
	for (i = 0; i < a->n_sources; i++)
		FUZZ_CHECK(a->sources[i].bytes_behind ==
					   b->sources[i].bytes_behind &&
				   a->sources[i].seconds_behind ==
					   b->sources[i].seconds_behind,
			   "source %zu", i);
}

/* run - one status call into memory; its code */
static int run(int print, int json)
{
	struct status_opts o;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	int code;

	if (!fp)
		abort();
	memset(&o, 0, sizeof(o));
	o.state_file = state;
	o.warning = o.critical = 1;
	o.recent = 86400;
	o.json = json;
	o.now = 1700000000;
	code = print ? status_print(&o, fp) : status_check(&o, fp);
	fclose(fp);
	if (!print)
		FUZZ_CHECK(len > 0 && strchr(text, '\n') == text + len - 1,
			   "--check: one line: %s", text);
	free(text);
	return code;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct health h, h2, h3;
	char err[512];
	int fd, code;

	fd = open(hpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) < 0)
		abort();
	if (health_read(hpath, &h, err, sizeof(err)) == 0) {
		/* Written back: the text values are cleaned, then stable. */
		FUZZ_CHECK(health_write(back, &h, (gid_t)-1) == 0, "write");
		FUZZ_CHECK(health_read(back, &h2, err, sizeof(err)) == 0,
			   "reread: %s", err);
		FUZZ_CHECK(health_write(back, &h2, (gid_t)-1) == 0, "write 2");
		FUZZ_CHECK(health_read(back, &h3, err, sizeof(err)) == 0,
			   "reread 2: %s", err);
		same(&h2, &h3);
	} else {
		FUZZ_CHECK(err[0] != '\0', "a failure without a message");
	}
	code = run(0, 0);
	FUZZ_CHECK(code >= 0 && code <= 3, "code %d", code);
	FUZZ_CHECK(run(1, 0) == code && run(1, 1) == code,
		   "--status and --check disagree");
	return 0;
}
