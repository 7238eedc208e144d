/*
 * dsnpriv.h - internals of the dsn module, shared by dsn.c (driver, MIME,
 * delivery-status fields, records), dsndecode.c (quoted-printable and
 * base64) and dsntext.c (the human-readable NDR layouts).
 *
 * Not part of the contract: other modules include dsn.h only.
 */
#ifndef MILTER_DELIST_DSNPRIV_H
#define MILTER_DELIST_DSNPRIV_H

#include <stddef.h>
#include <stdint.h>

#include "dsn.h"
#include "util.h"

#define DSN_LINE_MAX	 8192 /* raw and decoded line buffers */
#define DSN_FIELD_MAX	 3072 /* one unfolded header, field or NDR entry */
#define DSN_DEPTH_MAX	 8    /* nested multiparts followed */
#define DSN_BOUNDARY_MAX 128  /* RFC 2046 allows 70 */
#define DSN_CTYPE_MAX	 64

enum dsn_enc { DSN_ENC_NONE, DSN_ENC_QP, DSN_ENC_B64 };

/* Where a record's facts came from: the status part outranks the text. */
enum dsn_src { DSN_SRC_TEXT, DSN_SRC_STATUS };

/* Default action of a human-readable layout. */
enum dsn_act { DSN_ACT_NONE, DSN_ACT_FAILED, DSN_ACT_DELAYED };

/* A bounded text accumulator; s is always NUL-terminated. */
struct dsn_buf {
	size_t len;
	int cut; /* something did not fit */
	char s[DSN_FIELD_MAX];
};

/* Receives one decoded line (no terminator); cut: the line was longer. */
typedef void dsn_line_fn(void *ctx, const char *line, size_t len, int cut);

/* Streaming content-transfer decoder feeding a line splitter. */
struct dsn_decode {
	int enc;
	unsigned int acc; /* base64 bits not yet output */
	int bits;
	int cr; /* the last decoded byte was CR */
	int cut;
	size_t len;
	dsn_line_fn *emit;
	void *ctx;
	char buf[DSN_LINE_MAX];
};

/* One entry of a human-readable NDR being assembled. */
struct dsn_entry {
	int open;	/* an entry exists */
	int collecting; /* following lines still belong to it */
	int indent;	/* indentation of its recipient line */
	int first_text; /* text followed the address on that line */
	int reply;  /* how lines join the explicit reply (enum in dsntext.c) */
	int quoted; /* the reply started with a quote: strip the last one */
	char rcpt[DSN_ADDR_MAX];
	char remote[DSN_ADDR_MAX];
	struct dsn_buf diag; /* explicit reply text */
	struct dsn_buf text; /* free text of the entry */
};

/* State of the human-readable parser (one per message). */
struct dsn_human {
	int layout; /* DSN_L_* bits seen in this message */
	int action; /* enum dsn_act */
	int mode;   /* section of the current part (enum in dsntext.c) */
	int done;   /* the copy of the original message started */
	struct dsn_entry e;
	/* Sendmail: the recipient list and the session transcript */
	int nlist;
	char list1[DSN_ADDR_MAX];
	char host[DSN_ADDR_MAX];
	char tr_rcpt[DSN_ADDR_MAX];
	int assigned;	     /* this "while talking to" section gave a record */
	int pmulti;	     /* the last "<<<" line was "NNN-" (more follows) */
	struct dsn_buf pend; /* the remote's last reply */
};

/* One MIME nesting level. */
struct dsn_level {
	size_t blen;
	int digest; /* multipart/digest: parts default to message/rfc822 */
	char boundary[DSN_BOUNDARY_MAX];
};

/* A record and where its facts came from. */
struct dsn_rec {
	struct dsn_record r;
	int src_action, src_status, src_remote, src_diag; /* enum dsn_src */
	int text_only;		  /* no status part named this recipient */
	char alias[DSN_ADDR_MAX]; /* X-Actual-Recipient: Sendmail's text names
				     it */
};

struct dsn {
	size_t max_bytes;
	int finished;
	struct dsn_info info;
	struct dsn_rec *recs;
	size_t nrecs, caprecs;
	int saw_status;	 /* a delivery-status part was read */
	int daemon_from; /* From: MAILER-DAEMON, postmaster or <> */
	int jmrp;	 /* an enclosed message looks like a JMRP report */

	/* raw line splitter */
	int cr;
	int lcut;
	size_t llen; /* the pending raw line: line[0..llen) */

	/* MIME structure */
	int state; /* in headers or in a body */
	int toplevel;
	int kind; /* what the current body is (enum in dsn.c) */
	int depth;
	struct dsn_level stack[DSN_DEPTH_MAX];
	struct dsn_buf hdr; /* the header field being unfolded */
	char ctype[DSN_CTYPE_MAX];
	char boundary[DSN_BOUNDARY_MAX];
	size_t blen;
	int blong; /* boundary parameter too long to follow */
	int report;
	int enc;

	/* delivery-status part */
	struct dsn_buf fld;
	struct dsn_record st;
	char st_orig[DSN_ADDR_MAX];
	char st_actual[DSN_ADDR_MAX];

	struct dsn_human h;

