/*
 * check.h - the tiny harness of the C unit tests
 *
 * Tests are tables of {name, input, expected} rows walked by a loop; each
 * comparison goes through CHECK so a failure names file, line and row.
 * Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.
 */
#ifndef MILTER_DELIST_TEST_CHECK_H
#define MILTER_DELIST_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_run, check_failed;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		check_run++;                                                   \
		if (!(cond)) {                                                 \
			check_failed++;                                        \
			fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);  \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

#define CHECK_STR(got, want, row)                                              \
	CHECK(strcmp((got), (want)) == 0, "%s: got \"%s\", want \"%s\"",       \
	      (row), (got), (want))

#define CHECK_INT(got, want, row)                                              \
	CHECK((long long)(got) == (long long)(want),                           \
	      "%s: got %lld, want %lld", (row), (long long)(got),              \
	      (long long)(want))

/* check_done - print the tally; the exit status for main() */
static inline int check_done(const char *suite)
{
	printf("%s: %d checks, %d failed\n", suite, check_run, check_failed);
	return check_failed ? 1 : 0;
}

/* check_path - "$srcdir/rel" (srcdir from the automake test environment) */
static inline const char *check_path(char *buf, size_t size, const char *rel)
{
	const char *srcdir = getenv("srcdir");
	snprintf(buf, size, "%s/%s", srcdir ? srcdir : ".", rel);
	return buf;
}

/* check_slurp - read a whole file; NULL if it cannot be read (caller frees) */
static inline char *check_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

#endif
