/*
 * addr.h - IP addresses and ranges as values, not strings
 *
 * An address is parsed once where it enters (a reply text, a log line, the
 * configuration) into a struct addr and compared as one.  Its text is
 * canonical: an IPv4-mapped IPv6 address ("::ffff:198.51.100.7") is the
 * IPv4 address it maps; IPv6 is written as RFC 5952 says (inet_ntop); IPv4
 * is a plain dotted quad.  Leading zeros in an IPv4 part are read as
 * decimal ("010.001.002.003" is 10.1.2.3), never as octal: Microsoft's
 * replies and the MTAs' logs print decimal, and a reading that differs
 * from theirs would charge a block to another address.
 *
 * Pure: no I/O, no globals, no allocation.
 */
#ifndef MILTER_DELIST_ADDR_H
#define MILTER_DELIST_ADDR_H

#include <stddef.h>

#define ADDR_TEXT_MAX  46 /* INET6_ADDRSTRLEN */
#define ADDR_RANGE_MAX 50 /* text plus "/128" */

struct addr {
	int family;	     /* 4 or 6; 0 for none */
	unsigned char b[16]; /* network order; IPv4 in b[0..3] */
};

struct addr_range {
	struct addr net; /* host bits zero */
	unsigned prefix; /* 0..32 or 0..128 */
};

/*
 * addr_parse - parse s (len bytes, no brackets, no "IPv6:" tag) into a.
 * Returns 0, or -1 when s is not exactly one address (a masked
 * "x.x.x.x", "999.1.1.1", a part longer than 3 digits, a zone "%eth0",
 * trailing bytes).
 */
int addr_parse(struct addr *a, const char *s, size_t len);

/* addr_text - canonical text of a into out (size >= ADDR_TEXT_MAX);
 * returns its length, 0 (out "") when a has no family */
size_t addr_text(const struct addr *a, char *out, size_t size);

/*
 * addr_canon - addr_parse then addr_text: the canonical text of s into out
 * (size >= ADDR_TEXT_MAX).  Returns 4 or 6, or 0 when s is no address
 * (out is then "").
 */
int addr_canon(const char *s, size_t len, char *out, size_t size);

/* addr_cmp - order of two addresses: IPv4 before IPv6, then numeric;
 * <0, 0, >0 as memcmp */
int addr_cmp(const struct addr *a, const struct addr *b);

/*
 * addr_range_parse - "a.b.c.d/n", "x::/n" or a single address (a /32 or
 * /128) into r.  IPv4-mapped prefixes (::ffff:0:0/96 and longer) become
 * IPv4 ranges.  Returns 0, 1 when the text had host bits set (they are
 * cleared: "192.0.2.7/24" is 192.0.2.0/24; a caller may warn), -1 when it
 * is no range.
 */
int addr_range_parse(struct addr_range *r, const char *s, size_t len);

/* addr_range_text - "net/prefix", or the bare address for a single one;
 * out size >= ADDR_RANGE_MAX; returns the length */
size_t addr_range_text(const struct addr_range *r, char *out, size_t size);

/* addr_in_range - is a inside r?  (different families: no) */
int addr_in_range(const struct addr *a, const struct addr_range *r);

/*
 * addr_collapse - the fewest CIDR ranges that hold exactly the n addresses
 * of in (any order, duplicates allowed, entries without a family ignored),
 * sorted.  in is sorted in place.  At most max ranges are written to out;
 * returns how many there are in all (a return > max means out was short).
 */
size_t addr_collapse(struct addr *in, size_t n, struct addr_range *out,
		     size_t max);

/*
 * addr_collapse_text - addr_collapse rendered as "198.51.100.0/30;
 * 203.0.113.9" (entries separated by "; ") into out (size > 0, always
 * NUL-terminated).  in is sorted in place.  Returns 0, or -1 when out was
 * too small or there are more than 64 ranges (out then holds the entries
 * that fit, whole).
 */
int addr_collapse_text(struct addr *in, size_t n, char *out, size_t size);

#endif