	/* Last, the two line buffers: only their first len bytes are ever
	 * read, so dsn_new() leaves them as malloc() gives them (16 KiB of
	 * the parser that need no clearing). */
	struct dsn_decode dec; /* its buf is its last member */
	char line[DSN_LINE_MAX];
};

/* The bytes of a struct dsn that dsn_new() clears. */
#define DSN_CLEARED offsetof(struct dsn, dec.buf)

/* dsnrec.c */
void dsn_finish_records(struct dsn *d);
void dsn_buf_reset(struct dsn_buf *b);
void dsn_buf_put(struct dsn_buf *b, const char *s, size_t n);
void dsn_buf_set(struct dsn_buf *b, const char *s, size_t n);
void dsn_add(struct dsn *d, int src, const char *rcpt, const char *alias,
	     const char *action, const char *status, const char *remote,
	     const char *diag, size_t dlen, int dcut);
int dsn_reply_like(const char *s, size_t n);
size_t dsn_status_scan(const char *s, size_t n);
size_t dsn_addr_scan(const char *s, size_t n, size_t *a, size_t *alen);
void dsn_copy_trim(char *dst, size_t size, const char *s, size_t n);
const char *dsn_find(const char *hay, size_t hlen, const char *needle,
		     size_t nlen);

/* A set of up to DSN_MULTI_MAX case-insensitive (ASCII) phrases of at
 * least two bytes each, searched in one pass over a line. */
#define DSN_MULTI_MAX 32

struct dsn_phrase {
	const char *s;
	size_t len;
};

struct dsn_multi {
	size_t n;
	const struct dsn_phrase *p;
	size_t m;		   /* the shortest phrase's length */
	unsigned char shift[1024]; /* by two bytes, folded: a safe skip */
	uint32_t ends[1024];	   /* phrases whose m-th bytes are those two */
};

void dsn_multi_init(struct dsn_multi *m, const struct dsn_phrase *p, size_t n);
uint32_t dsn_multi_scan(const struct dsn_multi *m, const char *s, size_t n,
			const char **at);

/* layout bits (dsn_human.layout) */
enum {
	L_POSTFIX = 1 << 0,
	L_SENDMAIL = 1 << 1,
	L_QMAIL = 1 << 2,
	L_EXIM = 1 << 3,
	L_EXCHANGE = 1 << 4,
	L_OTHER = 1 << 5,
	L_FREETEXT = 1 << 6, /* text under a recipient is the error itself */
};

/* section of the current text part (dsn_human.mode) */
enum { M_NONE, M_SM_LIST, M_SM_TRANS, M_EXCH_ADMIN };

/* A line that names the layout (dsnmark.c); where: enum in dsnmark.c. */
struct dsn_marker {
	const char *text;
	size_t len;
	int where;
	int layout;
	int action; /* enum dsn_act, 0: unchanged */
	int mode;   /* -1: unchanged */
};

/* Phrases the text part looks for anywhere in a line (dsnmark.c). */
enum {
	P_RETURNED,   /* Exchange: "Remote Server returned '" */
	P_REMOTE_SRV, /* ... before it */
	P_SERVER_AT,  /* ... or this */
	P_GMAIL,      /* Gmail's introducer, DSN_GMAIL */
	P_EXIM,	      /* Exim: the reply follows */
	P_DID_NOT,    /* DragonFly */
	P_GAVE,
	P_Q_RCPT, /* qmail: the remote host */
	P_Q_FAILED,
	P_Q_SENDER,
	P_FIXED,	     /* the ANYWHERE markers' phrases follow */
	P_MAX = P_FIXED + 4, /* room for them */
};

#define DSN_GMAIL "The error that the other server returned was:"

/* One trimmed text line and, once asked for, where each phrase occurs. */
struct dsn_line {
	const char *s;
	size_t n;
	int scanned;
	const char *at[P_MAX];
};

/* dsn_prefix - case-insensitive: does s (n bytes) start with p (pl)? */
static inline int dsn_prefix(const char *s, size_t n, const char *p, size_t pl)
{
	size_t i;

	if (pl > n)
		return 0;
	for (i = 0; i < pl; i++)
		if (util_lower((unsigned char)s[i]) !=
		    util_lower((unsigned char)p[i]))
			return 0;
	return 1;
}

/* dsnmark.c */
void dsn_line_init(struct dsn_line *l, const char *s, size_t n);
const char *dsn_phrase_at(struct dsn_line *l, size_t k);
int dsn_phrase_before(struct dsn_line *l, size_t k, const char *end);
int dsn_stop_line(const char *s, size_t n);
const struct dsn_marker *dsn_marker(struct dsn_line *l);

/* dsndecode.c */
void dsn_decode_start(struct dsn_decode *dc, int enc, dsn_line_fn *emit,
		      void *ctx);
void dsn_decode_line(struct dsn_decode *dc, const char *line, size_t len);
void dsn_decode_end(struct dsn_decode *dc);

/* dsntext.c */
void dsn_text_begin(struct dsn *d);
void dsn_text_line(struct dsn *d, const char *line, size_t len);
void dsn_text_end(struct dsn *d);

#endif
