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
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "buf.h"
#include "config.h"
#include "event.h"
#include "events.h"
#include "evidence.h"
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

/* next_due_locked - find one owed mail, render it; 1 when found */
static int next_due_locked(const struct config *cfg, time_t now,
			   struct buf *msg, unsigned long long *id,
			   enum incident_due *due, const char *host,
			   const struct notice_volume *nv)
{
	struct incident_store *st = state_store();
	size_t i, n = incident_count(st);
	struct incident *inc;
	enum incident_state was;
	struct buf b;

	for (i = 0; i < n; i++) {
		inc = incident_at(st, i);
		was = inc->state;
		*due = incident_due(inc, now, cfg->alert.reminder,
				    cfg->alert.clear_after);
		if (inc->state != was) {
			state_changed_locked();
			if (inc->state == INCIDENT_CLEARED) {
				buf_init(&b);
				event_incident(&b, "cleared", inc);
				log_event(LOG_NOTICE, &b, "cleared", inc, NULL,
					  now);
			}
		}
		if (*due == INCIDENT_DUE_NONE)
			continue;
		if (*due == INCIDENT_DUE_REMINDER && inc->attempts == 0) {
			buf_init(&b);
			event_incident(&b, "reminder", inc);
			log_event(LOG_NOTICE, &b, "reminder", inc, NULL, now);
		}
		buf_reset(msg);
		if (notice_build(msg, *due, inc, cfg, nv, host, now) < 0 ||
		    msg->err) {
			log_error(
				"cannot compose the %s mail for incident %llu",
				due_name(*due), (unsigned long long)inc->id);
			incident_failed(inc, now, cfg->alert.retry);
			state_changed_locked();
			continue;
		}
		*id = inc->id;
		return 1;
	}
	return 0;
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

/* send_one - send the rendered mail of incident id (state lock held on
 * entry and return; released while sendmail runs) */
static void send_one(const struct config *cfg, const struct buf *msg,
		     unsigned long long id, enum incident_due due, time_t now)
{
	char err[256], marker[4200];
	struct incident *inc;
	struct buf b;
	int rc;

	/* Record the intent first, with no marker around: if we die from
	 * here on, the next start tells by the marker whether sendmail was
	 * started. */
	marker_path(cfg, marker, sizeof(marker));
	unlink(marker);
	inc = incident_by_id(state_store(), id);
	incident_sending_begin(inc, due, now);
	state_changed_locked();
	state_save_locked(cfg, now);
	state_unlock();
	rc = send_mail(cfg, msg, err, sizeof(err));
	now = time(NULL);
	state_lock();
	inc = incident_by_id(state_store(), id);
	if (inc) {
		incident_sending_end(inc);
		buf_init(&b);
		if (rc == 0) {
			incident_mark(inc, due, now);
			event_incident(&b, "alert-sent", inc);
			event_kv(&b, "mail", due_name(due));
			event_kv(&b, "to", cfg->alert.to);
		} else {
			incident_failed(inc, now, cfg->alert.retry);
			event_incident(&b, "alert-failed", inc);
			event_kv(&b, "mail", due_name(due));
			event_kv_num(&b, "attempt", inc->attempts);
			event_kv(&b, "reason", err);
			event_kv_num(
				&b, "retry_in",
				(unsigned long long)(inc->next_attempt - now));
		}
		/* Saved at once, before the event line: a restart must not
		 * send it again, and a kill between the line and the save
		 * would make the restart settle (and log) the same send a
		 * second time. */
		state_changed_locked();
		state_save_locked(cfg, now);
		log_event(rc == 0 ? LOG_NOTICE : LOG_WARNING, &b,
			  rc == 0 ? "alert-sent" : "alert-failed", inc,
			  due_name(due), now);
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
	enum incident_due due;
	unsigned long long id;
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
			next_due_locked(cfg, now, &msg, &id, &due, host, &nv);
		state_save_due_locked(cfg, now);
		if (found)
			send_one(cfg, &msg, id, due, now);
		state_unlock();
		config_release(cfg);
		if (!found)
			stopping(1);
	}
	buf_free(&msg);
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
