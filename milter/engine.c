/*
 * engine.c - the daemon's shared state and its threads
 *
 * Locks: store_lock guards the incident store, the dedupe ring, the
 * learned domains and the rate limiter; volume_lock guards the volume
 * counters (counted for every message to Microsoft, so never behind a
 * state save).  The worker saves the state and sends mail; it holds
 * store_lock while it renders a message and while it saves, never while
 * sendmail runs.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "engine.h"
#include "event.h"
#include "follow.h"
#include "incident.h"
#include "log.h"
#include "maillog.h"
#include "notice.h"
#include "runmail.h"
#include "util.h"
#include "volume.h"

#define SEEN_MAX	   1024 /* (queue id, recipient) pairs remembered */
#define SEEN_KEY_MAX	   300
#define LEARNED_MAX	   1024 /* Microsoft 365 domains learned */
#define UNVERIFIED_PER_MIN 10	/* unverified-report lines per minute */
#define CURSOR_SAVE_SECS   5	/* a moved cursor alone is saved this often */
#define MAIL_MAX	   (4u << 20) /* largest alert mail */

static struct {
	pthread_mutex_t store_lock;
	pthread_cond_t wake;
	struct incident_store *store;
	int dirty;	  /* incidents changed since the last save */
	int cursor_dirty; /* only the follower's cursor moved */
	time_t saved_at;
	int save_errno; /* last save error logged (once) */
	int stop;
	int started;
	pthread_t worker;

	pthread_mutex_t volume_lock;
	struct volume *volume;

	pthread_mutex_t follow_lock; /* the follower pointer (reload) */
	struct follow *follow;
	char *follow_path;
	time_t cursor_polled;

	char seen[SEEN_MAX][SEEN_KEY_MAX];
	size_t seen_next;

	struct {
		char domain[FINDING_DOMAIN_MAX];
		enum verdict_provider provider;
	} learned[LEARNED_MAX];
	size_t learned_next;

	time_t unverified_minute;
	unsigned unverified_count, unverified_dropped;
} E = {
	.store_lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.volume_lock = PTHREAD_MUTEX_INITIALIZER,
	.follow_lock = PTHREAD_MUTEX_INITIALIZER,
};

static void save_locked(const struct config *cfg, time_t now);

/* log_event - one syslog event line at prio */
static void log_event(int prio, struct buf *b)
{
	if (!b->err)
		log_msg(prio, "%s", buf_str(b));
	buf_free(b);
}

/* ---------------------------------------------------------------------
 * Findings
 */

/*
 * plausible - may a Microsoft-worded refusal from this remote host be
 * believed?  Anyone our MTA talks to (a vacation responder, a spammer's
 * MX answering a bounce) can reply with Microsoft's text about any IP.  It
 * counts when the host is a Microsoft MX, an address literal or unknown
 * (a transport map to an IP, a stripped log), a trusted relay (our
 * smarthost relays Microsoft's answer), or when the IP it names is ours.
 */
static int plausible(const struct finding *f, const struct config *cfg)
{
	const char *h = f->remote_mta;
	char ip[VERDICT_IP_MAX];
	size_t i;

	if (!h[0] || verdict_mx_provider(h) != VERDICT_PROVIDER_NONE ||
	    util_ip_parse(h, strlen(h), ip, sizeof(ip)))
		return 1;
	if (f->v.ip[0] &&
	    finding_is_ours(f->v.ip, cfg->outbound_ips, cfg->n_outbound_ips))
		return 1;
	for (i = 0; i < cfg->n_trusted_relays; i++)
		if (util_domain_match(h, cfg->trusted_relays[i]))
			return 1;
	return 0;
}

