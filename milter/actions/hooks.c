/*
 * hooks.c - the monitoring actions plugged into core: metrics, the health
 * file, state_group and the alert.exec hook
 *
 * Everything here is driven by core's observers: events (findings, alert
 * outcomes, reminders, clearings), the state save (its duration and
 * result, and the moment before it is written) and the log source's lag.
 * Those run in core's threads, often with the state lock held: each one
 * only counts, copies, or appends a job to the exec spool and wakes a
 * thread of its own (monitor, exec worker).
 *
 * Exec posts: a reminder and a clearing are events of the alert worker
 * (the incident is at hand, the save that records them follows); an
 * opened incident or a change of kind is posted from the moment before
 * the save that records it (STATE_SAVE_BEGIN), since its event is emitted
 * after the state lock is released, and for a bounce after that save.
 * Each post has a key made of stable incident fields, so a replay after a
 * crash (the save never happened) is skipped by the spool.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "events.h"
#include "exec.h"
#include "health.h"
#include "hooks.h"
#include "log.h"
#include "logsource.h"
#include "metrics.h"
#include "monitor.h"
#include "state.h"
#include "util.h"

#define POSTED_MAX (1u << 16) /* slots of the posted table */

/* One opened incident or kind posted to the exec spool this run. */
struct posted {
	uint64_t id; /* 0 = free slot */
	int kind;
	time_t first_seen;
};

static struct {
	struct metrics *m;
	struct monitor *mon;
	struct exec_spool *spool;
	struct exec_worker *exec;
	char state_file[4096];
	int share;	     /* state_group set: files 0640 after each save */
	atomic_int exec_on;  /* alert.exec set */
	atomic_int exec_all; /* alert.exec_events = all */
	size_t cap;	     /* slots of posted (a power of two) */
	struct posted *posted;
	size_t n_posted;
} H;

/* keep - a key of [A-Za-z0-9._-] only */
static void keep(char *s)
{
	for (; *s; s++)
		if (!(((unsigned)*s | 32) - 'a' < 26 ||
		      (unsigned)*s - '0' < 10 || *s == '.' || *s == '_' ||
		      *s == '-'))
			*s = '_';
}

/* post - one exec job; a refused one is logged loudly */
static void post(const char *key, const struct buf *json,
		 const struct exec_env *env, const char *name, uint64_t id)
{
	char why[300];

	if (json->err) {
		errno = ENOMEM;
	} else if (exec_worker_post(H.exec, key, json->data, env) >= 0) {
		return;
	}
	snprintf(why, sizeof(why),
		 "alert.exec: %s of incident %llu not queued: %s", name,
		 (unsigned long long)id, strerror(errno));
	log_error("event=exec-lost event_name=%s incident=%llu reason=\"%s\"; "
		  "the program will not run for it",
		  name, (unsigned long long)id, strerror(errno));
	metrics_error(H.m, METRICS_ERR_ALERT, why);
}

/* post_incident - name ("block", "reminder", ...) about inc, key
 * "<id>-<name>-<at>" */
static void post_incident(const char *name, const struct incident *inc,
			  time_t at, time_t now)
{
	struct exec_env env;
	char key[EXEC_KEY_MAX];
	struct buf json;

	buf_init(&json);
	exec_incident_event(&json, &env, name, inc, now);
	snprintf(key, sizeof(key), "%llu-%s-%lld", (unsigned long long)inc->id,
		 name, (long long)at);
	keep(key);
	post(key, &json, &env, name, inc->id);
	buf_free(&json);
}

/* post_finding - alert.exec_events = all: one run per finding; the key
 * (source, time, queue id, IP, code, domain, text hash) makes the same log
 * line read again after a crash a no-op */
