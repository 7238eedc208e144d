/*
 * alertcheck.h - for the alert tests: a small parser of the messages that
 * mime_compose() writes (LF lines, 7-bit, quoted-printable parts), the
 * invariants every alert keeps, and the hostile strings thrown at it.
 * Static functions: include it in one test file each.
 */
#ifndef MILTER_DELIST_TEST_ALERTCHECK_H
#define MILTER_DELIST_TEST_ALERTCHECK_H

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "dsn.h"
#include "util.h"

#define ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* The header names of every alert, in order. */
static const char *const alert_headers[] = {"From",
					    "To",
					    "Subject",
					    "Date",
					    "Message-ID",
					    "Auto-Submitted",
					    DSN_MARKER_HEADER,
					    "MIME-Version",
					    "Content-Type"};

struct parsed {
	char names[32][64];
	char *values[32]; /* unfolded, owned */
	size_t n;
	int parts;     /* multipart: delimiter lines; else 1 */
	int closed;    /* the close delimiter was seen once */
	char *part[4]; /* raw part text (headers + body), owned */
	size_t part_len[4], part_cap[4];
	int bad_line; /* a line over 78 (header) or 76 (QP body) */
	int not_7bit;
};

/* parsed_free - release the parse */
static inline void parsed_free(struct parsed *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->values[i]);
	for (i = 0; i < ROWS(p->part); i++)
		free(p->part[i]);
	memset(p, 0, sizeof(*p));
}

/* header - value of the first header name, or NULL */
static inline const char *header(const struct parsed *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcasecmp(p->names[i], name) == 0)
			return p->values[i];
	return NULL;
}

/* count_header - how many headers are called name */
static inline int count_header(const struct parsed *p, const char *name)
{
	size_t i;
	int n = 0;

	for (i = 0; i < p->n; i++)
		n += strcasecmp(p->names[i], name) == 0;
	return n;
}

/* parse - split msg into headers and parts; 0, or -1 if malformed */
static inline int parse(const char *msg, size_t len, struct parsed *p)
{
	const char *end = msg + len, *line = msg, *body, *ct, *bq;
	char boundary[128], *cur = NULL;
	size_t i;
	int in_part = -1;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < len; i++)
		if ((unsigned char)msg[i] >= 0x80 || msg[i] == '\0' ||
		    msg[i] == '\r')
			p->not_7bit = 1;
	body = strstr(msg, "\n\n");
	if (!body)
		return -1;
	/* Headers: "Name: value" lines, continuations start with a space. */
	while (line < body + 1) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t ll = (size_t)(eol - line);

		if (ll > 78)
			p->bad_line = 1;
		if (*line == ' ' || *line == '\t') {
			size_t old;

			if (p->n == 0)
				return -1;
			old = strlen(p->values[p->n - 1]);
			cur = realloc(p->values[p->n - 1], old + ll + 1);
			if (!cur)
				return -1;
			memcpy(cur + old, line, ll);
			cur[old + ll] = '\0';
			p->values[p->n - 1] = cur;
		} else {
			const char *colon = memchr(line, ':', ll);
			size_t nl;

			if (!colon || p->n == ROWS(p->names))
				return -1;
			nl = (size_t)(colon - line);
			for (i = 0; i < nl; i++)
				if (!((line[i] >= 'A' && line[i] <= 'Z') ||
				      (line[i] >= 'a' && line[i] <= 'z') ||
				      (line[i] >= '0' && line[i] <= '9') ||
				      line[i] == '-'))
					return -1;
			util_copy(p->names[p->n], sizeof(p->names[0]), line,
				  nl);
			colon++;
			while (*colon == ' ')
				colon++;
			p->values[p->n] = strndup(colon, (size_t)(eol - colon));
			p->n++;
		}
		line = eol + 1;
	}
	body += 2;
	ct = header(p, "Content-Type");
	if (!ct || strncmp(ct, "multipart/mixed;", 16) != 0) {
		p->parts = 1;
		p->part[0] = strndup(body, (size_t)(end - body));
		return 0;
	}
	bq = strstr(ct, "boundary=\"");
	if (!bq)
		return -1;
	util_strcpy(boundary, sizeof(boundary), bq + 10);
	if (!strchr(boundary, '"'))
		return -1;
	*strchr(boundary, '"') = '\0';
	for (line = body; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t ll = eol ? (size_t)(eol - line) : (size_t)(end - line);
		size_t bl = strlen(boundary);

		if (ll > 76)
			p->bad_line = 1;
		if (ll >= bl + 2 && line[0] == '-' && line[1] == '-' &&
		    memcmp(line + 2, boundary, bl) == 0) {
			if (ll == bl + 2) {
				p->parts++;
				in_part++;
			} else if (ll == bl + 4 && line[bl + 2] == '-' &&
				   line[bl + 3] == '-') {
				p->closed++;
				in_part = -1;
			} else {
				return -1; /* boundary prefix in content */
			}
		} else if (in_part >= 0 && in_part < (int)ROWS(p->part)) {
			size_t old = p->part_len[in_part];

			if (old + ll + 2 > p->part_cap[in_part]) {
				size_t cap = 2 * (old + ll + 2);

				cur = realloc(p->part[in_part], cap);
				if (!cur)
					return -1;
				p->part[in_part] = cur;
				p->part_cap[in_part] = cap;
			}
			cur = p->part[in_part];
			memcpy(cur + old, line, ll);
			cur[old + ll] = '\n';
			cur[old + ll + 1] = '\0';
			p->part_len[in_part] = old + ll + 1;
		}
		line = eol ? eol + 1 : end;
	}
	return 0;
}

