/*
 * main.c - milter-delist: options, start-up and shutdown
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "callbacks.h"
#include "config.h"
#include "daemon.h"
#include "act.h"
#include "alert.h"
#include "evidence.h"
#include "logsource.h"
#include "state.h"
#include "event.h"
#include "log.h"
#include "hooks.h"
#include "scan.h"
#include "status.h"
#include "units.h"

#define MAX_OVERRIDES 8

static const char *config_file; /* -c, or NULL for the default */
static int config_required;	/* -c given: the file must exist */
static const char *overrides[MAX_OVERRIDES + 1];
static size_t n_overrides;
static char override_buf[MAX_OVERRIDES][1100];

/* usage - the synopsis; exit with status */
static void usage(FILE *fp, int status)
{
	fprintf(fp,
		"Usage: milter-delist [-f] [-c FILE] [-p SOCKET] [-u USER] "
		"[-P PIDFILE] [-d LEVEL]\n"
		"       milter-delist -t [-c FILE]\n"
		"       milter-delist --scan [--json] [-c FILE] FILE...\n"
		"       milter-delist --request IP [-c FILE] [FILE...]\n"
		"       milter-delist --status [--json] [-c FILE]\n"
		"       milter-delist --check [-w N] [--critical N] [-c FILE]\n"
		"       milter-delist -V | -h\n"
		"\n"
		"Detects when Microsoft (Outlook.com, Hotmail, Live, MSN, "
		"Microsoft 365)\n"
		"blocks this server's IP, and mails the admin a prefilled "
		"delisting request.\n"
		"\n"
		"  -c FILE     configuration file (default %s,\n"
		"              %s)\n"
		"  -f          stay in the foreground and log to stderr too\n"
		"  -p SOCKET   milter socket (local:/path, inet:PORT@HOST)\n"
		"  -u USER     run as USER after creating the socket\n"
		"  -P PIDFILE  write the process id to PIDFILE\n"
		"  -d LEVEL    log level (err, warning, notice, info, debug "
		"or 0-7)\n"
		"  -t          check the configuration, print it, exit 0 or "
		"78\n"
		"  --scan      read mail logs and bounces (files, directories, "
		"maildirs,\n"
		"              - for stdin), print the Microsoft findings and "
		"a "
		"summary\n"
		"              per IP; exit 0 nothing blocked, 1 blocked, 2 "
		"error\n"
		"  --json      with --scan: JSON Lines\n"
		"  --request IP  print the prefilled delisting request for IP, "
		"built\n"
		"              from the findings in FILEs\n"
		"  --status    the open and recent incidents and the daemon's "
		"health\n"
		"  --check     monitoring plugin: exit 0 OK, 1 WARNING (rate "
		"limited),\n"
		"              2 CRITICAL (blocked or banned), 3 UNKNOWN\n"
		"  -w N, --warning N   --check: WARNING from N rate-limited "
		"IPs (1)\n"
		"  --critical N        --check: CRITICAL from N blocked or "
		"banned IPs (1)\n"
		"  -V          print the version\n"
		"  -h          this help\n",
		CONFIG_DEFAULT_FILE,
		access(CONFIG_DEFAULT_FILE, F_OK) == 0
			? "present"
			: "absent: no file, built-in defaults apply");
	exit(status);
}

/* add_override - remember "name=value" from the command line */
static void add_override(const char *name, const char *value)
{
	if (n_overrides == MAX_OVERRIDES)
		return;
	snprintf(override_buf[n_overrides], sizeof(override_buf[0]), "%s=%s",
		 name, value);
	overrides[n_overrides] = override_buf[n_overrides];
	n_overrides++;
}

/* level_arg - -d takes a name or a number 0-7 */
static const char *level_arg(const char *arg)
{
	int level = units_level(arg);

	return level < 0 ? arg : units_level_name(level);
}

/* count_arg - a threshold count for -w/--critical: 0 or more */
static int count_arg(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return (errno || end == s || *end || *s == '-') ? -1 : 0;
}

/* load - read the configuration as the command line says */
static struct config *load(char *err, size_t errlen)
{
	return config_load(config_file ? config_file : CONFIG_DEFAULT_FILE,
			   config_required, overrides, err, errlen);
}

