/*
 * incident_int.h - what incident_store.c (the store and its indexes)
 * shares with incident.c (findings, life cycle), incident_io.c (the state
 * file) and incident_journal.c; no other module includes it
 */
#ifndef MILTER_DELIST_INCIDENT_INT_H
#define MILTER_DELIST_INCIDENT_INT_H

#include "buf.h"
#include "incident.h"

/* One entry of the eviction heap: the key is copied from the incident so
 * a sift stays in cache. */
struct incident_heap_ent {
	int tier; /* 0 cleared, 1 otherwise */
	time_t when;
	uint64_t id;
	struct incident *inc;
};

/* The largest incident id: incident_note() hands out no larger one, and a
 * state file holds no larger one (and a next-id at most one above), so an
 * id never wraps to 0 and what is saved always loads. */
#define INCIDENT_ID_MAX (UINT64_MAX >> 1)

struct incident_store {
	size_t max;
	size_t n;		 /* live incidents = heap entries */
	struct incident **byid;	 /* id order, NULL holes */
	size_t used, cap, holes; /* byid slots used, allocated, NULL */
	struct incident **tab;	 /* hash buckets */
	size_t nbuckets, hashed; /* power of two; incidents in the hash */
	struct incident_heap_ent *heap;
	size_t heap_cap;
	uint64_t next_id;
	uint64_t seed;
	struct incident_named_cursor {
		char *source, *at;
	} * cursors; /* the log sources' cursors (incident.h) */
	size_t n_cursors;
	/* What changed since the last incident_changes(): incidents (NULL
	 * holes for evicted ones), ids evicted, the cursor, next-id. */
	struct incident **chg;
	size_t n_chg, chg_cap;
	uint64_t *gone;
	size_t n_gone, gone_cap;
	int journaling; /* changes are noted (incident_journal_enable()) */
	int cursor_changed, lost_changes;
	uint64_t journal_next_id;
};

/* incident_qids_append - q[len] (no NUL inside, shorter than
 * FINDING_QID_MAX: the caller checks) after inc's queue ids, as a state
 * file lists them (no duplicate check); 0, or -1 with errno (EINVAL when
 * inc already holds INCIDENT_MAX_QIDS, ENOMEM: inc unchanged) */
int incident_qids_append(struct incident *inc, const char *q, size_t len);

/* incident_free_one - release one incident and its samples */
void incident_free_one(struct incident *inc);

/* incident_store_clear - drop every incident, the cursor, and reset the
 * ids; the store keeps its cap */
void incident_store_clear(struct incident_store *s);

/* incident_store_reserve - room for one more incident; 0 or -1 */
int incident_store_reserve(struct incident_store *s);

/* incident_store_remove - drop inc (the store's) from every index and free
 * it (a "gone" record is due) */
void incident_store_remove(struct incident_store *s, struct incident *inc);

/* incident_store_replace - put inc (same id, not linked) in the place of
 * old (the store's, freed); the key's current incident is the larger id */
void incident_store_replace(struct incident_store *s, struct incident *old,
			    struct incident *inc);

/* incident_store_evict - drop the first incident of the eviction order */
void incident_store_evict(struct incident_store *s);

/* incident_store_link - append inc (id set, larger than any) to the id
 * order and the eviction heap; room reserved */
void incident_store_link(struct incident_store *s, struct incident *inc);

/* incident_heap_update - inc's eviction key changed (last_seen, or it was
 * cleared): refresh its heap entry */
void incident_heap_update(struct incident_store *s, struct incident *inc);

/* The (ip, provider) hash: the current incident of a key. */
struct incident *incident_hash_find(const struct incident_store *s,
				    const char *ip, enum verdict_provider p);
int incident_hash_add(struct incident_store *s, struct incident *inc);
void incident_hash_del(struct incident_store *s, struct incident *inc);

/* incident_journal_drop - inc leaves the store: its change mark goes, and
 * with gone a "gone" record is due (not when it is only replaced) */
void incident_journal_drop(struct incident_store *s, struct incident *inc,
			   int gone);

/* incident_put_cursor - append the i-th cursor's "cursor source= at="
 * line to b, without the newline (incident_io.c) */
void incident_put_cursor(struct buf *b, const struct incident_store *s,
			 size_t i);

/* incident_parse_cursor - a cursor line's fields (after "cursor ") into
 * the store; NULL or why (a source that has a cursor already is one) */
const char *incident_parse_cursor(struct incident_store *s, char *p);

/* incident_put_record - append inc's "incident k=v ..." line to b, without
 * the newline (incident_io.c) */
void incident_put_record(struct buf *b, const struct incident *inc);

/* incident_parse_fields - the fields after "incident " into inc (zeroed);
 * NULL or why (p is modified) */
const char *incident_parse_fields(char *p, struct incident *inc);

/* incident_parse_pairs - numeric fields names[i] of a store or cursor line
 * into out[i]; the first nreq required, the rest optional (seen bits in
 * *seen); NULL or why */
const char *incident_parse_pairs(char *p, const char *const *names, size_t n,
				 size_t nreq, unsigned *seen,
				 unsigned long long *out);

/* incident_parse_u64 - strict unsigned decimal no larger than max */
int incident_parse_u64(const char *v, unsigned long long max,
		       unsigned long long *out);

/* incident_state_from_name - reverse of incident_state_name, -1 unknown */
int incident_state_from_name(const char *name);

#endif
