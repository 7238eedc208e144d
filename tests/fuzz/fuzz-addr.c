/*
 * fuzz-addr.c - libFuzzer target of the address module (addr.h)
 *
 * The input is lines ("\n"-separated, each given in a buffer of exactly
 * its length).  Each line is read as an address and as a range.
 * Invariants: a parsed address's text is canonical (parsing it again gives
 * the same address and the same text), IPv4 text has no ':'; a parsed
 * range's text parses back to the same range with no host bits, and its
 * network is inside it; util_ip_parse agrees with addr_canon.  The lines
 * that are addresses are collapsed: the ranges are sorted and disjoint,
 * every address lies in exactly one, and their sizes add up to the number
 * of distinct addresses (nothing added, nothing lost); the text of the
 * collapse is NUL-terminated and within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "addr.h"
#include "util.h"

#define MAX_ADDRS 64

/* check_line - one line as an address and as a range */
static int check_line(const char *s, size_t n, struct addr *a)
{
	char *copy = malloc(n ? n : 1), t[ADDR_TEXT_MAX], t2[ADDR_TEXT_MAX];
	char rt[ADDR_RANGE_MAX];
	struct addr b;
	struct addr_range r, r2;
	int ok, fam, rc;

	if (!copy)
		abort();
	memcpy(copy, s, n); /* exactly n bytes: a read past is caught */
	ok = addr_parse(a, copy, n) == 0;
	fam = addr_canon(copy, n, t, sizeof(t));
	FUZZ_CHECK(ok == (fam != 0), "parse %d canon %d", ok, fam);
	FUZZ_CHECK(fam == util_ip_parse(copy, n, t2, sizeof(t2)),
		   "util_ip_parse disagrees");
	if (ok) {
		FUZZ_CHECK(fam == a->family, "family %d/%d", fam, a->family);
		FUZZ_CHECK(!strcmp(t, t2), "%s / %s", t, t2);
		FUZZ_CHECK(fam == 6 || !strchr(t, ':'), "v4 text %s", t);
		FUZZ_CHECK(addr_parse(&b, t, strlen(t)) == 0 &&
				   addr_cmp(a, &b) == 0,
			   "text %s does not parse back", t);
		FUZZ_CHECK(addr_canon(t, strlen(t), t2, sizeof(t2)) == fam &&
				   !strcmp(t, t2),
			   "not idempotent: %s -> %s", t, t2);
	} else {
		FUZZ_CHECK(t[0] == '\0', "refused but text %s", t);
	}
	rc = addr_range_parse(&r, copy, n);
	if (rc >= 0) {
		size_t rl = addr_range_text(&r, rt, sizeof(rt));

		FUZZ_CHECK(rl == strlen(rt) && rl > 0, "range text");
		FUZZ_CHECK(addr_range_parse(&r2, rt, rl) == 0 &&
				   r2.prefix == r.prefix &&
				   addr_cmp(&r2.net, &r.net) == 0,
			   "range %s does not parse back", rt);
		FUZZ_CHECK(addr_in_range(&r.net, &r), "net outside %s", rt);
		if (ok)
			FUZZ_CHECK(addr_in_range(a, &r), "%s outside", rt);
	}
	free(copy);
	return ok;
}

/* check_collapse - nothing added, nothing lost, sorted, disjoint */
static void check_collapse(struct addr *in, size_t n)
{
	struct addr_range out[MAX_ADDRS];
	struct addr sorted[MAX_ADDRS];
	size_t i, j, k, uniq = 0, total = 0;
	char text[256];

	memcpy(sorted, in, n * sizeof(*in));
	k = addr_collapse(sorted, n, out, MAX_ADDRS);
	FUZZ_CHECK(k <= n, "%zu ranges for %zu addresses", k, n);
	for (i = 0; i < n; i++) {
		size_t hits = 0;

		for (j = 0; j < k; j++)
			hits += (size_t)addr_in_range(&in[i], &out[j]);
		FUZZ_CHECK(hits == 1, "address in %zu ranges", hits);
		for (j = 0; j < i; j++)
			if (addr_cmp(&in[i], &in[j]) == 0)
				break;
		uniq += j == i;
	}
	for (j = 0; j < k; j++) {
		unsigned bits = out[j].net.family == 4 ? 32 : 128;

		FUZZ_CHECK(bits - out[j].prefix < 8, "range too wide");
		total += (size_t)1 << (bits - out[j].prefix);
		if (j)
			FUZZ_CHECK(addr_cmp(&out[j - 1].net, &out[j].net) < 0,
				   "ranges not sorted");
	}
	FUZZ_CHECK(total == uniq, "ranges hold %zu, %zu given", total, uniq);
	memcpy(sorted, in, n * sizeof(*in));
	addr_collapse_text(sorted, n, text, sizeof(text));
	FUZZ_CHECK(strlen(text) < sizeof(text), "text");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct addr in[MAX_ADDRS];
	size_t n = 0;

	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct addr a;

		if (check_line(p, len, &a) && n < MAX_ADDRS)
			in[n++] = a;
		if (!nl)
			break;
		p = nl + 1;
	}
	check_collapse(in, n);
	return 0;
}
