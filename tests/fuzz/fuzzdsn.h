/*
 * fuzzdsn.h - for the fuzz targets that parse bounces: two finished
 * parsers compared, fact by fact and record by record.
 * Static functions: include it in one target each (after fuzz.h).
 */
#ifndef MILTER_DELIST_FUZZDSN_H
#define MILTER_DELIST_FUZZDSN_H

#include <string.h>

#include "dsn.h"

/* same_parse - do two finished parsers hold the same results: the
 * message's facts and every record, field by field?  what names the
 * comparison in a failure. */
static inline void same_parse(const struct dsn *a, const struct dsn *b,
			      const char *what)
{
	const struct dsn_info *x = dsn_get_info(a), *y = dsn_get_info(b);
	size_t i, n = dsn_count(a);

	FUZZ_CHECK(n == dsn_count(b), "%s: %zu vs %zu records", what, n,
		   dsn_count(b));
	FUZZ_CHECK(x->is_report == y->is_report, "%s: is_report", what);
	FUZZ_CHECK(x->is_arf == y->is_arf, "%s: is_arf", what);
	FUZZ_CHECK(x->known_layout == y->known_layout, "%s: known_layout",
		   what);
	FUZZ_CHECK(x->has_marker == y->has_marker, "%s: has_marker", what);
	FUZZ_CHECK(x->auto_submitted == y->auto_submitted, "%s: auto_submitted",
		   what);
	FUZZ_CHECK(!strcmp(x->reporting_mta, y->reporting_mta),
		   "%s: reporting_mta", what);
	FUZZ_CHECK(!strcmp(x->postfix_queue_id, y->postfix_queue_id),
		   "%s: postfix_queue_id", what);
	FUZZ_CHECK(!strcmp(x->from, y->from), "%s: from", what);
	FUZZ_CHECK(x->date == y->date, "%s: date %lld vs %lld", what,
		   (long long)x->date, (long long)y->date);
	FUZZ_CHECK(x->truncated == y->truncated, "%s: truncated %d vs %d", what,
		   x->truncated, y->truncated);
	FUZZ_CHECK(x->bytes == y->bytes, "%s: bytes", what);
	FUZZ_CHECK(x->dropped_records == y->dropped_records,
		   "%s: dropped_records", what);
	for (i = 0; i < n; i++) {
		const struct dsn_record *r = dsn_get(a, i), *s = dsn_get(b, i);

		FUZZ_CHECK(!strcmp(r->recipient, s->recipient),
			   "%s: record %zu recipient \"%s\" vs \"%s\"", what, i,
			   r->recipient, s->recipient);
		FUZZ_CHECK(!strcmp(r->action, s->action),
			   "%s: record %zu action", what, i);
		FUZZ_CHECK(!strcmp(r->status, s->status),
			   "%s: record %zu status", what, i);
		FUZZ_CHECK(!strcmp(r->remote_mta, s->remote_mta),
			   "%s: record %zu remote_mta", what, i);
		FUZZ_CHECK(r->diag_len == s->diag_len &&
				   !strcmp(r->diag, s->diag),
			   "%s: record %zu diag \"%s\" vs \"%s\"", what, i,
			   r->diag, s->diag);
		FUZZ_CHECK(r->diag_truncated == s->diag_truncated,
			   "%s: record %zu diag_truncated", what, i);
	}
}

#endif
