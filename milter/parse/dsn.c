/*
 * dsn.c - streaming parser of bounce and delay messages
 *
 * The raw message is split into lines (CRLF, LF or a lone CR), the header
 * and the MIME structure are followed with a small boundary stack, and the
 * body of each part we care about goes through the transfer decoder
 * (dsndecode.c) to one of two line handlers: the message/delivery-status
 * fields (here) or the human-readable NDR layouts (dsntext.c).  Both
 * produce entries that dsn_add() (dsnrec.c) merges into one record per
 * recipient.
 * Returned original messages (message/rfc822, text/rfc822-headers) are
 * skipped unread, so a bounce quoted inside a bounce is never parsed.
 *
 * Work per input byte is bounded by a constant: lines are cut at
 * DSN_LINE_MAX, at most DSN_DEPTH_MAX boundaries are compared per line and
 * at most DSN_MAX_RECORDS records are searched per entry.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "dsnpriv.h"
#include "maillog.h"
#include "util.h"

enum { ST_HEADERS, ST_BODY };		    /* where the raw line belongs */
enum { K_SKIP, K_TEXT, K_STATUS, K_EMBED }; /* what the current body is */
enum { RT_NONE, RT_DSN, RT_ARF }; /* report-type of a multipart/report */

/* is_ws - blank or tab */
static int is_ws(int c)
{
	return c == ' ' || c == '\t';
}

/* ---------------------------------------------------------------------
 * message/delivery-status
 */

/* name_is - case-insensitive comparison of a field name with a literal */
#define name_is(name, n, lit)                                                  \
	((n) == sizeof(lit) - 1 && util_same_ci((name), (lit), (n)))

/* strip_type - skip a "type;" prefix (rfc822;, dns;, smtp;, X-Postfix;) */
static void strip_type(const char **s, size_t *n)
{
	size_t i = 0;

	while (i < *n && i < 32 &&
	       ((*s)[i] == '-' || (*s)[i] == '_' || (*s)[i] == '.' ||
		((*s)[i] >= 'a' && (*s)[i] <= 'z') ||
		((*s)[i] >= 'A' && (*s)[i] <= 'Z') ||
		((*s)[i] >= '0' && (*s)[i] <= '9')))
		i++;
	while (i < *n && is_ws((*s)[i]))
		i++;
	if (i > 0 && i < *n && (*s)[i] == ';') {
		*s += i + 1;
		*n -= i + 1;
	}
	util_trim(s, n);
}

/* copy_addr - an address field without its type and angle brackets */
static void copy_addr(char *dst, size_t size, const char *s, size_t n)
{
	strip_type(&s, &n);
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	dsn_copy_trim(dst, size, s, n);
}

/* copy_host - a host name without its type and a final dot */
static void copy_host(char *dst, size_t size, const char *s, size_t n)
{
	strip_type(&s, &n);
	while (n > 0 && s[n - 1] == '.')
		n--;
	dsn_copy_trim(dst, size, s, n);
}

/* copy_word - the first word of s, lower case */
static void copy_word(char *dst, size_t size, const char *s, size_t n,
		      int lower)
{
	size_t i, k = 0;

	util_trim(&s, &n);
	for (i = 0; i < n && !is_ws(s[i]) && s[i] != ';' && k + 1 < size; i++)
		dst[k++] =
			(char)(lower ? util_lower((unsigned char)s[i]) : s[i]);
	dst[k] = '\0';
}

/* status_reset - forget the recipient group being read */
static void status_reset(struct dsn *d)
{
	memset(&d->st, 0, sizeof(d->st));
	d->st_orig[0] = '\0';
	d->st_actual[0] = '\0';
}

/* status_commit - the recipient group is complete */
static void status_commit(struct dsn *d)
{
	const char *rcpt = d->st.recipient[0] ? d->st.recipient : d->st_orig;

	if (rcpt[0] || d->st.diag_len)
		dsn_add(d, DSN_SRC_STATUS, rcpt, d->st_actual, d->st.action,
			d->st.status, d->st.remote_mta, d->st.diag,
			d->st.diag_len, d->st.diag_truncated);
	status_reset(d);
}

