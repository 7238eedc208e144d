/*
 * runmail.c - run sendmail (or another program) without a shell, the message on
 * its stdin (an anonymous file, not a pipe), capture its complaint, enforce a
 * timeout, reap it
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* pipe2, strerror_r returning char * */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runmail.h"
#include "util.h"

#define DEFAULT_TIMEOUT 60
#define KILL_GRACE_MS	2000 /* between SIGTERM and SIGKILL */
#define LINE_MAX_BYTES	256  /* captured line of the child's output */
#define FD_FLOOR	10   /* child: pipe ends moved above 0-3 first */
#define EXIT_POLL_MS	100  /* look for the exit this often */

/* First line of one of the child's output streams; the rest is drained. */
struct capture {
	int fd;
	char line[LINE_MAX_BYTES];
	size_t n;
	int full;	 /* first line complete (or buffer full) */
	struct buf *all; /* NULL, or everything (up to max bytes) */
	size_t max;
	int cut; /* more than max bytes came */
};

/* errtext - strerror that any thread may call */
static const char *errtext(int e, char *tmp, size_t size)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	return strerror_r(e, tmp, size);
#else
	if (strerror_r(e, tmp, size) != 0)
		snprintf(tmp, size, "error %d", e);
	return tmp;
#endif
}

/* now_ms - monotonic clock in milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sleep_ms - nap while polling for the child's exit */
static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* close_fd - close and forget */
static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* close_from - close every fd >= low in the child (async-signal-safe) */
static void close_from(int low, long max_fd)
{
	long fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)low, ~0U, 0U) == 0)
		return;
#endif
	for (fd = low; fd < max_fd; fd++)
		close((int)fd);
}

/* child - in the forked child: wire fds 0-3, reset signals, exec; only
 * async-signal-safe calls, since the parent may be multithreaded */
static void child(char *const argv[], char *const envp[], int in, int out,
		  int errfd, int ex, long max_fd, const char *pending,
		  const char *marker)
{
	struct sigaction sa;
	sigset_t none;
	int sig, e;

	setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL); /* EINVAL for some: fine */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* Move the pipe ends out of the way of 0-3, then into place. */
	in = fcntl(in, F_DUPFD, FD_FLOOR);
	out = fcntl(out, F_DUPFD, FD_FLOOR);
	errfd = fcntl(errfd, F_DUPFD, FD_FLOOR);
	ex = fcntl(ex, F_DUPFD, FD_FLOOR);
	if (in < 0 || out < 0 || errfd < 0 || ex < 0 || dup2(in, 0) < 0 ||
	    dup2(out, 1) < 0 || dup2(errfd, 2) < 0 || dup2(ex, 3) < 0 ||
	    fcntl(3, F_SETFD, FD_CLOEXEC) < 0) {
		e = errno;
		if (ex >= 0)
			(void)!write(ex, &e, sizeof(e));
		_exit(127);
	}
	close(in); /* the copies above FD_FLOOR carry no close-on-exec */
	close(out);
	close(errfd);
	close(ex);
	close_from(4, max_fd);
	/* "sendmail is about to run": the caller's crash record.  The
	 * rename fails when a restarted caller has removed pending: it
	 * sends the mail itself, so this (orphaned) child must not. */
	if (marker && rename(pending, marker) < 0) {
		e = -errno; /* negative: the rename, not the exec */
		(void)!write(3, &e, sizeof(e));
		_exit(127);
	}
	if (envp)
		execve(argv[0], argv, envp);
	else
		execv(argv[0], argv);
	e = errno;
	(void)!write(3, &e, sizeof(e));
	_exit(127);
}

/* exec_result - wait (until deadline) for the exec-error pipe: the size
 * of an errno when exec failed, 0 on EOF (exec succeeded), -1 on timeout */
