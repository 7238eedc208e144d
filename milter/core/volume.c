/*
 * volume.c - outbound messages to Microsoft per sender and per SASL user
 *
 * Two tables (senders, users) of keys, each a chained hash for O(1) lookup
 * plus a doubly linked list in order of last use: the head is the least
 * recently counted key, the one evicted at the cap or dropped when idle
 * for a whole window.  Every key and the totals carry a ring of hourly
 * buckets stamped with the hour of their newest bucket.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "volume.h"

/* Hourly buckets; the newest is hour, the oldest hour - 23. */
struct ring {
	long long hour;
	uint32_t msgs[VOLUME_BUCKETS];
	uint32_t rcpts[VOLUME_BUCKETS];
};

struct vkey {
	struct vkey *hnext;	  /* hash chain */
	struct vkey *prev, *next; /* use order: prev is less recent */
	struct ring ring;
	char key[]; /* NUL-terminated */
};

struct vtable {
	struct vkey **tab;
	size_t nbuckets; /* power of two */
	size_t n;
	struct vkey *head, *tail; /* least and most recently counted */
};

struct volume {
	size_t max;
	uint64_t seed;
	struct ring total;
	struct vtable t[2];
};

/* hour_of - the hour index of t (floor division, also before 1970) */
static long long hour_of(time_t t)
{
	long long x = (long long)t;

	return x >= 0 ? x / VOLUME_BUCKET_SECS
		      : -((-x + VOLUME_BUCKET_SECS - 1) / VOLUME_BUCKET_SECS);
}

/* slot - the bucket of hour h */
static size_t slot(long long h)
{
	return (size_t)(((h % VOLUME_BUCKETS) + VOLUME_BUCKETS) %
			VOLUME_BUCKETS);
}

/* sat_add - a + b, saturating */
static uint32_t sat_add(uint32_t a, unsigned b)
{
	return b > UINT32_MAX - a ? UINT32_MAX : a + (uint32_t)b;
}

/* ring_add - count m messages and r recipients at hour h */
static void ring_add(struct ring *rg, long long h, unsigned m, unsigned r)
{
	size_t b;

	if (h > rg->hour) {
		long long x;
		if (h - rg->hour >= VOLUME_BUCKETS) {
			memset(rg->msgs, 0, sizeof(rg->msgs));
			memset(rg->rcpts, 0, sizeof(rg->rcpts));
		} else {
			for (x = rg->hour + 1; x <= h; x++) {
				rg->msgs[slot(x)] = 0;
				rg->rcpts[slot(x)] = 0;
			}
		}
		rg->hour = h;
	} else if (h <= rg->hour - VOLUME_BUCKETS) {
		return; /* older than anything the ring still holds */
	}
	b = slot(h);
	rg->msgs[b] = sat_add(rg->msgs[b], m);
	rg->rcpts[b] = sat_add(rg->rcpts[b], r);
}

/* ring_sum - the counts of the window of hours (h - 24, h] */
static void ring_sum(const struct ring *rg, long long h, unsigned long *m,
		     unsigned long *r)
{
	long long x;

	*m = *r = 0;
	for (x = rg->hour - VOLUME_BUCKETS + 1; x <= rg->hour; x++) {
		if (x > h || x <= h - VOLUME_BUCKETS)
			continue;
		*m += rg->msgs[slot(x)];
		*r += rg->rcpts[slot(x)];
	}
}

/* volume_new - see volume.h */
struct volume *volume_new(size_t max_keys)
{
	struct volume *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->max = max_keys ? max_keys : VOLUME_DEFAULT_KEYS;
	v->seed = (uint64_t)(uintptr_t)v * 0x9E3779B97F4A7C15ULL ^
		  (uint64_t)time(NULL);
	return v;
}

/* volume_free - see volume.h */
void volume_free(struct volume *v)
{
	struct vkey *k, *next;
	size_t i;

	if (!v)
		return;
	for (i = 0; i < 2; i++) {
		for (k = v->t[i].head; k; k = next) {
			next = k->next;
			free(k);
		}
		free(v->t[i].tab);
	}
	free(v);
}

/* key_hash - seeded FNV-1a of a key */
static uint64_t key_hash(const struct volume *v, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ v->seed;

	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 31);
}