/* status_field - one unfolded field of the delivery-status part */
static void status_field(struct dsn *d, const char *name, size_t nl,
			 const char *v, size_t vl)
{
	int facts = d->st.action[0] || d->st.status[0] || d->st.diag_len;

	/* A group that lacks its blank line ends where a recipient field
	 * repeats; Action may come before Final-Recipient (Amazon SES). */
	if (name_is(name, nl, "Final-Recipient")) {
		if (d->st.recipient[0] || (d->st_orig[0] && facts))
			status_commit(d);
		copy_addr(d->st.recipient, sizeof(d->st.recipient), v, vl);
	} else if (name_is(name, nl, "Original-Recipient")) {
		if (d->st_orig[0] || (d->st.recipient[0] && facts))
			status_commit(d);
		copy_addr(d->st_orig, sizeof(d->st_orig), v, vl);
	} else if (name_is(name, nl, "X-Actual-Recipient")) {
		if (!d->st_actual[0])
			copy_addr(d->st_actual, sizeof(d->st_actual), v, vl);
	} else if (name_is(name, nl, "Action")) {
		copy_word(d->st.action, sizeof(d->st.action), v, vl, 1);
	} else if (name_is(name, nl, "Status")) {
		copy_word(d->st.status, sizeof(d->st.status), v, vl, 0);
	} else if (name_is(name, nl, "Remote-MTA")) {
		copy_host(d->st.remote_mta, sizeof(d->st.remote_mta), v, vl);
	} else if (name_is(name, nl, "Diagnostic-Code")) {
		strip_type(&v, &vl);
		d->st.diag_len =
			util_copy(d->st.diag, sizeof(d->st.diag), v, vl);
		d->st.diag_truncated = d->fld.cut || vl > d->st.diag_len;
	} else if (name_is(name, nl, "Reporting-MTA")) {
		if (!d->info.reporting_mta[0])
			copy_host(d->info.reporting_mta,
				  sizeof(d->info.reporting_mta), v, vl);
	} else if (name_is(name, nl, "X-Postfix-Queue-ID")) {
		if (!d->info.postfix_queue_id[0])
			copy_word(d->info.postfix_queue_id,
				  sizeof(d->info.postfix_queue_id), v, vl, 0);
	}
}

/* split_field - call fn with the name and value of "Name: value" in b */
static void split_field(struct dsn *d, struct dsn_buf *b,
			void (*fn)(struct dsn *, const char *, size_t,
				   const char *, size_t))
{
	const char *colon = memchr(b->s, ':', b->len);
	const char *name = b->s, *v;
	size_t nl, vl;

	if (colon && colon != b->s) {
		nl = (size_t)(colon - b->s);
		v = colon + 1;
		vl = b->len - nl - 1;
		util_trim(&name, &nl);
		util_trim(&v, &vl);
		fn(d, name, nl, v, vl);
	}
	dsn_buf_reset(b);
}

/* status_line - one decoded line of a delivery-status part */
static void status_line(void *ctx, const char *s, size_t n, int cut)
{
	struct dsn *d = ctx;
	const char *t = s;
	size_t tn = n;

	if (cut)
		d->info.truncated = 1;
	util_trim(&t, &tn);
	if (tn == 0) {
		split_field(d, &d->fld, status_field);
		status_commit(d);
		return;
	}
	if (is_ws(s[0])) {
		if (d->fld.len > 0) {
			dsn_buf_put(&d->fld, " ", 1);
			dsn_buf_put(&d->fld, t, tn);
		}
		return;
	}
	split_field(d, &d->fld, status_field);
	dsn_buf_put(&d->fld, s, n);
}

/* status_end - end of the delivery-status part (maybe cut short) */
static void status_end(struct dsn *d)
{
	split_field(d, &d->fld, status_field);
	status_commit(d);
}

/* text_line - one decoded line of a human-readable part */
static void text_line(void *ctx, const char *s, size_t n, int cut)
{
	struct dsn *d = ctx;

	if (cut)
		d->info.truncated = 1;
	dsn_text_line(d, s, n);
}

