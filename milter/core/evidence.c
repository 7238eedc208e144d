/*
 * evidence.c - the evidence pipeline
 *
 * Locks: the state lock (state.h) around the store; seen_lock for the
 * dedupe ring; volume_lock for the volume counters (counted for every
 * message to Microsoft, so never behind a state save).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "domains.h"
#include "event.h"
#include "events.h"
#include "evidence.h"
#include "log.h"
#include "maillog.h"
#include "state.h"
#include "util.h"

#define SEEN_MAX     1024 /* (queue id, recipient) pairs remembered */
#define SEEN_KEY_MAX 300

static struct {
	pthread_mutex_t seen_lock;
	char seen[SEEN_MAX][SEEN_KEY_MAX];
	size_t seen_next;

	pthread_mutex_t volume_lock;
	struct volume *volume;
} V = {
	.seen_lock = PTHREAD_MUTEX_INITIALIZER,
	.volume_lock = PTHREAD_MUTEX_INITIALIZER,
};

/* log_line - one syslog event line at prio */
static void log_line(int prio, struct buf *b)
{
	if (!b->err)
		log_msg(prio, "%s", buf_str(b));
	buf_free(b);
}

/* evidence_mapped_ip - syslog_names' IP of a syslog name */
const char *evidence_mapped_ip(const struct config *cfg, const char *name)
{
	size_t i;

	if (!name || !*name)
		return NULL;
	for (i = 0; i < cfg->n_syslog_names; i++)
		if (!strcmp(cfg->syslog_names[i].name, name))
			return cfg->syslog_names[i].ip;
	return NULL;
}

/* evidence_single_ip - one outbound address configured */
int evidence_single_ip(const struct config *cfg)
{
	return cfg->n_outbound_ips == 1 && !strchr(cfg->outbound_ips[0], '/');
}

/* one_named_ip - with no outbound_ips: do the provider's incidents that
 * are not cleared name at most one IP?  Stops at the second one. */
static int one_named_ip(struct incident_store *st, enum verdict_provider p)
{
	size_t i, n = incident_count(st);
	const char *seen = NULL;
	struct incident *inc;

	for (i = 0; i < n; i++) {
		inc = incident_at(st, i);
		if (inc->provider != p || inc->state == INCIDENT_CLEARED)
			continue;
		if (seen && strcmp(seen, inc->ip))
			return 0;
		seen = inc->ip;
	}
	return 1;
}

/* evidence_sent_ip - the IP a delivery is from, "" for any; see .h */
int evidence_sent_ip(struct incident_store *st, const struct finding *f,
		     const struct config *cfg, char *ip, size_t size)
{
	const char *m;

	if (f->v.ip[0]) {
		util_strcpy(ip, size, f->v.ip);
		return 0;
	}
	if ((m = evidence_mapped_ip(cfg, f->syslog_name)) != NULL) {
		util_strcpy(ip, size, m);
		return 0;
	}
	util_strcpy(ip, size, "");
	if (evidence_single_ip(cfg) ||
	    (cfg->n_outbound_ips == 0 && one_named_ip(st, f->v.provider)))
		return 0;
	return -1;
}

/* evidence_note - trust, then the incident */
void evidence_note(struct incident_store *st, struct finding *f,
		   const struct config *cfg, struct evidence_result *r)
{
	struct incident *inc;
	const char *mapped;
	int is_new, changed;

	r->outcome = EVIDENCE_IGNORED;
	r->incident = 0;
	if (!f->when)
		f->when = time(NULL);
	if (!trust_plausible(f, cfg)) {
		r->outcome = EVIDENCE_UNVERIFIED;
		return;
	}
	if (f->sent) {
		char ip[VERDICT_IP_MAX];

		if (evidence_sent_ip(st, f, cfg, ip, sizeof(ip)) < 0) {
			r->outcome = EVIDENCE_UNATTRIBUTED;
			return;
		}
		incident_sent(st, ip, f->v.provider, f->when, f->rcpt_domain);
		r->outcome = EVIDENCE_SENT;
		return;
	}
	domains_learn(f->rcpt_domain, f->v.provider);
	if (!verdict_alerts(&f->v)) {
		/* Microsoft refused, but not because of our IP. */
		if (f->v.kind == VERDICT_AUTH ||
		    f->v.kind == VERDICT_DOMAIN_BLOCK)
			r->outcome = EVIDENCE_INFO;
		return;
	}
	if (!f->v.ip[0] && (mapped = evidence_mapped_ip(cfg, f->syslog_name)))
		util_strcpy(f->v.ip, sizeof(f->v.ip), mapped);
	finding_infer_ip(f, cfg->outbound_ips, cfg->n_outbound_ips);
	inc = incident_record(st, f, &is_new, &changed);
	if (!inc) {
		r->outcome = EVIDENCE_ERROR;
		return;
	}
	r->incident = inc->id;
	r->outcome = changed ? EVIDENCE_OPENED : EVIDENCE_REPEAT;
}

