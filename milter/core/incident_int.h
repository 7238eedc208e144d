/*
 * incident_int.h - what incident.c (the store) shares with incident_io.c
 * (the state file); no other module includes it
 */
#ifndef MILTER_DELIST_INCIDENT_INT_H
#define MILTER_DELIST_INCIDENT_INT_H

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
	} *cursors; /* the log sources' cursors (incident.h) */
	size_t n_cursors;
};

/* incident_free_one - release one incident and its samples */
void incident_free_one(struct incident *inc);

/* incident_store_clear - drop every incident, the cursor, and reset the
 * ids; the store keeps its cap */
void incident_store_clear(struct incident_store *s);

/* incident_store_reserve - room for one more incident; 0 or -1 */
int incident_store_reserve(struct incident_store *s);

/* incident_store_link - append inc (id set, larger than any) to the id
 * order and the eviction heap; room reserved */
void incident_store_link(struct incident_store *s, struct incident *inc);

/* The (ip, provider) hash: the current incident of a key. */
struct incident *incident_hash_find(const struct incident_store *s,
				    const char *ip, enum verdict_provider p);
int incident_hash_add(struct incident_store *s, struct incident *inc);
void incident_hash_del(struct incident_store *s, struct incident *inc);

/* incident_state_from_name - reverse of incident_state_name, -1 unknown */
int incident_state_from_name(const char *name);

#endif
