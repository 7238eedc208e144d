/*
 * util.h - small string and address helpers shared by every module
 *
 * Pure: no I/O, no globals, no allocation.  Every function is linear in the
 * length of its input (times the needle length for the searches, and
 * needles are short constants).
 */
#ifndef MILTER_DELIST_UTIL_H
#define MILTER_DELIST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define UTIL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* util_copy - copy len bytes of src into dst (size > 0), truncating, always
 * NUL-terminated; returns the number of bytes copied */
size_t util_copy(char *dst, size_t size, const char *src, size_t len);

/* util_strcpy - util_copy of a NUL-terminated string */
size_t util_strcpy(char *dst, size_t size, const char *src);

/* util_lower - ASCII lower case of c */
static inline int util_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* util_first_of - the first byte of [p, e) that is a or b, or NULL: 16
 * bytes at a time where SSE2 is there (every x86-64; inline: the line
 * splitters call it per line) */
static inline const char *util_first_of(const char *p, const char *e, char a,
					char b)
{
#ifdef __SSE2__
	const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);

	for (; e - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, va),
						       _mm_cmpeq_epi8(v, vb)));

		if (m)
			return p + __builtin_ctz((unsigned int)m);
	}
#endif
	for (; p < e; p++)
		if (*p == a || *p == b)
			return p;
	return NULL;
}

/* util_memcasemem - first case-insensitive (ASCII) occurrence of needle in
 * hay, or NULL */
const char *util_memcasemem(const char *hay, size_t hlen, const char *needle,
			    size_t nlen);

/* util_casefind - util_memcasemem with a NUL-terminated needle */
const char *util_casefind(const char *hay, size_t hlen, const char *needle);

/* util_has_prefix - case-insensitive: does s (len bytes) start with p? */
int util_has_prefix(const char *s, size_t len, const char *p);

/* util_has_suffix - case-insensitive: does s end with p? (NUL-terminated) */
int util_has_suffix(const char *s, const char *p);

/* util_domain_match - is host equal to domain or a subdomain of it?
 * Case-insensitive; a trailing dot on host is ignored. */
int util_domain_match(const char *host, const char *domain);

/*
 * util_ip_parse - validate an IPv4 or IPv6 address written in s (len
 * bytes, no brackets) and write its canonical text form to out (size >=
 * 46): addr_canon() of addr.h (IPv4-mapped IPv6 is written as IPv4,
 * leading zeros in IPv4 read as decimal).  Returns 4 or 6 for the family,
 * 0 when it is not a valid address (masked "x.x.x.x", "999.999.999.999",
 * partial ".1", ...).
 */
int util_ip_parse(const char *s, size_t len, char *out, size_t size);

/*
 * util_clean - copy src into dst for use in a header, a syslog line or a
 * mail body: control characters (CR, LF, NUL, TAB, DEL, C0) become one
 * space, runs of white space collapse, leading/trailing white space goes,
 * and at most size-1 bytes are written; a cut never splits a UTF-8
 * sequence.  Returns the length written.
 */
size_t util_clean(char *dst, size_t size, const char *src, size_t len);

/* util_utf8_len - length of the valid UTF-8 sequence at s (n bytes left,
 * n > 0), or 0 when it is invalid (bad lead byte, truncated, overlong,
 * surrogate, above U+10FFFF) */
size_t util_utf8_len(const unsigned char *s, size_t n);

/* util_plural - one when n is 1, else many: "1 message", "2 messages" */
static inline const char *util_plural(unsigned long long n, const char *one,
				      const char *many)
{
	return n == 1 ? one : many;
}

/* util_trim - pointer/length of s without leading and trailing white space */
void util_trim(const char **s, size_t *len);

/* util_valid_hostname - true for a host or domain name that is safe as a
 * Postfix table key and in the state file: 1-253 bytes of [a-z0-9.-] (any
 * case), no leading dot or hyphen */
int util_valid_hostname(const char *s);

/* util_valid_mailbox - true for an address we may write into MAIL FROM /
 * RCPT TO or the state file: 1-254 printable ASCII bytes without space,
 * '<', '>', '"', '\\' (an empty sender is valid when empty_ok) */
int util_valid_mailbox(const char *s, int empty_ok);

/* util_write_all - write data[len] to fd whole, again after EINTR and
 * short writes; 0, or -1 with errno (ENOSPC when write() wrote nothing) */
int util_write_all(int fd, const char *data, size_t len);

/* util_same_ci - are the n bytes at a and b equal but for ASCII case?
 * (inline: the bounce and reply parsers call it per candidate) */
static inline int util_same_ci(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (util_lower((unsigned char)a[i]) !=
		    util_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* util_fnv1a32 - the 32-bit FNV-1a hash of data[len] */
uint32_t util_fnv1a32(const char *data, size_t len);

#endif
