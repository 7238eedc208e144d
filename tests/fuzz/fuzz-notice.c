/*
 * fuzz-notice.c - libFuzzer target of the alert mail: notice_build(),
 * request_render() and mime_compose() with hostile values in every field
 *
 * The input describes an incident, the configuration's contact and alert
 * settings, the outbound volume and a direct mime_compose() call, field
 * by field (fuzz.h's reader: length-prefixed strings, CR/LF, NUL, 8-bit,
 * header names and huge repeated values included).
 * Invariants of every composed message: 7-bit, no CR or NUL, every line
 * at most 998 bytes (76 in the quoted-printable parts); the header block
 * holds exactly our header names, once each, in our order, and no line
 * that starts with any other name; exactly one To, equal to the
 * configured address as cleaned; the MIME boundary occurs only in the
 * Content-Type parameter and as the delimiters (two parts, one close
 * delimiter); each part decodes to exactly the text given, sanitised.
 * The request text and the notice body hold no control byte but LF.
 * A failure is EINVAL for an unusable From/To only, and leaves nothing in
 * the output.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"

#include "buf.h"
#include "config.h"
#include "dsn.h"
#include "incident.h"
#include "mime.h"
#include "notice.h"
#include "request.h"
#include "util.h"

#define NOW	  1714737000
#define LINE_MAX  998 /* RFC 5322 */
#define QP_LINE	  76  /* RFC 2045 */
#define MAX_PARTS 2

/* The header names of every alert, in order. */
static const char *const names[] = {"From",
				    "To",
				    "Subject",
				    "Date",
				    "Message-ID",
				    "Auto-Submitted",
				    DSN_MARKER_HEADER,
				    "MIME-Version",
				    "Content-Type",
				    "Content-Transfer-Encoding"};

/* hexval - value of an upper-case hex digit, -1 if none */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* utf8_at - length of the valid UTF-8 sequence at s (Unicode Table 3-7),
 * 0 when there is none */
static size_t utf8_at(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len, k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (k = 2; k < len; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return len;
}

/* expect_part - what a part must decode to: s with CR LF and lone CR as
 * LF, control characters but TAB and LF dropped (C1 ones, U+0080 to
 * U+009F, too), invalid UTF-8 bytes as U+FFFD each, and a final LF when
 * it does not end with one */
static void expect_part(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] == '\r') {
			buf_addc(b, '\n');
			i += i + 1 < len && p[i + 1] == '\n' ? 2 : 1;
		} else if (p[i] == '\n' || p[i] == '\t') {
			buf_addc(b, (char)p[i++]);
		} else if (p[i] < 0x20 || p[i] == 0x7F) {
			i++;
		} else if ((n = utf8_at(p + i, len - i)) == 2 && p[i] == 0xC2 &&
			   p[i + 1] < 0xA0) {
			i += 2;
		} else if (n > 0) {
			buf_add(b, s + i, n);
			i += n;
		} else {
			buf_add(b, "\xEF\xBF\xBD", 3);
			i++;
		}
	}
	if (b->len && b->data[b->len - 1] != '\n')
		buf_addc(b, '\n');
}

/* qp_decode - quoted-printable text (LF lines) into b; every line at most
 * QP_LINE, "=" only before two hex digits or a line end */
static void qp_decode(struct buf *b, const char *s, size_t len)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n') {
			buf_addc(b, '\n');
			col = 0;
			continue;
		}
		FUZZ_CHECK(++col <= QP_LINE, "quoted-printable line over %d",
			   QP_LINE);
		if (s[i] != '=') {
			buf_addc(b, s[i]);
			continue;
		}
		if (i + 1 < len && s[i + 1] == '\n') {
			i++; /* soft line break */
			col = 0;
			continue;
		}
		FUZZ_CHECK(i + 2 < len && hexval(s[i + 1]) >= 0 &&
				   hexval(s[i + 2]) >= 0,
			   "bad quoted-printable escape");
		buf_addc(b, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
		i += 2;
		col += 2;
	}
}

