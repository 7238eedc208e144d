/*
 * fuzz-held.c - libFuzzer target of the held-mail counter (held.h): the
 * output of postqueue -j, whose addresses any sender chooses
 *
 * The input is the whole output, from a buffer of exactly its length (a
 * read past it is caught).  Invariants: every domain handed to match()
 * is NUL-terminated, shorter than HELD_DOMAIN_MAX, lower case, without a
 * trailing dot; the count is at most the number of lines; the same call
 * twice agrees; a count with a match that accepts nothing is 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "held.h"

/* check - match() that checks its domain; accepts by a hash of it */
static int check(const char *domain, void *arg)
{
	size_t n = strnlen(domain, HELD_DOMAIN_MAX);
	size_t i;

	FUZZ_CHECK(n < HELD_DOMAIN_MAX, "domain not terminated");
	FUZZ_CHECK(n > 0 && domain[n - 1] != '.', "domain \"%s\"", domain);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(!(domain[i] >= 'A' && domain[i] <= 'Z'),
			   "upper case in \"%s\"", domain);
	(*(unsigned long *)arg)++;
	return (domain[0] & 1) != 0;
}

/* none - accepts nothing */
static int none(const char *domain, void *arg)
{
	(void)domain;
	(void)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	unsigned long calls = 0, calls2 = 0, n, n2, lines = 1;
	size_t i;

	if (!text)
		abort();
	memcpy(text, data, size);
	for (i = 0; i < size; i++)
		lines += text[i] == '\n';
	n = held_count(text, size, check, &calls);
	n2 = held_count(text, size, check, &calls2);
	FUZZ_CHECK(n == n2 && calls == calls2, "a second call disagrees");
	FUZZ_CHECK(n <= lines, "%lu held in %lu lines", n, lines);
	FUZZ_CHECK(held_count(text, size, none, NULL) == 0,
		   "counted without a match");
	free(text);
	return 0;
}