/* evidence_event_name - the name of a result's event */
const char *evidence_event_name(const struct finding *f,
				const struct evidence_result *r)
{
	switch (r->outcome) {
	case EVIDENCE_UNVERIFIED:
		return "unverified-report";
	case EVIDENCE_REPEAT:
		return "repeat";
	case EVIDENCE_INFO:
	case EVIDENCE_OPENED:
		return event_name(f);
	default:
		return NULL;
	}
}

/* unattributed_due - log an unattributed delivery of provider p at
 * most once an hour (state lock held) */
static int unattributed_due(enum verdict_provider p, time_t when)
{
	static time_t last[8];
	time_t now = time(NULL);

	(void)when;
	if ((unsigned)p >= UTIL_ARRAY_SIZE(last) || !log_enabled(LOG_DEBUG))
		return 0;
	if (last[p] && now >= last[p] && now - last[p] < 3600)
		return 0;
	last[p] = now;
	return 1;
}

/* evidence_finding - the daemon's entry */
uint64_t evidence_finding(struct finding *f)
{
	struct config *cfg = config_acquire();
	struct incident_store *st;
	struct evidence_result r = {EVIDENCE_IGNORED, 0};
	struct core_event ev;
	const char *name;
	struct buf b;
	int prio = LOG_INFO;

	if (!cfg)
		return 0;
	buf_init(&b);
	state_lock();
	/* After the stop: libmilter does not wait for the connection
	 * threads, and one may still bring a bounce. */
	st = state_store();
	if (st)
		evidence_note(st, f, cfg, &r);
	switch (r.outcome) {
	case EVIDENCE_SENT:
		state_changed_locked();
		break;
	case EVIDENCE_UNATTRIBUTED:
		if (unattributed_due(f->v.provider, f->when)) {
			event_kv(&b, "event", "unattributed-delivery");
			event_kv(&b, "provider",
				 verdict_provider_name(f->v.provider));
			event_kv(&b, "syslog_name", f->syslog_name);
			event_kv(&b, "reason",
				 "several outbound IPs and no syslog_names "
				 "entry for this syslog name: clears nothing");
			prio = LOG_DEBUG;
		}
		break;
	case EVIDENCE_INFO:
		event_finding(&b, NULL, f, 0);
		event_kv(&b, "remedy", verdict_remedy_name(f->v.remedy));
		break;
	case EVIDENCE_ERROR:
		log_warning("cannot record incident for %s: %s", f->v.ip,
			    strerror(errno));
		break;
	case EVIDENCE_OPENED:
		state_changed_locked();
		event_finding(&b, NULL, f, r.incident);
		if (f->ip_inferred)
			event_kv(&b, "ip_inferred", "yes");
		/* A bounce is seen once: saved before its event is logged
		 * and the MTA is answered, or a crash would lose it.  (A log
		 * line is read again from the saved cursor.) */
		if (f->source == FINDING_DSN)
			state_save_locked(cfg, time(NULL));
		prio = LOG_NOTICE;
		break;
	case EVIDENCE_REPEAT:
		state_changed_locked();
		if (log_enabled(LOG_DEBUG))
			event_finding(&b, "repeat", f, r.incident);
		prio = LOG_DEBUG;
		break;
	default:
		break;
	}
	state_unlock();
	/* New incidents and changes of kind are notices, other Microsoft
	 * refusals (auth, domain-block) information, repeats debug. */
	if (b.len)
		log_line(prio, &b);
	else
		buf_free(&b);
	if (r.outcome == EVIDENCE_UNVERIFIED) {
		evidence_unverified(f, f->remote_mta);
	} else if ((name = evidence_event_name(f, &r)) != NULL) {
		events_of_finding(&ev, name, f, r.incident);
		events_emit(&ev);
	}
	config_release(cfg);
	return r.incident;
}

