/*
 * dsnrec.c - the records of the dsn parser and the string helpers its
 * parts share
 *
 * One record per recipient.  Entries from the delivery-status part and
 * from the human-readable text are merged by recipient (case-insensitive;
 * Sendmail's X-Actual-Recipient as an alias): the status part's action,
 * status and remote MTA win; of two diagnostics the one that starts with a
 * reply code wins, then the longer one (Sendmail cuts its "(reason: ...)"
 * line, the transcript and the Diagnostic-Code keep the whole reply).
 * At most DSN_MAX_RECORDS records, grown on demand; later recipients are
 * counted in info.dropped_records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "dsnpriv.h"
#include "util.h"

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* rest_is - case-insensitive: is h the needle (n bytes)? */
static int rest_is(const unsigned char *h, const char *needle, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (util_lower(h[j]) != util_lower((unsigned char)needle[j]))
			return 0;
	return 1;
}

/* take_first - the memory position (0-7) of the first byte of *y whose
 * high bit is set (*y != 0), cleared in *y */
static size_t take_first(uint64_t *y)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                            \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	size_t k = (size_t)__builtin_ctzll(*y) / 8;

	*y &= *y - 1;
	return k;
#else
	unsigned char b[8];
	size_t k = 0;

	memcpy(b, y, 8);
	while (!(b[k] & 0x80))
		k++;
	b[k] = 0;
	memcpy(y, b, 8);
	return k;
#endif
}

/*
 * dsn_find - the first case-insensitive (ASCII) occurrence of needle (nlen
 * bytes) in hay, or NULL: what util_memcasemem() returns, but eight bytes
 * are tested at once for the needle's first non-blank byte (in either
 * case; blanks are everywhere), and only where it occurs is the needle
 * compared.  Every text line is searched for a dozen phrases, most of
 * them absent.
 */
const char *dsn_find(const char *hay, size_t hlen, const char *needle,
		     size_t nlen)
{
	const unsigned char *h = (const unsigned char *)hay;
	size_t i = 0, k, a = 0, starts;
	uint64_t fold, pat, w, y;
	int c;

	if (nlen == 0)
		return hay;
	if (nlen > hlen)
		return NULL;
	while (a + 1 < nlen && needle[a] == ' ')
		a++;
	c = util_lower((unsigned char)needle[a]);
	/* Setting bit 5 maps 'A'-'Z' onto 'a'-'z', and no other byte onto a
	 * lower-case letter but that letter itself. */
	fold = c >= 'a' && c <= 'z' ? ONES * 0x20 : 0;
	pat = ONES * (uint64_t)c;
	starts = hlen - nlen + 1; /* positions where the needle fits */
	for (; i + 8 <= starts; i += 8) {
		memcpy(&w, h + i + a, 8);
		y = (w | fold) ^ pat;
		/* the high bit of each zero byte of y, exactly */
		y = ~(((y & ~HIGHS) + ~HIGHS) | y | ~HIGHS);
		while (y) {
			k = i + take_first(&y);
			if (rest_is(h + k, needle, nlen))
				return hay + k;
		}
	}
	for (; i < starts; i++)
		if (util_lower(h[i + a]) == c && rest_is(h + i, needle, nlen))
			return hay + i;
	return NULL;
}

/* multi_key - two bytes folded to 10 bits: bytes equal but for ASCII
 * case (they differ in bit 5 only) give the same key */
static unsigned multi_key(unsigned char a, unsigned char b)
{
	return (unsigned)(a & 0x1F) << 5 | (b & 0x1F);
}

/*
 * dsn_multi_init - build m for the n phrases p (n <= DSN_MULTI_MAX, each at
 * least two bytes); p must outlive m.  Built once, m is read-only and may
 * be shared by threads.  The tables are Wu and Manber's: a window of the
 * shortest phrase's length slides over the line, and the two bytes at its
 * end say how far it may move without passing a phrase's start.
 */
