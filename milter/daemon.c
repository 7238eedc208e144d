/*
 * daemon.c - process set-up: detaching, the pidfile, the milter socket,
 * dropping privileges and the reload signal
 */
#include <dirent.h>
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
#include <sysexits.h>
#include <unistd.h>
#if defined(HAVE_MALLOC_H) && defined(HAVE_MALLOPT)
#include <malloc.h>
#endif

#include "buf.h"
#include "daemon.h"
#include "event.h"
#include "journal.h"
#include "log.h"
#include "util.h"

/* daemon_block_signals - route our signals to sigwait() threads */
void daemon_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* daemon_tune_malloc - large blocks in their own mappings (glibc) */
void daemon_tune_malloc(void)
{
#if defined(HAVE_MALLOPT) && defined(M_MMAP_THRESHOLD) &&                      \
	defined(M_TRIM_THRESHOLD)
	/* glibc raises its mmap threshold each time a mapped block is
	 * freed, up to 32 MiB: the state's snapshots and journal batches
	 * (megabytes in a mass block) then come from the heap, and once
	 * freed below later small blocks they stay resident, 2 to 6 MiB
	 * that come and go from run to run.  Fixed thresholds keep them in
	 * their own mappings, given back when freed. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
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
static void (*usr2_fn)(void);

/* reload_thread - sigwait for SIGUSR1 (reload) and SIGUSR2 (probe now) */
static void *reload_thread(void *arg)
{
	sigset_t set;
	int sig;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1)
			reload_fn();
		else if (sig == SIGUSR2 && usr2_fn)
			usr2_fn();
	}
	return NULL;
}

/* daemon_start_reload_thread - start the detached SIGUSR1 thread */
int daemon_start_reload_thread(void (*reload)(void), void (*usr2)(void))
{
	pthread_attr_t attr;
	pthread_t tid;
	int r;

	reload_fn = reload;
	usr2_fn = usr2;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&tid, &attr, reload_thread, NULL);
	pthread_attr_destroy(&attr);
	return r ? -1 : 0;
}

/* split_dir - the directory part of path into dir ("." without one) and
 * where its last component starts; -1 when too long */
static int split_dir(const char *path, char *dir, size_t size,
		     const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	if (!slash)
		return snprintf(dir, size, ".") < (int)size ? 0 : -1;
	if (slash == path)
		return snprintf(dir, size, "/") < (int)size ? 0 : -1;
	if ((size_t)(slash - path) >= size)
		return -1;
	snprintf(dir, size, "%.*s", (int)(slash - path), path);
	return 0;
}

/* is_state_name - the state file itself or one of its "<base>.*" files */
static int is_state_name(const char *name, const char *base)
{
	size_t bl = strlen(base);

	return !strncmp(name, base, bl) && (!name[bl] || name[bl] == '.');
}

/* describe - "owner USER:GROUP, mode 0750" of st */
static void describe(char *dst, size_t size, const struct stat *st)
{
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);
	char u[32], g[32];

	snprintf(u, sizeof(u), "%ld", (long)st->st_uid);
	snprintf(g, sizeof(g), "%ld", (long)st->st_gid);
	snprintf(dst, size, "owner %s:%s, mode %04o", pw ? pw->pw_name : u,
		 gr ? gr->gr_name : g, (unsigned)(st->st_mode & 07777));
}

/* warn_event - "event=warning what= path= ... reason= fix=" */
#define warn_event event_warning

/* only_state_files - every entry of the open directory dfd is a plain
 * file (or socket) named for base (no link, no directory, nothing else) */
static int only_state_files(int dfd, const char *base)
{
	struct dirent *e;
	struct stat st;
	int ok = 1, fd = dup(dfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (ok && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		ok = is_state_name(e->d_name, base) &&
		     fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		     (S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode)) &&
		     st.st_nlink == 1;
	}
	closedir(d);
	return ok;
}

