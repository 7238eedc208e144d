/*
 * fuzz-state.c - libFuzzer target of the state file reader
 * (incident_load() of incident.h)
 *
 * The input is written to a state file in a private directory (on
 * /dev/shm when there is one: incident_save() fsyncs) and loaded into a
 * store whose cap comes from a hash of the input (usually the default,
 * sometimes 1 to 4).
 * Invariants: incident_load() either succeeds or fails with a message and
 * an empty store.  A loaded store saves, the saved file loads into the
 * same incidents and cursor, and saving that gives the same bytes.  Then
 * the life cycle runs on what was loaded (incident_due, incident_mark,
 * incident_failed, a new finding for the first incident's key,
 * incident_sent), the alert of the first incident is rendered, and the
 * store must still save and load; the journal records of those changes,
 * replayed over the state file saved before them, give the same store.
 * An input that starts with "milter-delist-journal" is a journal instead:
 * replayed over an empty store (incident_replay_text()), it applies up to
 * its first bad record or is refused, and what it loads round-trips.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* mkdtemp */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#include "buf.h"
#include "config.h"
#include "finding.h"
#include "incident.h"
#include "notice.h"
#include "util.h"

#define NOW 1714737000

int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[64], in_path[96], a_path[96], b_path[96];

/* cleanup - remove the private directory at exit */
static void cleanup(void)
{
	unlink(in_path);
	unlink(a_path);
	unlink(b_path);
	rmdir(dir);
}

/* LLVMFuzzerInitialize - the private directory */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct stat st;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/fuzz-state.XXXXXX",
		 stat("/dev/shm", &st) == 0 && access("/dev/shm", W_OK) == 0
			 ? "/dev/shm"
			 : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(in_path, sizeof(in_path), "%s/in", dir);
	snprintf(a_path, sizeof(a_path), "%s/a", dir);
	snprintf(b_path, sizeof(b_path), "%s/b", dir);
	atexit(cleanup);
	return 0;
}

/* write_file - path holds exactly len bytes of data */
static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0)
		abort();
}

/* slurp - a whole file, malloc'ed */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *s;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		abort();
	s = malloc((size_t)st.st_size + 1);
	if (!s || read(fd, s, (size_t)st.st_size) != st.st_size)
		abort();
	close(fd);
	*len = (size_t)st.st_size;
	return s;
}

/* same_incident - every persisted field of two incidents */
static void same_incident(const struct incident *a, const struct incident *b)
{
	size_t i;

	FUZZ_CHECK(a->id == b->id && !strcmp(a->ip, b->ip) &&
			   a->provider == b->provider && a->kind == b->kind &&
			   a->remedy == b->remedy &&
			   a->ip_inferred == b->ip_inferred &&
			   a->state == b->state && a->sources == b->sources,
		   "incident %llu: identity", (unsigned long long)a->id);
	FUZZ_CHECK(a->first_seen == b->first_seen &&
			   a->last_seen == b->last_seen &&
			   a->alerted_at == b->alerted_at &&
			   a->reminded_at == b->reminded_at &&
			   a->cleared_at == b->cleared_at &&
			   a->cleared_notified == b->cleared_notified &&
			   a->sent_since == b->sent_since &&
			   a->next_attempt == b->next_attempt &&
			   a->sending == b->sending,
		   "incident %llu: times", (unsigned long long)a->id);
	FUZZ_CHECK(a->count == b->count && a->bounced == b->bounced &&
			   a->deferred == b->deferred &&
			   a->attempts == b->attempts &&
			   a->sending_due == b->sending_due,
		   "incident %llu: counts", (unsigned long long)a->id);
	FUZZ_CHECK(a->n_codes == b->n_codes && a->n_domains == b->n_domains &&
			   a->n_qids == b->n_qids &&
			   a->n_samples == b->n_samples,
		   "incident %llu: list lengths", (unsigned long long)a->id);
	for (i = 0; i < a->n_codes; i++)
		FUZZ_CHECK(!strcmp(a->codes[i], b->codes[i]), "code %zu", i);
	for (i = 0; i < a->n_domains; i++)
		FUZZ_CHECK(!strcmp(a->domains[i], b->domains[i]), "domain %zu",
			   i);
	for (i = 0; i < a->n_qids; i++)
		FUZZ_CHECK(!strcmp(incident_qid(a, i), incident_qid(b, i)),
			   "qid %zu", i);
	for (i = 0; i < a->n_samples; i++)
		FUZZ_CHECK(
			!strcmp(a->samples[i], b->samples[i]) &&
				!strcmp(a->sample_codes[i], b->sample_codes[i]),
			"sample %zu", i);
}

