/*
 * buf.c - a growable string builder with a sticky error flag
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* buf_init - empty, uncapped, nothing allocated */
void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = 0;
	b->err = 0;
}

/* buf_free - release memory */
void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = 0;
}

/* buf_reset - keep the allocation, drop the content */
void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* buf_grow - make room for need more bytes plus the NUL */
static int buf_grow(struct buf *b, size_t need)
{
	size_t want, cap;
	char *p;

	if (b->err)
		return -1;
	if (b->max && (need > b->max || b->len > b->max - need)) {
		b->err = EMSGSIZE;
		return -1;
	}
	if (need > (size_t)-1 - b->len - 1) {
		b->err = ENOMEM;
		return -1;
	}
	want = b->len + need + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > (size_t)-1 / 2 ? want : cap * 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->err = ENOMEM;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

/* buf_add - append bytes */
int buf_add(struct buf *b, const char *s, size_t len)
{
	if (buf_grow(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* buf_puts - append a string */
int buf_puts(struct buf *b, const char *s)
{
	return buf_add(b, s ? s : "", s ? strlen(s) : 0);
}

/* buf_addc - append a byte; room for it and the NUL is the usual case */
int buf_addc(struct buf *b, char c)
{
	if (!b->err && b->len + 2 <= b->cap && (!b->max || b->len < b->max)) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_add(b, &c, 1);
}

/* buf_vprintf - append formatted text */
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (b->err)
		return -1;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->err = EINVAL;
		return -1;
	}
	if (buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

/* buf_printf - append formatted text */
int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

/* marker_len - width of a list marker starting s: "[ ] ", "- ", "12. " */
static size_t marker_len(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 4 && memcmp(s, "[ ] ", 4) == 0)
		return 4;
	if (len >= 2 && memcmp(s, "- ", 2) == 0)
		return 2;
	while (i < len && i < 3 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i > 0 && i + 1 < len && s[i] == '.' && s[i + 1] == ' ')
		return i + 2;
	return 0;
}

/* wrap_line - one line (no '\n') wrapped at width, without the line end */
static void wrap_line(struct buf *b, const char *s, size_t len, size_t width)
{
	size_t lead = 0, hang, col, i, j, k;
	int first = 1;

	while (lead < len && s[lead] == ' ')
		lead++;
	hang = lead + marker_len(s + lead, len - lead);
	buf_add(b, s, lead);
	col = lead;
	for (i = lead; i < len; i = j) {
		for (j = i; j < len && s[j] != ' '; j++)
			;
		if (!first && col + 1 + (j - i) > width) {
			buf_addc(b, '\n');
			for (k = 0; k < hang; k++)
				buf_addc(b, ' ');
			col = hang;
		} else if (!first) {
			buf_addc(b, ' ');
			col++;
		}
		buf_add(b, s + i, j - i);
		col += j - i;
		first = 0;
		while (j < len && s[j] == ' ')
			j++;
	}
}

/* buf_wrapf - append formatted text, word-wrapped */
int buf_wrapf(struct buf *b, size_t width, const char *fmt, ...)
{
	struct buf tmp;
	const char *p, *end, *nl;
	va_list ap;

	buf_init(&tmp);
	va_start(ap, fmt);
	buf_vprintf(&tmp, fmt, ap);
	va_end(ap);
	if (tmp.err) {
		if (!b->err)
			b->err = tmp.err;
		buf_free(&tmp);
		return -1;
	}
	p = buf_str(&tmp);
	end = p + tmp.len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		wrap_line(b, p, (size_t)((nl ? nl : end) - p), width);
		if (!nl)
			break;
		buf_addc(b, '\n');
		p = nl + 1;
	}
	buf_free(&tmp);
	return b->err ? -1 : 0;
}

/* buf_str - current text */
const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}