/* ---------------------------------------------------------------------
 * Header and MIME structure
 */

/* ctype_reset - forget a Content-Type seen before */
static void ctype_reset(struct dsn *d)
{
	d->ctype[0] = '\0';
	d->boundary[0] = '\0';
	d->blen = 0;
	d->blong = 0;
	d->report = RT_NONE;
}

/* part_reset - defaults for the header of a new part */
static void part_reset(struct dsn *d)
{
	ctype_reset(d);
	d->enc = DSN_ENC_NONE;
	dsn_buf_reset(&d->hdr);
}

/* content_type - type/subtype and the boundary and report-type parameters */
static void content_type(struct dsn *d, const char *v, size_t n)
{
	size_t i = 0, k = 0;

	ctype_reset(d);
	while (i < n && is_ws(v[i]))
		i++;
	for (; i < n && v[i] != ';' && !is_ws(v[i]); i++)
		if (k + 1 < sizeof(d->ctype))
			d->ctype[k++] = (char)util_lower((unsigned char)v[i]);
	d->ctype[k] = '\0';
	while (i < n) {
		const char *name;
		size_t nl, vl = 0;
		char val[DSN_BOUNDARY_MAX];
		int longval = 0;

		while (i < n && (v[i] == ';' || is_ws(v[i])))
			i++;
		name = v + i;
		while (i < n && v[i] != '=' && v[i] != ';')
			i++;
		nl = (size_t)(v + i - name);
		util_trim(&name, &nl);
		if (i >= n || v[i] != '=')
			continue;
		i++;
		while (i < n && is_ws(v[i]))
			i++;
		if (i < n && v[i] == '"') {
			for (i++; i < n && v[i] != '"'; i++) {
				if (v[i] == '\\' && i + 1 < n)
					i++;
				if (vl + 1 < sizeof(val))
					val[vl++] = v[i];
				else
					longval = 1;
			}
			if (i < n)
				i++;
		} else {
			for (; i < n && v[i] != ';' && !is_ws(v[i]); i++) {
				if (vl + 1 < sizeof(val))
					val[vl++] = v[i];
				else
					longval = 1;
			}
		}
		val[vl] = '\0';
		if (name_is(name, nl, "boundary")) {
			memcpy(d->boundary, val, vl + 1);
			d->blen = vl;
			d->blong = longval;
		} else if (name_is(name, nl, "report-type")) {
			if (util_has_prefix(val, vl, "delivery-status"))
				d->report = RT_DSN;
			else if (util_has_prefix(val, vl, "feedback-report"))
				d->report = RT_ARF;
		}
	}
}

/* parse_from - the address of the top-level From: */
static void parse_from(struct dsn *d, const char *v, size_t n)
{
	const char *lt = memchr(v, '<', n), *gt, *at;
	size_t s, e;

	if (lt) {
		gt = memchr(lt, '>', n - (size_t)(lt - v));
		if (gt) {
			dsn_copy_trim(d->info.from, sizeof(d->info.from),
				      lt + 1, (size_t)(gt - lt - 1));
			return;
		}
	}
	at = memchr(v, '@', n);
	if (!at) {
		const char *p = memchr(v, '(', n);

		dsn_copy_trim(d->info.from, sizeof(d->info.from), v,
			      p ? (size_t)(p - v) : n);
		return;
	}
	for (s = (size_t)(at - v); s > 0 && !is_ws(v[s - 1]); s--)
		;
	for (e = (size_t)(at - v); e < n && !is_ws(v[e]) && v[e] != '('; e++)
		;
	dsn_copy_trim(d->info.from, sizeof(d->info.from), v + s, e - s);
}

/* daemon_addr - does a From address look like a bounce's sender? */
static int daemon_addr(const char *a)
{
	static const char *const names[] = {
		"mailer-daemon", "mailer_daemon", "mail-daemon", "maildaemon",
		"postmaster",	 "double-bounce", "mdaemon",
	};
	size_t i, n = strlen(a);

	if (n == 0)
		return 1; /* "From: <>" */
	for (i = 0; i < UTIL_ARRAY_SIZE(names); i++)
		if (util_has_prefix(a, n, names[i]))
			return 1;
	return 0;
}