/* check_sound - the invariants of a loaded store */
static void check_sound(struct incident_store *s)
{
	size_t i, n = incident_count(s), k;

	for (i = 0; i < n; i++) {
		struct incident *inc = incident_at(s, i);

		FUZZ_CHECK(inc != NULL, "incident_at(%zu) of %zu", i, n);
		FUZZ_CHECK(inc->id != 0, "id 0");
		FUZZ_CHECK(i == 0 || incident_at(s, i - 1)->id < inc->id,
			   "not in id order");
		FUZZ_CHECK(incident_by_id(s, inc->id) == inc, "by_id");
		FUZZ_CHECK(fuzz_nul_in(inc->ip, sizeof(inc->ip)) && inc->ip[0],
			   "ip");
		FUZZ_CHECK(inc->n_codes <= INCIDENT_MAX_CODES &&
				   inc->n_domains <= INCIDENT_MAX_DOMAINS &&
				   inc->n_qids <= INCIDENT_MAX_QIDS &&
				   inc->n_samples <= INCIDENT_MAX_SAMPLES,
			   "list over its cap");
		for (k = 0; k < inc->n_qids; k++)
			FUZZ_CHECK(incident_qid(inc, k)[0] &&
					   strlen(incident_qid(inc, k)) <
						   FINDING_QID_MAX,
				   "qid %zu", k);
		FUZZ_CHECK(incident_qid(inc, inc->n_qids) == NULL,
			   "qid past n_qids");
		for (k = 0; k < inc->n_samples; k++)
			FUZZ_CHECK(inc->samples[k] &&
					   strlen(inc->samples[k]) <
						   INCIDENT_SAMPLE_MAX,
				   "sample %zu", k);
	}
	FUZZ_CHECK(incident_at(s, n) == NULL, "incident_at past the count");
}

/* round_trip - s saves, reloads into the same incidents, saves the same */
static void round_trip(struct incident_store *s, size_t max)
{
	struct incident_store *t = incident_store_new(max);
	const char *c1, *c2, *src;
	char err[256], *x, *y;
	size_t i, lx, ly;

	if (!t)
		abort();
	FUZZ_CHECK(incident_save(s, a_path) == 0, "save: %s", strerror(errno));
	FUZZ_CHECK(incident_load(t, a_path, err, sizeof(err)) == 0,
		   "the saved store does not load: %s", err);
	check_sound(t);
	FUZZ_CHECK(incident_count(s) == incident_count(t), "%zu vs %zu",
		   incident_count(s), incident_count(t));
	for (i = 0; i < incident_count(s); i++)
		same_incident(incident_at(s, i), incident_at(t, i));
	for (i = 0; (src = incident_cursor_source(s, i)) != NULL; i++) {
		c1 = incident_get_cursor(s, src);
		c2 = incident_get_cursor(t, src);
		FUZZ_CHECK(c2 && !strcmp(c1, c2), "cursor of %s", src);
	}
	FUZZ_CHECK(!incident_cursor_source(t, i), "a cursor more");
	FUZZ_CHECK(incident_save(t, b_path) == 0, "save: %s", strerror(errno));
	x = slurp(a_path, &lx);
	y = slurp(b_path, &ly);
	FUZZ_CHECK(lx == ly && !memcmp(x, y, lx), "saved differently");
	free(x);
	free(y);
	incident_store_free(t);
}

static char *ips[] = {"203.0.113.5", NULL};
static char *sendmail_argv[] = {"/usr/sbin/sendmail", "-oi", "-t", NULL};

/* render - the mail owed by inc (or its alert), as the daemon builds it */
static void render(const struct incident *inc, enum incident_due due)
{
	struct config cfg;
	struct buf out;

	memset(&cfg, 0, sizeof(cfg));
	cfg.file = "/etc/milter-delist.conf";
	cfg.outbound_ips = ips;
	cfg.n_outbound_ips = 1;
	cfg.alert.to = "postmaster@example.org";
	cfg.alert.from = "milter-delist@example.org";
	cfg.alert.sendmail = sendmail_argv;
	cfg.alert.reminder = 86400;
	cfg.alert.clear_after = 3600;
	cfg.alert.timeout = 60;
	cfg.alert.retry = 300;
	cfg.contact.name = "Jane Admin";
	cfg.contact.email = "postmaster@example.org";
	cfg.contact.company_type = "";
	cfg.contact.timezone = "";
	cfg.contact.website = "";
	cfg.contact.server_type = "dedicated";
	cfg.contact.sending_domain = "example.org";
	buf_init(&out);
	if (due == INCIDENT_DUE_NONE)
		due = INCIDENT_DUE_ALERT;
	FUZZ_CHECK(notice_build(&out, due, inc, &cfg, NULL, "mx.example.org",
				NOW) == 0,
		   "notice_build: %s", strerror(errno));
	buf_free(&out);
}