void dsn_multi_init(struct dsn_multi *m, const struct dsn_phrase *p, size_t n)
{
	size_t i, j, len = SIZE_MAX;
	unsigned k;

	if (n > DSN_MULTI_MAX)
		n = DSN_MULTI_MAX;
	for (i = 0; i < n; i++)
		if (p[i].len < len)
			len = p[i].len;
	if (n == 0 || len < 2)
		abort(); /* our bug: a phrase of one byte */
	if (len > 256)
		len = 256; /* a shift fits in a byte */
	m->n = n;
	m->p = p;
	m->m = len;
	memset(m->shift, (int)(len - 1), sizeof(m->shift));
	memset(m->ends, 0, sizeof(m->ends));
	for (i = 0; i < n; i++) {
		for (j = 1; j < len; j++) {
			k = multi_key((unsigned char)p[i].s[j - 1],
				      (unsigned char)p[i].s[j]);
			if (m->shift[k] > len - 1 - j)
				m->shift[k] = (unsigned char)(len - 1 - j);
		}
		m->ends[k] |= UINT32_C(1) << i;
	}
}

/*
 * dsn_multi_scan - one pass over s (n bytes) for every phrase of m: bit i
 * of the result is set when phrase i occurs, and at[i] (an array of m->n)
 * is then its first occurrence, what dsn_find() would return; at[i] is
 * NULL for a phrase that does not occur.  No position where a phrase may
 * start is skipped, and positions are visited in order.
 */
uint32_t dsn_multi_scan(const struct dsn_multi *m, const char *s, size_t n,
			const char **at)
{
	const unsigned char *h = (const unsigned char *)s;
	uint32_t found = 0, all, c;
	size_t i, j, w = m->m;
	unsigned k;

	for (j = 0; j < m->n; j++)
		at[j] = NULL;
	all = m->n >= 32 ? UINT32_MAX : (UINT32_C(1) << m->n) - 1;
	for (i = 0; n >= w && i <= n - w;) {
		k = multi_key(h[i + w - 2], h[i + w - 1]);
		if (m->shift[k]) {
			i += m->shift[k];
			continue;
		}
		for (c = m->ends[k] & ~found; c; c &= c - 1) {
			j = (size_t)__builtin_ctz(c);
			if (m->p[j].len <= n - i &&
			    rest_is(h + i, m->p[j].s, m->p[j].len)) {
				found |= UINT32_C(1) << j;
				at[j] = s + i;
			}
		}
		if (found == all)
			break;
		i++;
	}
	return found;
}

/* dsn_buf_reset - empty an accumulator */
void dsn_buf_reset(struct dsn_buf *b)
{
	b->len = 0;
	b->cut = 0;
	b->s[0] = '\0';
}

/* is_collapsed - a byte that dsn_buf_put() turns into a space */
static int is_collapsed(unsigned char c)
{
	return c <= ' ' || c == 0x7F;
}

/* run_end - the end of the run of bytes that stay as they are from p (a
 * byte that is kept: not collapsed, or a blank after one): the first
 * collapsed byte that is not a single blank after a kept byte, or e; 16
 * bytes at a time where SSE2 is there */
static const unsigned char *run_end(const unsigned char *p,
				    const unsigned char *e)
{
	const unsigned char *q = p + 1;
#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(' '), del = _mm_set1_epi8(0x7F);

	for (; e - q >= 16; q += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
		__m128i w =
			_mm_loadu_si128((const __m128i *)(const void *)(q - 1));
		__m128i cv = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, sp), v),
					  _mm_cmpeq_epi8(v, del));
		__m128i cw = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(w, sp), w),
					  _mm_cmpeq_epi8(w, del));
		/* a blank after a kept byte stays */
		__m128i single = _mm_andnot_si128(cw, _mm_cmpeq_epi8(v, sp));
		int m = _mm_movemask_epi8(_mm_andnot_si128(single, cv));

		if (m)
			return q + __builtin_ctz((unsigned int)m);
	}
#endif
	for (; q < e; q++)
		if (is_collapsed(*q) && (*q != ' ' || is_collapsed(q[-1])))
			break;
	return q;
}

/* dsn_buf_put - append text; white space and control bytes (NUL too)
 * collapse to one space, and no space starts the buffer.  Runs of bytes
 * that stay as they are (single blanks between other bytes included) are
 * copied whole. */
