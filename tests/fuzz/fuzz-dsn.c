/*
 * fuzz-dsn.c - libFuzzer target of the streaming bounce parser (dsn.h)
 *
 * The input is one raw message.  It is parsed twice: fed whole, and fed
 * in chunks whose sizes come from a PRNG seeded by a hash of the input
 * (one byte at a time, small pieces, empty feeds, large pieces), each
 * chunk in a buffer of its own so that a read past a chunk is caught.
 * Both parses must agree exactly ("any split point is fine", dsn.h).
 * Some inputs also get a small max_bytes, to cut them short.
 * Invariants: at most DSN_MAX_RECORDS records; every string NUL-terminated
 * within its array and free of control bytes; diag_len == strlen(diag);
 * feeding after dsn_finish() changes nothing.  Every record then goes
 * through the verdict table into a finding whose syslog line and JSON
 * object must be well-formed.
 * Differential checks of the parser's helpers against naive versions:
 * the one-pass phrase matcher (dsn_multi_scan) against dsn_find() for
 * every phrase, with phrases cut out of the input and the text part's
 * own kind; the case-insensitive search (util_memcasemem) against a naive
 * one for the same phrases; the accumulator (dsn_buf_put) against a
 * byte-at-a-time copy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzzdsn.h"
#include "fuzzevent.h"

#include "dsn.h"
#include "dsnpriv.h"
#include "finding.h"
#include "util.h"
#include "../naive.h"

/* check_str - a record string: terminated in its array, no control byte */
#define CHECK_STR(a)                                                           \
	do {                                                                   \
		FUZZ_CHECK(fuzz_nul_in((a), sizeof(a)), "%s", #a);             \
		FUZZ_CHECK(fuzz_no_ctl(a), "%s: \"%s\"", #a, (a));             \
	} while (0)

/* check_parse - invariants of one finished parse */
static void check_parse(const struct dsn *d, size_t fed)
{
	const struct dsn_info *info = dsn_get_info(d);
	size_t i, n = dsn_count(d);

	FUZZ_CHECK(info != NULL, "no info");
	FUZZ_CHECK(n <= DSN_MAX_RECORDS, "%zu records", n);
	FUZZ_CHECK(dsn_get(d, n) == NULL, "record past the count");
	FUZZ_CHECK(info->bytes <= fed, "%zu bytes of %zu", info->bytes, fed);
	FUZZ_CHECK(info->bytes == fed || info->truncated, "short, not cut");
	CHECK_STR(info->reporting_mta);
	CHECK_STR(info->postfix_queue_id);
	CHECK_STR(info->from);
	if (info->has_marker)
		FUZZ_CHECK(n == 0, "our own alert gave %zu records", n);
	for (i = 0; i < n; i++) {
		const struct dsn_record *r = dsn_get(d, i);

		FUZZ_CHECK(r != NULL, "record %zu missing", i);
		CHECK_STR(r->recipient);
		CHECK_STR(r->action);
		CHECK_STR(r->status);
		CHECK_STR(r->remote_mta);
		CHECK_STR(r->diag);
		FUZZ_CHECK(r->diag_len == strlen(r->diag),
			   "diag_len %zu, strlen %zu", r->diag_len,
			   strlen(r->diag));
		FUZZ_CHECK(r->diag_len < DSN_TEXT_MAX, "diag_len %zu",
			   r->diag_len);
	}
}

/* feed_chunked - feed the input in pieces of PRNG-chosen sizes */
static void feed_chunked(struct dsn *d, const uint8_t *data, size_t size,
			 uint64_t *rng)
{
	unsigned mode = (unsigned)(fuzz_rand(rng) % 4);
	size_t off = 0;

	while (off < size) {
		uint64_t r = fuzz_rand(rng);
		size_t len;
		char *chunk;

		switch (mode) {
		case 0: /* byte by byte */
			len = 1;
			break;
		case 1: /* small pieces, some empty */
			len = (size_t)(r % 17);
			break;
		default: /* pieces of any size up to 8 KiB, around lines */
			len = (size_t)(r % ((r >> 32) % 2 ? 8192 : 97));
			break;
		}
		if (len > size - off)
			len = size - off;
		chunk = malloc(len ? len : 1);
		if (!chunk)
			abort();
		memcpy(chunk, data + off, len);
		dsn_feed(d, chunk, len);
		free(chunk);
		off += len;
	}
}

/* check_findings - each record through verdict into a finding */
static void check_findings(const struct dsn *d)
{
	size_t i, n = dsn_count(d);
	struct finding f;

	for (i = 0; i < n; i++) {
		if (!finding_from_dsn(&f, dsn_get(d, i), dsn_get_info(d),
				      1714737000))
			continue;
		CHECK_STR(f.rcpt_domain);
		CHECK_STR(f.queue_id);
		CHECK_STR(f.remote_mta);
		check_finding_lines(&f);
	}
}

/* check_multi - dsn_multi_scan() finds what dsn_find() finds, for phrases
 * cut out of the input (so that they occur) and a few fixed ones */
static void check_multi(const uint8_t *data, size_t size, uint64_t *rng)
{
	static const struct dsn_phrase fixed[] = {
		{"returned '", 10},
		{" does not like recipient", 24},
		{"SMTP error from remote mail server after", 40},
		{"Server at ", 10},
	};
	struct dsn_phrase p[DSN_MULTI_MAX];
	const char *at[DSN_MULTI_MAX], *h = (const char *)data, *want;
	struct dsn_multi *m = malloc(sizeof(*m));
	size_t n = 0, i, off, len, hn = size;
	uint32_t found;

	if (!m)
		abort();
	for (i = 0; i < UTIL_ARRAY_SIZE(fixed) && fuzz_rand(rng) % 2; i++)
		p[n++] = fixed[i];
	while (n < 1 + fuzz_rand(rng) % 12 && size >= 2) {
		len = 2 + (size_t)(fuzz_rand(rng) % 40);
		if (len > size)
			len = size;
		off = (size_t)(fuzz_rand(rng) % (size - len + 1));
		p[n].s = h + off;
		p[n++].len = len;
	}
	if (n == 0) {
		free(m);
		return;
	}
	if (size > 0 && fuzz_rand(rng) % 2)
		hn = (size_t)(fuzz_rand(rng) % (size + 1)); /* a shorter line */
	dsn_multi_init(m, p, n);
	found = dsn_multi_scan(m, h, hn, at);
	for (i = 0; i < n; i++) {
		want = dsn_find(h, hn, p[i].s, p[i].len);
		FUZZ_CHECK(at[i] == want,
			   "phrase %zu (%zu bytes): at %td, want %td", i,
			   p[i].len, at[i] ? at[i] - h : -1,
			   want ? want - h : -1);
		FUZZ_CHECK(!!(found & (UINT32_C(1) << i)) == (want != NULL),
			   "phrase %zu: found bit", i);
		want = memcasemem_naive(h, hn, p[i].s, p[i].len);
		FUZZ_CHECK(util_memcasemem(h, hn, p[i].s, p[i].len) == want,
			   "util_memcasemem, phrase %zu: want %td", i,
			   want ? want - h : -1);
	}
	free(m);
}

/* buf_put_naive - dsn_buf_put() one byte at a time */
static void buf_put_naive(struct dsn_buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7F) {
			if (b->len == 0 || b->s[b->len - 1] == ' ')
				continue;
			c = ' ';
		}
		if (b->len + 1 >= sizeof(b->s)) {
			b->cut = 1;
			break;
		}
		b->s[b->len++] = (char)c;
	}
	b->s[b->len] = '\0';
}