/* header_field - one unfolded header field of the message or of a part */
static void header_field(struct dsn *d, const char *name, size_t nl,
			 const char *v, size_t vl)
{
	if (d->toplevel) {
		if (name_is(name, nl, "From")) {
			if (!d->info.from[0])
				parse_from(d, v, vl);
			d->daemon_from = daemon_addr(d->info.from);
		} else if (name_is(name, nl, "Auto-Submitted")) {
			d->info.auto_submitted = !util_has_prefix(v, vl, "no");
		} else if (name_is(name, nl, "Date")) {
			if (!d->info.date &&
			    maillog_date(v, vl, &d->info.date) < 0)
				d->info.date = 0;
		} else if (name_is(name, nl, DSN_MARKER_HEADER)) {
			d->info.has_marker = 1;
		} else if (name_is(name, nl, "MIME-Version")) {
			/* "MIME-Version: 1.0Content-Type: ..." */
			const char *p = util_casefind(v, vl, "Content-Type:");

			if (p)
				content_type(d, p + 13,
					     vl - (size_t)(p + 13 - v));
		}
	}
	if (name_is(name, nl, "Content-Type")) {
		content_type(d, v, vl);
	} else if (name_is(name, nl, "Content-Transfer-Encoding")) {
		if (util_casefind(v, vl, "quoted-printable"))
			d->enc = DSN_ENC_QP;
		else if (util_casefind(v, vl, "base64"))
			d->enc = DSN_ENC_B64;
		else
			d->enc = DSN_ENC_NONE;
	}
}

/* header_flush - process the header field collected so far */
static void header_flush(struct dsn *d)
{
	struct dsn_buf *h = &d->hdr;
	const char *colon = memchr(h->s, ':', h->len);

	if (colon && colon != h->s) {
		const char *name = h->s, *v = colon + 1;
		size_t nl = (size_t)(colon - h->s), vl = h->len - nl - 1;

		util_trim(&name, &nl);
		util_trim(&v, &vl);
		header_field(d, name, nl, v, vl);
	}
	dsn_buf_reset(h);
}

/* end_body - the current part body ended */
static void end_body(struct dsn *d)
{
	if (d->kind == K_TEXT) {
		dsn_decode_end(&d->dec);
		dsn_text_end(d);
	} else if (d->kind == K_STATUS) {
		dsn_decode_end(&d->dec);
		status_end(d);
	}
	d->kind = K_SKIP;
}

/* push_boundary - follow a multipart's parts, unless too deep or reused */
static void push_boundary(struct dsn *d, int digest)
{
	int i;
	struct dsn_level *l;

	if (d->blen == 0 || d->blong || d->depth >= DSN_DEPTH_MAX)
		return;
	for (i = 0; i < d->depth; i++)
		if (d->stack[i].blen == d->blen &&
		    !memcmp(d->stack[i].boundary, d->boundary, d->blen))
			return;
	l = &d->stack[d->depth++];
	memcpy(l->boundary, d->boundary, d->blen);
	l->blen = d->blen;
	l->digest = digest;
}

