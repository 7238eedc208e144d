/*
 * daemon.c - process set-up: detaching, the pidfile, the milter socket,
 * dropping privileges and the reload signal
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

/* daemon_block_signals - route our signals to sigwait() threads */
void daemon_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* daemon_detach - the classic double fork */
int daemon_detach(void)
{
	pid_t pid;
	int fd;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

/* daemon_socket_path - path part of a UNIX socket specification */
const char *daemon_socket_path(const char *spec)
{
	if (spec[0] == '/')
		return spec;
	if (!strncmp(spec, "local:", 6))
		return spec + 6;
	if (!strncmp(spec, "unix:", 5))
		return spec + 5;
	return NULL;
}

/* daemon_make_parent - create the directory that will hold path */
int daemon_make_parent(const char *path, uid_t uid, gid_t gid)
{
	char dir[4096];
	char *slash, *p;
	struct stat st;

	if (strlen(path) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : (errno = ENOTDIR, -1);
	/* mkdir -p: the missing intermediate ones 0755, the last one 0750;
	 * existing ancestors are left alone (not even a failing mkdir) */
	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (stat(dir, &st) < 0 && mkdir(dir, 0755) < 0 &&
		    errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -1;
	if (uid != (uid_t)-1 && chown(dir, uid, gid) < 0)
		return -1;
	return 0;
}

/* daemon_prepare_socket - directory, and the stale-socket check */
int daemon_prepare_socket(const char *spec, uid_t uid, gid_t gid, char *err,
			  size_t errlen)
{
	const char *path = daemon_socket_path(spec);
	struct sockaddr_un sun;
	struct stat st;
	int fd, r;

	if (!path)
		return 0;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	if (daemon_make_parent(path, uid, gid) < 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s",
			 path, strerror(errno));
		return -1;
	}
	if (lstat(path, &st) < 0)
		return 0; /* nothing there */
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen,
			 "%s exists and is not a socket; not removing it",
			 path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (r == 0) {
		snprintf(err, errlen,
			 "%s: another milter is listening on this socket; is "
			 "milter-delist already running?",
			 path);
		return -1;
	}
	if (errno != ECONNREFUSED) {
		snprintf(err, errlen, "%s: cannot check the old socket: %s",
			 path, strerror(errno));
		return -1;
	}
	if (unlink(path) < 0) {
		snprintf(err, errlen, "cannot remove stale socket %s: %s", path,
			 strerror(errno));
		return -1;
	}
	log_info("removed stale socket %s", path);
	return 0;
}

/* parse_owner - "user" or "user:group" to uid/gid */
static int parse_owner(const char *owner, uid_t *uid, gid_t *gid)
{
	char user[256];
	const char *colon = strchr(owner, ':');
	size_t ul = colon ? (size_t)(colon - owner) : strlen(owner);
	struct group *gr;

	if (ul >= sizeof(user))
		return -1;
	memcpy(user, owner, ul);
	user[ul] = '\0';
	if (daemon_lookup_user(user, uid, gid) < 0)
		return -1;
	if (colon) {
		gr = getgrnam(colon + 1);
		if (!gr)
			return -1;
		*gid = gr->gr_gid;
	}
	return 0;
}

/* daemon_own_socket - chown and chmod after creation */
int daemon_own_socket(const char *spec, const char *owner, unsigned mode,
		      char *err, size_t errlen)
{
	const char *path = daemon_socket_path(spec);
	uid_t uid;
	gid_t gid;

	if (!path)
		return 0;
	if (*owner) {
		if (parse_owner(owner, &uid, &gid) < 0) {
			snprintf(err, errlen, "socket_owner %s: unknown",
				 owner);
			return -1;
		}
		if (chown(path, uid, gid) < 0) {
			snprintf(err, errlen, "chown %s: %s", path,
				 strerror(errno));
			return -1;
		}
	}
	if (chmod(path, mode) < 0) {
		snprintf(err, errlen, "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* daemon_write_pidfile - our pid, one line */
int daemon_write_pidfile(const char *path)
{
	char buf[32];
	int fd, n, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/* daemon_lookup_user - passwd entry of user */
int daemon_lookup_user(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);

	if (!pw)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* daemon_drop_privileges - become user for good */
int daemon_drop_privileges(const char *user, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (daemon_lookup_user(user, &uid, &gid) < 0) {
		snprintf(err, errlen, "unknown user %s", user);
		return -1;
	}
	if (initgroups(user, gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		snprintf(err, errlen, "cannot switch to user %s: %s", user,
			 strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		snprintf(err, errlen, "could regain root after switching to %s",
			 user);
		return -1;
	}
	return 0;
}

static void (*reload_fn)(void);

/* reload_thread - sigwait for SIGUSR1, call the reload function */
static void *reload_thread(void *arg)
{
	sigset_t set;
	int sig;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1)
			reload_fn();
	}
	return NULL;
}

/* daemon_start_reload_thread - start the detached SIGUSR1 thread */
int daemon_start_reload_thread(void (*reload)(void))
{
	pthread_attr_t attr;
	pthread_t tid;
	int r;

	reload_fn = reload;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&tid, &attr, reload_thread, NULL);
	pthread_attr_destroy(&attr);
	return r ? -1 : 0;
}