static void post_finding(const struct core_event *ev)
{
	const struct finding *f = ev->finding;
	struct exec_env env;
	char key[EXEC_KEY_MAX];
	struct buf json;

	buf_init(&json);
	exec_finding_event(&json, &env, ev->name, f, ev->incident);
	snprintf(key, sizeof(key), "f-%d-%lld-%.20s-%.40s-%.16s-%.20s-%08x",
		 (int)f->source, (long long)f->when, f->queue_id, f->v.ip,
		 f->v.code, f->rcpt_domain,
		 (unsigned)util_fnv1a32(f->text, f->text_len));
	keep(key);
	post(key, &json, &env, ev->name, ev->incident);
	buf_free(&json);
}

/* slot - the posted entry of id (or the free slot for it) */
static struct posted *slot(uint64_t id)
{
	size_t i = (size_t)(id * 0x9E3779B97F4A7C15ULL) & (H.cap - 1);

	while (H.posted[i].id && H.posted[i].id != id)
		i = (i + 1) & (H.cap - 1);
	return &H.posted[i];
}

/* post_opened - before a save: every open incident whose current kind
 * has not been posted this run (keys from an earlier run skip it) */
static void post_opened(const struct incident_store *store, time_t now)
{
	struct incident *inc;
	struct posted *p;
	size_t i, n;

	if (!atomic_load(&H.exec_on) || !store || !H.posted)
		return;
	n = incident_count((struct incident_store *)store);
	for (i = 0; i < n; i++) {
		inc = incident_at((struct incident_store *)store, i);
		if (inc->state == INCIDENT_CLEARED ||
		    inc->first_seen < now - (EXEC_KEY_DAYS - 1) * 86400L)
			continue;
		p = slot(inc->id);
		if (p->id && p->kind == (int)inc->kind &&
		    p->first_seen == inc->first_seen)
			continue;
		if (!p->id && ++H.n_posted > H.cap / 2) {
			/* full: forget (the spool's keys still skip) */
			memset(H.posted, 0, H.cap * sizeof(*H.posted));
			H.n_posted = 1;
			p = slot(inc->id);
		}
		p->id = inc->id;
		p->kind = (int)inc->kind;
		p->first_seen = inc->first_seen;
		post_incident(verdict_kind_name(inc->kind), inc,
			      inc->first_seen, now);
	}
}

/* share_files - the state file and its journals ("<state>.log",
 * ".log.new") mode 0640, group gid unless (gid_t)-1; a missing one is
 * skipped, another failure logged.  0 or -1. */
