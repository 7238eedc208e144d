/*
 * incident_journal.c - the state journal's records: what changed since the
 * last batch (incident_changes()) and their replay (incident_replay())
 *
 * A journal is a header line "milter-delist-journal 2" and one record per
 * line, in the state file's key=value format, each ending in " check=X": X
 * the FNV-1a 32-bit hash of the bytes before " check=" in eight lower-case
 * hex digits.  Records carry whole states, so replaying a record twice, or
 * over a snapshot written after it, changes nothing: the last record of an
 * incident wins.  Records:
 *
 *   incident id=7 ip=... (the state file's incident line) check=1a2b3c4d
 *   gone id=3 check=...              (evicted)
 *   store next-id=8 check=...
 *   cursors check=...              (the cursors that follow are all)
 *   cursor source=/var/log/mail.log at=file:2049:131:80211:1:2 check=...
 *
 * A record whose line is cut (no newline) or whose sum is wrong ends the
 * replay: the rest is dropped and counted.  A record of an unknown kind
 * with a good sum is skipped (a later version's).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "incident_int.h"
#include "util.h"

#define JOURNAL_HEADER	   "milter-delist-journal 2"
#define JOURNAL_RECORD_MAX 65536 /* a longer line is corrupt */

/* incident_journal_header - the first line of a journal, with newline */
const char *incident_journal_header(void)
{
	return JOURNAL_HEADER "\n";
}

/* frame - end the record that starts at b->data + from */
static void frame(struct buf *b, size_t from)
{
	if (b->err)
		return;
	buf_printf(b, " check=%08" PRIx32 "\n",
		   util_fnv1a32(b->data + from, b->len - from));
}

/* incident_touch - note inc as changed; see incident.h */
void incident_touch(struct incident *inc)
{
	struct incident_store *s = inc->store;

	if (!s || !s->journaling || inc->chg_slot || inc->heap_idx >= s->n ||
	    s->heap[inc->heap_idx].inc != inc)
		return;
	if (s->n_chg == s->chg_cap) {
		size_t nc = s->chg_cap ? s->chg_cap * 2 : 64;
		struct incident **nv = realloc(s->chg, nc * sizeof(*nv));
		if (!nv) {
			s->lost_changes = 1; /* a full snapshot will do */
			return;
		}
		s->chg = nv;
		s->chg_cap = nc;
	}
	s->chg[s->n_chg++] = inc;
	inc->chg_slot = s->n_chg;
}

/* incident_journal_drop - inc leaves the store */
void incident_journal_drop(struct incident_store *s, struct incident *inc,
			   int gone)
{
	if (inc->chg_slot && inc->chg_slot <= s->n_chg &&
	    s->chg[inc->chg_slot - 1] == inc)
		s->chg[inc->chg_slot - 1] = NULL;
	inc->chg_slot = 0;
	if (!gone || !s->journaling)
		return;
	if (s->n_gone == s->gone_cap) {
		size_t nc = s->gone_cap ? s->gone_cap * 2 : 16;
		uint64_t *nv = realloc(s->gone, nc * sizeof(*nv));
		if (!nv) {
			s->lost_changes = 1;
			return;
		}
		s->gone = nv;
		s->gone_cap = nc;
	}
	s->gone[s->n_gone++] = inc->id;
}

/* cmp_inc_id - qsort order of incident pointers by id */
static int cmp_inc_id(const void *a, const void *b)
{
	uint64_t x = (*(struct incident *const *)a)->id;
	uint64_t y = (*(struct incident *const *)b)->id;

	return x < y ? -1 : x > y;
}

/* forget_changes - empty the change lists */
static void forget_changes(struct incident_store *s)
{
	size_t i;

	for (i = 0; i < s->n_chg; i++)
		if (s->chg[i])
			s->chg[i]->chg_slot = 0;
	s->n_chg = s->n_gone = 0;
	s->cursor_changed = 0;
	s->lost_changes = 0;
	s->journal_next_id = s->next_id;
}

