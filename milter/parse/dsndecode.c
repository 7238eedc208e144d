/*
 * dsndecode.c - streaming quoted-printable and base64 decoding for the dsn
 * parser
 *
 * Raw body lines go in one at a time; decoded lines come out through the
 * emit callback.  Quoted-printable soft line breaks join lines, so a token
 * or a host name split by "=\n" arrives whole; base64 keeps its partial
 * quantum between lines.  The decoded text is split again at CRLF, LF or a
 * lone CR.  Memory: one line buffer; longer decoded lines are cut and
 * flagged.
 */
#include <string.h>

#include "dsnpriv.h"

/* put - one decoded byte into the line splitter */
static void put(struct dsn_decode *dc, unsigned char c)
{
	if (dc->cr) {
		dc->cr = 0;
		if (c == '\n')
			return;
	}
	if (c == '\r' || c == '\n') {
		dc->emit(dc->ctx, dc->buf, dc->len, dc->cut);
		dc->len = 0;
		dc->cut = 0;
		dc->cr = c == '\r';
		return;
	}
	if (dc->len < sizeof(dc->buf))
		dc->buf[dc->len++] = (char)c;
	else
		dc->cut = 1;
}

/* put_run - n bytes without CR or LF into the line splitter: what n calls
 * of put() do, in one copy */
static void put_run(struct dsn_decode *dc, const char *s, size_t n)
{
	size_t room = sizeof(dc->buf) - dc->len;

	if (n == 0)
		return;
	dc->cr = 0; /* the first byte is no LF: a pending CR stands alone */
	if (n > room) {
		n = room;
		dc->cut = 1;
	}
	memcpy(dc->buf + dc->len, s, n);
	dc->len += n;
}

/* hexval - value of a hex digit, -1 if it is none */
static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* b64val - value of a base64 character, -1 if it is none */
static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* qp_line - decode one quoted-printable line (a raw line: no CR or LF in
 * it, so the bytes between escapes go to the splitter whole) */
static void qp_line(struct dsn_decode *dc, const char *s, size_t n)
{
	const char *eq;
	size_t i, run;
	int soft = 0;

	/* Trailing white space is transport padding (RFC 2045 6.7). */
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > 0 && s[n - 1] == '=') {
		soft = 1;
		n--;
	}
	for (i = 0; i < n; i++) {
		int hi, lo;

		eq = memchr(s + i, '=', n - i);
		run = eq ? (size_t)(eq - s) - i : n - i;
		put_run(dc, s + i, run);
		i += run;
		if (i == n)
			break;
		hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
		lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
		if (hi >= 0 && lo >= 0) {
			put(dc, (unsigned char)(hi * 16 + lo));
			i += 2;
			continue;
		}
		put(dc, '=');
	}
	if (!soft)
		put(dc, '\n');
}

/* b64_line - decode one base64 line, keeping a partial quantum */
static void b64_line(struct dsn_decode *dc, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);

		if (s[i] == '=') {
			/* padding ends the quantum */
			dc->acc = 0;
			dc->bits = 0;
			continue;
		}
		if (v < 0)
			continue;
		dc->acc = ((dc->acc << 6) | (unsigned int)v) & 0xFFFFFF;
		dc->bits += 6;
		if (dc->bits >= 8) {
			dc->bits -= 8;
			put(dc, (unsigned char)((dc->acc >> dc->bits) & 0xFF));
		}
	}
}

/* dsn_decode_start - begin a part body with encoding enc */
void dsn_decode_start(struct dsn_decode *dc, int enc, dsn_line_fn *emit,
		      void *ctx)
{
	dc->enc = enc;
	dc->acc = 0;
	dc->bits = 0;
	dc->cr = 0;
	dc->cut = 0;
	dc->len = 0;
	dc->emit = emit;
	dc->ctx = ctx;
}

/* dsn_decode_line - decode one raw line (without its line terminator) */
void dsn_decode_line(struct dsn_decode *dc, const char *line, size_t len)
{
	switch (dc->enc) {
	case DSN_ENC_QP:
		qp_line(dc, line, len);
		break;
	case DSN_ENC_B64:
		b64_line(dc, line, len);
		break;
	default:
		/* identity: the raw line is the decoded line */
		dc->emit(dc->ctx, line, len, 0);
		break;
	}
}

/* dsn_decode_end - end of the part: flush a last unterminated line */
void dsn_decode_end(struct dsn_decode *dc)
{
	if (dc->len > 0 || dc->cut)
		dc->emit(dc->ctx, dc->buf, dc->len, dc->cut);
	dc->len = 0;
	dc->cut = 0;
	dc->cr = 0;
	dc->acc = 0;
	dc->bits = 0;
}