/* evidence_accepted - mail from ip accepted by provider */
void evidence_accepted(const char *ip, enum verdict_provider provider,
		       time_t when, const char *source)
{
	struct incident_store *st;
	struct incident *inc = NULL;
	struct core_event ev;

	(void)source;
	if (!when)
		when = time(NULL);
	memset(&ev, 0, sizeof(ev));
	state_lock();
	st = state_store();
	if (st && ip && *ip) {
		incident_sent(st, ip, provider, when, NULL);
		state_changed_locked();
		inc = incident_find(st, ip, provider);
	}
	/* The alert worker hears of it through core's events (it owes the
	 * cleared notice once the clock has run): core calls no action. */
	if (inc) {
		events_of_incident(&ev, "accepted", inc, when);
		events_emit(&ev);
	}
	state_unlock();
}

/* evidence_unverified - log a possibly forged report, rate-limited */
void evidence_unverified(const struct finding *f, const char *client)
{
	struct core_event ev;
	unsigned dropped;
	struct buf b;
	int log_it = trust_rate(time(NULL), &dropped);

	if (dropped)
		log_notice("event=unverified-report suppressed=%u "
			   "limit_per_minute=%d",
			   dropped, TRUST_UNVERIFIED_PER_MIN);
	if (log_it) {
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
		log_line(LOG_NOTICE, &b);
	}
	events_of_finding(&ev, "unverified-report", f, 0);
	events_emit(&ev);
}

/* evidence_report - the records of one bounce */
size_t evidence_report(const struct trust_origin *o, const struct dsn *d,
		       const char *qid)
{
	const struct dsn_info *info;
	const struct dsn_record *rec;
	struct config *cfg;
	struct finding f;
	size_t i, n, handed = 0;

	n = dsn_count(d);
	info = dsn_get_info(d);
	cfg = config_acquire();
	if (!cfg)
		return 0;
	for (i = 0; i < n; i++) {
		rec = dsn_get(d, i);
		if (!finding_from_dsn(&f, rec, info, time(NULL)))
			continue;
		if (!f.queue_id[0] && qid)
			util_strcpy(f.queue_id, sizeof(f.queue_id), qid);
		if (!trust_origin(o, info, &f, cfg)) {
			if (verdict_alerts(&f.v))
				evidence_unverified(&f, o ? o->client : "");
			continue;
		}
		/* The postmaster copy repeats the sender's bounce. */
		if (evidence_report_seen(info->postfix_queue_id,
					 rec->recipient))
			continue;
		evidence_finding(&f);
		handed++;
	}
	config_release(cfg);
	return handed;
}

/* evidence_report_seen - a small ring of recent (queue id, recipient) */
int evidence_report_seen(const char *queue_id, const char *recipient)
{
	char key[SEEN_KEY_MAX];
	size_t i, n;
	int seen = 0;

	if (!queue_id || !*queue_id)
		return 0;
	snprintf(key, sizeof(key), "%s %s", queue_id, recipient);
	for (i = 0; key[i]; i++)
		key[i] = (char)util_lower((unsigned char)key[i]);
	pthread_mutex_lock(&V.seen_lock);
	n = V.seen_next < SEEN_MAX ? V.seen_next : SEEN_MAX;
	for (i = 0; i < n && !seen; i++)
		seen = !strcmp(V.seen[i], key);
	if (!seen) {
		util_strcpy(V.seen[V.seen_next % SEEN_MAX], SEEN_KEY_MAX, key);
		V.seen_next++;
	}
	pthread_mutex_unlock(&V.seen_lock);
	return seen;
}

/* evidence_report_forget - empty the ring */
void evidence_report_forget(void)
{
	pthread_mutex_lock(&V.seen_lock);
	memset(V.seen, 0, sizeof(V.seen));
	V.seen_next = 0;
	pthread_mutex_unlock(&V.seen_lock);
}