/* end_headers - the header block ended: decide what the body is */
static void end_headers(struct dsn *d)
{
	const char *t = d->ctype;

	d->state = ST_BODY;
	d->kind = K_SKIP;
	if (d->toplevel && d->info.has_marker)
		return; /* our own alert: never parsed */
	if (!t[0])
		t = d->depth > 0 && d->stack[d->depth - 1].digest
			    ? "message/rfc822"
			    : "text/plain";
	if (util_has_prefix(t, strlen(t), "multipart/")) {
		if (d->report == RT_ARF)
			d->info.is_arf = 1;
		if (d->report == RT_DSN && !strcmp(t, "multipart/report"))
			d->info.is_report = 1;
		push_boundary(d, !strcmp(t, "multipart/digest"));
		if (d->toplevel && d->depth == 1) {
			/* Read the preamble as text: it is one line of prose,
			 * unless the boundary parameter is broken and the
			 * whole report is "preamble". */
			d->kind = K_TEXT;
			dsn_text_begin(d);
			dsn_decode_start(&d->dec, DSN_ENC_NONE, text_line, d);
		}
		return;
	}
	if (!strcmp(t, "message/delivery-status") ||
	    !strcmp(t, "message/global-delivery-status")) {
		d->kind = K_STATUS;
		d->saw_status = 1;
		status_reset(d);
		dsn_buf_reset(&d->fld);
		dsn_decode_start(&d->dec, d->enc, status_line, d);
	} else if (!strcmp(t, "message/feedback-report")) {
		d->info.is_arf = 1;
	} else if (!strcmp(t, "message/rfc822") ||
		   !strcmp(t, "message/global")) {
		d->kind = K_EMBED; /* only its header block is looked at */
	} else if (!strcmp(t, "text/plain") || !strcmp(t, "text")) {
		d->kind = K_TEXT;
		dsn_text_begin(d);
		dsn_decode_start(&d->dec, d->enc, text_line, d);
	}
}

/* field_wanted - may the header field whose first line is s be one that
 * header_field() reads?  It is not when a plain name (no blank or control
 * byte, which unfolding would change) precedes the first ':' and is none
 * of those: such a field (Received:, DKIM-Signature:, ...) is then not
 * unfolded at all, and its continuation lines are dropped with it. */
static int field_wanted(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t nl, i;

	if (!colon)
		return 1;
	nl = (size_t)(colon - s);
	for (i = 0; i < nl; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7F)
			return 1;
	return name_is(s, nl, "From") || name_is(s, nl, "Auto-Submitted") ||
	       name_is(s, nl, "Date") ||
	       name_is(s, nl, DSN_MARKER_HEADER) ||
	       name_is(s, nl, "MIME-Version") ||
	       name_is(s, nl, "Content-Type") ||
	       name_is(s, nl, "Content-Transfer-Encoding");
}

/* header_line - one raw line of a header block */
static void header_line(struct dsn *d, const char *s, size_t n)
{
	if (n == 0) {
		header_flush(d);
		end_headers(d);
		return;
	}
	if (is_ws(s[0])) {
		if (d->hdr.len > 0) {
			dsn_buf_put(&d->hdr, " ", 1);
			dsn_buf_put(&d->hdr, s, n);
		}
		return;
	}
	header_flush(d);
	if (field_wanted(s, n))
		dsn_buf_put(&d->hdr, s, n);
}

/* find_boundary - is s a delimiter line of an open multipart? */
static int find_boundary(const struct dsn *d, const char *s, size_t n,
			 int *level, int *close)
{
	int i;

	for (i = d->depth - 1; i >= 0; i--) {
		const struct dsn_level *l = &d->stack[i];
		const char *r = s + 2 + l->blen;
		size_t rn;
		int c = 0;

		if (n < 2 + l->blen || memcmp(s + 2, l->boundary, l->blen))
			continue;
		rn = n - 2 - l->blen;
		if (rn >= 2 && r[0] == '-' && r[1] == '-') {
			c = 1;
			r += 2;
			rn -= 2;
		}
		while (rn > 0 && is_ws(*r)) {
			r++;
			rn--;
		}
		if (rn)
			continue;
		*level = i;
		*close = c;
		return 1;
	}
	return 0;
}

/* on_boundary - a delimiter: close inner levels, start the next part */
static void on_boundary(struct dsn *d, int level, int close)
{
	end_body(d);
	part_reset(d);
	d->toplevel = 0;
	d->depth = close ? level : level + 1;
	d->state = close ? ST_BODY : ST_HEADERS;
	d->kind = K_SKIP;
}

