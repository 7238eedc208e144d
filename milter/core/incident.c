/*
 * incident.c - incidents per (outbound IP, provider), their life cycle and
 * their persistence
 *
 * Three indexes over the same heap-allocated incidents:
 *  - byid: pointers in id order.  Ids only grow, so appending keeps the
 *    order; an eviction leaves a NULL hole, compacted lazily (amortised
 *    O(1)), and incident_at() compacts before indexing.
 *  - a chained hash on (ip, provider) -> the current incident of that key.
 *    A cleared incident superseded by a reopened one stays in byid (until
 *    evicted) but leaves the hash.
 *  - a min-heap of eviction keys (tier, last_seen, id): cleared incidents
 *    (tier 0) go before the others (tier 1), oldest last_seen first.  The
 *    keys are copied into the heap entries so a sift stays in cache.
 *    incident_due() moves an incident to CLEARED without the store in
 *    hand; it re-tiers it through inc->store after checking identity.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "incident_int.h"
#include "intern.h"
#include "util.h"

#define INCIDENT_DEFAULT_MAX 10000
#define BACKOFF_MAX	     3600

/* incident_store_new - empty store; see incident.h */
struct incident_store *incident_store_new(size_t max)
{
	struct incident_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max = max ? max : INCIDENT_DEFAULT_MAX;
	s->next_id = 1;
	/* Address-space layout randomness is enough to keep an attacker who
	 * picks the IPs in forged replies from predicting collisions. */
	s->seed = (uint64_t)(uintptr_t)s * 0x9E3779B97F4A7C15ULL ^
		  (uint64_t)time(NULL);
	return s;
}

/* incident_free_one - release one incident and its samples */
void incident_free_one(struct incident *inc)
{
	size_t i;

	for (i = 0; i < inc->n_samples; i++) {
		free(inc->samples[i]);
		intern_put(inc->sample_codes[i]);
	}
	for (i = 0; i < inc->n_codes; i++)
		intern_put(inc->codes[i]);
	for (i = 0; i < inc->n_domains; i++)
		intern_put(inc->domains[i]);
	intern_put(inc->relay);
	intern_put(inc->rcpt);
	free(inc);
}

/* incident_store_clear - drop every incident; the store keeps its settings */
void incident_store_clear(struct incident_store *s)
{
	size_t i;

	for (i = 0; i < s->used; i++)
		if (s->byid[i])
			incident_free_one(s->byid[i]);
	free(s->byid);
	free(s->tab);
	free(s->heap);
	free(s->chg);
	free(s->gone);
	s->byid = NULL;
	s->tab = NULL;
	s->heap = NULL;
	s->chg = NULL;
	s->gone = NULL;
	s->n_chg = s->chg_cap = s->n_gone = s->gone_cap = 0;
	s->cursor_changed = s->lost_changes = 0;
	s->journal_next_id = 0;
	s->n = s->used = s->cap = s->holes = 0;
	s->nbuckets = s->hashed = s->heap_cap = 0;
	s->next_id = 1;
	for (i = 0; i < s->n_cursors; i++) {
		free(s->cursors[i].source);
		free(s->cursors[i].at);
	}
	free(s->cursors);
	s->cursors = NULL;
	s->n_cursors = 0;
}

/* incident_store_free - release the store and every incident */
void incident_store_free(struct incident_store *s)
{
	if (!s)
		return;
	incident_store_clear(s);
	free(s);
}

/* ---- hash on (ip, provider) ---- */

/* key_hash - seeded FNV-1a of the key */
static uint64_t key_hash(const struct incident_store *s, const char *ip,
			 enum verdict_provider p)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ s->seed;

	for (; *ip; ip++) {
		h ^= (unsigned char)*ip;
		h *= 0x100000001b3ULL;
	}
	h ^= (uint64_t)p + 1;
	h *= 0x100000001b3ULL;
	return h ^ (h >> 31);
}

/* incident_hash_find - the current incident of (ip, provider), or NULL */
struct incident *incident_hash_find(const struct incident_store *s,
				    const char *ip, enum verdict_provider p)
{
	struct incident *inc;

	if (!s->nbuckets)
		return NULL;
	inc = s->tab[key_hash(s, ip, p) & (s->nbuckets - 1)];
	for (; inc; inc = inc->hnext)
		if (inc->provider == p && strcmp(inc->ip, ip) == 0)
			return inc;
	return NULL;
}