/* evidence_is_bounce - worth examining */
int evidence_is_bounce(const struct dsn_info *info, int report_header)
{
	/* Complaint reports and our own alerts are never evidence. */
	return !info->is_arf && !info->has_marker &&
	       (info->is_report || info->known_layout || report_header);
}

/* evidence_rerouting - reroute.transport is set */
static int evidence_rerouting(void)
{
	struct config *cfg = config_acquire();
	int on = cfg && cfg->reroute.transport[0];

	config_release(cfg);
	return on;
}

/* evidence_log_line - parse, classify, note */
void evidence_log_line(const char *line, size_t len)
{
	/* One record per thread, reused: its time zone cache then saves a
	 * localtime_r() per line. */
	static _Thread_local struct maillog_rec r;
	struct finding f;
	time_t now = time(NULL);

	if (maillog_parse(line, len, now, &r) != 1)
		return;
	domains_learn(r.rcpt_domain, verdict_mx_provider(r.relay_host));
	if (finding_from_log(&f, &r, now)) {
		/* A delivery through a relay that is not Microsoft's, while
		 * reroute is on, went through the backup (below). */
		if (!f.sent || !evidence_rerouting() ||
		    verdict_mx_provider(r.relay_host) != VERDICT_PROVIDER_NONE)
			evidence_finding(&f);
	} else if (r.status == MAILLOG_SENT) {
		/* Sent through a relay that does not look like Microsoft (a
		 * smarthost, a transport map): the domain may still be one
		 * Microsoft refused.  Not while reroute is on: then such a
		 * delivery went through the backup and says nothing about
		 * our IP (the probe and Microsoft's own MX hosts do). */
		f.v.provider = domains_provider(r.rcpt_domain);
		if (f.v.provider != VERDICT_PROVIDER_NONE &&
		    !evidence_rerouting()) {
			f.sent = 1;
			f.when = r.when ? r.when : now;
			evidence_finding(&f);
		}
	}
}

/* relearn - the recipient domains of the stored incidents are Microsoft's
 * again after a restart: the learned table lives in memory only, and a
 * delivery to a Microsoft 365 tenant domain that clears an incident must
 * still be known as one (t-e2e-postfix lost its 365 "cleared" when the
 * restart came before any new refusal).  State lock, then domains. */
static void relearn(void)
{
	struct incident_store *st;
	struct incident *inc;
	size_t i, j, n;

	state_lock();
	st = state_store();
	n = st ? incident_count(st) : 0;
	for (i = 0; i < n; i++) {
		inc = incident_at(st, i);
		for (j = 0; j < inc->n_domains; j++)
			domains_learn(inc->domains[j], inc->provider);
	}
	state_unlock();
}

/* evidence_open - the volume counters; the domains the stored incidents
 * taught (call after state_open) */
int evidence_open(void)
{
	struct volume *v = volume_new(0);

	if (!v) {
		log_error("out of memory");
		return -1;
	}
	pthread_mutex_lock(&V.volume_lock);
	volume_free(V.volume);
	V.volume = v;
	pthread_mutex_unlock(&V.volume_lock);
	relearn();
	return 0;
}

/* evidence_close - free the counters */
void evidence_close(void)
{
	pthread_mutex_lock(&V.volume_lock);
	volume_free(V.volume);
	V.volume = NULL;
	pthread_mutex_unlock(&V.volume_lock);
}

/* evidence_volume - count outbound mail to Microsoft */
void evidence_volume(const char *sender, const char *auth_user, unsigned n,
		     time_t now)
{
	pthread_mutex_lock(&V.volume_lock);
	if (V.volume)
		volume_add(V.volume, sender, auth_user, n, now);
	pthread_mutex_unlock(&V.volume_lock);
}

/* evidence_volume_read - read the counters under their lock */
void evidence_volume_read(void (*fn)(void *arg, struct volume *v), void *arg)
{
	pthread_mutex_lock(&V.volume_lock);
	fn(arg, V.volume);
	pthread_mutex_unlock(&V.volume_lock);
}
