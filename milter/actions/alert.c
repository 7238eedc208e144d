/*
 * alert.c - the alert worker and the crash-safe send protocol
 *
 * The worker holds the state lock while it renders a message and while it
 * saves, never while sendmail runs.  Its own lock (W.lock) guards only the
 * stop and wake flags: a leaf, taken by alert_wake() from any thread, with
 * or without the state lock held.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "buf.h"
#include "config.h"
#include "event.h"
#include "events.h"
#include "evidence.h"
#include "incident_clock.h"
#include "log.h"
#include "notice.h"
#include "runmail.h"
#include "state.h"
#include "util.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop, kick, started;
	int unmarked; /* errno of the pending marker in this episode; 0 */
	pthread_t worker;
} W = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};

/* log_event - one syslog event line at prio, and the same event for the
 * subscribers (name about inc, with mail: alert|reminder|cleared) */
static void log_event(int prio, struct buf *b, const char *name,
		      const struct incident *inc, const char *mail, time_t now)
{
	struct core_event ev;

	if (!b->err)
		log_msg(prio, "%s", buf_str(b));
	buf_free(b);
	events_of_incident(&ev, name, inc, now);
	ev.mail = mail;
	events_emit(&ev);
}

/* due_name - the mail kinds as named in events */
static const char *due_name(enum incident_due due)
{
	switch (due) {
	case INCIDENT_DUE_ALERT:
		return "alert";
	case INCIDENT_DUE_REMINDER:
		return "reminder";
	case INCIDENT_DUE_CLEARED:
		return "cleared";
	default:
		return "none";
	}
}

struct top {
	struct notice_volume *nv;
	struct volume_count *vs, *vu;
	time_t now;
};

/* read_volume - copy the top senders and users (volume lock held) */
static void read_volume(void *arg, struct volume *v)
{
	struct top *t = arg;

	if (!v)
		return;
	t->nv->total = volume_total(v, t->now, NULL);
	t->nv->n_senders =
		volume_top(v, t->now, VOLUME_SENDER, t->vs, NOTICE_TOP_MAX);
	t->nv->n_users =
		volume_top(v, t->now, VOLUME_AUTH, t->vu, NOTICE_TOP_MAX);
	t->nv->distinct_senders = volume_keys(v, VOLUME_SENDER);
	t->nv->distinct_users = volume_keys(v, VOLUME_AUTH);
}

/* fill_volume - the top senders and users for the alert body */
static void fill_volume(struct notice_volume *nv, struct volume_count *vs,
			struct volume_count *vu, struct notice_count *ns,
			struct notice_count *nu, time_t now)
{
	struct top t = {nv, vs, vu, now};
	size_t i;

	memset(nv, 0, sizeof(*nv));
	nv->window = VOLUME_BUCKETS * VOLUME_BUCKET_SECS;
	evidence_volume_read(read_volume, &t);
	for (i = 0; i < nv->n_senders; i++) {
		ns[i].key = vs[i].key;
		ns[i].count = vs[i].messages;
	}
	for (i = 0; i < nv->n_users; i++) {
		nu[i].key = vu[i].key;
		nu[i].count = vu[i].messages;
		nv->authenticated += vu[i].messages;
	}
	nv->senders = ns;
	nv->users = nu;
}

/* The mail of one pass: incidents owing the same kind of mail (due) to
 * the same provider, of the same kind and remedy, sent as one mail. */
struct batch {
	enum incident_due due;
	enum verdict_provider provider;
	enum verdict_remedy remedy;
	enum verdict_kind kind;
	int stale; /* reminders of stale incidents (incident_clock.h) */
	size_t n, cap;
	unsigned long long *ids;
	const struct incident **incs;
};

/* batch_add - one more incident; 0, or -1 out of memory */
static int batch_add(struct batch *bt, const struct incident *inc)
{
	if (bt->n == bt->cap) {
		size_t nc = bt->cap ? bt->cap * 2 : 64;
		unsigned long long *ni = realloc(bt->ids, nc * sizeof(*ni));
		const struct incident **np;

		if (!ni)
			return -1;
		bt->ids = ni;
		np = realloc((void *)bt->incs, nc * sizeof(*np));
		if (!np)
			return -1;
		bt->incs = np;
		bt->cap = nc;
	}
	bt->ids[bt->n] = inc->id;
	bt->incs[bt->n++] = inc;
	return 0;
}

