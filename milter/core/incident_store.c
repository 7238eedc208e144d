/*
 * incident_store.c - the incident store: its indexes, eviction, access by
 * id, key and position, and the log sources' cursors (incident.c notes
 * findings and runs the life cycle; incident_io.c and incident_journal.c
 * persist them)
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

/* incident_free_one - release one incident, its samples and qids */
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
	free(inc->qids);
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

/* incident_heap_update - inc's key changed: refresh its entry */
void incident_heap_update(struct incident_store *s, struct incident *inc)
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
