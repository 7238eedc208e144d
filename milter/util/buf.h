/*
 * buf.h - a growable string builder for rendered text
 *
 * The buffer is always NUL-terminated once anything was added (buf_str()
 * returns "" before that).  An allocation failure does not crash and does
 * not need checking at every call: it sets the sticky err flag, later
 * additions are ignored, and the caller checks buf->err once at the end.
 * A buffer may be capped (max > 0): text past the cap is dropped and sets
 * err to EMSGSIZE, so hostile input cannot make it grow without bound.
 */
#ifndef MILTER_DELIST_BUF_H
#define MILTER_DELIST_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated; NULL until something is added */
	size_t len; /* bytes used, without the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* 0 = no cap; else len never exceeds max */
	int err;    /* 0, or the first errno (ENOMEM, EMSGSIZE): sticky */
};

/* buf_init - empty buffer without a cap; no allocation */
void buf_init(struct buf *b);

/* buf_free - release the memory; the buffer is empty again (err cleared) */
void buf_free(struct buf *b);

/* buf_reset - empty the buffer, keep its memory and cap, clear err */
void buf_reset(struct buf *b);

/* buf_add - append len bytes (any bytes, NUL included); 0 or -1 (err set) */
int buf_add(struct buf *b, const char *s, size_t len);

/* buf_puts - append a NUL-terminated string (NULL appends nothing) */
int buf_puts(struct buf *b, const char *s);

/* buf_addc - append one byte */
int buf_addc(struct buf *b, char c);

/* buf_printf - append formatted text; 0 or -1 (err set) */
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* buf_vprintf - buf_printf with a va_list */
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * buf_wrapf - append formatted prose, word-wrapped at width columns: each
 * '\n'-separated line is wrapped at spaces (runs of spaces collapse); its
 * continuation lines are indented like the line, plus the width of a list
 * marker ("[ ] ", "- ", "12. ") that starts it.  Words longer than width
 * are not broken.  Columns are counted in bytes.
 */
int buf_wrapf(struct buf *b, size_t width, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* buf_str - the text so far ("" when empty); valid until the next change */
const char *buf_str(const struct buf *b);

#endif