/* engine_finding - note a trusted finding */
unsigned long long engine_finding(struct finding *f)
{
	struct config *cfg = config_acquire();
	struct incident *inc;
	enum verdict_kind before = VERDICT_KIND_NONE;
	unsigned long long id = 0;
	struct buf b;
	int is_new = 0;

	if (!cfg)
		return 0;
	if (!f->when)
		f->when = time(NULL);
	if (!f->sent && verdict_alerts(&f->v) && !plausible(f, cfg)) {
		engine_unverified(f, f->remote_mta);
		config_release(cfg);
		return 0;
	}
	if (!f->sent)
		engine_learn_domain(f->rcpt_domain, f->v.provider);
	buf_init(&b);
	pthread_mutex_lock(&E.store_lock);
	/* After engine_stop(): libmilter does not wait for the connection
	 * threads, and one may still bring a bounce. */
	if (!E.store)
		goto out;
	if (f->sent) {
		incident_sent(E.store, "", f->v.provider, f->when);
		E.dirty = 1;
		goto out;
	}
	if (!verdict_alerts(&f->v)) {
		/* Microsoft refused, but not because of our IP. */
		if (f->v.kind == VERDICT_AUTH ||
		    f->v.kind == VERDICT_DOMAIN_BLOCK) {
			event_finding(&b, NULL, f, 0);
			event_kv(&b, "remedy",
				 verdict_remedy_name(f->v.remedy));
		}
		goto out;
	}
	finding_infer_ip(f, cfg->outbound_ips, cfg->n_outbound_ips);
	inc = incident_find(E.store, f->v.ip, f->v.provider);
	if (inc && inc->state != INCIDENT_CLEARED)
		before = inc->kind;
	inc = incident_note(E.store, f, &is_new);
	if (!inc) {
		log_warning("cannot record incident for %s: %s", f->v.ip,
			    strerror(errno));
		goto out;
	}
	id = inc->id;
	E.dirty = 1;
	if (is_new || inc->kind != before) {
		/* A rate limit that turned into a block or ban needs a
		 * different remedy: a new alert is owed. */
		if (!is_new && before == VERDICT_RATELIMIT &&
		    inc->state != INCIDENT_OPEN) {
			inc->state = INCIDENT_OPEN;
			inc->attempts = 0;
			inc->next_attempt = 0;
		}
		event_finding(&b, NULL, f, id);
		if (f->ip_inferred)
			event_kv(&b, "ip_inferred", "yes");
		/* A bounce is seen once: saved before its event is logged
		 * and the MTA is answered, or a crash would lose it.  (A log
		 * line is read again from the saved cursor.) */
		if (f->source == FINDING_DSN)
			save_locked(cfg, time(NULL));
		pthread_cond_signal(&E.wake);
	} else if (log_enabled(LOG_DEBUG)) {
		event_finding(&b, "repeat", f, id);
	}
out:
	pthread_mutex_unlock(&E.store_lock);
	/* New incidents and changes of kind are notices, other Microsoft
	 * refusals (auth, domain-block) information, repeats debug. */
	if (b.len)
		log_event(id && strncmp(buf_str(&b), "event=repeat", 12)
				  ? LOG_NOTICE
			  : id ? LOG_DEBUG
			       : LOG_INFO,
			  &b);
	else
		buf_free(&b);
	config_release(cfg);
	return id;
}

/* engine_unverified - log a possibly forged report, rate-limited */
void engine_unverified(const struct finding *f, const char *client)
{
	time_t minute = time(NULL) / 60;
	unsigned dropped = 0;
	struct buf b;
	int log_it;

	pthread_mutex_lock(&E.store_lock);
	if (minute != E.unverified_minute) {
		dropped = E.unverified_dropped;
		E.unverified_minute = minute;
		E.unverified_count = 0;
		E.unverified_dropped = 0;
	}
	log_it = E.unverified_count < UNVERIFIED_PER_MIN;
	if (log_it)
		E.unverified_count++;
	else
		E.unverified_dropped++;
	pthread_mutex_unlock(&E.store_lock);

	if (dropped)
		log_notice("event=unverified-report suppressed=%u "
			   "limit_per_minute=%d",
			   dropped, UNVERIFIED_PER_MIN);
	if (!log_it)
		return;
	buf_init(&b);
	event_kv(&b, "event", "unverified-report");
	event_kv(&b, "ip", f->v.ip);
	event_kv(&b, "provider", verdict_provider_name(f->v.provider));
	event_kv(&b, "kind", verdict_kind_name(f->v.kind));
	event_kv(&b, "code", f->v.code);
	event_kv(&b, "rcpt_domain", f->rcpt_domain);
	event_kv(&b, "client", client);
	event_kv(&b, "reason",
		 "names an IP that is not ours, and came neither "
		 "from Microsoft nor from a trusted relay");
	log_event(LOG_NOTICE, &b);
}