/* chown_state_files - give every state file of dfd to uid:gid */
static int chown_state_files(int dfd, const char *base, uid_t uid, gid_t gid)
{
	struct dirent *e;
	struct stat st;
	int fd = dup(dfd), r = 0;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		if (!is_state_name(e->d_name, base))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		if (st.st_nlink != 1 ||
		    (!S_ISREG(st.st_mode) && !S_ISSOCK(st.st_mode)) ||
		    fchownat(dfd, e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			r = -1;
	}
	closedir(d);
	return r;
}

/* daemon_own_dir - take over a directory another start left */
int daemon_own_dir(const char *file, uid_t uid, gid_t gid)
{
	char dir[4096], was[128], reason[300];
	const char *base;
	struct stat st;
	int dfd, r = 0;

	if (split_dir(file, dir, sizeof(dir), &base) < 0)
		return 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	if (fstat(dfd, &st) < 0 || st.st_uid == uid || st.st_uid == 0 ||
	    !only_state_files(dfd, base))
		goto out;
	describe(was, sizeof(was), &st);
	if (chown_state_files(dfd, base, uid, gid) < 0 ||
	    fchown(dfd, uid, gid) < 0) {
		log_error("cannot give %s (%s) to uid %ld: %s", dir, was,
			  (long)uid, strerror(errno));
		r = -1;
		goto out;
	}
	snprintf(reason, sizeof(reason),
		 "it belonged to another user (%s) and held only %s and its "
		 "own files: given to the user the daemon runs as",
		 was, base);
	warn_event("dir", dir, reason, NULL);
	r = 1;
out:
	close(dfd);
	return r;
}

/* check_state - the state directory and its state files, or EX_CANTCREAT */
static int check_state(const struct daemon_paths *p, char *err, size_t errlen)
{
	char dir[4096], who[128];
	const char *base;
	struct dirent *e;
	struct stat st;
	DIR *d;
	int r = 0;

	if (split_dir(p->state_file, dir, sizeof(dir), &base) < 0)
		return 0;
	if (stat(dir, &st) < 0) {
		snprintf(err, errlen,
			 "state directory %s: %s; fix: create it for user %s "
			 "(install -d -o %s -m 0750 %s) or set state_file",
			 dir, strerror(errno), p->user, p->user, dir);
		return EX_CANTCREAT;
	}
	describe(who, sizeof(who), &st);
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(
			err, errlen,
			"state directory %s (%s) is not writable by %s: alerts "
			"(%s.pending.*) and state saves would fail; fix: "
			"chown -R %s: %s, or set state_file",
			dir, who, p->user, p->state_file, p->user, dir);
		return EX_CANTCREAT;
	}
	d = opendir(dir);
	if (!d)
		return 0; /* writable but not readable: the load says so */
	while (!r && (e = readdir(d)) != NULL) {
		if (!is_state_name(e->d_name, base) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    faccessat(dirfd(d), e->d_name, R_OK | W_OK, 0) == 0)
			continue;
		describe(who, sizeof(who), &st);
		snprintf(err, errlen,
			 "%s/%s (%s) is not readable and writable by %s: the "
			 "state would be lost or not saved; fix: chown -R %s: "
			 "%s",
			 dir, e->d_name, who, p->user, p->user, dir);
		r = EX_CANTCREAT;
	}
	closedir(d);
	return r;
}

/* refuse_read - the message of a source user cannot read, with the fix:
 * join the group that may read it (st) */
static int refuse_read(const char *what, const char *path,
		       const struct stat *st, const char *user, char *err,
		       size_t errlen)
{
	char who[128], fix[300];
	struct group *gr = getgrgid(st->st_gid);

	describe(who, sizeof(who), st);
	if ((st->st_mode & S_IRGRP) && gr)
		snprintf(fix, sizeof(fix), "adduser %s %s", user, gr->gr_name);
	else
		snprintf(fix, sizeof(fix), "let %s read it (setfacl -m u:%s:r)",
			 user, user);
	snprintf(err, errlen,
		 "maillog %s%s%s (%s) is not readable by %s: nothing in it "
		 "would be seen; fix: %s",
		 what, strcmp(what, path) ? ": " : "",
		 strcmp(what, path) ? path : "", who, user, fix);
	return EX_NOPERM;
}

/* unreadable_in - the first journal file of dir (and, with depth, of its
 * subdirectories: /var/log/journal/MACHINE-ID) that this user cannot
 * read (or a directory of them it may not open), into path and st; 1 if
 * there is one, -1 if dir cannot be read otherwise, 0 if none; *files counts
 * the journal files seen */
static int unreadable_in(const char *dir, int depth, char *path, size_t size,
			 struct stat *st, int *files)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int r = 0;

	if (!d && errno == EACCES && stat(dir, st) == 0) {
		snprintf(path, size, "%s", dir);
		return 1; /* a directory we may not read is the reason */
	}
	if (!d)
		return -1;
	while (!r && (e = readdir(d)) != NULL) {
		if (*e->d_name == '.' ||
		    (size_t)snprintf(path, size, "%s/%s", dir, e->d_name) >=
			    size ||
		    stat(path, st) < 0)
			continue;
		if (S_ISDIR(st->st_mode) && depth > 0) {
			char sub[4096];

			snprintf(sub, sizeof(sub), "%s", path);
			r = unreadable_in(sub, depth - 1, path, size, st,
					  files) > 0;
		} else if (S_ISREG(st->st_mode) &&
			   (util_has_suffix(e->d_name, ".journal") ||
			    util_has_suffix(e->d_name, ".journal~"))) {
			++*files;
			r = access(path, R_OK) < 0;
		}
	}
	closedir(d);
	return r;
}

/* check_journal - "journal" or "journal:DIR" readable by this user: 0,
 * EX_NOPERM (a file or directory it may not read), EX_CONFIG (a build
 * without libsystemd), or a warning (nothing to read yet: retried) */