struct message {
	const char *to;	     /* the To value expected */
	int multipart;	     /* with the attachment */
	const char *part[2]; /* the texts given, or NULL: not compared */
	size_t part_len[2];
};

/* part_body - the body of a part (after its header block) */
static const char *part_body(const char *s, const char *end)
{
	const char *b;

	for (b = s; b + 1 < end; b++)
		if (b[0] == '\n' && b[1] == '\n')
			return b + 2;
	FUZZ_CHECK(0, "part without a header block");
	return NULL;
}

/* check_part - a part's quoted-printable body decodes to the text given */
static void check_part(const struct message *w, int i, const char *s,
		       const char *end)
{
	struct buf got, want;
	size_t k = 0;

	buf_init(&got);
	buf_init(&want);
	qp_decode(&got, s, (size_t)(end - s));
	if (w->part[i]) {
		expect_part(&want, w->part[i], w->part_len[i]);
		while (k < got.len && k < want.len &&
		       got.data[k] == want.data[k])
			k++;
		FUZZ_CHECK(got.len == want.len && k == got.len,
			   "part %d decodes to %zu bytes, want %zu; from "
			   "byte %zu: \"%.20s\", want \"%.20s\"",
			   i + 1, got.len, want.len, k, buf_str(&got) + k,
			   buf_str(&want) + k);
	}
	buf_free(&got);
	buf_free(&want);
}