static int share_files(const char *state_file, gid_t gid)
{
	static const char *const ext[] = {"", ".log", ".log.new"};
	char path[4200];
	int rc = 0;
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", state_file, ext[i]);
		if ((gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0) ||
		    health_share(path, (gid_t)-1) < 0) {
			if (errno == ENOENT)
				continue;
			log_warning("state_group: cannot make %s mode 0640: %s",
				    path, strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

/* on_save - core's state save observer (state lock held) */
static void on_save(void *arg, enum state_save_phase phase,
		    const struct incident_store *store, double seconds,
		    int errnum)
{
	char why[300];

	(void)arg;
	if (phase == STATE_SAVE_BEGIN) {
		post_opened(store, time(NULL));
		return;
	}
	if (phase == STATE_SAVE_REWRITTEN) {
		if (H.share)
			share_files(H.state_file, (gid_t)-1);
		return;
	}
	metrics_save(H.m, seconds, errnum == 0);
	if (errnum) {
		snprintf(why, sizeof(why), "%.200s: %s", H.state_file,
			 strerror(errnum));
		metrics_error(H.m, METRICS_ERR_STATE, why);
	} else if (H.share) {
		share_files(H.state_file, (gid_t)-1);
	}
	monitor_kick(H.mon);
}

/* on_event - core's events: findings and alert outcomes counted, exec
 * jobs posted */
static void on_event(void *arg, const struct core_event *ev)
{
	char why[300];

	(void)arg;
	if (ev->has_source && strcmp(ev->name, "unverified-report")) {
		metrics_finding(H.m, finding_source_name(ev->source),
				verdict_provider_name(ev->provider), ev->code);
		if (atomic_load(&H.exec_on) && atomic_load(&H.exec_all) &&
		    ev->finding)
			post_finding(ev);
		return;
	}
	if (!strcmp(ev->name, "alert-sent")) {
		metrics_alert(H.m, "mail", 1);
	} else if (!strcmp(ev->name, "alert-failed")) {
		metrics_alert(H.m, "mail", 0);
		snprintf(why, sizeof(why),
			 "%s mail about %s failed (see the log)",
			 ev->mail ? ev->mail : "alert", ev->ip);
		metrics_error(H.m, METRICS_ERR_ALERT, why);
	} else if (ev->inc && atomic_load(&H.exec_on)) {
		if (!strcmp(ev->name, "reminder"))
			post_incident("reminder", ev->inc,
				      ev->inc->reminded_at
					      ? ev->inc->reminded_at
					      : ev->inc->alerted_at,
				      ev->when);
		else if (!strcmp(ev->name, "cleared"))
			post_incident("cleared", ev->inc, ev->inc->last_seen,
				      ev->when);
	}
}

/* on_lag - the log source's lag into the metrics (and the health file) */
static void on_lag(void *arg, const char *source, unsigned long long bytes,
		   double seconds)
{
	(void)arg;
	if (seconds < 0) {
		metrics_lag_forget(H.m, source); /* LOGSOURCE_GONE */
		return;
	}
	metrics_lag(H.m, source,
		    bytes == LOGSOURCE_NO_BYTES ? HEALTH_NO_BYTES : bytes,
		    seconds);
}

/* render_store - the metrics of the incidents, under the state lock */
static void render_store(struct metrics *m, size_t ip_cap, struct buf *out,
			 void *arg)
{
	(void)arg;
	state_lock();
	metrics_render(m, state_store(), ip_cap, out);
	state_unlock();
}

/* hooks_share_dir - see hooks.h */
int hooks_share_dir(const struct config *cfg, char *err, size_t errlen)
{
	const char *slash = strrchr(cfg->state_file, '/');
	char dir[4096];
	struct group *gr;

	if (!*cfg->state_group)
		return 0;
	gr = getgrnam(cfg->state_group);
	if (!gr) {
		snprintf(err, errlen, "state_group: unknown group \"%s\"",
			 cfg->state_group);
		return -1;
	}
	if (!slash || (size_t)(slash - cfg->state_file) >= sizeof(dir))
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - cfg->state_file),
		 cfg->state_file);
	if (chown(*dir ? dir : "/", (uid_t)-1, gr->gr_gid) < 0 ||
	    chmod(*dir ? dir : "/", 02750) < 0) {
		snprintf(err, errlen,
			 "state_group: cannot give %.200s to group %.64s with "
			 "mode 2750: %s; --status and --check need root",
			 dir, cfg->state_group, strerror(errno));
		return -1;
	}
	/* Files from before: the group now (new ones inherit it). */
	if (share_files(cfg->state_file, gr->gr_gid) < 0) {
		snprintf(err, errlen,
			 "state_group: cannot give the files of %.200s to "
			 "group %.64s",
			 cfg->state_file, cfg->state_group);
		return -1;
	}
	return 0;
}

/* exec_open - the spool ("<state_file>.exec") and its worker, made when
 * alert.exec is first set (at start or by a reload); 0 or -1 (logged) */
static int exec_open(const struct config *cfg)
{
	char dir[4200];

	if (H.exec)
		return 0;
	if (!H.posted) {
		/* twice the store, at most POSTED_MAX (when full it is
		 * forgotten: the spool's keys still skip a second post) */
		H.cap = 1024;
		while (H.cap < 2 * cfg->max_incidents + 2 && H.cap < POSTED_MAX)
			H.cap *= 2;
		H.posted = calloc(H.cap, sizeof(*H.posted));
		if (!H.posted) {
			log_error("alert.exec: out of memory; the program will "
				  "not run");
			return -1;
		}
	}
	snprintf(dir, sizeof(dir), "%s.exec", cfg->state_file);
	if (!H.spool)
		H.spool = exec_spool_new(dir);
	if (H.spool)
		H.exec = exec_worker_start(H.spool, cfg->alert.exec,
					   cfg->alert.exec_timeout,
					   cfg->alert.retry, H.m);
	if (!H.exec) {
		log_error("alert.exec: cannot use the spool %s: %s; the "
			  "program will not run",
			  dir, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	return 0;
}

/* remove_temp - "<path>.tmp.*" left by a write cut short by a kill */
static void remove_temp(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096], prefix[512], full[4700];
	struct dirent *de;
	size_t plen;
	DIR *d;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	plen = (size_t)snprintf(prefix, sizeof(prefix), "%s.tmp.", slash + 1);
	if (plen >= sizeof(prefix) || !(d = opendir(*dir ? dir : "/")))
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen))
			continue;
		snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
		if (unlink(full) == 0)
			log_info("removed %s, left by an interrupted write",
				 full);
	}
	closedir(d);
}