/* run_status - --status / --check: a bad configuration is UNKNOWN (3) */
static int run_status(int monitor, int json, unsigned long warning,
		      unsigned long critical)
{
	struct status_opts o;
	struct config *c;
	char err[512];
	int r;

	c = load(err, sizeof(err));
	if (!c) {
		if (monitor == 'K')
			printf("MILTER-DELIST UNKNOWN - %s\n", err);
		else
			fprintf(stderr, "milter-delist: %s\n", err);
		return STATUS_UNKNOWN;
	}
	memset(&o, 0, sizeof(o));
	o.state_file = c->state_file;
	o.pidfile = c->pidfile;
	o.max_incidents = c->max_incidents;
	o.json = json;
	o.warning = warning;
	o.critical = critical;
	o.recent = 7 * 86400;
	r = monitor == 'K' ? status_check(&o, stdout)
			   : status_print(&o, stdout);
	config_free(c);
	return r;
}

/* log_lifecycle - "event=start|reload|stop version= socket= config=" */
static void log_lifecycle(const char *event, const struct config *c)
{
	struct buf b;

	buf_init(&b);
	event_kv(&b, "event", event);
	event_kv(&b, "version", PACKAGE_VERSION);
	event_kv(&b, "socket", c->socket);
	event_kv(&b, "config",
		 *c->file ? c->file : "no file: built-in defaults");
	if (!*c->file && *c->tried)
		event_kv(&b, "tried", c->tried);
	if (!b.err)
		log_notice("%s", buf_str(&b));
	buf_free(&b);
}

/* pipeline_start - the daemon's pipeline: the monitoring hooks (hooks.h),
 * the state file (a corrupt one moved aside), the volume counters, the
 * alert worker (which first settles an interrupted send) and, when
 * maillog is set, the log follower.  0, or -1 (logged). */
static int pipeline_start(void)
{
	struct config *cfg = config_acquire();
	int rc = -1;

	if (!cfg)
		return -1;
	if (hooks_start(cfg) < 0 || state_open(cfg) < 0 ||
	    evidence_open() < 0 || alert_start() < 0 || act_start() < 0)
		goto out;
	logsource_start(cfg);
	rc = 0;
out:
	config_release(cfg);
	return rc;
}

/* pipeline_stop - the follower, the worker, the final save; idempotent */
static void pipeline_stop(void)
{
	struct config *cfg = config_acquire();

	logsource_stop();
	act_stop();
	alert_stop();
	state_close(cfg);
	evidence_close();
	hooks_stop();
	config_release(cfg);
}

/* pipeline_reload - the configuration was replaced: follow the new maillog
 * if it changed, wake the worker (intervals, recipients may differ) */
static void pipeline_reload(void)
{
	struct config *cfg = config_acquire();

	if (!cfg)
		return;
	logsource_reload(cfg);
	hooks_reload(cfg);
	alert_wake();
	act_wake();
	config_release(cfg);
}

/* reload - SIGUSR1: parse fresh, validate, swap; keep the old on error */
static void reload(void)
{
	char err[512];
	struct config *c = load(err, sizeof(err)), *old;

	if (!c) {
		log_error(
			"reload failed, keeping the current configuration: %s",
			err);
		return;
	}
	old = config_acquire();
	if (old &&
	    (strcmp(old->socket, c->socket) || strcmp(old->user, c->user)))
		log_warning("reload: socket and user changes take effect at "
			    "the next restart");
	if (old && (strcmp(old->syslog_ident, c->syslog_ident) ||
		    old->syslog_facility != c->syslog_facility))
		log_warning("reload: syslog_ident and syslog_facility changes "
			    "take effect at the next restart");
	log_set_level(c->log_level);
	config_release(old);
	config_install(c);
	pipeline_reload();
	log_lifecycle("reload", c);
}

/*
 * libmilter runs in a thread of its own while the main thread waits for
 * SIGTERM, SIGHUP or SIGINT (a signal sent to the process goes to the
 * main thread when it is waiting for it), asks libmilter to stop, and
 * gives it STOP_GRACE seconds.  Debian's libmilter is built with its
 * worker pool, whose shutdown can deadlock (a connection accepted while
 * the pool controller exits leaves every thread waiting on its lock):
 * the daemon then stops without it instead of hanging until SIGKILL.
 */
#define STOP_GRACE 10
/* at stop, how long the queued log lines may wait for a stuck reader */
#define LOG_DRAIN_SECONDS 2

static pthread_t main_thread;
static atomic_int milter_done;
static int milter_status;

/* milter_thread - smfi_main(); wake the main thread when it returns */
static void *milter_thread(void *arg)
{
	(void)arg;
	milter_status = smfi_main();
	atomic_store(&milter_done, 1);
	pthread_kill(main_thread, SIGTERM);
	return NULL;
}

