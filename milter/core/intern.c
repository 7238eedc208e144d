/*
 * intern.c - shared, reference-counted copies of short strings: a chained
 * hash table of entries that carry their text
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "util.h"

struct ent {
	struct ent *next;
	uint32_t hash;
	uint32_t refs;
	char s[];
};

static struct {
	pthread_mutex_t lock;
	struct ent **tab;
	size_t nb, n;
} P = {.lock = PTHREAD_MUTEX_INITIALIZER};

const char intern_empty[1] = "";

/* grow - double the buckets (lock held); failure keeps chains longer */
static void grow(void)
{
	size_t nb = P.nb ? P.nb * 2 : 256, i;
	struct ent **tab = calloc(nb, sizeof(*tab)), *e, *next;

	if (!tab)
		return;
	for (i = 0; i < P.nb; i++) {
		for (e = P.tab[i]; e; e = next) {
			next = e->next;
			e->next = tab[e->hash & (nb - 1)];
			tab[e->hash & (nb - 1)] = e;
		}
	}
	free(P.tab);
	P.tab = tab;
	P.nb = nb;
}

/* intern_get - find or add s[len] */
const char *intern_get(const char *s, size_t len)
{
	uint32_t h = util_fnv1a32(s, len);
	struct ent *e;

	if (!len)
		return intern_empty;
	pthread_mutex_lock(&P.lock);
	if (P.n >= P.nb)
		grow();
	if (!P.nb) {
		pthread_mutex_unlock(&P.lock);
		return NULL;
	}
	for (e = P.tab[h & (P.nb - 1)]; e; e = e->next) {
		if (e->hash == h && strncmp(e->s, s, len) == 0 && !e->s[len] &&
		    e->refs < UINT32_MAX) {
			e->refs++;
			pthread_mutex_unlock(&P.lock);
			return e->s;
		}
	}
	e = malloc(offsetof(struct ent, s) + len + 1);
	if (e) {
		memcpy(e->s, s, len);
		e->s[len] = '\0';
		e->hash = h;
		e->refs = 1;
		e->next = P.tab[h & (P.nb - 1)];
		P.tab[h & (P.nb - 1)] = e;
		P.n++;
	}
	pthread_mutex_unlock(&P.lock);
	return e ? e->s : NULL;
}

/* intern_put - one reference less */
void intern_put(const char *s)
{
	struct ent *e, **pp;

	if (!s || s == intern_empty)
		return;
	e = (struct ent *)(void *)(s - offsetof(struct ent, s));
	pthread_mutex_lock(&P.lock);
	if (--e->refs == 0) {
		for (pp = &P.tab[e->hash & (P.nb - 1)]; *pp;
		     pp = &(*pp)->next) {
			if (*pp == e) {
				*pp = e->next;
				P.n--;
				free(e);
				break;
			}
		}
	}
	pthread_mutex_unlock(&P.lock);
}

/* intern_set - replace *slot by the shared copy of s[len] */
int intern_set(const char **slot, const char *s, size_t len)
{
	const char *x;

	if (*slot && strlen(*slot) == len && memcmp(*slot, s, len) == 0)
		return 0;
	x = intern_get(s, len);
	if (!x)
		return -1;
	intern_put(*slot);
	*slot = x;
	return 0;
}

/* intern_count - distinct strings */
size_t intern_count(void)
{
	size_t n;

	pthread_mutex_lock(&P.lock);
	n = P.n;
	pthread_mutex_unlock(&P.lock);
	return n;
}