/* The digest windows: one per provider and kind (a block and a rate
 * limit of the same provider are different news). */
#define WINDOWS 64
#define WINDOW(inc)                                                            \
	(((unsigned)(inc)->provider * 8u + (unsigned)(inc)->kind) % WINDOWS)

/* owed - the mail inc owes now: incident_due(), except that a stale
 * incident (incident_clock.h) is owed one reminder that says so and then
 * nothing */
static enum incident_due owed(struct incident *inc, const struct config *cfg,
			      time_t now)
{
	enum incident_due due = incident_due(inc, now, cfg->alert.reminder,
					     cfg->alert.clear_after);

	if (due == INCIDENT_DUE_REMINDER &&
	    incident_stale(inc, now, cfg->alert.stale) &&
	    incident_stale_told(inc, cfg->alert.stale))
		return INCIDENT_DUE_NONE;
	return due;
}

/* held - inc's first alert waits for the digest: another IP of its
 * provider and kind was alerted less than alert.digest ago (last:
 * the latest alert per window).  An incident alerted before (a rate
 * limit that became a block) is not held. */
static int held(const struct incident *inc, enum incident_due due,
		const struct config *cfg, const time_t *last, time_t now)
{
	time_t l = last[WINDOW(inc)];

	return due == INCIDENT_DUE_ALERT && cfg->alert.digest > 0 &&
	       !inc->alerted_at && l > 0 && now >= l &&
	       now - l < cfg->alert.digest;
}

/* scan_locked - the first pass: times bounded against now, clear
 * clocks run (cleared events), the latest alert per provider */
static void scan_locked(struct incident_store *st, const struct config *cfg,
			time_t now, time_t *last)
{
	size_t i, n = incident_count(st);
	time_t cap = cfg->alert.retry > 3600 ? cfg->alert.retry : 3600;
	unsigned future = 0;
	enum incident_state was;
	struct incident *inc;
	struct buf b;

	for (i = 0; i < n; i++) {
		inc = incident_at(st, i);
		future += incident_clamp(inc, now, cap);
		was = inc->state;
		owed(inc, cfg, now);
		if (inc->state != was) {
			state_changed_locked();
			if (inc->state == INCIDENT_CLEARED) {
				buf_init(&b);
				event_incident(&b, "cleared", inc);
				log_event(LOG_NOTICE, &b, "cleared", inc, NULL,
					  now);
			}
		}
		if (inc->alerted_at > last[WINDOW(inc)])
			last[WINDOW(inc)] = inc->alerted_at;
	}
	if (future) {
		state_changed_locked();
		log_warning("event=clock count=%u reason=\"%u stored time(s) "
			    "of the state lay in the future (clock set back, "
			    "or a state from another host): treated as now\"",
			    future, future);
	}
}

/* next_due_locked - gather the next mail owed (the first incident that
 * owes one, and every later one owing the same kind of mail to the same
 * provider with the same remedy), render it; 1 when found */
