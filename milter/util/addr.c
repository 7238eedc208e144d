/*
 * addr.c - IP addresses and ranges as values (see addr.h)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0,	  0,
						0, 0, 0, 0, 0xff, 0xff};

/* bits_of - 32 or 128 */
static unsigned bits_of(const struct addr *a)
{
	return a->family == 4 ? 32 : 128;
}

/* parse4 - exactly four decimal parts of 1-3 digits, each <= 255 */
static int parse4(struct addr *a, const char *s, size_t len)
{
	size_t i;
	unsigned part = 0, val = 0, digits = 0;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			val = val * 10 + (unsigned)(s[i] - '0');
			if (++digits > 3 || val > 255)
				return -1;
		} else if (s[i] == '.' && digits && part < 3) {
			a->b[part++] = (unsigned char)val;
			val = digits = 0;
		} else {
			return -1;
		}
	}
	if (part != 3 || !digits)
		return -1;
	a->b[3] = (unsigned char)val;
	a->family = 4;
	return 0;
}

/* addr_parse - one address, IPv4-mapped IPv6 read as IPv4 */
int addr_parse(struct addr *a, const char *s, size_t len)
{
	char buf[ADDR_TEXT_MAX];
	unsigned char b[16];

	memset(a, 0, sizeof(*a));
	if (len == 0 || len >= sizeof(buf))
		return -1;
	if (!memchr(s, ':', len))
		return parse4(a, s, len);
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* inet_pton stops at a NUL: one inside s is no address. */
	if (strlen(buf) != len || inet_pton(AF_INET6, buf, b) != 1)
		return -1;
	if (!memcmp(b, mapped_prefix, sizeof(mapped_prefix))) {
		a->family = 4;
		memcpy(a->b, b + 12, 4);
	} else {
		a->family = 6;
		memcpy(a->b, b, 16);
	}
	return 0;
}

/* addr_text - canonical text */
size_t addr_text(const struct addr *a, char *out, size_t size)
{
	int n;

	if (size == 0)
		return 0;
	out[0] = '\0';
	if (a->family == 4) {
		n = snprintf(out, size, "%u.%u.%u.%u", a->b[0], a->b[1],
			     a->b[2], a->b[3]);
		if (n < 0 || (size_t)n >= size) {
			out[0] = '\0';
			return 0;
		}
		return (size_t)n;
	}
	if (a->family == 6 && size >= ADDR_TEXT_MAX &&
	    inet_ntop(AF_INET6, a->b, out, (socklen_t)size))
		return strlen(out);
	out[0] = '\0';
	return 0;
}

/* addr_canon - parse and write back canonically */
int addr_canon(const char *s, size_t len, char *out, size_t size)
{
	struct addr a;

	if (size)
		out[0] = '\0';
	if (addr_parse(&a, s, len) < 0 || !addr_text(&a, out, size))
		return 0;
	return a.family;
}

/* addr_cmp - IPv4 first, then by value */
int addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, a->family == 4 ? 4 : 16);
}

/* bit_get - bit i (0 = most significant) of a */
static int bit_get(const struct addr *a, unsigned i)
{
	return (a->b[i / 8] >> (7 - i % 8)) & 1;
}

/* mask_from - clear (set=0) or set (set=1) every bit from bit p on;
 * returns 1 when a bit was changed */
static int mask_from(struct addr *a, unsigned p, int set)
{
	unsigned i, bits = bits_of(a);
	int changed = 0;

	for (i = p; i < bits; i++) {
		unsigned char m = (unsigned char)(1u << (7 - i % 8));

		if (!!(a->b[i / 8] & m) != set) {
			changed = 1;
			a->b[i / 8] = set ? (unsigned char)(a->b[i / 8] | m)
					  : (unsigned char)(a->b[i / 8] & ~m);
		}
	}
	return changed;
}

/* addr_range_parse - "net/prefix" or one address */
int addr_range_parse(struct addr_range *r, const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len, i;
	unsigned p = 0, max;
	int mapped;

	memset(r, 0, sizeof(*r));
	if (addr_parse(&r->net, s, alen) < 0)
		return -1;
	/* "::ffff:a.b.c.d/n" counts its prefix in IPv6 bits */
	mapped = r->net.family == 4 && memchr(s, ':', alen) != NULL;
	max = mapped ? 128 : bits_of(&r->net);
	if (!slash) {
		r->prefix = bits_of(&r->net);
		return 0;
	}
	if (len - alen < 2 || len - alen > 4)
		return -1;
	for (i = alen + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		p = p * 10 + (unsigned)(s[i] - '0');
	}
	if (p > max || (s[alen + 1] == '0' && len - alen > 2))
		return -1;
	if (mapped) {
		if (p < 96)
			return -1; /* wider than the mapped space */
		p -= 96;
	}
	r->prefix = p;
	return mask_from(&r->net, p, 0);
}

