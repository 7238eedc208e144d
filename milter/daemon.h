/*
 * daemon.h - process set-up: detaching, the pidfile, the milter socket,
 * dropping privileges and the reload signal
 */
#ifndef MILTER_DELIST_DAEMON_H
#define MILTER_DELIST_DAEMON_H

#include <signal.h>
#include <sys/types.h>

/* daemon_block_signals - block USR1, HUP, TERM and INT in the calling
 * thread (call in main before any thread exists, so every thread inherits
 * the mask and the signals are taken only by sigwait()); ignore SIGPIPE */
void daemon_block_signals(void);

/* daemon_tune_malloc - keep the heap near what is in use: large blocks
 * (the state's snapshots) in their own mappings, free memory at the top
 * of the heap given back (glibc; nothing elsewhere).  Call before any
 * thread starts. */
void daemon_tune_malloc(void);

/* daemon_detach - fork into the background, new session, cwd "/", stdio
 * on /dev/null.  Returns 0 in the child, exits in the parent. */
int daemon_detach(void);

/* daemon_socket_path - the file system path of a local:/unix: socket
 * specification (or a bare path), or NULL for inet sockets */
const char *daemon_socket_path(const char *spec);

/*
 * daemon_prepare_socket - before libmilter creates the socket: make its
 * directory if missing (owned by uid/gid when not -1), and remove a stale
 * socket only when nobody answers on it.  Returns 0, or -1 with a message
 * in err (a live milter is listening, or the path is not a socket).
 */
int daemon_prepare_socket(const char *spec, uid_t uid, gid_t gid, char *err,
			  size_t errlen);

/* daemon_own_socket - chown/chmod the socket file to owner ("user" or
 * "user:group", "" keeps it) and mode; no-op for inet sockets */
int daemon_own_socket(const char *spec, const char *owner, unsigned mode,
		      char *err, size_t errlen);

/* daemon_make_parent - mkdir -p the parent directory of path (0750 for
 * new directories), owned by uid/gid when not -1 */
int daemon_make_parent(const char *path, uid_t uid, gid_t gid);

/* daemon_write_pidfile - write our pid to path (0644); 0 or -1/errno */
int daemon_write_pidfile(const char *path);

/* daemon_lookup_user - uid, gid of user name; 0 or -1 if unknown */
int daemon_lookup_user(const char *user, uid_t *uid, gid_t *gid);

/* daemon_drop_privileges - initgroups/setgid/setuid to user; 0 or -1 */
int daemon_drop_privileges(const char *user, char *err, size_t errlen);

/*
 * daemon_start_reload_thread - a thread that sigwait()s for SIGUSR1 and
 * calls reload() for each, and for SIGUSR2 and calls usr2() (may be NULL)
 * (never from signal context).  The stop signals (HUP, TERM, INT) are
 * left to libmilter's own signal thread.
 */
int daemon_start_reload_thread(void (*reload)(void), void (*usr2)(void));

/* What the daemon must be able to use once it runs as its user. */
struct daemon_paths {
	const char *state_file; /* its directory holds the pending markers */
	const char *pidfile;	/* "" for none */
	const char *socket;	/* the socket specification */
	char *const *maillogs;	/* the followed logs (paths, journals) */
	size_t n_maillogs;
	const char *user;	/* whom we run as, for the messages */
};

/*
 * daemon_own_dir - as root, before dropping privileges: when the directory
 * of file (the state file, the socket) belongs to another user than uid
 * (not root) and holds nothing but file and its "file.*" companions (what
 * a start with another -u USER leaves), give the directory and those
 * files to uid:gid and say so in an event=warning line.  Returns 1 when
 * it changed them, 0 when there was nothing to do or it is not ours to
 * change (daemon_check_writable() then says what to do), -1 on an error.
 */
int daemon_own_dir(const char *file, uid_t uid, gid_t gid);

/*
 * daemon_check_writable - after dropping privileges, as the user the
 * daemon runs as: the state directory and every state file in it must be
 * writable (else alerts and saves would fail while the follower skips
 * ahead), every followed log and journal readable: then 0, or EX_CANTCREAT / EX_NOPERM
 * with a message naming the path, its owner and mode, and the fix in err.
 * What only degrades (the pidfile or socket left behind at stop, a log
 * or journal directory that does not exist yet, no journald writing the
 * local journal) is an event=warning line: the source is retried.
 */
int daemon_check_writable(const struct daemon_paths *p, char *err,
			  size_t errlen);

/*
 * daemon_check_client - warn (event=warning) when user, if that user
 * exists, cannot connect to the UNIX socket of spec: a directory on the
 * way it cannot search, or no write permission on the socket.  Postfix
 * then logs "connect to Milter service ...: Permission denied".
 */
void daemon_check_client(const char *spec, const char *user);

#endif
