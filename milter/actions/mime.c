/*
 * mime.c - compose the alert mail: fixed headers, RFC 2047 subject,
 * multipart/mixed with quoted-printable parts
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* getrandom */
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "dsn.h"
#include "mime.h"
#include "util.h"

#define QP_LINE	       76 /* RFC 2045: encoded lines at most 76 characters */
#define EW_OVERHEAD    12 /* "=?UTF-8?Q?" + "?=" */
#define EW_MAX	       75 /* RFC 2047: an encoded-word at most 75 */
#define HEADER_LINE    78 /* RFC 5322: fold header lines at 78 */
#define BOUNDARY_TRIES 8

/* hexdigit - upper-case hex digit of a nibble */
static char hexdigit(unsigned v)
{
	return "0123456789ABCDEF"[v & 15];
}

/* sanitize - text for a part: LF line ends, no NUL or other control
 * characters but TAB (C1 controls such as U+009B, the 8-bit CSI of
 * terminals, included), invalid UTF-8 replaced by U+FFFD */
static void sanitize(struct buf *dst, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = p[i];

		if (c == '\r') {
			buf_addc(dst, '\n');
			i += (i + 1 < len && p[i + 1] == '\n') ? 2 : 1;
		} else if (c == '\n' || c == '\t') {
			buf_addc(dst, (char)c);
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			i++; /* NUL, ESC, BEL...: dropped */
		} else if ((n = util_utf8_len(p + i, len - i)) == 2 &&
			   c == 0xC2 && p[i + 1] < 0xA0) {
			i += n; /* a C1 control: dropped like C0 */
		} else if (n > 0) {
			buf_add(dst, s + i, n);
			i += n;
		} else {
			buf_add(dst, "\xEF\xBF\xBD", 3);
			i++;
		}
	}
}

/* qp_token - quoted-printable form of byte i of line (len bytes) at column
 * col into tok; returns its length */
static size_t qp_token(const char *line, size_t len, size_t i, size_t col,
		       char tok[3])
{
	unsigned char c = (unsigned char)line[i];
	int literal = (c >= 33 && c <= 126 && c != '=') ||
		      ((c == ' ' || c == '\t') && i + 1 < len);

	/* A "." or "From " starting a line upsets SMTP and mbox readers. */
	if (col == 0 && (c == '.' || (c == 'F' && len - i >= 5 &&
				      memcmp(line + i, "From ", 5) == 0)))
		literal = 0;
	if (literal) {
		tok[0] = (char)c;
		return 1;
	}
	tok[0] = '=';
	tok[1] = hexdigit(c >> 4);
	tok[2] = hexdigit(c);
	return 3;
}

/* qp_encode - quoted-printable body of sanitised text (LF line ends) */
static void qp_encode(struct buf *b, const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
		size_t i, col = 0, t;
		char tok[3];

		for (i = 0; i < ll; i++) {
			t = qp_token(p, ll, i, col, tok);
			/* Room for the token and a soft break "=" after it,
			 * unless it ends the line. */
			if (col + t > QP_LINE - 1 ||
			    (col + t == QP_LINE - 1 && i + 1 < ll)) {
				buf_add(b, "=\n", 2);
				col = 0;
				t = qp_token(p, ll, i, col, tok);
			}
			buf_add(b, tok, t);
			col += t;
		}
		buf_addc(b, '\n');
		p += ll + (eol ? 1 : 0);
	}
}

/* random_hex - 2*n hex digits of kernel randomness, or of the clock and
 * the pid when getrandom() is unavailable */
static void random_hex(char *dst, size_t n)
{
	unsigned char r[16];
	size_t i;

	if (n > sizeof(r))
		n = sizeof(r);
	if (getrandom(r, n, GRND_NONBLOCK) != (ssize_t)n) {
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
		    ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)dst;
		for (i = 0; i < n; i++) {
			/* splitmix64 step */
			x += 0x9E3779B97F4A7C15ull;
			r[i] = (unsigned char)(((x ^ (x >> 31)) *
						0xBF58476D1CE4E5B9ull) >>
					       56);
		}
	}
	for (i = 0; i < n; i++) {
		dst[2 * i] = hexdigit(r[i] >> 4);
		dst[2 * i + 1] = hexdigit(r[i]);
	}
	dst[2 * n] = '\0';
}