/* check_buf_put - dsn_buf_put() in PRNG-sized pieces against the naive
 * copy, from a PRNG-chosen fill (so that the cut is reached) */
static void check_buf_put(const uint8_t *data, size_t size, uint64_t *rng)
{
	struct dsn_buf *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	size_t off = 0, len, pre;

	if (!a || !b)
		abort();
	dsn_buf_reset(a);
	dsn_buf_reset(b);
	pre = (size_t)(fuzz_rand(rng) % sizeof(a->s));
	if (pre && fuzz_rand(rng) % 2) {
		memset(a->s, 'x', pre);
		a->s[pre - 1] = fuzz_rand(rng) % 2 ? ' ' : 'x';
		a->len = pre;
		a->s[pre] = '\0';
		memcpy(b, a, sizeof(*a));
	}
	while (off < size && !a->cut) {
		len = 1 + (size_t)(fuzz_rand(rng) % 200);
		if (len > size - off)
			len = size - off;
		dsn_buf_put(a, (const char *)data + off, len);
		buf_put_naive(b, (const char *)data + off, len);
		FUZZ_CHECK(a->len == b->len && a->cut == b->cut &&
				   !memcmp(a->s, b->s, a->len + 1),
			   "dsn_buf_put: %zu bytes cut %d, naive %zu cut %d",
			   a->len, a->cut, b->len, b->cut);
		off += len;
	}
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t rng = fuzz_hash(data, size);
	size_t max = rng % 8 == 0 ? size / 2 + 1 : 0;
	struct dsn *a = dsn_new(max), *b = dsn_new(max);
	size_t n, fed = max && max < size ? max : size;

	if (!a || !b)
		abort();
	dsn_feed(a, (const char *)data, size);
	n = dsn_finish(a);
	FUZZ_CHECK(n == dsn_count(a), "finish %zu, count %zu", n, dsn_count(a));
	check_parse(a, fed);

	feed_chunked(b, data, size, &rng);
	dsn_finish(b);
	check_parse(b, fed);
	same_parse(a, b, "chunked");

	/* After the end: nothing changes. */
	dsn_feed(b, "\nFinal-Recipient: rfc822; late@example.org\n", 43);
	FUZZ_CHECK(dsn_finish(b) == n, "a second finish changed the count");
	same_parse(a, b, "chunked");

	check_findings(a);
	dsn_free(a);
	dsn_free(b);

	check_multi(data, size, &rng);
	check_buf_put(data, size, &rng);
	return 0;
}