/* incident_journal_enable - see incident.h */
void incident_journal_enable(struct incident_store *s)
{
	s->journaling = 1;
}

/* incident_changes_lost - see incident.h */
int incident_changes_lost(const struct incident_store *s)
{
	return s->lost_changes;
}

/* incident_changes_forget - see incident.h */
void incident_changes_forget(struct incident_store *s)
{
	forget_changes(s);
}

/* incident_changes - the records of what changed; see incident.h */
size_t incident_changes(struct incident_store *s, struct buf *b)
{
	size_t i, n = 0, records = 0, from;

	if (!s->journaling)
		return 0;
	for (i = 0; i < s->n_gone; i++) {
		from = b->len;
		buf_printf(b, "gone id=%" PRIu64, s->gone[i]);
		frame(b, from);
		records++;
	}
	for (i = 0; i < s->n_chg; i++)
		if (s->chg[i])
			s->chg[n++] = s->chg[i];
	s->n_chg = n;
	/* Id order: a new incident is always appended on replay. */
	if (n > 1)
		qsort(s->chg, n, sizeof(*s->chg), cmp_inc_id);
	for (i = 0; i < n; i++) {
		from = b->len;
		incident_put_record(b, s->chg[i]);
		frame(b, from);
		records++;
	}
	if (s->cursor_changed) {
		/* All of them: a source dropped at a reload goes too. */
		from = b->len;
		buf_puts(b, "cursors");
		frame(b, from);
		records++;
		for (i = 0; i < s->n_cursors; i++) {
			from = b->len;
			incident_put_cursor(b, s, i);
			frame(b, from);
			records++;
		}
	}
	if (s->next_id != s->journal_next_id) {
		from = b->len;
		buf_printf(b, "store next-id=%" PRIu64, s->next_id);
		frame(b, from);
		records++;
	}
	forget_changes(s);
	return records;
}

/* last_id - the largest id in the store, 0 when empty */
static uint64_t last_id(struct incident_store *s)
{
	size_t i;

	for (i = s->used; i > 0; i--)
		if (s->byid[i - 1])
			return s->byid[i - 1]->id;
	return 0;
}

/* apply_incident - an incident record; NULL or why */
static const char *apply_incident(struct incident_store *s, char *rest,
				  size_t *stale)
{
	struct incident *inc = calloc(1, sizeof(*inc)), *old, *cur;
	const char *why;

	if (!inc)
		return "out of memory";
	why = incident_parse_fields(rest, inc);
	if (why) {
		incident_free_one(inc);
		return why;
	}
	old = incident_by_id(s, inc->id);
	if (old) {
		incident_store_replace(s, old, inc);
		return NULL;
	}
	if (inc->id <= last_id(s)) {
		(*stale)++; /* evicted since: its gone record follows */
		incident_free_one(inc);
		return NULL;
	}
	if (s->n >= s->max)
		incident_store_evict(s);
	if (incident_store_reserve(s) < 0) {
		incident_free_one(inc);
		return "out of memory";
	}
	cur = incident_hash_find(s, inc->ip, inc->provider);
	if (cur)
		incident_hash_del(s, cur);
	if (incident_hash_add(s, inc) < 0) {
		if (cur)
			incident_hash_add(s, cur);
		incident_free_one(inc);
		return "out of memory";
	}
	incident_store_link(s, inc);
	if (s->next_id <= inc->id)
		s->next_id = inc->id + 1;
	return NULL;
}