void dsn_buf_put(struct dsn_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n, *q;
	size_t room, k;

	while (p < e) {
		if (is_collapsed(*p) &&
		    (*p != ' ' || b->len == 0 || b->s[b->len - 1] == ' ')) {
			p++;
			if (b->len == 0 || b->s[b->len - 1] == ' ')
				continue;
			if (b->len + 1 >= sizeof(b->s)) {
				b->cut = 1;
				break;
			}
			b->s[b->len++] = ' ';
			continue;
		}
		/* *p is kept: a byte that is not collapsed, or a blank after
		 * one */
		q = run_end(p, e);
		k = (size_t)(q - p);
		room = sizeof(b->s) - 1 - b->len;
		if (k > room) {
			memcpy(b->s + b->len, p, room);
			b->len += room;
			b->cut = 1;
			break;
		}
		memcpy(b->s + b->len, p, k);
		b->len += k;
		p = q;
	}
	b->s[b->len] = '\0';
}

/* dsn_buf_set - replace the content of an accumulator */
void dsn_buf_set(struct dsn_buf *b, const char *s, size_t n)
{
	dsn_buf_reset(b);
	dsn_buf_put(b, s, n);
}

/* dsn_copy_trim - copy s without surrounding white space; control bytes
 * become spaces so that a record never holds NUL, CR or LF */
void dsn_copy_trim(char *dst, size_t size, const char *s, size_t n)
{
	size_t i, k = 0;

	util_trim(&s, &n);
	for (i = 0; i < n && k + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[k++] = (char)(c < ' ' || c == 0x7F ? ' ' : c);
	}
	dst[k] = '\0';
}

/* addr_char - may c appear in an address outside quotes? */
static int addr_char(unsigned char c)
{
	switch (c) {
	case '<':
	case '>':
	case '(':
	case ')':
	case '[':
	case ']':
	case ',':
	case ';':
	case ':':
	case '"':
	case '\\':
	case '@':
		return 0;
	default:
		return c > ' ' && c != 0x7F;
	}
}

/* dsn_addr_scan - an address (optionally in <>) at the start of s: returns
 * the length consumed (0 if none) and sets the address's offset/length */
size_t dsn_addr_scan(const char *s, size_t n, size_t *a, size_t *alen)
{
	size_t i = 0, dots = 0, dstart;
	int angle = 0;

	if (n > 0 && s[0] == '<') {
		angle = 1;
		i = 1;
	}
	*a = i;
	while (i < n && addr_char((unsigned char)s[i]))
		i++;
	if (i == *a || i >= n || s[i] != '@')
		return 0;
	dstart = ++i;
	while (i < n && (addr_char((unsigned char)s[i]))) {
		if (s[i] == '.')
			dots++;
		i++;
	}
	/* a domain: at least one dot, not at either end */
	if (i == dstart || dots == 0 || s[dstart] == '.' || s[i - 1] == '.')
		return 0;
	*alen = i - *a;
	if (angle) {
		if (i >= n || s[i] != '>')
			return 0;
		i++;
	}
	return i;
}

/* dsn_reply_like - does s start with an SMTP reply code or an enhanced
 * status code (after an optional '#')? */
int dsn_reply_like(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == '#' || s[i] == ' '))
		i++;
	if (n - i >= 3 && s[i] >= '2' && s[i] <= '5' && s[i + 1] >= '0' &&
	    s[i + 1] <= '9' && s[i + 2] >= '0' && s[i + 2] <= '9' &&
	    (n - i == 3 || s[i + 3] == ' ' || s[i + 3] == '-'))
		return 1;
	return dsn_status_scan(s + i, n - i) > 0;
}

/* dsn_status_scan - length of an enhanced status code "c.s.d" at the
 * start of s (class 2, 4 or 5, then 1-3 digits twice), 0 if none */