/* hexval - value of a hex digit, -1 if none */
static inline int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* qp_decode - the body of a part (after its blank line), decoded */
static inline char *qp_decode(const char *part)
{
	const char *s = strstr(part, "\n\n");
	char *out, *o;

	if (!s)
		return strdup("");
	s += 2;
	out = o = malloc(strlen(s) + 1);
	if (!out)
		return NULL;
	while (*s) {
		if (s[0] == '=' && s[1] == '\n') {
			s += 2;
		} else if (s[0] == '=' && hexval(s[1]) >= 0 &&
			   hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* ew_decode - RFC 2047 Q encoded-words of a header value, decoded */
static inline char *ew_decode(const char *v)
{
	char *out = malloc(strlen(v) + 1), *o = out;

	if (!out)
		return NULL;
	while (*v) {
		if (strncmp(v, "=?UTF-8?Q?", 10) == 0) {
			v += 10;
			while (*v && !(v[0] == '?' && v[1] == '=')) {
				if (*v == '_') {
					*o++ = ' ';
					v++;
				} else if (*v == '=' && hexval(v[1]) >= 0 &&
					   hexval(v[2]) >= 0) {
					*o++ = (char)(hexval(v[1]) * 16 +
						      hexval(v[2]));
					v += 3;
				} else {
					*o++ = *v++;
				}
			}
			if (*v)
				v += 2;
			while (*v == ' ') /* between encoded-words */
				v++;
		} else {
			*o++ = *v++;
		}
	}
	*o = '\0';
	return out;
}

/* check_alert_shape - the invariants of every alert message */
static inline void check_alert_shape(const char *msg, size_t len,
				     const char *row, int want_parts,
				     struct parsed *p)
{
	size_t i;

	CHECK(parse(msg, len, p) == 0, "%s: does not parse", row);
	CHECK(!p->not_7bit, "%s: 8-bit, CR or NUL in the message", row);
	CHECK(!p->bad_line, "%s: over-long line", row);
	/* A single-part message adds its Content-Transfer-Encoding. */
	CHECK_INT(p->n, ROWS(alert_headers) + (want_parts == 1), row);
	for (i = 0; i < p->n && i < ROWS(alert_headers); i++)
		CHECK_STR(p->names[i], alert_headers[i], row);
	if (want_parts == 1 && p->n == ROWS(alert_headers) + 1)
		CHECK_STR(p->names[p->n - 1], "Content-Transfer-Encoding", row);
	CHECK_INT(count_header(p, "To"), 1, row);
	CHECK_INT(count_header(p, "Bcc") + count_header(p, "Cc") +
			  count_header(p, "X-Injected"),
		  0, row);
	CHECK_INT(p->parts, want_parts, row);
	if (want_parts > 1)
		CHECK_INT(p->closed, 1, row);
	CHECK_STR(header(p, DSN_MARKER_HEADER) ? header(p, DSN_MARKER_HEADER)
					       : "",
		  "alert", row);
}

/* Hostile strings from a stranger's bounce. */
static const char *const evil[] = {
	"\r\nBcc: x@evil",
	"\nX-Injected: 1",
	"--=_milter-delist_0123456789ABCDEF01234567",
	"\n--=_milter-delist_0123456789ABCDEF01234567--\n",
	"\xff\xfe\xc3 invalid utf-8 \xed\xa0\x80",
	"$(touch /tmp/pwned) `touch /tmp/pwned` ; | -rf",
	"-oi -t -f x@evil",
	"Subject: injected\r\n\r\n.\r\nMAIL FROM:<x@evil>",
};

#endif