static int next_due_locked(const struct config *cfg, time_t now,
			   struct buf *msg, struct batch *bt, const char *host,
			   const struct notice_volume *nv)
{
	struct incident_store *st = state_store();
	size_t i, n = incident_count(st);
	time_t last[WINDOWS] = {0};
	enum incident_due due;
	struct incident *inc;
	struct buf b;
	int stale;

	bt->n = 0;
	scan_locked(st, cfg, now, last);
	for (i = 0; i < n; i++) {
		inc = incident_at(st, i);
		due = owed(inc, cfg, now);
		if (due == INCIDENT_DUE_NONE || held(inc, due, cfg, last, now))
			continue;
		stale = due == INCIDENT_DUE_REMINDER &&
			incident_stale(inc, now, cfg->alert.stale);
		/* alert.digest 0: one mail per incident */
		if (bt->n &&
		    (!cfg->alert.digest || due != bt->due ||
		     inc->provider != bt->provider ||
		     inc->remedy != bt->remedy || inc->kind != bt->kind ||
		     stale != bt->stale || due == INCIDENT_DUE_CLEARED))
			continue;
		if (due == INCIDENT_DUE_REMINDER && inc->attempts == 0) {
			buf_init(&b);
			event_incident(&b, "reminder", inc);
			log_event(LOG_NOTICE, &b, "reminder", inc, NULL, now);
		}
		bt->due = due;
		bt->provider = inc->provider;
		bt->remedy = inc->remedy;
		bt->kind = inc->kind;
		bt->stale = stale;
		if (batch_add(bt, inc) < 0)
			break; /* send what is gathered */
	}
	if (!bt->n)
		return 0;
	buf_reset(msg);
	if (notice_build_many(msg, bt->due, bt->incs, bt->n, cfg, nv, host,
			      now) < 0 ||
	    msg->err) {
		log_error("cannot compose the %s mail for incident %llu%s",
			  due_name(bt->due), bt->ids[0],
			  bt->n > 1 ? " and the others of its digest" : "");
		for (i = 0; i < bt->n; i++)
			incident_failed((struct incident *)bt->incs[i], now,
					cfg->alert.retry);
		state_changed_locked();
		bt->n = 0;
		return 0;
	}
	return 1;
}

/* marker_path - "<state_file>.sending": the sendmail child renames this
 * daemon's pending_path() to it just before it executes sendmail (see
 * run_sendmail_marked()) */
static void marker_path(const struct config *cfg, char *dst, size_t size)
{
	snprintf(dst, size, "%s.sending", cfg->state_file);
}

/* pending_path - "<state_file>.pending.<pid>", this daemon's own: an
 * orphaned child of a previous one cannot take it */
static void pending_path(const struct config *cfg, char *dst, size_t size)
{
	snprintf(dst, size, "%s.pending.%ld", cfg->state_file, (long)getpid());
}

/* unmarked - the pending marker cannot be created (errno e; 0: it can
 * again): said once per episode */
static void unmarked(const struct config *cfg, const char *pending, int e)
{
	char dir[4200], why[4400];
	const char *slash = strrchr(cfg->state_file, '/');
	struct buf b;

	if (e == W.unmarked)
		return;
	if (!e) {
		log_notice("the state directory takes the alert marker again: "
			   "alerts are sent exactly once again");
		W.unmarked = 0;
		return;
	}
	W.unmarked = e;
	snprintf(dir, sizeof(dir), "%.*s",
		 slash ? (int)(slash - cfg->state_file) : 1,
		 slash ? cfg->state_file : ".");
	snprintf(why, sizeof(why),
		 "cannot create %s: %s; alerts are sent anyway, without the "
		 "exactly-once marker: one may go out twice after a crash",
		 pending, strerror(e));
	buf_init(&b);
	event_kv(&b, "event", "warning");
	event_kv(&b, "what", "state-dir");
	event_kv(&b, "path", *dir ? dir : "/");
	event_kv(&b, "reason", why);
	event_kv(&b, "fix", "make the state directory writable, free space");
	if (!b.err)
		log_warning("%s", buf_str(&b));
	buf_free(&b);
}

/* send_mail - run sendmail with the configured command plus -f FROM; when
 * the state directory cannot take the pending marker (read-only, full),
 * send without it: an admin hears of a block even when the disk is
 * broken (at least once rather than not at all) */
