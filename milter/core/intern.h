/*
 * intern.h - shared, reference-counted copies of short strings
 *
 * Thousands of incidents name the same few recipient domains and codes:
 * each distinct text is kept once.  Thread-safe (one internal lock).
 */
#ifndef MILTER_DELIST_INTERN_H
#define MILTER_DELIST_INTERN_H

#include <stddef.h>

/* intern_empty - the shared "": intern_get() of an empty string returns it
 * and intern_put() ignores it, so a field can start as intern_empty
 * without an allocation */
extern const char intern_empty[1];

/* intern_get - the shared copy of s[len] (no NUL inside), one reference
 * more (intern_empty when len is 0); NULL on out of memory.  Release it
 * with intern_put(). */
const char *intern_get(const char *s, size_t len);

/* intern_put - drop one reference to a string from intern_get() (NULL or
 * intern_empty: nothing); the last one frees it */
void intern_put(const char *s);

/* intern_set - make *slot (NULL, intern_empty or a string from intern_get())
 * the shared copy of s[len], releasing the old one; 0, or -1 on out of memory
 * (*slot unchanged) */
int intern_set(const char **slot, const char *s, size_t len);

/* intern_count - distinct strings held (tests, bench) */
size_t intern_count(void);

#endif