static int check_journal(const char *spec, const char *user, char *err,
			 size_t errlen)
{
	static const char *const local[] = {"/var/log/journal",
					    "/run/log/journal"};
	char why[JOURNAL_ERR_MAX], path[4096];
	struct journal *j;
	struct stat st;
	int files = 0, r = 0;
	size_t i;

	if (journal_check_spec(spec, why) < 0) {
		snprintf(err, errlen, "maillog %s: %s", spec, why);
		return EX_CONFIG;
	}
	j = journal_open(spec, NULL, why);
	if (j) {
		journal_close(j);
		return 0;
	}
	if (spec[7] == ':') {
		if (stat(spec + 8, &st) == 0 && access(spec + 8, R_OK | X_OK))
			return refuse_read(spec, spec + 8, &st, user, err,
					   errlen);
		r = unreadable_in(spec + 8, 0, path, sizeof(path), &st, &files);
	} else
		for (i = 0; i < 2 && r <= 0; i++)
			r = unreadable_in(local[i], 1, path, sizeof(path), &st,
					  &files);
	if (r > 0)
		return refuse_read(spec, path, &st, user, err, errlen);
	warn_event("maillog", spec, why,
		   spec[7] == ':' ? "followed once it can be read"
				  : "followed once systemd-journald writes "
				    "to /var/log/journal or /run/log/journal");
	return 0;
}

/* check_log - the followed logs readable: 0, EX_NOPERM, or a warning */
static int check_log(const char *path, const char *user, char *err,
		     size_t errlen)
{
	struct stat st;
	int fd;

	if (!*path)
		return 0;
	if (journal_check_spec(path, NULL))
		return check_journal(path, user, err, errlen);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == ENOENT) {
		warn_event("maillog", path,
			   "does not exist (yet): followed once it appears",
			   NULL);
		return 0;
	}
	if (errno != EACCES || stat(path, &st) < 0) {
		warn_event("maillog", path, strerror(errno), NULL);
		return 0;
	}
	return refuse_read(path, path, &st, user, err, errlen);
}

/* check_dir_of - warn when the directory of path is not writable */
static void check_dir_of(const char *what, const char *path, const char *user,
			 const char *consequence)
{
	char dir[4096], reason[4400], fix[300];
	const char *base;
	struct stat st;

	if (split_dir(path, dir, sizeof(dir), &base) < 0 ||
	    access(dir, W_OK | X_OK) == 0 || stat(dir, &st) < 0)
		return;
	describe(reason, sizeof(reason), &st);
	snprintf(reason + strlen(reason), sizeof(reason) - strlen(reason),
		 ": not writable by %s: %s", user, consequence);
	snprintf(fix, sizeof(fix), "a directory %s may write", user);
	warn_event(what, dir, reason, fix);
}

/* daemon_check_writable - what must work before we say event=start */
int daemon_check_writable(const struct daemon_paths *p, char *err,
			  size_t errlen)
{
	const char *sock = daemon_socket_path(p->socket);
	size_t i;
	int r;

	if ((r = check_state(p, err, errlen)) != 0)
		return r;
	for (i = 0; i < p->n_maillogs; i++)
		if ((r = check_log(p->maillogs[i], p->user, err, errlen)) != 0)
			return r;
	if (*p->pidfile)
		check_dir_of("pidfile", p->pidfile, p->user,
			     "the pidfile stays behind at stop");
	if (sock)
		check_dir_of("socket", sock, p->user,
			     "the socket stays behind at stop (the next start "
			     "removes it)");
	return 0;
}

/* may - would uid with groups get bit (S_IXOTH, S_IWOTH) on st? */
static int may(const struct stat *st, uid_t uid, const gid_t *groups, int n,
	       unsigned bit)
{
	int i;

	if (uid == 0)
		return 1;
	if (st->st_uid == uid)
		return !!(st->st_mode & (bit << 6));
	for (i = 0; i < n; i++)
		if (groups[i] == st->st_gid)
			return !!(st->st_mode & (bit << 3));
	return !!(st->st_mode & bit);
}

/* daemon_check_client - can user connect to our UNIX socket? */
void daemon_check_client(const char *spec, const char *user)
{
	const char *path = daemon_socket_path(spec);
	char part[4096], reason[4400], fix[300];
	struct passwd *pw;
	struct group *gr;
	struct stat st;
	gid_t groups[64];
	int n = 64;
	size_t i, len;

	if (!path || path[0] != '/' || (pw = getpwnam(user)) == NULL)
		return;
	if (getgrouplist(user, pw->pw_gid, groups, &n) < 0)
		n = 64; /* the first 64 are enough to judge */
	len = strlen(path);
	if (len >= sizeof(part))
		return;
	for (i = 1; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		snprintf(part, sizeof(part), "%.*s", (int)i, path);
		if (stat(part, &st) < 0)
			return;
		if (may(&st, pw->pw_uid, groups, n,
			i < len ? S_IXOTH : S_IWOTH))
			continue;
		describe(reason, sizeof(reason), &st);
		gr = getgrgid(st.st_gid);
		snprintf(reason + strlen(reason),
			 sizeof(reason) - strlen(reason),
			 ": user %s cannot %s it, so it cannot connect to %s",
			 user, i < len ? "search" : "write", path);
		snprintf(fix, sizeof(fix), "adduser %s %s", user,
			 gr ? gr->gr_name : "GROUP");
		warn_event("socket", part, reason, fix);
		return;
	}
}
