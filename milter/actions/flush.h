/*
 * flush.h - release the queue when an incident clears: ask the MTA to
 * retry its deferred mail now (postqueue -f), so held mail leaves at once
 * rather than at the next queue run
 *
 * The command is an argv (no shell), run with run_program(): empty
 * stdin, time limit, killed and reaped on timeout.  Safe from any thread.
 */
#ifndef MILTER_DELIST_FLUSH_H
#define MILTER_DELIST_FLUSH_H

#include <stdint.h>
#include <time.h>

#include "buf.h"

#define FLUSH_ARGS_MAX 16

/* The default command: Postfix's queue flush. */
#define FLUSH_DEFAULT_COMMAND "/usr/sbin/postqueue -f"

struct flush_result {
	int ok;		 /* 1: the command exited 0 */
	char why[512];	 /* else: "exit 1: postqueue: fatal: ..." */
	char argv0[256]; /* the program run */
};

/*
 * flush_run - run argv (argv[0] absolute, NULL-terminated, at most
 * FLUSH_ARGS_MAX entries) with a timeout (s, 0 = 60); fills res; returns
 * 0 when it exited 0, else -1.
 */
int flush_run(char *const argv[], time_t timeout, struct flush_result *res);

/*
 * flush_split - split a command line at spaces and tabs into argv (no
 * quoting, no shell: words as written) in words (at most max-1 words,
 * NULL-terminated), modifying line.  The number of words, or -1 when
 * there are none, too many, or the first is not an absolute path.
 */
int flush_split(char *line, char **words, int max);

/*
 * flush_event - "event=flush ip= provider= result=ok|failed command=
 * reason= incident=" (event.c's quoting)
 */
void flush_event(struct buf *b, const struct flush_result *res, const char *ip,
		 const char *provider, uint64_t incident);

#endif