static int send_mail(const struct config *cfg, const struct buf *msg, char *err,
		     size_t errlen)
{
	char *argv[40], marker[4200], pending[4200];
	size_t i = 0;
	int rc, fd;

	for (; cfg->alert.sendmail[i] && i < 36; i++)
		argv[i] = cfg->alert.sendmail[i];
	argv[i++] = (char *)"-f";
	argv[i++] = cfg->alert.from;
	argv[i] = NULL;
	marker_path(cfg, marker, sizeof(marker));
	pending_path(cfg, pending, sizeof(pending));
	fd = open(pending,
		  O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	unmarked(cfg, pending, fd < 0 ? errno : 0);
	if (fd < 0)
		return run_sendmail(argv, msg->data, msg->len,
				    cfg->alert.timeout, err, errlen);
	close(fd);
	rc = run_sendmail_marked(argv, msg->data, msg->len, cfg->alert.timeout,
				 pending, marker, err, errlen);
	unlink(pending); /* still there when the child failed before exec */
	return rc;
}

/* sent_line - the alert-sent or alert-failed line of a mail about the
 * incidents of bt (first: inc) */
static void sent_line(const struct config *cfg, const struct batch *bt,
		      struct incident *inc, int rc, const char *err, time_t now)
{
	struct buf b;

	buf_init(&b);
	event_incident(&b, rc == 0 ? "alert-sent" : "alert-failed", inc);
	event_kv(&b, "mail", due_name(bt->due));
	if (bt->n > 1)
		event_kv_num(&b, "incidents", bt->n);
	if (rc == 0) {
		event_kv(&b, "to", cfg->alert.to);
	} else {
		event_kv_num(&b, "attempt", inc->attempts);
		event_kv(&b, "reason", err);
		event_kv_num(&b, "retry_in",
			     (unsigned long long)(inc->next_attempt - now));
	}
	if (!b.err)
		log_msg(rc == 0 ? LOG_NOTICE : LOG_WARNING, "%s", buf_str(&b));
	buf_free(&b);
}

/* send_one - send the rendered mail of the incidents of bt (state lock
 * held on entry and return; released while sendmail runs).  One mail,
 * one marker: every incident of it is marked sending before, and sent or
 * failed after, together. */
static void send_one(const struct config *cfg, const struct buf *msg,
		     struct batch *bt, time_t now)
{
	char err[256], marker[4200];
	struct incident *inc, *first = NULL;
	struct core_event ev;
	size_t i;
	int rc;

	/* Record the intent first, with no marker around: if we die from
	 * here on, the next start tells by the marker whether sendmail was
	 * started. */
	marker_path(cfg, marker, sizeof(marker));
	unlink(marker);
	for (i = 0; i < bt->n; i++) {
		inc = incident_by_id(state_store(), bt->ids[i]);
		if (inc)
			incident_sending_begin(inc, bt->due, now);
	}
	state_changed_locked();
	state_save_locked(cfg, now);
	state_unlock();
	rc = send_mail(cfg, msg, err, sizeof(err));
	now = time(NULL);
	state_lock();
	for (i = 0; i < bt->n; i++) {
		inc = incident_by_id(state_store(), bt->ids[i]);
		if (!inc)
			continue;
		incident_sending_end(inc);
		if (rc == 0)
			incident_mark(inc, bt->due, now);
		else
			incident_failed(inc, now, cfg->alert.retry);
		if (!first)
			first = inc;
	}
	if (first) {
		/* Saved at once, before the event line: a restart must not
		 * send it again, and a kill between the line and the save
		 * would make the restart settle (and log) the same send a
		 * second time. */
		state_changed_locked();
		state_save_locked(cfg, now);
		sent_line(cfg, bt, first, rc, err, now);
	}
	for (i = 0; first && i < bt->n; i++) {
		inc = incident_by_id(state_store(), bt->ids[i]);
		if (!inc)
			continue;
		events_of_incident(&ev, rc == 0 ? "alert-sent" : "alert-failed",
				   inc, now);
		ev.mail = due_name(bt->due);
		events_emit(&ev);
	}
	/* Unsaved (disk full), the marker must stay for the next start to
	 * settle the same way. */
	if (!state_unsaved_locked())
		unlink(marker);
}

/* stopping - wait up to a second for a wake; 1 when told to stop */
static int stopping(int wait)
{
	struct timespec ts;
	int stop;

	pthread_mutex_lock(&W.lock);
	if (wait && !W.kick && !W.stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&W.wake, &W.lock, &ts);
	}
	if (wait)
		W.kick = 0;
	stop = W.stop;
	pthread_mutex_unlock(&W.lock);
	return stop;
}

