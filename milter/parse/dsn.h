/*
 * dsn.h - streaming parser of bounce and delay messages (RFC 3464 and the
 * common non-standard layouts)
 *
 * Pure module: no I/O, no globals, no libmilter.  The whole raw message
 * (header lines, blank line, body) is fed in chunks of any size, as the
 * milter body callback delivers them.  The milter reconstructs header lines
 * ("Name: value\r\n") and feeds them first.  Memory is bounded: the parser
 * keeps one line buffer, a small MIME stack and at most DSN_MAX_RECORDS
 * records; past max_bytes of input it stops reading and sets
 * info.truncated.
 */
#ifndef MILTER_DELIST_DSN_H
#define MILTER_DELIST_DSN_H

#include <stddef.h>
#include <time.h>

#define DSN_ADDR_MAX	      256
#define DSN_STATUS_MAX	      16
#define DSN_TEXT_MAX	      2048 /* diagnostic text kept per record */
#define DSN_MAX_RECORDS	      64   /* recipients kept per message */
#define DSN_DEFAULT_MAX_BYTES (4u << 20)

struct dsn_record {
	char recipient[DSN_ADDR_MAX];  /* address only, no "rfc822;" or <> */
	char action[16];	       /* failed, delayed, ...; "" if unknown */
	char status[DSN_STATUS_MAX];   /* "5.7.1"; "" if unknown */
	char remote_mta[DSN_ADDR_MAX]; /* host name (no "dns;"), or "" */
	char diag[DSN_TEXT_MAX];       /* reply text, unfolded, one line */
	size_t diag_len;
	int diag_truncated; /* diag was longer than DSN_TEXT_MAX-1 */
};

struct dsn_info {
	int is_report; /* multipart/report; report-type=delivery-status */
	int is_arf;    /* report-type=feedback-report (complaint, not a bounce);
			  also Hotmail's JMRP complaint reports */
	int known_layout; /* a recognised human-readable NDR layout was seen */
	int has_marker;	  /* DSN_MARKER_HEADER present: our own alert
			     (its body is not parsed: no records) */
	int auto_submitted; /* top-level Auto-Submitted: other than "no" */
	char reporting_mta[DSN_ADDR_MAX];
	char postfix_queue_id[32]; /* X-Postfix-Queue-ID of the report */
	char from[DSN_ADDR_MAX];   /* top-level From: address */
	time_t date;		   /* top-level Date:, 0 when none or unread */
	int truncated; /* input exceeded max_bytes (or a line the buffer) */
	size_t bytes;  /* bytes fed so far */
	size_t dropped_records; /* records past DSN_MAX_RECORDS */
};

/* Header that marks milter-delist's own alert mails. */
#define DSN_MARKER_HEADER "X-Milter-Delist"

struct dsn;

/* dsn_new - allocate a parser; max_bytes 0 means DSN_DEFAULT_MAX_BYTES.
 * Returns NULL on allocation failure (the caller then simply skips). */
struct dsn *dsn_new(size_t max_bytes);

/* dsn_free - release a parser (NULL is fine) */
void dsn_free(struct dsn *d);

/* dsn_feed - feed len bytes of the raw message; any split point is fine */
void dsn_feed(struct dsn *d, const char *buf, size_t len);

/* dsn_full - 1 when max_bytes were fed: the parser reads no more input
 * (what follows may be left unread) */
int dsn_full(const struct dsn *d);

/* dsn_finish - end of input: flush pending state; returns the record count */
size_t dsn_finish(struct dsn *d);

/* Results, valid after dsn_finish() until dsn_free(). */
size_t dsn_count(const struct dsn *d);
const struct dsn_record *dsn_get(const struct dsn *d, size_t i);
const struct dsn_info *dsn_get_info(const struct dsn *d);

#endif