static int exec_result(int fd, int *exec_errno, long long deadline)
{
	struct pollfd p;
	long long left;
	ssize_t r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left) < 0 &&
		    errno != EINTR)
			return -1;
		if (!p.revents)
			continue;
		r = read(fd, exec_errno, sizeof(*exec_errno));
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? 0 : (int)r;
	}
}

/* capture_read - read what the child wrote; keep the first line.
 * Returns 1 when bytes were read, 0 at EOF (fd closed), -1 when nothing
 * is there yet */
static int capture_read(struct capture *c)
{
	char tmp[4096];
	ssize_t r;
	size_t i;

	r = read(c->fd, tmp, sizeof(tmp));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return -1;
	if (r <= 0) {
		close_fd(&c->fd);
		return 0;
	}
	if (c->all) {
		i = c->all->len < c->max ? c->max - c->all->len : 0;
		c->cut |= (size_t)r > i;
		buf_add(c->all, tmp, (size_t)r < i ? (size_t)r : i);
	}
	for (i = 0; i < (size_t)r && !c->full; i++) {
		if (tmp[i] == '\n' || tmp[i] == '\r') {
			c->full = c->n > 0; /* leading blank lines skipped */
			continue;
		}
		if (c->n + 1 >= sizeof(c->line)) {
			c->full = 1;
			break;
		}
		c->line[c->n++] = tmp[i];
	}
	c->line[c->n] = '\0';
	return 1;
}

/* reason_line - " : <first line>" of stderr, else of stdout, cleaned */
static void reason_line(char *dst, size_t size, const struct capture *e,
			const struct capture *o)
{
	const struct capture *c = e->n ? e : o;
	char clean[LINE_MAX_BYTES];

	if (size)
		dst[0] = '\0';
	if (c->n && util_clean(clean, sizeof(clean), c->line, c->n) > 0)
		snprintf(dst, size, ": %s", clean);
}

/* reap - wait for pid until deadline (ms); 1 when reaped, 0 if still
 * running, -1 on a waitpid error (errno) */
static int reap(pid_t pid, int *status, long long deadline)
{
	long nap = 5;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			return 0;
		sleep_ms(nap);
		if (nap < 100)
			nap *= 2;
	}
}

/* kill_child - SIGTERM the child's process group, SIGKILL after a grace
 * period, and reap it */