/* worker - owed mails, state saves; wakes every second or when told */
static void *worker(void *arg)
{
	struct volume_count vs[NOTICE_TOP_MAX], vu[NOTICE_TOP_MAX];
	struct notice_count ns[NOTICE_TOP_MAX], nu[NOTICE_TOP_MAX];
	struct notice_volume nv;
	char host[256];
	struct batch bt;
	struct config *cfg;
	struct buf msg;
	time_t now;
	int found;

	(void)arg;
	if (gethostname(host, sizeof(host)) < 0)
		util_strcpy(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	buf_init(&msg);
	msg.max = ALERT_MAIL_MAX;
	memset(&bt, 0, sizeof(bt));
	while (!stopping(0)) {
		cfg = config_acquire();
		if (!cfg) {
			stopping(1);
			continue;
		}
		now = time(NULL);
		state_poll_cursor(now);
		fill_volume(&nv, vs, vu, ns, nu, now);
		state_lock();
		found = state_store() &&
			next_due_locked(cfg, now, &msg, &bt, host, &nv);
		state_save_due_locked(cfg, now);
		if (found)
			send_one(cfg, &msg, &bt, now);
		state_unlock();
		config_release(cfg);
		if (!found)
			stopping(1);
	}
	buf_free(&msg);
	free(bt.ids);
	free((void *)bt.incs);
	return NULL;
}

/* settle_sending - mails that were being sent when the previous run
 * stopped.  The marker exists when sendmail was started: it reads the
 * message from a memory file that outlives us, so the mail went out and
 * is counted as sent.  No marker: sendmail never ran, the mail is still
 * owed and goes out again; state_open() has removed the pending file
 * first, so a child of the previous run that is still on its way cannot
 * start sendmail after all.  Nothing lost, nothing sent twice.  (State
 * lock held.) */
static void settle_sending(const struct config *cfg)
{
	struct incident_store *st = state_store();
	size_t i, n = st ? incident_count(st) : 0;
	enum incident_due due;
	struct incident *inc;
	char marker[4200];
	int started, settled = 0;
	struct buf b;

	marker_path(cfg, marker, sizeof(marker));
	started = access(marker, F_OK) == 0;
	for (i = 0; i < n; i++) {
		inc = incident_at(st, i);
		if (!inc->sending)
			continue;
		due = incident_settle(inc, started);
		buf_init(&b);
		if (started) {
			event_incident(&b, "alert-sent", inc);
			event_kv(&b, "assumed", "yes");
			event_kv(&b, "reason",
				 "sendmail was running when the "
				 "previous run stopped");
		} else {
			event_incident(&b, "alert-failed", inc);
			event_kv(&b, "reason",
				 "the previous run stopped before "
				 "sendmail ran; sending again");
		}
		event_kv(&b, "mail", due_name(due));
		log_event(LOG_NOTICE, &b,
			  started ? "alert-sent" : "alert-failed", inc,
			  due_name(due), time(NULL));
		state_changed_locked();
		settled = 1;
	}
	/* The marker goes only once the outcome is saved: killed before
	 * that, the next start must find the same evidence. */
	if (settled)
		state_save_locked(cfg, time(NULL));
	if (!state_unsaved_locked())
		unlink(marker);
}

/* on_event - core's events: a new incident or kind wakes the worker */
static void on_event(void *arg, const struct core_event *ev)
{
	(void)arg;
	if (ev->incident && strcmp(ev->name, "repeat") &&
	    strncmp(ev->name, "alert-", 6) && strcmp(ev->name, "reminder") &&
	    strcmp(ev->name, "cleared"))
		alert_wake();
}

/* alert_start - settle, subscribe, start */
int alert_start(void)
{
	struct config *cfg = config_acquire();

	if (!cfg)
		return -1;
	state_lock();
	settle_sending(cfg);
	state_unlock();
	config_release(cfg);
	W.stop = 0;
	W.kick = 0;
	if (pthread_create(&W.worker, NULL, worker, NULL) != 0) {
		log_error("cannot start the alert worker");
		return -1;
	}
	W.started = 1;
	events_subscribe(on_event, NULL);
	return 0;
}

/* alert_stop - stop, join */
void alert_stop(void)
{
	if (!W.started)
		return;
	events_unsubscribe(on_event, NULL);
	pthread_mutex_lock(&W.lock);
	W.stop = 1;
	pthread_cond_signal(&W.wake);
	pthread_mutex_unlock(&W.lock);
	pthread_join(W.worker, NULL);
	W.started = 0;
}

/* alert_wake - wake the worker */
void alert_wake(void)
{
	pthread_mutex_lock(&W.lock);
	W.kick = 1;
	pthread_cond_signal(&W.wake);
	pthread_mutex_unlock(&W.lock);
}