/* hooks_start - see hooks.h */
int hooks_start(const struct config *cfg)
{
	struct monitor_opts o;
	char health[4200];

	memset(&H, 0, sizeof(H));
	util_strcpy(H.state_file, sizeof(H.state_file), cfg->state_file);
	H.share = *cfg->state_group != '\0';
	H.m = metrics_new();
	if (!H.m) {
		log_error("hooks: out of memory");
		return -1;
	}
	if (*cfg->alert.exec && exec_open(cfg) == 0) {
		atomic_store(&H.exec_all,
			     !strcmp(cfg->alert.exec_events, "all"));
		atomic_store(&H.exec_on, 1);
	}
	if (health_path(cfg->state_file, health, sizeof(health)) == 0)
		remove_temp(health);
	if (*cfg->metrics_file)
		remove_temp(cfg->metrics_file);
	memset(&o, 0, sizeof(o));
	o.state_file = cfg->state_file;
	o.config_file = cfg->file;
	o.metrics_file = cfg->metrics_file;
	o.interval = cfg->metrics_interval;
	o.ip_cap = cfg->metrics_ip_cap;
	/* The state directory's set-group-ID bit gives the files the group:
	 * the daemon's user need not be a member (nor could it chown). */
	o.gid = (gid_t)-1;
	o.render_store = render_store;
	H.mon = monitor_start(H.m, &o);
	if (!H.mon)
		log_warning("cannot keep the health file of %s: %s; --status "
			    "and --check will say the daemon is not running",
			    cfg->state_file, strerror(errno ? errno : ENOMEM));
	state_on_save(on_save, NULL);
	logsource_on_lag(on_lag, NULL);
	events_subscribe(on_event, NULL);
	return 0;
}

/* hooks_reload - see hooks.h */
void hooks_reload(const struct config *cfg)
{
	if (!H.m)
		return;
	if (!*cfg->alert.exec) {
		atomic_store(&H.exec_on, 0);
		if (H.exec) /* owed runs wait in the spool */
			exec_worker_configure(H.exec, "",
					      cfg->alert.exec_timeout,
					      cfg->alert.retry);
		return;
	}
	if (exec_open(cfg) < 0)
		return;
	exec_worker_configure(H.exec, cfg->alert.exec, cfg->alert.exec_timeout,
			      cfg->alert.retry);
	atomic_store(&H.exec_all, !strcmp(cfg->alert.exec_events, "all"));
	atomic_store(&H.exec_on, 1);
}

/* hooks_stop - see hooks.h */
void hooks_stop(void)
{
	events_unsubscribe(on_event, NULL);
	logsource_on_lag(NULL, NULL);
	state_on_save(NULL, NULL);
	if (H.exec)
		exec_worker_stop(H.exec);
	if (H.spool)
		exec_spool_free(H.spool);
	monitor_stop(H.mon);
	metrics_free(H.m);
	free(H.posted);
	memset(&H, 0, sizeof(H));
}
