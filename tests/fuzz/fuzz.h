/*
 * fuzz.h - what the libFuzzer targets of tests/fuzz share: a reader that
 * takes typed values off the fuzz input, a hash and a small PRNG for
 * choices derived from the input (so a crash file replays exactly), and
 * FUZZ_CHECK, which aborts with a message when an invariant breaks.
 * Static functions: include it in one target each.
 */
#ifndef MILTER_DELIST_FUZZ_H
#define MILTER_DELIST_FUZZ_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FUZZ_CHECK - an invariant: report and abort (libFuzzer keeps the input) */
#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
				"%s:%d: invariant broken: %s: ", __FILE__,     \
				__LINE__, #cond);                              \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

/* fuzz_hash - FNV-1a of the input, then mixed: seeds the choices */
static inline uint64_t fuzz_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

/* fuzz_rand - next value of a splitmix64 sequence */
static inline uint64_t fuzz_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* fuzz_nul_in - is there a NUL within the size bytes of a char array? */
static inline int fuzz_nul_in(const char *a, size_t size)
{
	return memchr(a, '\0', size) != NULL;
}

/* fuzz_no_ctl - no control byte (C0, DEL) in a NUL-terminated string */
static inline int fuzz_no_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 0;
	return 1;
}

/* fuzz_canonical_ip - is s a valid IP address in its canonical text form?
 * (inet_pton and inet_ntop, independently of util_ip_parse) */
static inline int fuzz_canonical_ip(const char *s)
{
	unsigned char a[16];
	char back[INET6_ADDRSTRLEN];
	int af = strchr(s, ':') ? AF_INET6 : AF_INET;

	return inet_pton(af, s, a) == 1 &&
	       inet_ntop(af, a, back, sizeof(back)) && !strcmp(s, back);
}

/*
 * The reader: typed values taken off the front of the input.  Past the
 * end every read returns zeros and empty strings, so any input is a
 * complete description.
 */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

/* fuzz_u8 - one byte, 0 past the end */
static inline unsigned fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* fuzz_uint - nbytes (at most 8) little-endian, 0 past the end */
static inline uint64_t fuzz_uint(struct fuzz_in *in, unsigned nbytes)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < nbytes && i < 8; i++)
		v |= (uint64_t)fuzz_u8(in) << (8 * i);
	return v;
}

/* fuzz_bytes - the next field: a length byte L, then L bytes (fewer at
 * the end of the input); L 0xFF means "the rest of the input".  Returns a
 * pointer into the input and sets *len. */
static inline const char *fuzz_bytes(struct fuzz_in *in, size_t *len)
{
	size_t l = fuzz_u8(in);
	const char *s = (const char *)in->p;

	if (l == 0xFF || l > in->n)
		l = in->n;
	in->p += l;
	in->n -= l;
	*len = l;
	return s;
}

/* fuzz_str - fuzz_bytes as a malloc'ed NUL-terminated string (an
 * embedded NUL cuts it, as it would in C); the caller frees.  A field
 * starting with 0xFE is repeated to about 16 KiB times the next byte,
 * for huge values from short inputs. */
static inline char *fuzz_str(struct fuzz_in *in)
{
	size_t len, total, i, reps = 1;
	const char *s = fuzz_bytes(in, &len);
	char *out;

	if (len >= 2 && (unsigned char)s[0] == 0xFE) {
		size_t unit = len - 2 ? len - 2 : 1;

		reps = (16384 * ((size_t)(unsigned char)s[1] + 1)) / unit;
		s += 2;
		len -= 2;
	}
	total = len * reps;
	out = malloc(total + 1);
	if (!out)
		abort();
	for (i = 0; i < reps; i++)
		memcpy(out + i * len, s, len);
	out[total] = '\0';
	return out;
}

#endif