/* check_message - the invariants of one composed alert */
static void check_message(const char *msg, size_t len, const struct message *w)
{
	const char *end = msg + len, *line, *hend = NULL, *body;
	const char *ct = NULL, *bq, *delim[MAX_PARTS + 1];
	char boundary[128], want_to[MIME_ADDR_MAX];
	size_t i, bl = 0, nd = 0, seen[UTIL_ARRAY_SIZE(names)] = {0};
	size_t expect = UTIL_ARRAY_SIZE(names) - (w->multipart ? 1 : 0);
	size_t last = 0, closes = 0;

	FUZZ_CHECK(len > 0 && strlen(msg) == len, "NUL in the message");
	for (i = 0; i < len; i++)
		FUZZ_CHECK((unsigned char)msg[i] < 0x80 && msg[i] != '\r',
			   "8-bit byte or CR at %zu", i);
	for (line = msg; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));

		FUZZ_CHECK(eol != NULL, "last line without LF");
		FUZZ_CHECK(eol - line <= LINE_MAX, "line of %zu bytes",
			   (size_t)(eol - line));
		if (!hend && eol == line)
			hend = line;
		line = eol + 1;
	}
	FUZZ_CHECK(hend != NULL, "no header block");

	/* The header block: our names, once each, in order. */
	for (line = msg; line < hend;) {
		const char *eol = memchr(line, '\n', (size_t)(hend - line));
		const char *colon;
		size_t k;

		if (*line == ' ' || *line == '\t') {
			FUZZ_CHECK(line != msg, "continuation first");
			line = eol + 1;
			continue;
		}
		colon = memchr(line, ':', (size_t)(eol - line));
		FUZZ_CHECK(colon != NULL, "header line without a name: %.*s",
			   (int)(eol - line), line);
		for (k = 0; k < expect; k++)
			if (strlen(names[k]) == (size_t)(colon - line) &&
			    !memcmp(line, names[k], strlen(names[k])))
				break;
		FUZZ_CHECK(k < expect, "header we did not write: %.*s",
			   (int)(eol - line), line);
		FUZZ_CHECK(!seen[k]++, "%s twice", names[k]);
		FUZZ_CHECK(k >= last, "%s out of order", names[k]);
		last = k;
		if (k == 1) {
			/* To: the configured address, cleaned, alone. */
			util_clean(want_to, sizeof(want_to), w->to,
				   strlen(w->to));
			FUZZ_CHECK(colon[1] == ' ' &&
					   (size_t)(eol - colon - 2) ==
						   strlen(want_to) &&
					   !memcmp(colon + 2, want_to,
						   strlen(want_to)) &&
					   (eol + 1 >= hend ||
					    (eol[1] != ' ' && eol[1] != '\t')),
				   "To: %.*s, want %s", (int)(eol - line), line,
				   want_to);
		}
		if (k == 8)
			ct = colon + 1;
		line = eol + 1;
	}
	for (i = 0; i < expect; i++)
		FUZZ_CHECK(seen[i] == 1, "%s missing", names[i]);
	body = hend + 1;

	if (!w->multipart) {
		FUZZ_CHECK(!strncmp(ct, " text/plain;", 12),
			   "single part type");
		check_part(w, 0, body, end);
		return;
	}
	/* The boundary: in the parameter and the delimiter lines only. */
	FUZZ_CHECK(!strncmp(ct, " multipart/mixed;\n boundary=\"", 29),
		   "multipart type");
	bq = ct + 29;
	while (bq[bl] != '"' && bq[bl] != '\n' && bl + 1 < sizeof(boundary))
		bl++;
	FUZZ_CHECK(bq[bl] == '"' && bl >= 16, "boundary parameter");
	memcpy(boundary, bq, bl);
	boundary[bl] = '\0';
	FUZZ_CHECK(!memmem(msg, (size_t)(bq - msg), boundary, bl) &&
			   !memmem(bq + bl, (size_t)(body - bq - bl), boundary,
				   bl),
		   "boundary elsewhere in the header");
	for (line = body; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *hit =
			memmem(line, (size_t)(eol - line), boundary, bl);

		if (hit) {
			FUZZ_CHECK(hit == line + 2 && line[0] == '-' &&
					   line[1] == '-',
				   "boundary inside a line");
			if ((size_t)(eol - line) == bl + 4 &&
			    !memcmp(eol - 2, "--", 2)) {
				FUZZ_CHECK(eol + 1 == end && !closes++,
					   "close delimiter not last");
			} else {
				FUZZ_CHECK((size_t)(eol - line) == bl + 2,
					   "delimiter with trailing text");
				FUZZ_CHECK(nd < MAX_PARTS, "too many parts");
				FUZZ_CHECK(line > body && line[-1] == '\n' &&
						   line[-2] == '\n',
					   "delimiter without its blank line");
				delim[nd++] = line;
			}
		}
		line = eol + 1;
	}
	FUZZ_CHECK(nd == MAX_PARTS && closes == 1, "%zu parts, %zu closes", nd,
		   closes);
	/* The CRLF before a delimiter belongs to it (RFC 2046). */
	check_part(w, 0, part_body(delim[0], delim[1]), delim[1] - 1);
	delim[2] = end - bl - 5;
	check_part(w, 1, part_body(delim[1], delim[2]), delim[2] - 1);
}

/* check_text - rendered text: no control byte but LF */
static void check_text(const char *what, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		FUZZ_CHECK(((unsigned char)s[i] >= 0x20 && s[i] != 0x7F) ||
				   s[i] == '\n',
			   "%s: byte 0x%02x at %zu in \"%.*s\"", what,
			   (unsigned char)s[i], i,
			   (int)(len - i < 60 ? len - i : 60),
			   s + (i < 30 ? 0 : i - 30));
}

/* The values the input chooses from for From and To. */
static const char *const addresses[] = {
	"postmaster@example.org",
	"Jane Admin <jane@example.org>",
	"milter-delist",
};

/* Everything built from the input; freed by alert_free(). */
struct alert {
	struct incident inc;
	/* What inc's shared strings point to. */
	char codes[INCIDENT_MAX_CODES][VERDICT_CODE_MAX];
	char domains[INCIDENT_MAX_DOMAINS][FINDING_DOMAIN_MAX];
	char sample_codes[INCIDENT_MAX_SAMPLES][VERDICT_CODE_MAX];
	struct config cfg;
	struct notice_volume vol;
	struct notice_count rows[2][NOTICE_TOP_MAX + 2];
	char *ips[4];
	char *host;
	char *strs[64];
	size_t nstrs;
};

