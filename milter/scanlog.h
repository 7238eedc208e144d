/*
 * scanlog.h - a large mail log read by several threads for --scan
 *
 * The file is read in blocks cut at line boundaries; worker threads parse
 * the blocks (maillog_parse(), finding_from_log()) and the caller gets the
 * findings back in file order, in its own thread, with the line numbers
 * the single-threaded reader gives: the output of --scan does not depend
 * on the number of threads.  Memory is bounded: a fixed number of blocks
 * is in flight.
 */
#ifndef MILTER_DELIST_SCANLOG_H
#define MILTER_DELIST_SCANLOG_H

#include <stddef.h>
#include <time.h>

#include "finding.h"

/* The longest log line kept; a longer one is cut there and counted as
 * malformed (the rest of it is skipped).  Blocks are at least this long
 * plus one byte. */
#define SCANLOG_LINE_MAX (64u << 10)

/* The default block size. */
#define SCANLOG_BLOCK (1u << 20)

/* The read buffer of a scanlog_lines reader: SCANLOG_READ_SIZE + 1. */
#define SCANLOG_READ_SIZE (1u << 20)

/* A line reader over a file descriptor with a fixed buffer. */
struct scanlog_lines {
	int fd;
	char *buf;
	size_t start, end; /* unread bytes are buf[start..end) */
	int eof;
	int skip; /* drop bytes up to the next LF first */
};

/* scanlog_fill - move the unread bytes to the front and read more; 0, or
 * -1 on a read error (eof is set at the end of the file) */
int scanlog_fill(struct scanlog_lines *l);

/*
 * scanlog_next - the next line (without its LF) into *p and *len; *cut is
 * set when the line was longer than SCANLOG_LINE_MAX (the head is
 * returned, the rest skipped).  Returns 1, 0 at the end, -1 on a read
 * error.  (The single-threaded reader, whose lines scanlog_file() cuts
 * the same way.)
 */
int scanlog_next(struct scanlog_lines *l, const char **p, size_t *len,
		 int *cut);

/* What a scan of one file counted. */
struct scanlog_counts {
	unsigned long lines;	 /* lines read (a cut line is one) */
	unsigned long records;	 /* delivery records among them */
	unsigned long malformed; /* cut lines, malformed records */
};

/* A finding of line lineno (1-based); f->text points into a buffer that
 * lives until the function returns. */
typedef void scanlog_fn(void *arg, struct finding *f, unsigned long lineno);

/*
 * scanlog_file - read the log on fd to its end: head (head_len bytes) are
 * its first bytes, already read by the caller; fd is read from there on.
 * workers: threads that parse (0 or 1: none, the caller's thread parses
 * each block itself); block: the block size (SCANLOG_BLOCK; raised to
 * SCANLOG_LINE_MAX + 1 when smaller); now: maillog_parse()'s reference
 * time.  fn is called for every line for which finding_from_log() returns
 * 1, in file order, in the caller's thread; c gets the counts (also after
 * an error: what was read before it).  Returns 0, or -1 with errno set
 * (a read error, or ENOMEM): the findings before the failure were given.
 */
int scanlog_file(int fd, const char *head, size_t head_len,
		 unsigned int workers, size_t block, time_t now, scanlog_fn *fn,
		 void *arg, struct scanlog_counts *c);

#endif