/* make_key - the normal form of s into dst[VOLUME_KEY_MAX]; its length */
static size_t make_key(char *dst, const char *s)
{
	size_t len = strlen(s), i;

	if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
		s++;
		len -= 2;
	}
	if (len >= VOLUME_KEY_MAX) {
		len = VOLUME_KEY_MAX - 1;
		/* Do not leave half a UTF-8 sequence at the end. */
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	for (i = 0; i < len; i++)
		dst[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	dst[len] = '\0';
	return len;
}

/* unlink_key - take k out of the use list */
static void unlink_key(struct vtable *t, struct vkey *k)
{
	if (k->prev)
		k->prev->next = k->next;
	else
		t->head = k->next;
	if (k->next)
		k->next->prev = k->prev;
	else
		t->tail = k->prev;
	k->prev = k->next = NULL;
}

/* append_key - make k the most recently counted */
static void append_key(struct vtable *t, struct vkey *k)
{
	k->prev = t->tail;
	k->next = NULL;
	if (t->tail)
		t->tail->next = k;
	else
		t->head = k;
	t->tail = k;
}

/* drop_key - remove k from the table and free it */
static void drop_key(const struct volume *v, struct vtable *t, struct vkey *k)
{
	struct vkey **pp;

	pp = &t->tab[key_hash(v, k->key) & (t->nbuckets - 1)];
	while (*pp != k)
		pp = &(*pp)->hnext;
	*pp = k->hnext;
	unlink_key(t, k);
	t->n--;
	free(k);
}

/* prune - drop keys idle for a whole window before hour h */
static void prune(const struct volume *v, struct vtable *t, long long h)
{
	while (t->head && t->head->ring.hour <= h - VOLUME_BUCKETS)
		drop_key(v, t, t->head);
}

/* grow - double the hash buckets; failure only lengthens the chains */
static void grow(const struct volume *v, struct vtable *t)
{
	size_t nb = t->nbuckets ? t->nbuckets * 2 : 64;
	struct vkey **tab = calloc(nb, sizeof(*tab)), *k;

	if (!tab)
		return;
	for (k = t->head; k; k = k->next) {
		size_t b = key_hash(v, k->key) & (nb - 1);
		k->hnext = tab[b];
		tab[b] = k;
	}
	free(t->tab);
	t->tab = tab;
	t->nbuckets = nb;
}

/* count_key - count one message for key s in table t; 0 or -1 */
static int count_key(struct volume *v, struct vtable *t, const char *s,
		     unsigned rcpts, long long h)
{
	char key[VOLUME_KEY_MAX];
	size_t len = make_key(key, s), b;
	struct vkey *k = NULL;

	if (!len) { /* the null sender */
		memcpy(key, "<>", 3);
		len = 2;
	}
	if (t->nbuckets) {
		k = t->tab[key_hash(v, key) & (t->nbuckets - 1)];
		while (k && strcmp(k->key, key) != 0)
			k = k->hnext;
	}
	if (k) {
		unlink_key(t, k);
	} else {
		if (t->n >= v->max && t->head)
			drop_key(v, t, t->head);
		if (t->n >= t->nbuckets)
			grow(v, t);
		if (!t->nbuckets)
			return -1;
		k = calloc(1, sizeof(*k) + len + 1);
		if (!k)
			return -1;
		memcpy(k->key, key, len + 1);
		k->ring.hour = h;
		b = key_hash(v, key) & (t->nbuckets - 1);
		k->hnext = t->tab[b];
		t->tab[b] = k;
		t->n++;
	}
	append_key(t, k);
	ring_add(&k->ring, h, 1, rcpts);
	return 0;
}

/* volume_add - see volume.h */
int volume_add(struct volume *v, const char *sender, const char *auth_user,
	       unsigned rcpt_count, time_t now)
{
	long long h = hour_of(now);
	int rc = 0;

	if (!v) {
		errno = EINVAL;
		return -1;
	}
	ring_add(&v->total, h, 1, rcpt_count);
	prune(v, &v->t[VOLUME_SENDER], h);
	prune(v, &v->t[VOLUME_AUTH], h);
	if (count_key(v, &v->t[VOLUME_SENDER], sender ? sender : "", rcpt_count,
		      h) < 0)
		rc = -1;
	if (auth_user && *auth_user &&
	    count_key(v, &v->t[VOLUME_AUTH], auth_user, rcpt_count, h) < 0)
		rc = -1;
	if (rc < 0)
		errno = ENOMEM;
	return rc;
}

/* better - does a rank before b in a top-N answer? */
static int better(const struct volume_count *a, const struct volume_count *b)
{
	if (a->messages != b->messages)
		return a->messages > b->messages;
	if (a->rcpts != b->rcpts)
		return a->rcpts > b->rcpts;
	return strcmp(a->key, b->key) < 0;
}

/* volume_top - see volume.h */
size_t volume_top(struct volume *v, time_t now, enum volume_which which,
		  struct volume_count *out, size_t n)
{
	long long h = hour_of(now);
	struct vtable *t;
	struct vkey *k;
	size_t got = 0, i;

	if (!v || !out || !n || (unsigned)which > VOLUME_AUTH)
		return 0;
	t = &v->t[which];
	prune(v, t, h);
	for (k = t->head; k; k = k->next) {
		struct volume_count c;
		ring_sum(&k->ring, h, &c.messages, &c.rcpts);
		if (!c.messages)
			continue;
		strcpy(c.key, k->key); /* both VOLUME_KEY_MAX */
		if (got == n && !better(&c, &out[n - 1]))
			continue;
		i = got < n ? got++ : n - 1;
		while (i > 0 && better(&c, &out[i - 1])) {
			out[i] = out[i - 1];
			i--;
		}
		out[i] = c;
	}
	return got;
}

/* volume_total - see volume.h */
unsigned long volume_total(struct volume *v, time_t now, unsigned long *rcpts)
{
	unsigned long m = 0, r = 0;

	if (v)
		ring_sum(&v->total, hour_of(now), &m, &r);
	if (rcpts)
		*rcpts = r;
	return m;
}

/* volume_keys - see volume.h */
size_t volume_keys(const struct volume *v, enum volume_which which)
{
	return v && (unsigned)which <= VOLUME_AUTH ? v->t[which].n : 0;
}