/* raw_line - one line of the raw message, without its terminator */
static void raw_line(struct dsn *d, const char *s, size_t n, int cut)
{
	int level, close;

	if (d->depth > 0 && !cut && n >= 2 && s[0] == '-' && s[1] == '-' &&
	    find_boundary(d, s, n, &level, &close)) {
		on_boundary(d, level, close);
		return;
	}
	if (d->state == ST_HEADERS) {
		if (cut)
			d->info.truncated = 1;
		header_line(d, s, n);
		return;
	}
	if (d->kind == K_EMBED) {
		/* Hotmail's JMRP complaint: the reported message carries
		 * X-HmXmrOriginalRecipient (no report-type says so) */
		if (n == 0)
			d->kind = K_SKIP;
		else if (util_has_prefix(s, n, "X-HmXmrOriginalRecipient:"))
			d->jmrp = 1;
		return;
	}
	if (d->kind == K_SKIP)
		return;
	if (cut)
		d->info.truncated = 1;
	dsn_decode_line(&d->dec, s, n);
}

/* ---------------------------------------------------------------------
 * API
 */

/* What dsn_new() leaves uncleared is the two line buffers and nothing
 * else. */
_Static_assert(offsetof(struct dsn_decode, buf) + DSN_LINE_MAX ==
		       sizeof(struct dsn_decode),
	       "the decoder's buffer ends it");
_Static_assert(offsetof(struct dsn, line) ==
			       offsetof(struct dsn, dec) +
				       sizeof(struct dsn_decode) &&
		       offsetof(struct dsn, line) + DSN_LINE_MAX ==
			       sizeof(struct dsn),
	       "the raw line buffer follows the decoder and ends the parser");

/* dsn_new - allocate a parser (see dsn.h) */
struct dsn *dsn_new(size_t max_bytes)
{
	struct dsn *d = malloc(sizeof(*d));

	if (!d)
		return NULL;
	memset(d, 0, DSN_CLEARED);
	d->max_bytes = max_bytes ? max_bytes : DSN_DEFAULT_MAX_BYTES;
	d->state = ST_HEADERS;
	d->toplevel = 1;
	d->kind = K_SKIP;
	part_reset(d);
	return d;
}

/* dsn_free - release a parser and its records */
void dsn_free(struct dsn *d)
{
	if (!d)
		return;
	free(d->recs);
	free(d);
}

/* next_eol - the first CR or LF in [p, e), or e: one pass for both */
static const char *next_eol(const char *p, const char *e)
{
	const char *q = util_first_of(p, e, '\n', '\r');

	return q ? q : e;
}

/* line_add - append [p, p+n) to the pending raw line; past DSN_LINE_MAX,
 * flag the line as cut and drop the rest */
static void line_add(struct dsn *d, const char *p, size_t n)
{
	size_t room = sizeof(d->line) - d->llen;

	if (n > room) {
		n = room;
		d->lcut = 1;
	}
	memcpy(d->line + d->llen, p, n);
	d->llen += n;
}

/* dash_line - the first '-' in [p, e) right after a CR or LF (p[-1] is
 * readable), or NULL: 16 bytes at a time where SSE2 is there */
static const char *dash_line(const char *p, const char *e)
{
#ifdef __SSE2__
	const __m128i dash = _mm_set1_epi8('-'), lf = _mm_set1_epi8('\n'),
		      cr = _mm_set1_epi8('\r');

	for (; e - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i w =
			_mm_loadu_si128((const __m128i *)(const void *)(p - 1));
		int m = _mm_movemask_epi8(_mm_cmpeq_epi8(v, dash)) &
			_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(w, lf),
						       _mm_cmpeq_epi8(w, cr)));

		if (m)
			return p + __builtin_ctz((unsigned int)m);
	}
#endif
	for (; p < e; p++)
		if (*p == '-' && (p[-1] == '\n' || p[-1] == '\r'))
			return p;
	return NULL;
}

/*
 * skip_lines - in a body that is skipped (ST_BODY, K_SKIP), at the start
 * of a line p < e: raw_line() ignores every line there but a boundary
 * delimiter, so jump to the next line that starts with '-' and return it.
 * Base64 has no '-' at all, and the returned original message, HTML and
 * attachments are skipped bodies: they are crossed 16 bytes at a time
 * instead of line by line.  When no line of the chunk starts with '-',
 * its unfinished last line is kept as dsn_feed() keeps it and e is
 * returned.  Outside any multipart (depth 0) no boundary can come: the
 * rest of the message is not looked at.
 */