/* apply - one checked record (line without its sum); NULL or why */
static const char *apply(struct incident_store *s, char *line, size_t *stale)
{
	static const char *const id_key[] = {"id"};
	static const char *const store_keys[] = {"next-id"};
	unsigned long long num[1];
	const char *src;
	struct incident *inc;
	char *rest = strchr(line, ' ');
	const char *why;

	if (strcmp(line, "cursors") == 0) {
		while ((src = incident_cursor_source(s, 0)) != NULL)
			incident_set_cursor(s, src, NULL);
		return NULL;
	}
	if (!rest)
		return "record without fields";
	*rest++ = '\0';
	if (strcmp(line, "incident") == 0)
		return apply_incident(s, rest, stale);
	if (strcmp(line, "gone") == 0) {
		why = incident_parse_pairs(rest, id_key, 1, 1, NULL, num);
		if (!why && (inc = incident_by_id(s, num[0])) != NULL)
			incident_store_remove(s, inc);
		return why;
	}
	if (strcmp(line, "store") == 0) {
		why = incident_parse_pairs(rest, store_keys, 1, 1, NULL, num);
		if (!why && (!num[0] || num[0] > INCIDENT_ID_MAX + 1))
			why = "next-id out of range";
		if (!why && num[0] > s->next_id)
			s->next_id = num[0];
		return why;
	}
	if (strcmp(line, "cursor") == 0)
		return incident_parse_cursor(s, rest);
	(*stale)++; /* a later version's record */
	return NULL;
}

/* check_sum - split " check=X" off line[len]; 0 when it matches */
static int check_sum(char *line, size_t len)
{
	unsigned long long want;
	size_t i;
	char *p;

	if (len < 16 || memcmp(line + len - 15, " check=", 7) != 0)
		return -1;
	p = line + len - 8;
	for (i = 0; i < 8; i++)
		if (!p[i] || !strchr("0123456789abcdef", p[i]))
			return -1;
	want = strtoull(p, NULL, 16);
	line[len - 15] = '\0';
	return util_fnv1a32(line, len - 15) == (uint32_t)want ? 0 : -1;
}

/* incident_replay_text - apply a journal's bytes; see incident.h */
int incident_replay_text(struct incident_store *s, char *data, size_t len,
			 struct incident_replay_result *r)
{
	size_t hlen = strlen(JOURNAL_HEADER "\n"), pos, stale = 0;
	const char *why = NULL;
	char *nl;

	memset(r, 0, sizeof(*r));
	if (len < hlen || memcmp(data, JOURNAL_HEADER "\n", hlen) != 0) {
		/* A header cut by a crash right after the journal was
		 * created holds no record: nothing to replay. */
		if (len < hlen && memcmp(data, JOURNAL_HEADER "\n", len) == 0) {
			r->dropped = len;
			r->torn = 1;
			r->why = len ? "header cut (no record)" : NULL;
			return 0;
		}
		r->why = "not a version 2 journal";
		return -1;
	}
	for (pos = hlen; pos < len; pos = (size_t)(nl - data) + 1) {
		size_t ll;
		nl = memchr(data + pos, '\n', len - pos);
		if (!nl) {
			why = "last record cut (torn write)";
			r->torn = 1;
			break;
		}
		ll = (size_t)(nl - (data + pos));
		*nl = '\0';
		if (ll > JOURNAL_RECORD_MAX || memchr(data + pos, '\0', ll) ||
		    check_sum(data + pos, ll) < 0) {
			why = "record with a bad check";
			break;
		}
		why = apply(s, data + pos, &stale);
		if (why)
			break;
		r->records++;
	}
	r->skipped = stale;
	if (pos < len) {
		r->dropped = len - pos;
		r->dropped_at = pos;
		r->why = why;
	}
	forget_changes(s);
	return 0;
}

/* incident_replay - read and apply the journal at path; see incident.h */
int incident_replay(struct incident_store *s, const char *path,
		    struct incident_replay_result *r)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, rc = -1, saved;

	memset(r, 0, sizeof(*r));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) < 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		r->why = "not a regular file";
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data)
		goto out;
	while (got < (size_t)st.st_size &&
	       (n = read(fd, data + got, (size_t)st.st_size - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		got += (size_t)n;
	}
	data[got] = '\0';
	rc = incident_replay_text(s, data, got, r);
	if (rc < 0)
		errno = EINVAL;
out:
	saved = errno;
	free(data);
	close(fd);
	errno = saved;
	return rc;
}