/* take - a string off the input, remembered for alert_free() */
static char *take(struct alert *a, struct fuzz_in *in)
{
	char *s = fuzz_str(in);

	if (a->nstrs == UTIL_ARRAY_SIZE(a->strs))
		abort();
	a->strs[a->nstrs++] = s;
	return s;
}

/* pick - one of the usual addresses, remembered for alert_free() */
static char *pick(struct alert *a, struct fuzz_in *in)
{
	char *s = strdup(addresses[fuzz_u8(in) % UTIL_ARRAY_SIZE(addresses)]);

	if (!s || a->nstrs == UTIL_ARRAY_SIZE(a->strs))
		abort();
	a->strs[a->nstrs++] = s;
	return s;
}

/* fill - copy a string off the input into a fixed array */
static void fill(struct fuzz_in *in, char *dst, size_t size)
{
	size_t len;
	const char *s = fuzz_bytes(in, &len);

	util_copy(dst, size, s, len);
}

/* any_time - a time the incident module can hold: 0 or up to 2^40 */
static time_t any_time(struct fuzz_in *in)
{
	return (time_t)fuzz_uint(in, 5);
}

/* alert_build - the incident, config and volume from the input */
static void alert_build(struct alert *a, struct fuzz_in *in, unsigned flags)
{
	struct incident *inc = &a->inc;
	struct config *cfg = &a->cfg;
	struct config_contact *c = &cfg->contact;
	size_t i, k, n;

	memset(a, 0, sizeof(*a));
	inc->id = fuzz_uint(in, 8);
	fill(in, inc->ip, sizeof(inc->ip));
	inc->provider = (enum verdict_provider)(fuzz_u8(in) % 3);
	inc->kind = (enum verdict_kind)(fuzz_u8(in) % 7);
	inc->remedy = (enum verdict_remedy)(fuzz_u8(in) % 7);
	inc->state = (enum incident_state)(fuzz_u8(in) % 4);
	inc->ip_inferred = flags >> 2 & 1;
	inc->sources = (unsigned)fuzz_u8(in);
	inc->first_seen = any_time(in);
	inc->last_seen = any_time(in);
	inc->alerted_at = any_time(in);
	inc->reminded_at = any_time(in);
	inc->cleared_at = any_time(in);
	inc->cleared_notified = any_time(in);
	inc->sent_since = any_time(in);
	inc->count = (unsigned long)fuzz_uint(in, 8);
	inc->bounced = (unsigned long)fuzz_uint(in, 8);
	inc->deferred = (unsigned long)fuzz_uint(in, 8);
	inc->n_codes = fuzz_u8(in) % (INCIDENT_MAX_CODES + 1);
	for (i = 0; i < inc->n_codes; i++) {
		fill(in, a->codes[i], sizeof(a->codes[i]));
		inc->codes[i] = a->codes[i];
	}
	inc->n_domains = fuzz_u8(in) % (INCIDENT_MAX_DOMAINS + 1);
	for (i = 0; i < inc->n_domains; i++) {
		fill(in, a->domains[i], sizeof(a->domains[i]));
		inc->domains[i] = a->domains[i];
	}
	n = fuzz_u8(in) % (INCIDENT_MAX_QIDS + 1);
	for (i = 0; i < n; i++) {
		char qid[FINDING_QID_MAX];

		fill(in, qid, sizeof(qid));
		if (incident_add_qid(inc, qid, strlen(qid)) < 0)
			abort();
	}
	inc->n_samples = fuzz_u8(in) % (INCIDENT_MAX_SAMPLES + 1);
	for (i = 0; i < inc->n_samples; i++) {
		inc->samples[i] = take(a, in);
		fill(in, a->sample_codes[i], sizeof(a->sample_codes[i]));
		inc->sample_codes[i] = a->sample_codes[i];
	}

	/* The file name comes from the command line, not from a stranger:
	 * printable, but anything else goes. */
	cfg->file = take(a, in);
	for (i = 0; cfg->file[i]; i++)
		if ((unsigned char)cfg->file[i] < 0x20 || cfg->file[i] == 0x7F)
			cfg->file[i] = '_';
	n = fuzz_u8(in) % UTIL_ARRAY_SIZE(a->ips);
	for (i = 0; i < n; i++)
		a->ips[i] = take(a, in);
	cfg->outbound_ips = a->ips;
	cfg->n_outbound_ips = n;
	cfg->alert.to = flags >> 3 & 1 ? take(a, in) : pick(a, in);
	cfg->alert.from = flags >> 4 & 1 ? take(a, in) : pick(a, in);
	cfg->alert.reminder = (time_t)fuzz_uint(in, 3);
	cfg->alert.clear_after = (time_t)fuzz_uint(in, 3);
	cfg->alert.timeout = 60;
	cfg->alert.retry = 300;
	c->name = take(a, in);
	c->email = take(a, in);
	c->company_type = take(a, in);
	c->timezone = take(a, in);
	c->website = take(a, in);
	c->server_type = take(a, in);
	c->sending_domain = take(a, in);

	a->vol.window = (time_t)fuzz_uint(in, 3);
	a->vol.total = (unsigned long)fuzz_uint(in, 8);
	a->vol.authenticated = (unsigned long)fuzz_uint(in, 8);
	a->vol.distinct_senders = (unsigned long)fuzz_uint(in, 4);
	a->vol.distinct_users = (unsigned long)fuzz_uint(in, 4);
	for (k = 0; k < 2; k++) {
		n = fuzz_u8(in) % (NOTICE_TOP_MAX + 3);
		for (i = 0; i < n; i++) {
			a->rows[k][i].key = take(a, in);
			a->rows[k][i].count = (unsigned long)fuzz_uint(in, 8);
		}
		if (k == 0) {
			a->vol.senders = a->rows[0];
			a->vol.n_senders = n;
		} else {
			a->vol.users = a->rows[1];
			a->vol.n_users = n;
		}
	}
	a->host = flags >> 5 & 1 ? take(a, in) : NULL;
}