/* mime_date - RFC 5322 date in UTC, no locale */
void mime_date(char *dst, size_t size, time_t t)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
					"Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr",
					   "May", "Jun", "Jul", "Aug",
					   "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		util_strcpy(dst, size, "Thu, 01 Jan 1970 00:00:00 +0000");
		return;
	}
	snprintf(dst, size, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		 days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* clean_addr - a From/To value: cleaned, one printable ASCII address;
 * -1 when empty or when it could name more than one recipient */
static int clean_addr(char *dst, size_t size, const char *s)
{
	size_t n, i;

	if (!s)
		return -1;
	n = util_clean(dst, size, s, strnlen(s, size));
	if (n == 0 || strnlen(s, size) >= size)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)dst[i];

		if (c >= 0x80 || c == ',' || c == ';' || c == ':')
			return -1;
	}
	return 0;
}

/* is_plain - can s go into a header as it is: printable ASCII, nothing a
 * reader would take for an RFC 2047 encoded-word ("=?"), and no word too
 * long to fold? */
static int is_plain(const char *s)
{
	size_t word = 0;

	if (strstr(s, "=?"))
		return 0;
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7F)
			return 0;
		word = *s == ' ' ? 0 : word + 1;
		if (word > HEADER_LINE - 10)
			return 0;
	}
	return 1;
}

/* put_folded - "Name: value" of plain ASCII, folded at spaces */
static void put_folded(struct buf *b, const char *name, const char *v)
{
	size_t col = strlen(name) + 2;

	buf_printf(b, "%s:", name);
	while (*v) {
		const char *sp = strchr(v, ' ');
		size_t w = sp ? (size_t)(sp - v) : strlen(v);

		if (col > strlen(name) + 2 && col + 1 + w > HEADER_LINE) {
			buf_addc(b, '\n');
			col = 0;
		}
		buf_addc(b, ' ');
		buf_add(b, v, w);
		col += 1 + w;
		v += w;
		while (*v == ' ')
			v++;
	}
	buf_addc(b, '\n');
}

/* q_char - RFC 2047 Q form of one character (n bytes) into tok */
static size_t q_char(const unsigned char *s, size_t n, char *tok)
{
	size_t i, t = 0;

	if (n == 1 &&
	    ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
	     (s[0] >= '0' && s[0] <= '9') || strchr("!*+-/", s[0]))) {
		tok[0] = (char)s[0];
		return 1;
	}
	if (n == 1 && s[0] == ' ') {
		tok[0] = '_';
		return 1;
	}
	for (i = 0; i < n; i++) {
		tok[t++] = '=';
		tok[t++] = hexdigit(s[i] >> 4);
		tok[t++] = hexdigit(s[i]);
	}
	return t;
}

/* put_encoded - "Name: " + RFC 2047 Q encoded-words of sanitised UTF-8,
 * never splitting a character, each line at most 76 columns */
static void put_encoded(struct buf *b, const char *name, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t room = QP_LINE - strlen(name) - 2; /* first line */
	size_t used = 0, n;
	char tok[12];

	if (room > EW_MAX)
		room = EW_MAX;
	buf_printf(b, "%s: =?UTF-8?Q?", name);
	while (*p) {
		size_t t;

		n = util_utf8_len(p, strnlen((const char *)p, 4));
		if (n == 0)
			n = 1; /* cannot happen after sanitize() */
		t = q_char(p, n, tok);
		if (used && EW_OVERHEAD + used + t > room) {
			buf_puts(b, "?=\n =?UTF-8?Q?");
			used = 0;
			room = EW_MAX;
		}
		buf_add(b, tok, t);
		used += t;
		p += n;
	}
	buf_puts(b, "?=\n");
}

/* put_subject - the Subject header from untrusted-tainted UTF-8 text */
static void put_subject(struct buf *b, const char *subject)
{
	char line[MIME_SUBJECT_MAX];
	struct buf s;
	size_t n;

	n = util_clean(line, sizeof(line), subject ? subject : "",
		       subject ? strnlen(subject, 4 * sizeof(line)) : 0);
	buf_init(&s);
	sanitize(&s, line, n);
	if (s.err) {
		b->err = s.err;
	} else if (s.len == 0) {
		buf_puts(b, "Subject: [milter-delist]\n");
	} else if (is_plain(buf_str(&s))) {
		put_folded(b, "Subject", buf_str(&s));
	} else {
		put_encoded(b, "Subject", buf_str(&s));
	}
	buf_free(&s);
}

/* clean_filename - attachment name reduced to [A-Za-z0-9._-], no leading
 * dot, never empty */