/* run_milter - run libmilter until a stop signal (or its own end) and
 * stop it; returns smfi_main()'s result, MI_SUCCESS when it hung */
static int run_milter(void)
{
	const struct timespec tick = {1, 0};
	pthread_t tid;
	sigset_t set;
	time_t deadline;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	main_thread = pthread_self();
	if (pthread_create(&tid, NULL, milter_thread, NULL) != 0) {
		log_error("cannot start the milter thread");
		return MI_FAILURE;
	}
	while (!atomic_load(&milter_done) && sigwait(&set, &sig) != 0)
		;
	if (!atomic_load(&milter_done)) {
		smfi_stop();
		deadline = time(NULL) + STOP_GRACE;
		while (!atomic_load(&milter_done) && time(NULL) < deadline)
			sigtimedwait(&set, NULL, &tick);
	}
	if (!atomic_load(&milter_done)) {
		log_warning("libmilter did not stop within %d s; stopping "
			    "without it",
			    STOP_GRACE);
		return MI_SUCCESS;
	}
	pthread_join(tid, NULL);
	return milter_status;
}

/* check_paths - as the user we now run as: can we do our job?  0 or an
 * exit status, with the reason in err (daemon_check_writable) */
static int check_paths(const struct config *c, char *err, size_t errlen)
{
	struct passwd *pw = getpwuid(geteuid());
	struct daemon_paths p = {
		.state_file = c->state_file,
		.pidfile = c->pidfile,
		.socket = c->socket,
		.maillogs = c->maillogs,
		.n_maillogs = c->n_maillogs,
		.user = *c->user ? c->user
			: pw	 ? pw->pw_name
				 : "this user",
	};

	daemon_check_client(c->socket, "postfix");
	return daemon_check_writable(&p, err, errlen);
}