/* hash_grow - double the buckets; failure only makes chains longer */
static void hash_grow(struct incident_store *s)
{
	size_t nb = s->nbuckets ? s->nbuckets * 2 : 64, i;
	struct incident **tab = calloc(nb, sizeof(*tab)), *inc, *next;

	if (!tab)
		return;
	for (i = 0; i < s->nbuckets; i++) {
		for (inc = s->tab[i]; inc; inc = next) {
			size_t b =
				key_hash(s, inc->ip, inc->provider) & (nb - 1);
			next = inc->hnext;
			inc->hnext = tab[b];
			tab[b] = inc;
		}
	}
	free(s->tab);
	s->tab = tab;
	s->nbuckets = nb;
}

/* incident_hash_add - make inc the current incident of its key; -1 without
 * buckets */
int incident_hash_add(struct incident_store *s, struct incident *inc)
{
	size_t b;

	if (s->hashed >= s->nbuckets)
		hash_grow(s);
	if (!s->nbuckets)
		return -1;
	b = key_hash(s, inc->ip, inc->provider) & (s->nbuckets - 1);
	inc->hnext = s->tab[b];
	s->tab[b] = inc;
	s->hashed++;
	return 0;
}

/* incident_hash_del - remove inc from the hash if it is there */
void incident_hash_del(struct incident_store *s, struct incident *inc)
{
	struct incident **pp;

	if (!s->nbuckets)
		return;
	pp = &s->tab[key_hash(s, inc->ip, inc->provider) & (s->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == inc) {
			*pp = inc->hnext;
			inc->hnext = NULL;
			s->hashed--;
			return;
		}
	}
}

/* ---- eviction heap ---- */

/* ent_less - does a go before b? */
static int ent_less(const struct incident_heap_ent *a,
		    const struct incident_heap_ent *b)
{
	if (a->tier != b->tier)
		return a->tier < b->tier;
	if (a->when != b->when)
		return a->when < b->when;
	return a->id < b->id;
}

/* heap_put - store e at i and tell its incident */
static void heap_put(struct incident_store *s, size_t i,
		     struct incident_heap_ent e)
{
	s->heap[i] = e;
	e.inc->heap_idx = i;
}