static void clean_filename(char *dst, size_t size, const char *s)
{
	size_t i, n = 0;

	for (i = 0; s && s[i] && n + 1 < size; i++) {
		char c = s[i];
		int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			 (c >= 'A' && c <= 'Z') || c == '_' || c == '-' ||
			 (c == '.' && n > 0);
		dst[n++] = ok ? c : '-';
	}
	dst[n] = '\0';
	if (n == 0)
		util_strcpy(dst, size, "attachment.txt");
}

/* put_part - sanitised, quoted-printable text into b */
static void put_part(struct buf *b, const char *s, size_t len)
{
	struct buf tmp;

	buf_init(&tmp);
	sanitize(&tmp, s ? s : "", s ? len : 0);
	if (tmp.err)
		b->err = tmp.err;
	else
		qp_encode(b, buf_str(&tmp), tmp.len);
	buf_free(&tmp);
}

/* mime_compose - the whole alert message */
int mime_compose(struct buf *out, const struct mime_msg *m)
{
	char from[MIME_ADDR_MAX], to[MIME_ADDR_MAX], date[40];
	char host[256], rnd[33], boundary[64], name[80];
	struct buf body, att;
	time_t when = m->date ? m->date : time(NULL);
	size_t i, start = out->len;
	int rc = -1, tries;

	buf_init(&body);
	buf_init(&att);
	if (clean_addr(from, sizeof(from), m->from) < 0 ||
	    clean_addr(to, sizeof(to), m->to) < 0) {
		errno = EINVAL;
		goto out;
	}
	clean_filename(host, sizeof(host),
		       m->host && *m->host ? m->host : "localhost");
	for (i = 0; host[i]; i++)
		if (host[i] == '_')
			host[i] = '-';

	put_part(&body, m->body, m->body_len);
	if (m->att_name)
		put_part(&att, m->att_text, m->att_len);
	if (body.err || att.err) {
		errno = body.err ? body.err : att.err;
		goto out;
	}

	/* "=_" never occurs in quoted-printable text; the check below
	 * makes the boundary safe whatever the encoder does. */
	for (tries = 0;; tries++) {
		random_hex(rnd, 12);
		snprintf(boundary, sizeof(boundary), "=_milter-delist_%s", rnd);
		if (!strstr(buf_str(&body), boundary) &&
		    !strstr(buf_str(&att), boundary))
			break;
		if (tries == BOUNDARY_TRIES) {
			errno = EIO;
			goto out;
		}
	}

	mime_date(date, sizeof(date), when);
	buf_printf(out, "From: %s\nTo: %s\n", from, to);
	put_subject(out, m->subject);
	buf_printf(out, "Date: %s\n", date);
	random_hex(rnd, 8);
	buf_printf(out, "Message-ID: <%lld.%s.%ld@%s>\n", (long long)when, rnd,
		   (long)getpid(), host);
	buf_printf(out,
		   "Auto-Submitted: auto-generated\n%s: %s\n"
		   "MIME-Version: 1.0\n",
		   DSN_MARKER_HEADER, MIME_MARKER_VALUE);
	if (!m->att_name) {
		buf_puts(out,
			 "Content-Type: text/plain; charset=UTF-8\n"
			 "Content-Transfer-Encoding: quoted-printable\n\n");
		buf_add(out, buf_str(&body), body.len);
	} else {
		clean_filename(name, sizeof(name), m->att_name);
		buf_printf(
			out,
			"Content-Type: multipart/mixed;\n boundary=\"%s\"\n\n"
			"This is a MIME message: the text, then the "
			"request as an attachment.\n\n--%s\n"
			"Content-Type: text/plain; charset=UTF-8\n"
			"Content-Transfer-Encoding: quoted-printable\n\n",
			boundary, boundary);
		buf_add(out, buf_str(&body), body.len);
		buf_printf(out,
			   "\n--%s\nContent-Type: text/plain; charset=UTF-8;\n"
			   " name=\"%s\"\nContent-Disposition: attachment;\n"
			   " filename=\"%s\"\n"
			   "Content-Transfer-Encoding: quoted-printable\n\n",
			   boundary, name, name);
		buf_add(out, buf_str(&att), att.len);
		buf_printf(out, "\n--%s--\n", boundary);
	}
	if (out->err) {
		errno = out->err;
		goto out;
	}
	rc = 0;
out:
	if (rc < 0 && out->data && out->len > start) {
		out->len = start; /* no half message (err stays set) */
		out->data[start] = '\0';
	}
	buf_free(&body);
	buf_free(&att);
	return rc;
}