size_t dsn_status_scan(const char *s, size_t n)
{
	size_t i, d;

	if (n < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		return 0;
	for (d = 0, i = 2; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		d++;
	if (d == 0 || d > 3 || i >= n || s[i] != '.')
		return 0;
	for (d = 0, i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		d++;
	if (d == 0 || d > 3)
		return 0;
	if (i < n && (s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
		return 0;
	return i;
}

/* ---------------------------------------------------------------------
 * Records
 */

/* same_addr - case-insensitive equality of two recipients */
static int same_addr(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (util_lower((unsigned char)*a) !=
		    util_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* find_rec - the record of a recipient, or NULL.  alias is the status
 * part's X-Actual-Recipient: Sendmail names that address in its text, so
 * a record made from the text is renamed to the Final-Recipient. */
static struct dsn_rec *find_rec(struct dsn *d, const char *rcpt,
				const char *alias)
{
	size_t i;

	for (i = 0; i < d->nrecs; i++) {
		struct dsn_rec *r = &d->recs[i];

		if (same_addr(r->r.recipient, rcpt) ||
		    (rcpt[0] && r->alias[0] && same_addr(r->alias, rcpt)))
			return r;
	}
	for (i = 0; alias[0] && i < d->nrecs; i++) {
		struct dsn_rec *r = &d->recs[i];

		if (r->text_only && same_addr(r->r.recipient, alias)) {
			dsn_copy_trim(r->r.recipient, sizeof(r->r.recipient),
				      rcpt, strlen(rcpt));
			return r;
		}
	}
	return NULL;
}

/* new_rec - append an empty record; NULL when full or out of memory */
static struct dsn_rec *new_rec(struct dsn *d)
{
	struct dsn_rec *r;

	if (d->nrecs == d->caprecs) {
		size_t cap = d->caprecs ? d->caprecs * 2 : 4;
		struct dsn_rec *n;

		if (d->caprecs >= DSN_MAX_RECORDS)
			return NULL;
		if (cap > DSN_MAX_RECORDS)
			cap = DSN_MAX_RECORDS;
		n = realloc(d->recs, cap * sizeof(*n));
		if (!n)
			return NULL;
		d->recs = n;
		d->caprecs = cap;
	}
	r = &d->recs[d->nrecs++];
	memset(r, 0, sizeof(*r));
	r->src_action = r->src_status = r->src_remote = r->src_diag = -1;
	return r;
}

/* set_fact - fill a field unless what it holds came from a better source */
static void set_fact(char *dst, size_t size, int *have, const char *v, int src)
{
	if (!v || !v[0])
		return;
	if (dst[0] && *have >= src)
		return;
	dsn_copy_trim(dst, size, v, strlen(v));
	*have = src;
}

/* quality - 2 for a reply with a code, 1 for other text, 0 for none */
static int quality(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	return dsn_reply_like(s, n) ? 2 : 1;
}

/* set_diag - keep the more complete diagnostic: a coded reply beats prose,
 * then the longer text wins, then the status part */
static void set_diag(struct dsn_rec *r, const char *s, size_t n, int cut,
		     int src)
{
	int qn, qo;

	util_trim(&s, &n);
	qn = quality(s, n);
	qo = quality(r->r.diag, r->r.diag_len);
	if (qn == 0 || qn < qo)
		return;
	if (qn == qo &&
	    (n < r->r.diag_len || (n == r->r.diag_len && r->src_diag >= src)))
		return;
	r->r.diag_len = util_copy(r->r.diag, sizeof(r->r.diag), s, n);
	r->r.diag_truncated = cut || n > r->r.diag_len;
	if (n > r->r.diag_len) {
		/* cut: no partial UTF-8 sequence, no trailing space */
		const unsigned char *u = (const unsigned char *)r->r.diag;
		size_t k = r->r.diag_len, back = 0;

		while (k > 0 && back < 3 && (u[k - 1] & 0xC0) == 0x80) {
			k--;
			back++;
		}
		if (k > 0 && u[k - 1] >= 0xC0 &&
		    back + 1 < (u[k - 1] >= 0xF0   ? 4u
				: u[k - 1] >= 0xE0 ? 3u
						   : 2u))
			k--;
		else
			k = r->r.diag_len;
		while (k > 0 && r->r.diag[k - 1] == ' ')
			k--;
		r->r.diag[k] = '\0';
		r->r.diag_len = k;
	}
	r->src_diag = src;
}

/* dsn_add - merge one entry into the record of its recipient */
void dsn_add(struct dsn *d, int src, const char *rcpt, const char *alias,
	     const char *action, const char *status, const char *remote,
	     const char *diag, size_t dlen, int dcut)
{
	struct dsn_rec *r;

	if (!alias || same_addr(alias, rcpt))
		alias = "";
	r = find_rec(d, rcpt, alias);
	if (!r) {
		r = new_rec(d);
		if (!r) {
			d->info.dropped_records++;
			return;
		}
		dsn_copy_trim(r->r.recipient, sizeof(r->r.recipient), rcpt,
			      strlen(rcpt));
		r->text_only = 1;
	}
	if (src == DSN_SRC_STATUS && r->text_only) {
		/* the status part spells the recipient authoritatively */
		dsn_copy_trim(r->r.recipient, sizeof(r->r.recipient), rcpt,
			      strlen(rcpt));
		r->text_only = 0;
	}
	if (alias[0] && !r->alias[0])
		dsn_copy_trim(r->alias, sizeof(r->alias), alias, strlen(alias));
	set_fact(r->r.action, sizeof(r->r.action), &r->src_action, action, src);
	set_fact(r->r.status, sizeof(r->r.status), &r->src_status, status, src);
	set_fact(r->r.remote_mta, sizeof(r->r.remote_mta), &r->src_remote,
		 remote, src);
	set_diag(r, diag ? diag : "", diag ? dlen : 0, dcut, src);
}

/* drop_rec - remove record i, keeping the order */
static void drop_rec(struct dsn *d, size_t i)
{
	memmove(&d->recs[i], &d->recs[i + 1],
		(d->nrecs - i - 1) * sizeof(d->recs[0]));
	d->nrecs--;
}

/* status_from_diag - the enhanced status code near the start of the reply */
static void status_from_diag(struct dsn_record *r)
{
	const char *s = r->diag;
	size_t n = r->diag_len, i = 0, k, codes = 0;

	while (i < n && (s[i] == '#' || s[i] == ' '))
		i++;
	/* skip up to two reply codes ("554 554 5.7.1", "550-5.7.1") */
	while (codes < 2 && n - i >= 4 && s[i] >= '2' && s[i] <= '5' &&
	       s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' &&
	       s[i + 2] <= '9' && (s[i + 3] == ' ' || s[i + 3] == '-')) {
		i += 4;
		codes++;
	}
	k = dsn_status_scan(s + i, n - i);
	if (k)
		util_copy(r->status, sizeof(r->status), s + i, k);
}

/* dsn_finish_records - the rules that need the whole message */
void dsn_finish_records(struct dsn *d)
{
	size_t i, orphans = 0, named = 0, orphan = 0, target = 0;
	int text_ok = d->info.known_layout || d->info.is_report ||
		      d->saw_status || d->daemon_from;

	if (d->info.is_arf || d->info.has_marker)
		d->nrecs = 0;
	for (i = 0; i < d->nrecs;) {
		struct dsn_record *r = &d->recs[i].r;

		/* prose outside a bounce layout is not evidence */
		if ((d->recs[i].text_only && !text_ok) ||
		    (!r->recipient[0] && !r->diag_len) ||
		    !strcmp(r->action, "delivered") ||
		    !strcmp(r->action, "relayed") ||
		    !strcmp(r->action, "expanded")) {
			drop_rec(d, i);
			continue;
		}
		if (r->recipient[0]) {
			named++;
			target = i;
		} else {
			orphans++;
			orphan = i;
		}
		i++;
	}
	/* a reply that named no recipient belongs to the only one there is */
	if (orphans == 1 && named == 1) {
		struct dsn_rec *o = &d->recs[orphan], *t = &d->recs[target];

		set_fact(t->r.remote_mta, sizeof(t->r.remote_mta),
			 &t->src_remote, o->r.remote_mta, DSN_SRC_TEXT);
		set_fact(t->r.action, sizeof(t->r.action), &t->src_action,
			 o->r.action, DSN_SRC_TEXT);
		set_diag(t, o->r.diag, o->r.diag_len, o->r.diag_truncated,
			 DSN_SRC_TEXT);
		drop_rec(d, orphan);
	}
	for (i = 0; i < d->nrecs; i++) {
		struct dsn_record *r = &d->recs[i].r;

		if (!r->status[0])
			status_from_diag(r);
		if (!r->action[0] && r->status[0] == '5')
			util_strcpy(r->action, sizeof(r->action), "failed");
	}
}
