/*
 * mime.h - compose milter-delist's alert mail (RFC 5322 + MIME)
 *
 * Pure module apart from the clock and the kernel's random bytes (for the
 * MIME boundary and the Message-ID).  The message is written with LF line
 * ends, for "sendmail -oi -t" on the local host.  The header set is fixed:
 * From, To, Subject, Date, Message-ID, Auto-Submitted, the marker header
 * DSN_MARKER_HEADER ("X-Milter-Delist: alert"), MIME-Version and
 * Content-Type.  No input can add a header, a recipient or a MIME part:
 *  - header values are stripped of control characters (CR, LF, NUL...),
 *    length-capped, and RFC 2047 encoded when not plain ASCII;
 *  - From and To must be one address each (',', ';', ':' or non-ASCII are
 *    refused with EINVAL rather than rewritten into something else);
 *  - part contents are sanitised (NUL and control characters dropped,
 *    invalid UTF-8 replaced by U+FFFD, CR LF normalised) and
 *    quoted-printable encoded, so no line is long and no content line can
 *    equal the boundary, which is random and checked against the output.
 */
#ifndef MILTER_DELIST_MIME_H
#define MILTER_DELIST_MIME_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define MIME_ADDR_MAX	  256 /* From, To */
#define MIME_SUBJECT_MAX  400 /* bytes of subject text kept */
#define MIME_MARKER_VALUE "alert"

struct mime_msg {
	const char *from;    /* one address, e.g. "milter-delist@example.org" */
	const char *to;	     /* one address */
	const char *subject; /* UTF-8 text; untrusted parts allowed */
	time_t date;	     /* Date: header; 0 = now */
	const char *host; /* right side of the Message-ID; NULL = localhost */
	const char *body; /* first part, text/plain UTF-8 */
	size_t body_len;
	const char *att_name; /* attachment file name; NULL = no attachment */
	const char *att_text; /* attachment, text/plain UTF-8 */
	size_t att_len;
};

/*
 * mime_compose - append the whole message to out
 *
 * With att_name set: multipart/mixed, part 1 the body, part 2 the
 * attachment (Content-Disposition: attachment; filename="..."; the name is
 * reduced to [A-Za-z0-9._-]).  Without: a single text/plain message.
 * Both parts are quoted-printable.  Returns 0, or -1 with errno: EINVAL
 * (missing or unusable From/To), ENOMEM/EMSGSIZE (out->err set); on
 * failure nothing of the message is left in out.
 */
int mime_compose(struct buf *out, const struct mime_msg *m);

/* mime_date - RFC 5322 date of t in UTC ("Tue, 07 May 2024 10:12:00
 * +0000") into dst (size >= 32), locale-independent */
void mime_date(char *dst, size_t size, time_t t);

#endif