/* alert_free - release what alert_build() took */
static void alert_free(struct alert *a)
{
	size_t i;

	for (i = 0; i < a->nstrs; i++)
		free(a->strs[i]);
	free(a->inc.qids);
}

/* usable - would mime take this address for From or To? */
static int usable(const char *s)
{
	char tmp[MIME_ADDR_MAX];
	size_t i, n;

	if (strnlen(s, sizeof(tmp)) >= sizeof(tmp))
		return 0;
	n = util_clean(tmp, sizeof(tmp), s, strlen(s));
	for (i = 0; i < n; i++)
		if ((unsigned char)tmp[i] >= 0x80 || strchr(",;:", tmp[i]))
			return 0;
	return n > 0;
}

/* check_failure - a failed compose: EINVAL for an unusable address only,
 * and nothing left in out */
static void check_failure(const struct buf *out, size_t before,
			  const char *from, const char *to)
{
	FUZZ_CHECK(errno == EINVAL || errno == ENOMEM || errno == EMSGSIZE,
		   "errno %d", errno);
	FUZZ_CHECK(errno != EINVAL || !usable(from) || !usable(to),
		   "EINVAL for usable From \"%s\" and To \"%s\"", from, to);
	FUZZ_CHECK(out->len == before, "half a message left");
}