static int kill_child(pid_t pid, int *status)
{
	int r;

	if (kill(-pid, SIGTERM) < 0)
		kill(pid, SIGTERM);
	r = reap(pid, status, now_ms() + KILL_GRACE_MS);
	if (r != 0)
		return r;
	if (kill(-pid, SIGKILL) < 0)
		kill(pid, SIGKILL);
	while ((r = (int)waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return r == pid ? 1 : -1;
}

/* The child and its outputs. */
struct run {
	pid_t pid;
	struct capture o, e; /* its stdout and stderr */
	int reaped, status;  /* waitpid() done, and its status */
};

/* message_file - the message in an anonymous file (memfd, else an
 * unlinked file in $TMPDIR or /tmp), positioned at 0: sendmail reads it
 * as its stdin.  Unlike a pipe, the file holds the whole message even if
 * this process dies while sendmail runs, so a crash never hands sendmail
 * half an alert.  The fd, or -1 with errno. */
static int message_file(const char *msg, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	int fd, saved;

	fd = memfd_create("milter-delist-alert", MFD_CLOEXEC);
	if (fd < 0)
		fd = open(tmp && *tmp == '/' ? tmp : "/tmp",
			  O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (util_write_all(fd, msg, len) == 0 && lseek(fd, 0, SEEK_SET) == 0)
		return fd;
	saved = errno ? errno : EIO;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * collect - read the child's output until both outputs are closed, or the
 * child has exited (a grandchild may hold the pipes open), or the deadline
 * passes.  Returns 0, or -1 when the deadline passed.
 */
static int collect(struct run *r, long long deadline)
{
	struct pollfd p[2];
	long long left;

	while (r->o.fd >= 0 || r->e.fd >= 0) {
		if (waitpid(r->pid, &r->status, WNOHANG) == r->pid) {
			r->reaped = 1;
			while (r->o.fd >= 0 && capture_read(&r->o) > 0)
				;
			while (r->e.fd >= 0 && capture_read(&r->e) > 0)
				;
			return 0;
		}
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		if (left > EXIT_POLL_MS)
			left = EXIT_POLL_MS; /* look at waitpid() again soon */
		memset(p, 0, sizeof(p));
		p[0].fd = r->o.fd;
		p[0].events = POLLIN;
		p[1].fd = r->e.fd;
		p[1].events = POLLIN;
		if (poll(p, 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r->o.fd >= 0 && p[0].revents)
			capture_read(&r->o);
		if (r->e.fd >= 0 && p[1].revents)
			capture_read(&r->e);
	}
	return 0;
}

/* run_sendmail - run argv with msg on stdin */
int run_sendmail(char *const argv[], const char *msg, size_t len,
		 time_t timeout, char *err, size_t errlen)
{
	return run_sendmail_marked(argv, msg, len, timeout, NULL, NULL, err,
				   errlen);
}

/* run_program - run argv with an empty stdin */
int run_program(char *const argv[], time_t timeout, char *err, size_t errlen)
{
	return run_program_marked(argv, NULL, "", 0, timeout, NULL, NULL, err,
				  errlen);
}

static int run_all(char *const argv[], char *const envp[], const char *msg,
		   size_t len, time_t timeout, const char *pending,
		   const char *marker, struct buf *out, size_t max, int *cut,
		   char *err, size_t errlen);

/* run_sendmail_marked - run_program_marked in our own environment */
int run_sendmail_marked(char *const argv[], const char *msg, size_t len,
			time_t timeout, const char *pending, const char *marker,
			char *err, size_t errlen)
{
	return run_program_marked(argv, NULL, msg, len, timeout, pending,
				  marker, err, errlen);
}

/* run_program_marked - pending is created before the fork and renamed to
 * marker by the child just before exec */
int run_program_marked(char *const argv[], char *const envp[], const char *msg,
		       size_t len, time_t timeout, const char *pending,
		       const char *marker, char *err, size_t errlen)
{
	return run_all(argv, envp, msg, len, timeout, pending, marker, NULL, 0,
		       NULL, err, errlen);
}

/* run_output - run_program, keeping its standard output */
int run_output(char *const argv[], time_t timeout, struct buf *out, size_t max,
	       int *cut, char *err, size_t errlen)
{
	return run_all(argv, NULL, "", 0, timeout, NULL, NULL, out, max, cut,
		       err, errlen);
}

/* run_all - the run; envp NULL keeps our environment; out (may be NULL)
 * gets stdout, up to max bytes */
static int run_all(char *const argv[], char *const envp[], const char *msg,
		   size_t len, time_t timeout, const char *pending,
		   const char *marker, struct buf *out, size_t max, int *cut,
		   char *err, size_t errlen)
{
	int in = -1, pout[2] = {-1, -1}, perr[2] = {-1, -1};
	int pex[2] = {-1, -1}, rc = -1, timed_out = 0, exec_errno = 0, r;
	char why[LINE_MAX_BYTES + 8], tmp[128];
	long long deadline;
	struct run run;
	off_t consumed;
	long max_fd;

	memset(&run, 0, sizeof(run));
	run.pid = -1;
	run.o.fd = run.e.fd = -1;
	run.o.all = out;
	run.o.max = max;
	if (errlen)
		err[0] = '\0';
	if (timeout <= 0)
		timeout = DEFAULT_TIMEOUT;
	if (!argv || !argv[0] || argv[0][0] != '/') {
		snprintf(err, errlen, "argv[0] is not an absolute path");
		errno = EINVAL;
		return -1;
	}
	max_fd = sysconf(_SC_OPEN_MAX);
	if (max_fd < 0 || max_fd > 65536)
		max_fd = 65536;
	in = message_file(msg, len);
	if (in < 0) {
		snprintf(err, errlen, "message file: %s",
			 errtext(errno, tmp, sizeof(tmp)));
		goto out;
	}
	if (pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0 ||
	    pipe2(pex, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s",
			 errtext(errno, tmp, sizeof(tmp)));
		goto out;
	}
	if (marker) {
		r = open(pending,
			 O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			 0600);
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", pending,
				 errtext(errno, tmp, sizeof(tmp)));
			goto out;
		}
		close(r);
	}
	deadline = now_ms() + (long long)timeout * 1000;
	run.pid = fork();
	if (run.pid < 0) {
		snprintf(err, errlen, "fork: %s",
			 errtext(errno, tmp, sizeof(tmp)));
		goto out;
	}
	if (run.pid == 0)
		child(argv, envp, in, pout[1], perr[1], pex[1], max_fd, pending,
		      marker);
	setpgid(run.pid, run.pid); /* as the child does: kill(-pid) works */
	close_fd(&pout[1]);
	close_fd(&perr[1]);
	close_fd(&pex[1]);
	run.o.fd = pout[0];
	run.e.fd = perr[0];
	pout[0] = perr[0] = -1;

	/* The exec-error pipe closes on a successful exec (O_CLOEXEC). */
	r = exec_result(pex[0], &exec_errno, deadline);
	if (r != 0) {
		kill_child(run.pid, &run.status);
		if (r < 0)
			snprintf(err, errlen, "timed out after %lld s in exec",
				 (long long)timeout);
		else if (exec_errno < 0)
			snprintf(err, errlen, "rename %s to %s: %s", pending,
				 marker,
				 errtext(-exec_errno, tmp, sizeof(tmp)));
		else
			snprintf(err, errlen, "exec %s: %s", argv[0],
				 errtext(exec_errno, tmp, sizeof(tmp)));
		goto out;
	}
	fcntl(run.o.fd, F_SETFL, fcntl(run.o.fd, F_GETFL) | O_NONBLOCK);
	fcntl(run.e.fd, F_SETFL, fcntl(run.e.fd, F_GETFL) | O_NONBLOCK);
	if (collect(&run, deadline) < 0)
		timed_out = 1;
	close_fd(&run.o.fd);
	close_fd(&run.e.fd);

	if (!run.reaped) {
		r = timed_out ? 0 : reap(run.pid, &run.status, deadline);
		if (r == 0) {
			timed_out = 1;
			r = kill_child(run.pid, &run.status);
		}
		if (r < 0) {
			snprintf(err, errlen, "waitpid: %s",
				 errtext(errno, tmp, sizeof(tmp)));
			goto out;
		}
	}
	/* The child shared our file offset: how far it read. */
	consumed = lseek(in, 0, SEEK_CUR);
	reason_line(why, sizeof(why), &run.e, &run.o);
	if (timed_out)
		snprintf(err, errlen, "timed out after %lld s%s",
			 (long long)timeout, why);
	else if (WIFSIGNALED(run.status))
		snprintf(err, errlen, "killed by signal %d%s",
			 WTERMSIG(run.status), why);
	else if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0)
		snprintf(err, errlen, "exit %d%s", WEXITSTATUS(run.status),
			 why);
	else if (consumed >= 0 && (size_t)consumed < len)
		snprintf(err, errlen, "exit 0 but read only %lld of %zu bytes",
			 (long long)consumed, len);
	else
		rc = 0;
out:
	close_fd(&in);
	close_fd(&pout[0]);
	close_fd(&pout[1]);
	close_fd(&perr[0]);
	close_fd(&perr[1]);
	close_fd(&pex[0]);
	close_fd(&pex[1]);
	close_fd(&run.o.fd);
	close_fd(&run.e.fd);
	if (cut)
		*cut = run.o.cut;
	if (rc < 0)
		errno = EIO;
	return rc;
}