static const char *skip_lines(struct dsn *d, const char *p, const char *e)
{
	const char *q, *lf, *cr, *t;

	if (d->depth == 0)
		return e; /* nothing can change any more */
	if (*p == '-')
		return p;
	if ((q = dash_line(p + 1, e)) != NULL)
		return q;
	lf = memrchr(p, '\n', (size_t)(e - p));
	cr = memrchr(p, '\r', (size_t)(e - p));
	t = lf && (!cr || lf > cr) ? lf : cr;
	if (!t) {
		line_add(d, p, (size_t)(e - p));
		return e;
	}
	line_add(d, t + 1, (size_t)(e - t - 1));
	d->cr = *t == '\r' && t + 1 == e;
	return e;
}

/* dsn_feed - split the input into raw lines; past max_bytes, flag and
 * ignore the rest.  A CR at the end of a chunk may pair with an LF that
 * starts the next one.  A line that lies whole in the chunk is passed in
 * place; only a line split across chunks is gathered in d->line. */
void dsn_feed(struct dsn *d, const char *buf, size_t len)
{
	const char *p, *e, *eol;
	size_t n;

	if (!d || !buf || d->finished)
		return;
	if (len > d->max_bytes - d->info.bytes) {
		len = d->max_bytes - d->info.bytes;
		d->info.truncated = 1;
	}
	d->info.bytes += len;
	p = buf;
	e = buf + len;
	while (p < e) {
		if (d->cr) {
			d->cr = 0;
			if (*p == '\n' && ++p == e)
				break;
		}
		if (d->state == ST_BODY && d->kind == K_SKIP && d->llen == 0 &&
		    !d->lcut && (p = skip_lines(d, p, e)) == e)
			break;
		eol = next_eol(p, e);
		n = (size_t)(eol - p);
		if (eol == e) {
			line_add(d, p, n);
			break;
		}
		if (d->llen == 0 && !d->lcut) {
			if (n > sizeof(d->line))
				raw_line(d, p, sizeof(d->line), 1);
			else
				raw_line(d, p, n, 0);
		} else {
			line_add(d, p, n);
			raw_line(d, d->line, d->llen, d->lcut);
		}
		d->llen = 0;
		d->lcut = 0;
		d->cr = *eol == '\r';
		p = eol + 1;
	}
}

/* dsn_full - max_bytes fed (see dsn.h) */
int dsn_full(const struct dsn *d)
{
	return d && d->info.bytes >= d->max_bytes;
}

/* dsn_finish - flush the last line and part, apply the whole-message
 * rules; returns the record count.  Later calls change nothing. */
size_t dsn_finish(struct dsn *d)
{
	if (!d)
		return 0;
	if (d->finished)
		return d->nrecs;
	if (d->llen > 0 || d->lcut)
		raw_line(d, d->line, d->llen, d->lcut);
	d->llen = 0;
	d->lcut = 0;
	if (d->state == ST_HEADERS)
		header_flush(d);
	end_body(d);
	if (d->jmrp && !d->saw_status && !d->info.is_report)
		d->info.is_arf = 1;
	d->finished = 1;
	dsn_finish_records(d);
	return d->nrecs;
}

/* dsn_count - records after dsn_finish(), 0 before */
size_t dsn_count(const struct dsn *d)
{
	return d && d->finished ? d->nrecs : 0;
}

/* dsn_get - record i after dsn_finish(), NULL if none */
const struct dsn_record *dsn_get(const struct dsn *d, size_t i)
{
	if (!d || !d->finished || i >= d->nrecs)
		return NULL;
	return &d->recs[i].r;
}

/* dsn_get_info - facts about the message (complete after dsn_finish) */
const struct dsn_info *dsn_get_info(const struct dsn *d)
{
	return d ? &d->info : NULL;
}