/* run_notice - the whole mail about the incident */
static void run_notice(const struct alert *a, unsigned flags, time_t now)
{
	enum incident_due due = (enum incident_due)(1 + flags % 3);
	struct message w;
	struct buf out, req;
	int rc;

	memset(&w, 0, sizeof(w));
	w.to = a->cfg.alert.to;
	/* the request is attached to an alert or reminder with a finding */
	w.multipart = due != INCIDENT_DUE_CLEARED && a->inc.count;
	buf_init(&out);
	rc = notice_build(&out, due, &a->inc, &a->cfg,
			  flags >> 6 & 1 ? &a->vol : NULL, a->host, now);
	if (rc == 0)
		check_message(buf_str(&out), out.len, &w);
	else
		check_failure(&out, 0, a->cfg.alert.from, a->cfg.alert.to);
	buf_reset(&out);
	FUZZ_CHECK(notice_body(&out, due, &a->inc, &a->cfg, &a->vol, now) == 0,
		   "notice_body: %d", out.err);
	check_text("body", buf_str(&out), out.len);
	buf_reset(&out);
	FUZZ_CHECK(notice_subject(&out, due, &a->inc, &a->cfg, now) == 0,
		   "notice_subject: %d", out.err);
	check_text("subject", buf_str(&out), out.len);
	FUZZ_CHECK(!strchr(buf_str(&out), '\n'), "subject of two lines");
	buf_free(&out);

	buf_init(&req);
	/* no finding (count 0): no request, nothing written */
	FUZZ_CHECK(request_render(&req, &a->inc, &a->cfg.contact,
				  a->cfg.outbound_ips, a->cfg.n_outbound_ips) ==
			   (a->inc.count ? 0 : -1),
		   "request_render: %d", req.err);
	FUZZ_CHECK(a->inc.count || req.len == 0, "request without finding");
	check_text("request", buf_str(&req), req.len);
	buf_free(&req);
}

/* run_mime - mime_compose() of raw values from the input */
static void run_mime(const struct alert *a, struct fuzz_in *in, unsigned flags)
{
	struct mime_msg m;
	struct message w;
	struct buf out;
	char *subject = fuzz_str(in), *att_name = fuzz_str(in);
	char file[96];
	size_t i;
	int rc;

	memset(&m, 0, sizeof(m));
	m.from = a->cfg.alert.from;
	m.to = a->cfg.alert.to;
	m.subject = subject;
	m.date = (time_t)fuzz_uint(in, 5);
	m.host = a->host;
	m.body = fuzz_bytes(in, &m.body_len);
	if (flags >> 7 & 1) {
		m.att_name = att_name;
		m.att_text = fuzz_bytes(in, &m.att_len);
	}
	memset(&w, 0, sizeof(w));
	w.to = m.to;
	w.multipart = m.att_name != NULL;
	w.part[0] = m.body;
	w.part_len[0] = m.body_len;
	w.part[1] = m.att_text;
	w.part_len[1] = m.att_len;

	/* Appended to what is there; a failure leaves it as it was. */
	buf_init(&out);
	buf_puts(&out, "x");
	rc = mime_compose(&out, &m);
	if (rc == 0)
		check_message(buf_str(&out) + 1, out.len - 1, &w);
	else
		check_failure(&out, 1, m.from, m.to);
	buf_free(&out);

	request_filename(file, sizeof(file), subject);
	FUZZ_CHECK(!strncmp(file, "delist-request-", 15), "file name prefix");
	for (i = 15; file[i]; i++)
		FUZZ_CHECK((file[i] >= '0' && file[i] <= '9') ||
				   (file[i] >= 'a' && file[i] <= 'z') ||
				   (file[i] >= 'A' && file[i] <= 'Z') ||
				   file[i] == '.' || file[i] == '-',
			   "file name \"%s\"", file);
	free(subject);
	free(att_name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned flags = fuzz_u8(&in);
	time_t now = flags >> 1 & 1 ? NOW : any_time(&in);
	struct alert *a = malloc(sizeof(*a));

	if (!a)
		abort();
	alert_build(a, &in, flags);
	run_notice(a, flags, now ? now : NOW);
	run_mime(a, &in, flags);
	alert_free(a);
	free(a);
	return 0;
}