/* life_cycle - what the daemon does with a loaded store */
static void life_cycle(struct incident_store *s, uint64_t h)
{
	size_t i, n = incident_count(s);
	struct incident *inc;
	struct finding f;
	enum incident_due due;
	char ip[VERDICT_IP_MAX];
	enum verdict_provider p;

	for (i = 0; i < n && i < 8; i++) {
		inc = incident_at(s, i);
		due = incident_due(inc, NOW, 86400, 3600);
		if (i == 0)
			render(inc, due);
		if (due != INCIDENT_DUE_NONE && (h >> i) % 2)
			incident_mark(inc, due, NOW);
		else
			incident_failed(inc, NOW, 300);
	}
	if (!n)
		return;
	inc = incident_at(s, (size_t)(h % n));
	util_strcpy(ip, sizeof(ip), inc->ip);
	p = inc->provider;
	memset(&f, 0, sizeof(f));
	f.v.provider = p;
	f.v.kind = (h >> 16) % 2 ? VERDICT_BLOCK : VERDICT_BAN;
	f.v.remedy = VERDICT_SENDER_SUPPORT_FORM;
	f.v.reply_code = 550;
	util_strcpy(f.v.status, sizeof(f.v.status), "5.7.1");
	util_strcpy(f.v.code, sizeof(f.v.code), "S3150");
	util_strcpy(f.v.ip, sizeof(f.v.ip), ip);
	f.source = FINDING_DSN;
	f.when = (h >> 17) % 2 ? NOW : inc->last_seen;
	util_strcpy(f.rcpt_domain, sizeof(f.rcpt_domain), "hotmail.com");
	f.text = "550 5.7.1 blocked (S3150)";
	f.text_len = strlen(f.text);
	/* Out of ids (EOVERFLOW) only after next-id 2^63 in the file. */
	FUZZ_CHECK(incident_note(s, &f, NULL) != NULL || errno == EOVERFLOW,
		   "incident_note: %s", strerror(errno));
	incident_sent(s, (h >> 18) % 2 ? ip : "", p, NOW + 1, NULL);
	for (i = 0; i < incident_count(s); i++)
		incident_due(incident_at(s, i), NOW + 7200, 86400, 3600);
}

/* snapshot - the state file text of s, malloc'ed */
static char *snapshot(struct incident_store *s)
{
	struct buf b;

	buf_init(&b);
	FUZZ_CHECK(incident_snapshot(s, &b) == 0 && b.data, "snapshot");
	return b.data;
}

/* journal_check - the journal of what life_cycle() changed in s, replayed
 * over the state file saved before (a_path), gives s again */
static void journal_check(struct incident_store *s, size_t max)
{
	struct incident_store *t = incident_store_new(max);
	struct incident_replay_result r;
	char err[256], *x, *y;
	struct buf j;

	if (!t)
		abort();
	buf_init(&j);
	buf_puts(&j, incident_journal_header());
	incident_changes(s, &j);
	FUZZ_CHECK(!j.err, "journal: out of memory");
	FUZZ_CHECK(incident_load(t, a_path, err, sizeof(err)) == 0,
		   "reload: %s", err);
	FUZZ_CHECK(incident_replay_text(t, j.data, j.len, &r) == 0 &&
			   !r.dropped && !r.why,
		   "the journal of a change does not replay: %s",
		   r.why ? r.why : "");
	check_sound(t);
	x = snapshot(s);
	y = snapshot(t);
	FUZZ_CHECK(!strcmp(x, y), "state file + journal differ from the store");
	free(x);
	free(y);
	buf_free(&j);
	incident_store_free(t);
}

/* replay_input - the input as a journal over an empty store: applied up
 * to its first bad record, or refused whole; what loads is sound and
 * round-trips */
static void replay_input(const uint8_t *data, size_t size, size_t max)
{
	struct incident_store *s = incident_store_new(max);
	struct incident_replay_result r;
	char *copy = malloc(size + 1);

	if (!s || !copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (incident_replay_text(s, copy, size, &r) < 0)
		FUZZ_CHECK(incident_count(s) == 0 && r.why, "refused, no why");
	else
		FUZZ_CHECK(r.dropped <= size && (!r.dropped || r.why),
			   "dropped %zu of %zu without a why", r.dropped, size);
	free(copy);
	check_sound(s);
	round_trip(s, max);
	incident_store_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t h = fuzz_hash(data, size);
	size_t max = h % 4 == 0 ? (size_t)(h >> 2) % 4 + 1 : 0;
	struct incident_store *s = incident_store_new(max);
	char err[256];

	if (!s)
		abort();
	incident_journal_enable(s);
	if (size >= 21 && !memcmp(data, "milter-delist-journal", 21)) {
		incident_store_free(s);
		replay_input(data, size, max);
		return 0;
	}
	write_file(in_path, data, size);
	err[0] = 'x';
	if (incident_load(s, in_path, err, sizeof(err)) < 0) {
		FUZZ_CHECK(incident_count(s) == 0, "failed, %zu incidents left",
			   incident_count(s));
		FUZZ_CHECK(!incident_cursor_source(s, 0),
			   "failed, cursor left");
		FUZZ_CHECK(fuzz_nul_in(err, sizeof(err)) && err[0] &&
				   strstr(err, in_path),
			   "failed without a message: \"%s\"", err);
		incident_store_free(s);
		return 0;
	}
	check_sound(s);
	round_trip(s, max); /* leaves s's state file in a_path */
	life_cycle(s, h);
	check_sound(s);
	journal_check(s, max);
	round_trip(s, max);
	incident_store_free(s);
	return 0;
}
