/*
 * naive.h - the plain versions that tests and fuzz targets compare the
 * fast ones with
 */
#ifndef MILTER_DELIST_TEST_NAIVE_H
#define MILTER_DELIST_TEST_NAIVE_H

#include <stddef.h>

#include "util.h"

/* memcasemem_naive - util_memcasemem(), a byte at a time */
static inline const char *memcasemem_naive(const char *h, size_t hn,
					   const char *n, size_t nn)
{
	size_t i, j;

	for (i = 0; i + nn <= hn; i++) {
		for (j = 0; j < nn; j++)
			if (util_lower((unsigned char)h[i + j]) !=
			    util_lower((unsigned char)n[j]))
				break;
		if (j == nn)
			return h + i;
	}
	return NULL;
}

#endif