/* engine_report_seen - a small ring of recent (queue id, recipient) */
int engine_report_seen(const char *queue_id, const char *recipient)
{
	char key[SEEN_KEY_MAX];
	size_t i, n;
	int seen = 0;

	if (!queue_id || !*queue_id)
		return 0;
	snprintf(key, sizeof(key), "%s %s", queue_id, recipient);
	for (i = 0; key[i]; i++)
		key[i] = (char)util_lower((unsigned char)key[i]);
	pthread_mutex_lock(&E.store_lock);
	n = E.seen_next < SEEN_MAX ? E.seen_next : SEEN_MAX;
	for (i = 0; i < n && !seen; i++)
		seen = !strcmp(E.seen[i], key);
	if (!seen) {
		util_strcpy(E.seen[E.seen_next % SEEN_MAX], SEEN_KEY_MAX, key);
		E.seen_next++;
	}
	pthread_mutex_unlock(&E.store_lock);
	return seen;
}

/* engine_volume - count outbound mail to Microsoft */
void engine_volume(const char *sender, const char *auth_user, unsigned n,
		   time_t now)
{
	pthread_mutex_lock(&E.volume_lock);
	if (E.volume)
		volume_add(E.volume, sender, auth_user, n, now);
	pthread_mutex_unlock(&E.volume_lock);
}

/* learned_locked - the provider learned for domain (store_lock held) */
static enum verdict_provider learned_locked(const char *domain)
{
	size_t i,
		n = E.learned_next < LEARNED_MAX ? E.learned_next : LEARNED_MAX;

	for (i = 0; i < n; i++)
		if (!strcasecmp(E.learned[i].domain, domain))
			return E.learned[i].provider;
	return VERDICT_PROVIDER_NONE;
}

/* engine_domain_provider - who handles mail to domain: the consumer
 * domains, and domains learned from Microsoft MX names and verdicts */
enum verdict_provider engine_domain_provider(const char *domain)
{
	enum verdict_provider p;

	if (!domain || !*domain)
		return VERDICT_PROVIDER_NONE;
	if (verdict_consumer_domain(domain))
		return VERDICT_MS_CONSUMER;
	pthread_mutex_lock(&E.store_lock);
	p = learned_locked(domain);
	pthread_mutex_unlock(&E.store_lock);
	return p;
}

/* engine_ms_domain - is mail to domain handled by Microsoft? */
int engine_ms_domain(const char *domain)
{
	return engine_domain_provider(domain) != VERDICT_PROVIDER_NONE;
}

/* engine_learn_domain - remember that Microsoft (provider) handles domain */
void engine_learn_domain(const char *domain, enum verdict_provider provider)
{
	if (!domain || !*domain || provider == VERDICT_PROVIDER_NONE ||
	    verdict_consumer_domain(domain))
		return;
	pthread_mutex_lock(&E.store_lock);
	if (learned_locked(domain) == VERDICT_PROVIDER_NONE) {
		size_t i = E.learned_next++ % LEARNED_MAX;

		util_strcpy(E.learned[i].domain, FINDING_DOMAIN_MAX, domain);
		E.learned[i].provider = provider;
	}
	pthread_mutex_unlock(&E.store_lock);
}

/* engine_log_line - the follower's callback: parse, classify, note */
void engine_log_line(const char *line, size_t len,
		     const struct incident_cursor *after)
{
	/* One record per thread, reused: its time zone cache then saves a
	 * localtime_r() per line (only the follower thread calls this). */
	static _Thread_local struct maillog_rec r;
	struct finding f;
	time_t now = time(NULL);

	if (maillog_parse(line, len, now, &r) == 1) {
		engine_learn_domain(r.rcpt_domain,
				    verdict_mx_provider(r.relay_host));
		if (finding_from_log(&f, &r, now)) {
			engine_finding(&f);
		} else if (r.status == MAILLOG_SENT) {
			/* Sent through a relay that does not look like
			 * Microsoft (a smarthost, a transport map): the
			 * domain may still be one Microsoft refused. */
			f.v.provider = engine_domain_provider(r.rcpt_domain);
			if (f.v.provider != VERDICT_PROVIDER_NONE) {
				f.sent = 1;
				f.when = r.when ? r.when : now;
				engine_finding(&f);
			}
		}
	}
	pthread_mutex_lock(&E.store_lock);
	incident_set_cursor(E.store, after);
	E.cursor_dirty = 1;
	pthread_mutex_unlock(&E.store_lock);
}