/* addr_range_text - "net/prefix", bare for a single address */
size_t addr_range_text(const struct addr_range *r, char *out, size_t size)
{
	size_t n = addr_text(&r->net, out, size);
	int m;

	if (!n || r->prefix == bits_of(&r->net))
		return n;
	m = snprintf(out + n, size - n, "/%u", r->prefix);
	if (m < 0 || (size_t)m >= size - n) {
		out[n] = '\0';
		return n;
	}
	return n + (size_t)m;
}

/* addr_in_range - same family and the first prefix bits agree */
int addr_in_range(const struct addr *a, const struct addr_range *r)
{
	unsigned i;

	if (a->family != r->net.family || !a->family)
		return 0;
	for (i = 0; i < r->prefix; i++)
		if (bit_get(a, i) != bit_get(&r->net, i))
			return 0;
	return 1;
}

/* cmp_qsort - addr_cmp for qsort */
static int cmp_qsort(const void *x, const void *y)
{
	return addr_cmp(x, y);
}

/* addr_collapse - greedy largest aligned blocks over sorted runs */
size_t addr_collapse(struct addr *in, size_t n, struct addr_range *out,
		     size_t max)
{
	size_t i, m = 0, count = 0;

	/* Drop entries without a family, sort, drop duplicates. */
	for (i = 0; i < n; i++)
		if (in[i].family == 4 || in[i].family == 6)
			in[m++] = in[i];
	n = m;
	if (n > 1) /* in may be NULL when n is 0 */
		qsort(in, n, sizeof(*in), cmp_qsort);
	for (i = 0, m = 0; i < n; i++)
		if (m == 0 || addr_cmp(&in[m - 1], &in[i]) != 0)
			in[m++] = in[i];
	n = m;

	/*
	 * From the first address not yet covered, take the largest block
	 * that starts there (its low bits are zero) and whose every address
	 * is present: in a sorted list without duplicates that is when the
	 * entry 2^k - 1 further on is the block's last address.  Greedy from
	 * the left gives the fewest blocks for each run.
	 */
	for (i = 0; i < n;) {
		unsigned bits = bits_of(&in[i]), k = 0;

		while (k < bits && k < 8 * sizeof(size_t) - 1) {
			size_t span = (size_t)1 << (k + 1);
			struct addr last = in[i], start = in[i];

			if (span - 1 >= n - i ||
			    mask_from(&start, bits - k - 1, 0))
				break; /* not aligned, or too few left */
			mask_from(&last, bits - k - 1, 1);
			if (addr_cmp(&in[i + span - 1], &last) != 0)
				break;
			k++;
		}
		if (count < max) {
			out[count].net = in[i];
			out[count].prefix = bits - k;
		}
		count++;
		i += (size_t)1 << k;
	}
	return count;
}

/* addr_collapse_text - the ranges joined by "; " */
int addr_collapse_text(struct addr *in, size_t n, char *out, size_t size)
{
	size_t i, len = 0, total;
	struct addr_range r[64];
	int rc = 0;

	out[0] = '\0';
	/* More ranges than fit the array: collapse again in pieces is not
	 * needed, the text would be cut anyway; render what fits. */
	total = addr_collapse(in, n, r, (sizeof(r) / sizeof(r[0])));
	if (total > (sizeof(r) / sizeof(r[0]))) {
		total = (sizeof(r) / sizeof(r[0]));
		rc = -1;
	}
	for (i = 0; i < total; i++) {
		char t[ADDR_RANGE_MAX];
		size_t tl = addr_range_text(&r[i], t, sizeof(t));
		size_t need = tl + (len ? 2 : 0);

		if (len + need >= size)
			return -1;
		if (len) {
			memcpy(out + len, "; ", 2);
			len += 2;
		}
		memcpy(out + len, t, tl + 1);
		len += tl;
	}
	return rc;
}
