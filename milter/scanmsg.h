/*
 * scanmsg.h - what a file is (log, message, mbox, journal) and the
 * message files of a directory parsed by several threads for --scan
 *
 * Worker threads read and parse the message files of a directory (a
 * maildir's new/ and cur/) ahead of the caller, who parses too and takes
 * the parsed messages in name order, in its own thread: the output of
 * --scan does not depend on the number of threads.  A fixed number of files is
 * in flight.
 */
#ifndef MILTER_DELIST_SCANMSG_H
#define MILTER_DELIST_SCANMSG_H

#include <stddef.h>
#include <time.h>

#include "dsn.h"
#include "finding.h"
#include "scanlog.h"

/* The first bytes of a systemd journal file. */
#define SCANMSG_JOURNAL_MAGIC "LPKSHHRH"

/* The bytes read before a file's kind is decided, at least. */
#define SCANMSG_PROBE 4096

enum scanmsg_kind {
	SCANMSG_LOG,	 /* a mail log (or anything that is not mail) */
	SCANMSG_MESSAGE, /* one message */
	SCANMSG_MBOX,	 /* messages after "From " lines */
	SCANMSG_JOURNAL	 /* a systemd journal file */
};

/*
 * scanmsg_kind - what the file whose first n bytes are at p is; p[n] must
 * be writable (a NUL is put there).  A log is told by the time stamps
 * that start at least half of its first lines.
 */
enum scanmsg_kind scanmsg_kind(char *p, size_t n);

/* scanmsg_path - "path/name" into sub (size bytes); 0 or -1 if too long */
int scanmsg_path(char *sub, size_t size, const char *path, const char *name);

/*
 * scanmsg_list - the entries of directory path but "." and "..", sorted
 * by name, each a malloc'd name with its d_type kept after the NUL, into
 * *names (the caller frees each and the array) and *n.  0, or -1 with
 * errno when the directory cannot be opened.  Entries that do not fit in
 * memory are left out.
 */
int scanmsg_list(const char *path, char ***names, size_t *n);

/* scanmsg_type - the d_type of a name made by scanmsg_list() (it is kept
 * after the name's NUL) */
unsigned char scanmsg_type(const char *name);

/* scanmsg_mbox_fn - one message of an mbox: its parser, fed and not
 * finished (the callee finishes and frees it), or NULL when no parser
 * could be had for it; returns 0 to go on, else the reading stops */
typedef int scanmsg_mbox_fn(void *arg, struct dsn *d);

/*
 * scanmsg_mbox - the messages of the mbox that l reads, each handed to fn
 * in order: a message starts at a "From " line that follows a blank line
 * (or starts the file) and its lines are fed to a parser of max_bytes with
 * LF endings.  0 at the end, 1 when fn stopped it, -1 on a read error (the
 * messages before it were handed on, the one being read too).
 */
int scanmsg_mbox(struct scanlog_lines *l, size_t max_bytes, scanmsg_mbox_fn *fn,
		 void *arg);

/* The messages of an mbox a worker parses ahead: at most this many
 * parsers per entry are in flight; an mbox with more is read by the
 * caller, a message at a time (memory stays bounded). */
#define SCANMSG_MBOX_MAX 4

/* A message parsed by a worker. */
struct scanmsg_msg {
	struct dsn *d;	   /* the parser, after dsn_finish() */
	size_t n;	   /* its record count */
	time_t when;	   /* the file's mtime (or now) */
	struct finding *f; /* finding_from_dsn() of each record that gave
			      one (f->text points into d), for a bounce
			      (n > 0, not a complaint, not our alert) */
	size_t nf;
	struct scanmsg_msg *next; /* the next message of an mbox, or NULL */
};

/*
 * A file of the directory, in name order.  m: the parsed message, or the
 * first message of an mbox, the others following m->next (the callee may
 * keep nothing of them: they are freed after the call); m == NULL: the
 * file was not read here (not a regular file, not a message or an mbox,
 * unreadable, out of memory): the callee reads it itself, unless journal
 * is set: the file is a journal file (it starts with the magic).
 */
typedef void scanmsg_fn(void *arg, size_t i, const struct scanmsg_msg *m,
			int journal);

/*
 * scanmsg_dir - the n entries names[] of directory path (NULL entries
 * are skipped), parsed by workers threads (2 or more, the caller's among
 * them: it parses a batch whenever the next one it must hand on is not
 * ready; 0 or 1: in the caller's thread alone, the same reads) with dsn
 * parsers of max_bytes; fn is called for each non-NULL entry, in order,
 * in the caller's thread.  Returns 0, or -1 when the buffers could not
 * be had (nothing was called: the caller walks the entries itself).
 */
int scanmsg_dir(const char *path, char **names, size_t n, unsigned int workers,
		size_t max_bytes, time_t now, scanmsg_fn *fn, void *arg);

#endif