/* follow_line - the follower's callback */
static void follow_line(void *arg, const char *line, size_t len,
			const struct incident_cursor *after)
{
	(void)arg;
	engine_log_line(line, len, after);
}

/* ---------------------------------------------------------------------
 * The alert worker
 */

/* save_locked - write the state file (store_lock held) */
static void save_locked(const struct config *cfg, time_t now)
{
	if (incident_save(E.store, cfg->state_file) < 0) {
		if (errno != E.save_errno)
			log_error("cannot save state to %s: %s (will retry)",
				  cfg->state_file, strerror(errno));
		E.save_errno = errno;
		return;
	}
	if (E.save_errno)
		log_notice("state saved to %s again", cfg->state_file);
	E.save_errno = 0;
	E.dirty = 0;
	E.cursor_dirty = 0;
	E.saved_at = now;
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

/* fill_volume - the top senders and users for the alert body */
static void fill_volume(struct notice_volume *nv, struct volume_count *vs,
			struct volume_count *vu, struct notice_count *ns,
			struct notice_count *nu, time_t now)
{
	size_t i;

	memset(nv, 0, sizeof(*nv));
	nv->window = VOLUME_BUCKETS * VOLUME_BUCKET_SECS;
	pthread_mutex_lock(&E.volume_lock);
	if (E.volume) {
		nv->total = volume_total(E.volume, now, NULL);
		nv->n_senders = volume_top(E.volume, now, VOLUME_SENDER, vs,
					   NOTICE_TOP_MAX);
		nv->n_users = volume_top(E.volume, now, VOLUME_AUTH, vu,
					 NOTICE_TOP_MAX);
		nv->distinct_senders = volume_keys(E.volume, VOLUME_SENDER);
		nv->distinct_users = volume_keys(E.volume, VOLUME_AUTH);
	}
	pthread_mutex_unlock(&E.volume_lock);
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
	size_t i, n = incident_count(E.store);
	struct incident *inc;
	enum incident_state st;
	struct buf b;

	for (i = 0; i < n; i++) {
		inc = incident_at(E.store, i);
		st = inc->state;
		*due = incident_due(inc, now, cfg->alert.reminder,
				    cfg->alert.clear_after);
		if (inc->state != st) {
			E.dirty = 1;
			if (inc->state == INCIDENT_CLEARED) {
				buf_init(&b);
				event_incident(&b, "cleared", inc);
				log_event(LOG_NOTICE, &b);
			}
		}
		if (*due == INCIDENT_DUE_NONE)
			continue;
		if (*due == INCIDENT_DUE_REMINDER && inc->attempts == 0) {
			buf_init(&b);
			event_incident(&b, "reminder", inc);
			log_event(LOG_NOTICE, &b);
		}
		buf_reset(msg);
		if (notice_build(msg, *due, inc, cfg, nv, host, now) < 0 ||
		    msg->err) {
			log_error(
				"cannot compose the %s mail for incident %llu",
				due_name(*due), (unsigned long long)inc->id);
			incident_failed(inc, now, cfg->alert.retry);
			E.dirty = 1;
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

/* send_mail - run sendmail with the configured command plus -f FROM */
static int send_mail(const struct config *cfg, const struct buf *msg, char *err,
		     size_t errlen)
{
	char *argv[40], marker[4200], pending[4200];
	size_t i = 0;
	int rc;

	for (; cfg->alert.sendmail[i] && i < 36; i++)
		argv[i] = cfg->alert.sendmail[i];
	argv[i++] = (char *)"-f";
	argv[i++] = cfg->alert.from;
	argv[i] = NULL;
	marker_path(cfg, marker, sizeof(marker));
	pending_path(cfg, pending, sizeof(pending));
	rc = run_sendmail_marked(argv, msg->data, msg->len, cfg->alert.timeout,
				 pending, marker, err, errlen);
	unlink(pending); /* still there when the child failed before exec */
	return rc;
}

/* poll_cursor - the follower's position even when no line arrives (after
 * a first start at the end of the file, or a switch to a new file), so a
 * restart does not skip what was written meanwhile.  Takes follow_lock and
 * then store_lock: never called with store_lock held. */
static void poll_cursor(time_t now)
{
	struct incident_cursor c, old;

	if (now - E.cursor_polled < CURSOR_SAVE_SECS)
		return;
	E.cursor_polled = now;
	pthread_mutex_lock(&E.follow_lock);
	if (!E.follow) {
		pthread_mutex_unlock(&E.follow_lock);
		return;
	}
	follow_cursor(E.follow, &c);
	pthread_mutex_unlock(&E.follow_lock);
	if (!c.valid)
		return;
	pthread_mutex_lock(&E.store_lock);
	incident_get_cursor(E.store, &old);
	if (!old.valid || old.dev != c.dev || old.ino != c.ino ||
	    old.offset != c.offset) {
		incident_set_cursor(E.store, &c);
		E.cursor_dirty = 1;
	}
	pthread_mutex_unlock(&E.store_lock);
}

/* worker - owed mails, state saves; wakes every second or when told */
static void *worker(void *arg)
{
	struct volume_count vs[NOTICE_TOP_MAX], vu[NOTICE_TOP_MAX];
	struct notice_count ns[NOTICE_TOP_MAX], nu[NOTICE_TOP_MAX];
	struct notice_volume nv;
	char host[256], err[256], marker[4200];
	enum incident_due due;
	unsigned long long id;
	struct incident *inc;
	struct config *cfg;
	struct timespec ts;
	struct buf msg, b;
	time_t now;
	int found, rc;

	(void)arg;
	if (gethostname(host, sizeof(host)) < 0)
		util_strcpy(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	buf_init(&msg);
	msg.max = MAIL_MAX;
	pthread_mutex_lock(&E.store_lock);
	while (!E.stop) {
		cfg = config_acquire();
		if (!cfg)
			goto wait;
		now = time(NULL);
		pthread_mutex_unlock(&E.store_lock);
		poll_cursor(now);
		fill_volume(&nv, vs, vu, ns, nu, now);
		pthread_mutex_lock(&E.store_lock);
		found = next_due_locked(cfg, now, &msg, &id, &due, host, &nv);
		if (E.dirty ||
		    (E.cursor_dirty && now - E.saved_at >= CURSOR_SAVE_SECS))
			save_locked(cfg, now);
		if (found) {
			/* Record the intent first, with no marker around: if
			 * we die from here on, the next start tells by the
			 * marker whether sendmail was started. */
			marker_path(cfg, marker, sizeof(marker));
			unlink(marker);
			inc = incident_by_id(E.store, id);
			inc->sending = now;
			inc->sending_due = due;
			E.dirty = 1;
			save_locked(cfg, now);
			pthread_mutex_unlock(&E.store_lock);
			rc = send_mail(cfg, &msg, err, sizeof(err));
			now = time(NULL);
			pthread_mutex_lock(&E.store_lock);
			inc = incident_by_id(E.store, id);
			if (inc) {
				inc->sending = 0;
				inc->sending_due = 0;
				buf_init(&b);
				if (rc == 0) {
					incident_mark(inc, due, now);
					event_incident(&b, "alert-sent", inc);
					event_kv(&b, "mail", due_name(due));
					event_kv(&b, "to", cfg->alert.to);
				} else {
					incident_failed(inc, now,
							cfg->alert.retry);
					event_incident(&b, "alert-failed", inc);
					event_kv(&b, "mail", due_name(due));
					event_kv_num(&b, "attempt",
						     inc->attempts);
					event_kv(&b, "reason", err);
					event_kv_num(
						&b, "retry_in",
						(unsigned long long)(inc->next_attempt -
								     now));
				}
				log_event(rc == 0 ? LOG_NOTICE : LOG_WARNING,
					  &b);
				/* Saved at once: a restart must not send it
				 * again. */
				E.dirty = 1;
				save_locked(cfg, now);
			}
			/* Unsaved (disk full), the marker must stay for the
			 * next start to settle the same way. */
			if (!E.dirty)
				unlink(marker);
			config_release(cfg);
			continue;
		}
		config_release(cfg);
	wait:
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&E.wake, &E.store_lock, &ts);
	}
	cfg = config_acquire();
	if (cfg && (E.dirty || E.cursor_dirty))
		save_locked(cfg, time(NULL));
	config_release(cfg);
	pthread_mutex_unlock(&E.store_lock);
	buf_free(&msg);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Start, stop, reload
 */

/* settle_sending - mails that were being sent when the previous run
 * stopped.  The marker exists when sendmail was started: it reads the
 * message from a memory file that outlives us, so the mail went out and
 * is counted as sent.  No marker: sendmail never ran, the mail is still
 * owed and goes out again; remove_temp_files() has removed the pending
 * file first, so a child of the previous run that is still on its way
 * cannot start sendmail after all.  Nothing lost, nothing sent twice. */
static void settle_sending(const struct config *cfg)
{
	size_t i, n = incident_count(E.store);
	struct incident *inc;
	char marker[4200];
	struct buf b;
	int started;

	marker_path(cfg, marker, sizeof(marker));
	started = access(marker, F_OK) == 0;
	for (i = 0; i < n; i++) {
		inc = incident_at(E.store, i);
		if (!inc->sending)
			continue;
		buf_init(&b);
		if (started) {
			incident_mark(inc, (enum incident_due)inc->sending_due,
				      inc->sending);
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
		event_kv(&b, "mail",
			 due_name((enum incident_due)inc->sending_due));
		log_event(LOG_NOTICE, &b);
		inc->sending = 0;
		inc->sending_due = 0;
		E.dirty = 1;
	}
	/* The marker goes only once the outcome is saved: killed before
	 * that, the next start must find the same evidence. */
	if (E.dirty)
		save_locked(cfg, time(NULL));
	if (!E.dirty)
		unlink(marker);
}

/* remove_temp_files - what a killed run left beside the state file:
 * "<state_file>.tmp.*" of an interrupted save, and "<state_file>.pending.*"
 * of an alert whose sendmail child had not started yet.  Removing the
 * latter is the claim settle_sending() relies on: an orphaned child can
 * no longer rename it to the marker, so it will not send. */
static void remove_temp_files(const struct config *cfg)
{
	static const char *const kinds[][2] = {
		{".tmp.", "an interrupted save"},
		{".pending.", "an interrupted alert"},
	};
	const char *slash = strrchr(cfg->state_file, '/');
	char dir[4096], prefix[2][512], path[4700];
	struct dirent *de;
	size_t k, plen[2];
	DIR *d;

	if (!slash || (size_t)(slash - cfg->state_file) >= sizeof(dir))
		return;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - cfg->state_file),
		 cfg->state_file);
	for (k = 0; k < 2; k++) {
		plen[k] = (size_t)snprintf(prefix[k], sizeof(prefix[k]), "%s%s",
					   slash + 1, kinds[k][0]);
		if (plen[k] >= sizeof(prefix[k]))
			return;
	}
	d = opendir(*dir ? dir : "/");
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		for (k = 0; k < 2; k++)
			if (!strncmp(de->d_name, prefix[k], plen[k]))
				break;
		if (k == 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == 0)
			log_info("removed %s, left by %s", path, kinds[k][1]);
	}
	closedir(d);
}

/* load_state - read the state file; move a corrupt one aside */
static void load_state(const struct config *cfg)
{
	char err[512], aside[4200];
	int n;

	remove_temp_files(cfg);
	if (incident_load(E.store, cfg->state_file, err, sizeof(err)) == 0) {
		if (incident_count(E.store))
			log_info("loaded %zu incident(s) from %s",
				 incident_count(E.store), cfg->state_file);
		settle_sending(cfg);
		return;
	}
	/* A name not taken yet: never overwrite an earlier one. */
	for (n = 0; n < 1000; n++) {
		if (n)
			snprintf(aside, sizeof(aside), "%s.corrupt.%ld.%d",
				 cfg->state_file, (long)time(NULL), n);
		else
			snprintf(aside, sizeof(aside), "%s.corrupt.%ld",
				 cfg->state_file, (long)time(NULL));
		if (access(aside, F_OK) < 0)
			break;
	}
	if (rename(cfg->state_file, aside) == 0)
		log_warning("state file unusable (%s); moved aside to %s, "
			    "starting empty",
			    err, aside);
	else
		log_warning("state file unusable (%s) and cannot be moved "
			    "aside: %s; starting empty",
			    err, strerror(errno));
}

/* start_follow - follow cfg->maillog from the saved cursor */
static void start_follow(const struct config *cfg)
{
	struct incident_cursor cur, old;
	char err[256];

	if (!*cfg->maillog)
		return;
	pthread_mutex_lock(&E.store_lock);
	incident_get_cursor(E.store, &cur);
	pthread_mutex_unlock(&E.store_lock);
	pthread_mutex_lock(&E.follow_lock);
	E.follow = follow_start(cfg->maillog, &cur, follow_line, NULL, err,
				sizeof(err));
	if (E.follow) {
		E.follow_path = strdup(cfg->maillog);
		if (!cur.valid)
			follow_cursor(E.follow, &cur);
		else
			cur.valid = 0; /* resumed: nothing new to save */
	}
	pthread_mutex_unlock(&E.follow_lock);
	if (!E.follow) {
		log_error("cannot follow %s: %s", cfg->maillog, err);
		return;
	}
	if (cur.valid) {
		/* A first start begins at the end of the log: saved at once,
		 * or a crash before the next save would make the restart
		 * begin at the end again and skip what came meanwhile. */
		pthread_mutex_lock(&E.store_lock);
		incident_get_cursor(E.store, &old);
		if (!old.valid) {
			incident_set_cursor(E.store, &cur);
			E.cursor_dirty = 1;
			save_locked(cfg, time(NULL));
		}
		pthread_mutex_unlock(&E.store_lock);
	}
	log_info("following %s", cfg->maillog);
}

/* stop_follow - stop the follower thread (its callback takes store_lock:
 * never called with store_lock held) */
static void stop_follow(void)
{
	pthread_mutex_lock(&E.follow_lock);
	if (E.follow)
		follow_stop(E.follow);
	E.follow = NULL;
	free(E.follow_path);
	E.follow_path = NULL;
	pthread_mutex_unlock(&E.follow_lock);
}

/* engine_start - state, threads */
int engine_start(void)
{
	struct config *cfg = config_acquire();
	int rc = -1;

	if (!cfg)
		return -1;
	E.store = incident_store_new(cfg->max_incidents);
	E.volume = volume_new(0);
	if (!E.store || !E.volume) {
		log_error("out of memory");
		goto out;
	}
	load_state(cfg);
	E.stop = 0;
	if (pthread_create(&E.worker, NULL, worker, NULL) != 0) {
		log_error("cannot start the alert worker");
		goto out;
	}
	E.started = 1;
	start_follow(cfg);
	rc = 0;
out:
	config_release(cfg);
	return rc;
}

/* engine_stop - join the threads, final save */
void engine_stop(void)
{
	stop_follow();
	if (!E.started)
		return;
	pthread_mutex_lock(&E.store_lock);
	E.stop = 1;
	pthread_cond_signal(&E.wake);
	pthread_mutex_unlock(&E.store_lock);
	pthread_join(E.worker, NULL);
	E.started = 0;
	incident_store_free(E.store);
	E.store = NULL;
	pthread_mutex_lock(&E.volume_lock);
	volume_free(E.volume);
	E.volume = NULL;
	pthread_mutex_unlock(&E.volume_lock);
}

/* engine_reload - follow the new maillog, wake the worker */
void engine_reload(void)
{
	struct config *cfg = config_acquire();

	if (!cfg)
		return;
	if (strcmp(E.follow_path ? E.follow_path : "", cfg->maillog)) {
		stop_follow();
		start_follow(cfg);
	}
	pthread_mutex_lock(&E.store_lock);
	pthread_cond_signal(&E.wake);
	pthread_mutex_unlock(&E.store_lock);
	config_release(cfg);
}
