/*
 * runmail.h - run a program (sendmail, postmap, postqueue) without a shell,
 * a message (or nothing) on its stdin
 *
 * fork + execv, never a shell: argv[0] must be an absolute path and every
 * argument reaches the program as it is.  The child gets fds 0, 1 and 2
 * only (stdin the message, stdout and stderr captured), an empty signal
 * mask and default signal dispositions, and its own process group, which
 * is killed (SIGTERM, then SIGKILL after 2 s) when the timeout expires.
 * The child is always reaped.
 *
 * The message reaches the child as an anonymous file (memfd_create, or an
 * unlinked O_TMPFILE), not a pipe: nothing is written while the child
 * runs, so no SIGPIPE can arise, and if the caller dies meanwhile the
 * child still reads the whole message (never half an alert).  Whether it
 * read all of it is told by the file offset the two share.
 *
 * Safe to call from any thread: no static buffers, no global state.  The
 * caller must not set SIGCHLD to SIG_IGN (the exit status would be lost:
 * reported as failure).
 */
#ifndef MILTER_DELIST_RUNMAIL_H
#define MILTER_DELIST_RUNMAIL_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

/*
 * run_sendmail - run argv with msg (len bytes) on its stdin
 *
 * timeout: seconds for the whole run (0 means 60).  Returns 0 when the
 * program read the whole message and exited 0; -1 otherwise, with a
 * one-line reason in err (errlen bytes, may be 0): "exit 75: <first line
 * of stderr>", "killed by signal 9", "timed out after 60 s", "exec
 * /usr/sbin/sendmail: No such file or directory", "argv[0] is not an
 * absolute path", "exit 0 but read only 10 of 200 bytes".
 */
int run_sendmail(char *const argv[], const char *msg, size_t len,
		 time_t timeout, char *err, size_t errlen);

/*
 * run_sendmail_marked - run_sendmail(), leaving a crash record when
 * marker is not NULL: the file pending is created before the fork and
 * the child renames it to marker just before it executes the program.  A
 * caller that dies meanwhile tells after a restart whether sendmail was
 * started (marker exists: the orphaned child goes on without its parent)
 * or not; it first removes pending, so that an orphan that has not
 * renamed it yet cannot (the rename fails and it exits without running
 * the program) and the restarted caller sends the mail exactly once.
 */
int run_sendmail_marked(char *const argv[], const char *msg, size_t len,
			time_t timeout, const char *pending, const char *marker,
			char *err, size_t errlen);

/*
 * run_program - run argv with an empty stdin: run_sendmail() without a
 * message, for commands such as postmap or postqueue -f.  Same timeout,
 * kill, reaping and error reporting ("exit 1: <first line of stderr>").
 */
int run_program(char *const argv[], time_t timeout, char *err, size_t errlen);

/*
 * run_output - run_program(), and the first max bytes of its standard
 * output appended to out (*cut, may be NULL, set when there was more),
 * e.g. for postqueue -j.  0, or -1 with the reason in err.
 */
int run_output(char *const argv[], time_t timeout, struct buf *out, size_t max,
	       int *cut, char *err, size_t errlen);

#endif
