/*
 * intern.h - shared, reference-counted copies of short strings
 *
 * Thousands of incidents name the same few recipient domains and codes:
 * each distinct text is kept once.  Thread-safe (one internal lock).
 */
#ifndef MILTER_DELIST_INTERN_H
#define MILTER_DELIST_INTERN_H

#include <stddef.h>

/* intern_get - the shared copy of s[len] (no NUL inside), one reference
 * more; NULL on out of memory.  Release it with intern_put(). */
const char *intern_get(const char *s, size_t len);

/* intern_put - drop one reference to a string from intern_get() (NULL:
 * nothing); the last one frees it */
void intern_put(const char *s);

/* intern_count - distinct strings held (tests, bench) */
size_t intern_count(void);

#endif