/* run_daemon - the milter's life; returns the exit status */
static int run_daemon(struct config *c, int foreground)
{
	const char *path = daemon_socket_path(c->socket);
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	char err[512];
	mode_t old_umask;
	int r;

	daemon_tune_malloc();
	if (geteuid() == 0 && !*c->user) {
		log_error("refusing to run as root: set \"user\" in the "
			  "configuration or use -u USER");
		return EX_NOPERM;
	}
	if (*c->user && daemon_lookup_user(c->user, &uid, &gid) < 0) {
		log_error("unknown user %s", c->user);
		return EX_NOUSER;
	}
	if (geteuid() != 0)
		uid = (uid_t)-1; /* cannot chown anyway */

	if (!foreground && daemon_detach() < 0) {
		log_error("cannot detach: %s", strerror(errno));
		return EX_OSERR;
	}
	if (*c->pidfile && daemon_write_pidfile(c->pidfile) < 0)
		log_warning("cannot write pidfile %s: %s", c->pidfile,
			    strerror(errno));
	if (daemon_make_parent(c->state_file, uid, gid) < 0)
		log_warning("cannot create the directory of %s: %s",
			    c->state_file, strerror(errno));
	if (uid != (uid_t)-1 && daemon_own_dir(c->state_file, uid, gid) < 0)
		return EX_CANTCREAT;
	if (hooks_share_dir(c, err, sizeof(err)) < 0)
		log_warning("%s", err);

	if (daemon_prepare_socket(c->socket, uid, gid, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return EX_UNAVAILABLE;
	}
	if (path && uid != (uid_t)-1 && daemon_own_dir(path, uid, gid) < 0)
		return EX_CANTCREAT;
	if (smfi_setconn(c->socket) == MI_FAILURE ||
	    smfi_register(*callbacks_descriptor()) == MI_FAILURE) {
		log_error("libmilter refused the socket or the filter");
		return EX_SOFTWARE;
	}
	old_umask = umask(0777);
	r = smfi_opensocket(path != NULL);
	umask(old_umask);
	if (r == MI_FAILURE) {
		log_error("cannot create the milter socket %s", c->socket);
		return EX_UNAVAILABLE;
	}
	/* socket_owner "" is the user we run as: as systemd's User= gets it */
	if (daemon_own_socket(c->socket,
			      *c->socket_owner || uid == (uid_t)-1
				      ? c->socket_owner
				      : c->user,
			      c->socket_mode, err, sizeof(err)) < 0) {
		log_error("%s", err);
		if (path)
			unlink(path);
		return EX_OSERR;
	}
	if (*c->user && geteuid() == 0 &&
	    daemon_drop_privileges(c->user, err, sizeof(err)) < 0) {
		log_error("%s", err);
		if (path)
			unlink(path);
		return EX_NOPERM;
	}
	if ((r = check_paths(c, err, sizeof(err))) != 0) {
		log_error("%s", err);
		if (path)
			unlink(path);
		if (*c->pidfile)
			unlink(c->pidfile);
		return r;
	}
	/* From here on a log reader that stops reading must not stall a
	 * milter callback: the lines go through the logger thread's queue
	 * (log_async_stop in main drains it). */
	if (log_async_start() < 0)
		log_warning("cannot start the logger thread (%s): logging "
			    "stays synchronous",
			    strerror(errno));
	if (pipeline_start() < 0) {
		if (path)
			unlink(path);
		return EX_OSERR;
	}
	if (daemon_start_reload_thread(reload, act_probe_now) < 0) {
		log_error("cannot start the signal thread");
		pipeline_stop();
		return EX_OSERR;
	}

	log_lifecycle("start", c);
	r = run_milter();
	pipeline_stop();
	/* libmilter removes its UNIX socket on a clean stop; make sure. */
	if (path && unlink(path) < 0 && errno != ENOENT)
		log_warning("cannot remove socket %s: %s", path,
			    strerror(errno));
	if (*c->pidfile)
		unlink(c->pidfile);
	log_lifecycle("stop", c);
	return r == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"foreground", no_argument, NULL, 'f'},
		{"socket", required_argument, NULL, 'p'},
		{"user", required_argument, NULL, 'u'},
		{"pidfile", required_argument, NULL, 'P'},
		{"debug", required_argument, NULL, 'd'},
		{"check-config", no_argument, NULL, 't'},
		{"check", no_argument, NULL, 'K'},
		{"status", no_argument, NULL, 'T'},
		{"warning", required_argument, NULL, 'w'},
		{"critical", required_argument, NULL, 'C'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{"scan", no_argument, NULL, 'S'},
		{"json", no_argument, NULL, 'J'},
		{"request", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	struct config *c;
	char err[512];
	const char *request_ip = NULL;
	int ch, foreground = 0, check = 0, scan = 0, json = 0, status;
	int monitor = 0; /* 'T' --status, 'K' --check */
	unsigned long warning = 1, critical = 1;

	while ((ch = getopt_long(argc, argv, "c:fp:u:P:d:tVhw:", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_file = optarg;
			config_required = 1;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'p':
			add_override("socket", optarg);
			break;
		case 'u':
			add_override("user", optarg);
			break;
		case 'P':
			add_override("pidfile", optarg);
			break;
		case 'd':
			add_override("log_level", level_arg(optarg));
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("milter-delist %s\n", PACKAGE_VERSION);
			return EX_OK;
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'S':
			scan = 1;
			break;
		case 'J':
			json = 1;
			break;
		case 'R':
			request_ip = optarg;
			break;
		case 'T':
		case 'K':
			monitor = ch;
			break;
		case 'w':
		case 'C':
			if (count_arg(optarg,
				      ch == 'w' ? &warning : &critical) < 0)
				usage(stderr, EX_USAGE);
			break;
		default:
			usage(stderr, EX_USAGE);
		}
	}
	if (json && !scan && monitor != 'T')
		usage(stderr, EX_USAGE);
	if (monitor)
		return run_status(monitor, json, warning, critical);
	if (optind < argc && !scan && !request_ip)
		usage(stderr, EX_USAGE);
	if (scan || request_ip) {
		c = load(err, sizeof(err));
		if (!c) {
			fprintf(stderr, "milter-delist: %s\n", err);
			return EX_CONFIG;
		}
		status = scan_main(c, json, request_ip, argv + optind,
				   argc - optind);
		config_free(c);
		return status;
	}

	/* Block the signals before libmilter or we start any thread. */
	daemon_block_signals();

	c = load(err, sizeof(err));
	if (!c) {
		fprintf(stderr, "milter-delist: %s\n", err);
		return EX_CONFIG;
	}
	if (check) {
		config_print(c, stdout);
		config_free(c);
		return EX_OK;
	}
	log_open(c->syslog_ident, c->syslog_facility, c->log_level,
		 LOG_TO_SYSLOG | (foreground ? LOG_TO_STDERR : 0));
	config_install(c);
	c = config_acquire();
	status = run_daemon(c, foreground);
	log_async_stop(LOG_DRAIN_SECONDS);
	config_release(c);
	config_install(NULL);
	log_close();
	return status;
}