/* heap_fix - restore the heap order around i */
static void heap_fix(struct incident_store *s, size_t i)
{
	struct incident_heap_ent e = s->heap[i];

	while (i > 0 && ent_less(&e, &s->heap[(i - 1) / 2])) {
		heap_put(s, i, s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= s->n)
			break;
		if (c + 1 < s->n && ent_less(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!ent_less(&s->heap[c], &e))
			break;
		heap_put(s, i, s->heap[c]);
		i = c;
	}
	heap_put(s, i, e);
}

/* heap_key - the eviction key of inc now */
static struct incident_heap_ent heap_key(struct incident *inc)
{
	struct incident_heap_ent e = {inc->state == INCIDENT_CLEARED ? 0 : 1,
				      inc->last_seen, inc->id, inc};
	return e;
}

/* heap_update - inc's key changed: refresh its entry */
static void heap_update(struct incident_store *s, struct incident *inc)
{
	s->heap[inc->heap_idx] = heap_key(inc);
	heap_fix(s, inc->heap_idx);
}

/* ---- id order ---- */

/* byid_compact - squeeze the holes out of byid */
static void byid_compact(struct incident_store *s)
{
	size_t i, j = 0;

	if (!s->holes)
		return;
	for (i = 0; i < s->used; i++) {
		if (s->byid[i]) {
			s->byid[j] = s->byid[i];
			s->byid[j]->slot = j;
			j++;
		}
	}
	s->used = j;
	s->holes = 0;
}

/* incident_store_reserve - room for one more incident in byid and the heap */
int incident_store_reserve(struct incident_store *s)
{
	if (s->used == s->cap && s->holes * 4 >= s->used)
		byid_compact(s);
	if (s->used == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		struct incident **nv = realloc(s->byid, nc * sizeof(*nv));
		if (!nv)
			return -1;
		s->byid = nv;
		s->cap = nc;
	}
	if (s->n == s->heap_cap) {
		size_t nc = s->heap_cap ? s->heap_cap * 2 : 16;
		struct incident_heap_ent *nh;
		if (nc > s->max)
			nc = s->max;
		if (nc <= s->n)
			nc = s->n + 1;
		nh = realloc(s->heap, nc * sizeof(*nh));
		if (!nh)
			return -1;
		s->heap = nh;
		s->heap_cap = nc;
	}
	return 0;
}

/* incident_store_link - enter inc (id set) into byid and the heap; room
 * reserved */
void incident_store_link(struct incident_store *s, struct incident *inc)
{
	inc->store = s;
	inc->slot = s->used;
	s->byid[s->used++] = inc;
	s->heap[s->n] = heap_key(inc);
	inc->heap_idx = s->n++;
	heap_fix(s, inc->heap_idx);
}

/* incident_store_remove - unlink inc from every index, note it gone, free */
void incident_store_remove(struct incident_store *s, struct incident *inc)
{
	size_t i = inc->heap_idx;

	incident_hash_del(s, inc);
	s->byid[inc->slot] = NULL;
	s->holes++;
	if (--s->n > i) {
		heap_put(s, i, s->heap[s->n]);
		heap_fix(s, i);
	}
	incident_journal_drop(s, inc, 1);
	incident_free_one(inc);
}

/* incident_store_evict - drop the first incident of the eviction order */
void incident_store_evict(struct incident_store *s)
{
	incident_store_remove(s, s->heap[0].inc);
}

/* incident_store_replace - inc takes old's place in byid and the heap */
void incident_store_replace(struct incident_store *s, struct incident *old,
			    struct incident *inc)
{
	struct incident *cur;

	inc->store = s;
	inc->slot = old->slot;
	s->byid[inc->slot] = inc;
	inc->heap_idx = old->heap_idx;
	s->heap[inc->heap_idx] = heap_key(inc);
	heap_fix(s, inc->heap_idx);
	cur = incident_hash_find(s, old->ip, old->provider);
	if (cur == old)
		incident_hash_del(s, old);
	incident_journal_drop(s, old, 0);
	incident_free_one(old);
	cur = incident_hash_find(s, inc->ip, inc->provider);
	if (cur && cur->id > inc->id)
		return;
	if (cur)
		incident_hash_del(s, cur);
	if (incident_hash_add(s, inc) < 0 && cur)
		incident_hash_add(s, cur);
}

/* ---- noting findings ---- */

/* severity - rank of a kind: ban > block > ratelimit > anything else */
static int severity(enum verdict_kind k)
{
	return k == VERDICT_BAN		? 3
	       : k == VERDICT_BLOCK	? 2
	       : k == VERDICT_RATELIMIT ? 1
					: 0;
}

/* copy_field - bounded copy of a possibly unterminated fixed array */
static void copy_field(char *dst, size_t size, const char *src, size_t srcsize)
{
	util_copy(dst, size, src, strnlen(src, srcsize));
}

/* note_code - remember a distinct code, first ones kept */
static void note_code(struct incident *inc, const char *code)
{
	size_t i;

	if (!*code)
		return;
	for (i = 0; i < inc->n_codes; i++)
		if (strcmp(inc->codes[i], code) == 0)
			return;
	if (inc->n_codes < INCIDENT_MAX_CODES &&
	    (inc->codes[inc->n_codes] = intern_get(code, strlen(code))))
		inc->n_codes++;
}

/* note_domain - remember a distinct recipient domain (lower case) */
static void note_domain(struct incident *inc, const char *d, size_t size)
{
	char low[FINDING_DOMAIN_MAX];
	size_t i;

	copy_field(low, sizeof(low), d, size);
	if (!*low)
		return;
	for (i = 0; low[i]; i++)
		low[i] = (char)util_lower((unsigned char)low[i]);
	for (i = 0; i < inc->n_domains; i++)
		if (strcmp(inc->domains[i], low) == 0)
			return;
	if (inc->n_domains < INCIDENT_MAX_DOMAINS &&
	    (inc->domains[inc->n_domains] = intern_get(low, strlen(low))))
		inc->n_domains++;
}

/* note_probe - the MX that refused (its address preferred) and a
 * recipient, for the probe */
static void note_probe(struct incident *inc, const struct finding *f)
{
	char ip[FINDING_IP_MAX];

	/* Both go into the state file and a probe: checked as
	 * incident_load() checks them. */
	/* Out of memory keeps the old value: only a probe's target. */
	if (util_ip_parse(f->relay_ip, strlen(f->relay_ip), ip, sizeof(ip)))
		(void)intern_set(&inc->relay, ip, strlen(ip));
	else if (util_valid_hostname(f->remote_mta) &&
		 !util_ip_parse(inc->relay, strlen(inc->relay), ip, sizeof(ip)))
		(void)intern_set(
			&inc->relay, f->remote_mta,
			strnlen(f->remote_mta, sizeof(f->remote_mta) - 1));
	if (util_valid_mailbox(f->rcpt, 0))
		(void)intern_set(&inc->rcpt, f->rcpt,
				 strnlen(f->rcpt, sizeof(f->rcpt) - 1));
}

/* note_qid - remember a distinct queue id; when full the oldest goes */
static void note_qid(struct incident *inc, const char *q, size_t size)
{
	char id[FINDING_QID_MAX];
	size_t i;

	copy_field(id, sizeof(id), q, size);
	if (!*id)
		return;
	for (i = 0; i < inc->n_qids; i++)
		if (strcmp(inc->qids[i], id) == 0)
			return;
	if (inc->n_qids == INCIDENT_MAX_QIDS) {
		memmove(inc->qids[0], inc->qids[1],
			(INCIDENT_MAX_QIDS - 1) * sizeof(inc->qids[0]));
		inc->n_qids--;
	}
	memcpy(inc->qids[inc->n_qids++], id, sizeof(id));
}

/* note_sample - one sample per code, the longest normalised text wins */
static void note_sample(struct incident *inc, const struct finding *f)
{
	char norm[INCIDENT_SAMPLE_MAX], code[VERDICT_CODE_MAX], *copy;
	size_t len, i, j;

	if (!f->text || !f->text_len)
		return;
	copy_field(code, sizeof(code), f->v.code, sizeof(f->v.code));
	for (i = 0; i < inc->n_samples; i++)
		if (strcmp(inc->sample_codes[i], code) == 0)
			break;
	/* Normalising only shrinks: skip it when it cannot win (the usual
	 * case in a storm of identical replies). */
	if (i == INCIDENT_MAX_SAMPLES ||
	    (i < inc->n_samples && f->text_len <= strlen(inc->samples[i])))
		return;
	len = util_clean(norm, sizeof(norm), f->text, f->text_len);
	if (!len || (i < inc->n_samples && len <= strlen(inc->samples[i])))
		return;
	for (j = 0; i == inc->n_samples && j < inc->n_samples; j++)
		if (strcmp(inc->samples[j], norm) == 0)
			return; /* the same text under another code */
	copy = malloc(len + 1);
	if (!copy)
		return; /* a sample is worth less than the finding */
	memcpy(copy, norm, len + 1);
	if (i < inc->n_samples) {
		free(inc->samples[i]);
	} else {
		inc->sample_codes[i] = intern_get(code, strlen(code));
		if (!inc->sample_codes[i]) {
			free(copy);
			return;
		}
		inc->n_samples++;
	}
	inc->samples[i] = copy;
}

/* note_update - fold finding f (at when) into inc */
static void note_update(struct incident *inc, const struct finding *f,
			time_t when)
{
	const struct verdict *v = &f->v;

	inc->count++;
	if (v->reply_code / 100 == 5 ||
	    (v->status[0] == '5' && v->status[1] == '.'))
		inc->bounced++;
	else
		inc->deferred++;
	note_code(inc, v->code);
	note_domain(inc, f->rcpt_domain, sizeof(f->rcpt_domain));
	note_qid(inc, f->queue_id, sizeof(f->queue_id));
	note_probe(inc, f);
	note_sample(inc, f);
	if (severity(v->kind) > severity(inc->kind) ||
	    (v->kind == inc->kind && inc->remedy == VERDICT_REMEDY_NONE)) {
		inc->kind = v->kind;
		inc->remedy = v->remedy;
	}
	if ((unsigned)f->source < 32)
		inc->sources |= 1u << f->source;
	if (!f->ip_inferred)
		inc->ip_inferred = 0;
	if (when < inc->first_seen)
		inc->first_seen = when;
	if (when > inc->last_seen)
		inc->last_seen = when;
	/* A failure after the first success stops the clear clock; one
	 * stamped before it (a late DSN) does not undo the success. */
	if (inc->sent_since && when >= inc->sent_since)
		inc->sent_since = 0;
}

/* incident_note - add one finding; see incident.h */
struct incident *incident_note(struct incident_store *s,
			       const struct finding *f, int *is_new)
{
	struct incident *inc, *cur;
	time_t when;

	if (is_new)
		*is_new = 0;
	if (!s || !f || f->sent || f->v.provider == VERDICT_PROVIDER_NONE ||
	    !severity(f->v.kind) || !f->v.ip[0] ||
	    strnlen(f->v.ip, sizeof(f->v.ip)) == sizeof(f->v.ip)) {
		errno = EINVAL;
		return NULL;
	}
	when = f->when ? f->when : time(NULL);
	cur = incident_hash_find(s, f->v.ip, f->v.provider);
	if (cur && (cur->state != INCIDENT_CLEARED ||
		    (cur->sent_since && when < cur->sent_since))) {
		note_update(cur, f, when);
		heap_update(s, cur);
		incident_touch(cur);
		return cur;
	}
	/* New, or the old one cleared: a new incident with a new id
	 * (out of ids only after a tampered state file). */
	if (s->next_id > INCIDENT_ID_MAX) {
		errno = EOVERFLOW;
		return NULL;
	}
	inc = calloc(1, sizeof(*inc));
	if (!inc)
		return NULL;
	inc->relay = inc->rcpt = intern_empty;
	if (s->n >= s->max)
		incident_store_evict(s);
	if (incident_store_reserve(s) < 0) {
		free(inc);
		return NULL;
	}
	/* The old cleared incident may just have been evicted. */
	cur = incident_hash_find(s, f->v.ip, f->v.provider);
	inc->id = s->next_id++;
	util_strcpy(inc->ip, sizeof(inc->ip), f->v.ip);
	inc->provider = f->v.provider;
	inc->kind = f->v.kind;
	inc->remedy = f->v.remedy;
	inc->ip_inferred = f->ip_inferred ? 1 : 0;
	inc->state = INCIDENT_OPEN;
	inc->first_seen = inc->last_seen = when;
	note_update(inc, f, when);
	if (cur)
		incident_hash_del(s, cur);
	if (incident_hash_add(s, inc) < 0) {
		if (cur)
			incident_hash_add(s, cur);
		s->next_id--;
		incident_free_one(inc);
		errno = ENOMEM;
		return NULL;
	}
	incident_store_link(s, inc);
	incident_touch(inc);
	if (is_new)
		*is_new = 1;
	return inc;
}

/* sent_one - start the clear clock of inc if a success at when counts */
static void sent_one(struct incident *inc, time_t when)
{
	if (inc->state != INCIDENT_CLEARED && when >= inc->last_seen &&
	    !inc->sent_since) {
		inc->sent_since = when ? when : 1;
		incident_touch(inc);
	}
}

/* incident_sent - a message to provider was accepted; see incident.h */
void incident_sent(struct incident_store *s, const char *ip,
		   enum verdict_provider provider, time_t when)
{
	struct incident *inc;
	size_t i;

	if (!s)
		return;
	if (ip && *ip) {
		inc = incident_hash_find(s, ip, provider);
		if (inc)
			sent_one(inc, when);
		return;
	}
	for (i = 0; i < s->used; i++)
		if (s->byid[i] && s->byid[i]->provider == provider)
			sent_one(s->byid[i], when);
}

/* ---- life cycle ---- */

/* retier - inc became CLEARED: move it up the eviction order, if inc is
 * really the store's (not a copy) */
static void retier(struct incident *inc)
{
	struct incident_store *s = inc->store;

	if (s && inc->heap_idx < s->n && s->heap[inc->heap_idx].inc == inc)
		heap_update(s, inc);
}

/* incident_due - what mail is owed; see incident.h */
enum incident_due incident_due(struct incident *inc, time_t now,
			       time_t reminder, time_t clear_after)
{
	enum incident_due due = INCIDENT_DUE_NONE;

	if (inc->state != INCIDENT_CLEARED && inc->sent_since &&
	    now >= inc->sent_since && now - inc->sent_since >= clear_after) {
		inc->state = INCIDENT_CLEARED;
		inc->cleared_at = now;
		inc->attempts = 0;
		inc->next_attempt = 0;
		retier(inc);
		incident_touch(inc);
	}
	switch (inc->state) {
	case INCIDENT_OPEN:
		due = INCIDENT_DUE_ALERT;
		break;
	case INCIDENT_ALERTED:
		if (reminder > 0 && now - inc->alerted_at >= reminder)
			due = INCIDENT_DUE_REMINDER;
		break;
	case INCIDENT_REMINDED:
		if (reminder > 0 && now - inc->reminded_at >= reminder)
			due = INCIDENT_DUE_REMINDER;
		break;
	case INCIDENT_CLEARED:
		if (inc->alerted_at && !inc->cleared_notified)
			due = INCIDENT_DUE_CLEARED;
		break;
	}
	if (due != INCIDENT_DUE_NONE && inc->next_attempt &&
	    now < inc->next_attempt)
		return INCIDENT_DUE_NONE;
	return due;
}

/* incident_mark - the owed mail was sent; see incident.h */
void incident_mark(struct incident *inc, enum incident_due due, time_t now)
{
	switch (due) {
	case INCIDENT_DUE_NONE:
		return;
	case INCIDENT_DUE_ALERT:
		inc->alerted_at = now;
		if (inc->state != INCIDENT_CLEARED)
			inc->state = INCIDENT_ALERTED;
		break;
	case INCIDENT_DUE_REMINDER:
		inc->reminded_at = now;
		if (inc->state != INCIDENT_CLEARED)
			inc->state = INCIDENT_REMINDED;
		break;
	case INCIDENT_DUE_CLEARED:
		inc->cleared_notified = now ? now : 1;
		break;
	}
	inc->attempts = 0;
	inc->next_attempt = 0;
	incident_touch(inc);
}

/* incident_failed - schedule a retry with back-off; see incident.h */
void incident_failed(struct incident *inc, time_t now, time_t retry)
{
	time_t delay = retry > 0 ? retry : 1, cap;
	unsigned i;

	cap = delay > BACKOFF_MAX ? delay : BACKOFF_MAX;
	if (inc->attempts < UINT_MAX)
		inc->attempts++;
	for (i = 1; i < inc->attempts && delay < cap; i++)
		delay *= 2;
	inc->next_attempt = now + (delay < cap ? delay : cap);
	incident_touch(inc);
}

/* incident_record - incident_note() and the reopen rule; see incident.h */
struct incident *incident_record(struct incident_store *s,
				 const struct finding *f, int *is_new,
				 int *changed)
{
	enum verdict_kind before = VERDICT_KIND_NONE;
	struct incident *inc = incident_find(s, f->v.ip, f->v.provider);

	if (inc && inc->state != INCIDENT_CLEARED)
		before = inc->kind;
	*changed = 0;
	inc = incident_note(s, f, is_new);
	if (!inc)
		return NULL;
	*changed = *is_new || inc->kind != before;
	/* A rate limit that turned into a block or ban needs a different
	 * remedy: a new alert is owed. */
	if (*changed && !*is_new && before == VERDICT_RATELIMIT &&
	    inc->state != INCIDENT_OPEN) {
		inc->state = INCIDENT_OPEN;
		inc->attempts = 0;
		inc->next_attempt = 0;
		incident_touch(inc);
	}
	return inc;
}

/* incident_sending_begin - the owed mail due is handed to sendmail */
void incident_sending_begin(struct incident *inc, enum incident_due due,
			    time_t now)
{
	inc->sending = now ? now : 1;
	inc->sending_due = due;
	incident_touch(inc);
}

/* incident_sending_end - sendmail returned: the marks go */
void incident_sending_end(struct incident *inc)
{
	inc->sending = 0;
	inc->sending_due = 0;
	incident_touch(inc);
}

/* incident_settle - a send the previous run left unfinished */
enum incident_due incident_settle(struct incident *inc, int started)
{
	enum incident_due due = (enum incident_due)inc->sending_due;

	if (!inc->sending)
		return INCIDENT_DUE_NONE;
	if (started)
		incident_mark(inc, due, inc->sending);
	incident_sending_end(inc);
	return due;
}

/* ---- access ---- */

/* incident_count - live incidents */
size_t incident_count(const struct incident_store *s)
{
	return s ? s->n : 0;
}

/* incident_at - the i-th incident in id order, or NULL */
struct incident *incident_at(struct incident_store *s, size_t i)
{
	if (!s || i >= s->n)
		return NULL;
	byid_compact(s);
	return s->byid[i];
}

/* incident_find - the current incident of (ip, provider), or NULL */
struct incident *incident_find(struct incident_store *s, const char *ip,
			       enum verdict_provider provider)
{
	return s && ip ? incident_hash_find(s, ip, provider) : NULL;
}

/* incident_by_id - binary search of byid; see incident.h */
struct incident *incident_by_id(struct incident_store *s, uint64_t id)
{
	size_t lo = 0, hi;

	if (!s)
		return NULL;
	byid_compact(s);
	hi = s->used;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->byid[mid]->id == id)
			return s->byid[mid];
		if (s->byid[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* incident_longest_sample - see incident.h */
const char *incident_longest_sample(const struct incident *inc)
{
	const char *best = NULL;
	size_t i, blen = 0;

	for (i = 0; i < inc->n_samples; i++) {
		size_t l = strlen(inc->samples[i]);
		if (!best || l > blen) {
			best = inc->samples[i];
			blen = l;
		}
	}
	return best;
}

/* find_cursor - the index of source's cursor, or s->n_cursors */
static size_t find_cursor(const struct incident_store *s, const char *source)
{
	size_t i;

	for (i = 0; i < s->n_cursors; i++)
		if (!strcmp(s->cursors[i].source, source))
			break;
	return i;
}

/* incident_set_cursor - remember (or forget) a source's position */
int incident_set_cursor(struct incident_store *s, const char *source,
			const char *at)
{
	size_t i = find_cursor(s, source);
	struct incident_named_cursor *v;
	char *copy;

	if (!at) {
		if (i == s->n_cursors)
			return 0;
		free(s->cursors[i].source);
		free(s->cursors[i].at);
		s->cursors[i] = s->cursors[--s->n_cursors];
		s->cursor_changed = 1;
		return 0;
	}
	if (strlen(source) >= INCIDENT_CURSOR_MAX ||
	    strlen(at) >= INCIDENT_CURSOR_MAX)
		return -1;
	if (i < s->n_cursors && !strcmp(s->cursors[i].at, at))
		return 0;
	if (!(copy = strdup(at)))
		return -1;
	s->cursor_changed = 1;
	if (i < s->n_cursors) {
		free(s->cursors[i].at);
		s->cursors[i].at = copy;
		return 0;
	}
	v = s->n_cursors < INCIDENT_CURSORS_MAX
		    ? realloc(s->cursors, (i + 1) * sizeof(*v))
		    : NULL;
	if (!v) {
		free(copy);
		return -1;
	}
	s->cursors = v;
	v[i].at = copy;
	if (!(v[i].source = strdup(source))) {
		free(copy);
		return -1;
	}
	s->n_cursors++;
	return 0;
}

/* incident_get_cursor - a source's remembered position */
const char *incident_get_cursor(const struct incident_store *s,
				const char *source)
{
	size_t i = find_cursor(s, source);

	return i < s->n_cursors ? s->cursors[i].at : NULL;
}

/* incident_cursor_source - the i-th source with a cursor */
const char *incident_cursor_source(const struct incident_store *s, size_t i)
{
	return i < s->n_cursors ? s->cursors[i].source : NULL;
}

static const char *const state_names[] = {"open", "alerted", "reminded",
					  "cleared"};

/* incident_state_from_name - reverse of incident_state_name */
int incident_state_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(state_names); i++)
		if (strcmp(name, state_names[i]) == 0)
			return (int)i;
	return -1;
}

/* incident_state_name - stable name of a state */
const char *incident_state_name(enum incident_state st)
{
	return (unsigned)st < UTIL_ARRAY_SIZE(state_names) ? state_names[st]
							   : "unknown";
}
