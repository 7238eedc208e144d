/*
 * act.c - reroute, probe and flush, driven by core's events
 *
 * Locks: A.lock guards the table of tracked incidents (A.t), the probe
 * results and the flags.  The thread takes the state lock only without
 * A.lock (it snapshots the open incidents first), and never holds A.lock
 * while it emits an event, logs through evidence_* or runs a program.
 * act_describe() takes A.lock inside the state lock (lock order: state,
 * then act).  The reroute table (struct reroute) belongs to the thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "act.h"
#include "config.h"
#include "domains.h"
#include "event.h"
#include "events.h"
#include "evidence.h"
#include "flush.h"
#include "held.h"
#include "incident.h"
#include "log.h"
#include "probe.h"
#include "reroute.h"
#include "state.h"
#include "util.h"

#define ACT_MAX	      REROUTE_MAX /* open incidents acted on */
#define ACT_DOMAINS   256	  /* domains of one decision */
#define ACT_LOOK_SECS 5		  /* look at the state this often anyway */
#define ACT_HELD_SECS 60	  /* count the held mail this often */

/* Consumer domains rerouted with every Outlook.com decision (the
 * provider's domains are patterns, hotmail.*: the usual ones, plus the
 * incident's own and the learned ones). */
static const char *const consumer[] = {
	"hotmail.com",	"hotmail.co.uk", "hotmail.fr",	"hotmail.de",
	"hotmail.it",	"hotmail.es",	 "outlook.com", "outlook.fr",
	"outlook.de",	"live.com",	 "live.co.uk",	"live.fr",
	"live.de",	"live.nl",	 "msn.com",	"windowslive.com",
	"passport.com", "webtv.net",
};

/* One open incident as the thread saw it. */
struct snap {
	uint64_t id;
	char ip[VERDICT_IP_MAX];
	enum verdict_provider provider;
	enum verdict_kind kind;
	int cleared;
	char relay[FINDING_DOMAIN_MAX];
	char rcpt[FINDING_DOMAIN_MAX];
	size_t n_domains;
	char domains[INCIDENT_MAX_DOMAINS][FINDING_DOMAIN_MAX];
};

/* A tracked incident. */
struct track {
	struct snap s;
	int routed;	   /* its decision is in the table */
	time_t routed_at;  /* since when (the table was written) */
	unsigned long gen; /* domains' generation of the decision */
	struct probe_sched sched;
	time_t sched_interval;	/* the interval sched was made for */
	int said_no_target;	/* "cannot probe: ..." said */
	enum probe_status last; /* of the last reported probe */
	time_t probe_when;	/* 0: none yet */
	int probe_code;
	char probe_reply[PROBE_TEXT_MAX];
	char transport[REROUTE_VALUE_MAX];
	unsigned long held; /* messages to the provider in the queue */
	time_t held_at;	    /* when counted (0: not yet) */
	int held_cut;	    /* postqueue said more than was read */
};

/* A probe that ended, for the thread. */
struct done {
	uint64_t id;
	struct probe_req req;
	char mx[64], source[64];
	struct probe_result res;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t tid;
	int running, stop, dirty, probe_now;
	struct track t[ACT_MAX];
	size_t n;
	struct done done[ACT_MAX];
	size_t n_done;
	int said_full;
	/* the thread's own */
	struct reroute rr;
	int rr_on;
	char rr_key[2048]; /* the reroute settings rr was made with */
	char rr_table[1024], rr_type[16], rr_postmap[1024], rr_dir[1024];
	char rr_ips[ACT_MAX][VERDICT_IP_MAX];
	const char *rr_ipv[ACT_MAX + 1];
} A = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/* log_buf - one event line */
static void log_buf(int prio, struct buf *b)
{
	if (!b->err)
		log_msg(prio, "%s", buf_str(b));
	buf_free(b);
}

/* emit - an event of ours (probe-*) for the other subscribers */
static void emit(const char *name, const struct snap *s, const char *code,
		 time_t when)
{
	struct core_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.name = name;
	ev.incident = s->id;
	ev.ip = s->ip;
	ev.provider = s->provider;
	ev.kind = s->kind;
	ev.code = code;
	ev.when = when;
	events_emit(&ev);
}

/* on_event - the subscriber: note and wake, nothing else */
static void on_event(void *arg, const struct core_event *ev)
{
	(void)arg;
	if (!strncmp(ev->name, "probe-", 6) || !strncmp(ev->name, "alert-", 6))
		return;
	pthread_mutex_lock(&A.lock);
	A.dirty = 1;
	pthread_cond_signal(&A.cond);
	pthread_mutex_unlock(&A.lock);
}

/* snapshot - the incidents that are open, or that we track (to see them
 * clear); returns the number in out */
static size_t snapshot(struct snap *out, size_t max, const uint64_t *ids,
		       size_t n_ids, int *full)
{
	struct incident_store *st;
	struct incident *inc;
	size_t i, k, n = 0, count;
	int tracked;

	*full = 0;
	state_lock();
	st = state_store();
	count = st ? incident_count(st) : 0;
	for (i = 0; i < count; i++) {
		inc = incident_at(st, i);
		tracked = 0;
		for (k = 0; k < n_ids && !tracked; k++)
			tracked = ids[k] == inc->id;
		if (inc->state == INCIDENT_CLEARED && !tracked)
			continue;
		if (n == max) {
			*full = 1;
			break;
		}
		memset(&out[n], 0, sizeof(out[n]));
		out[n].id = inc->id;
		util_strcpy(out[n].ip, sizeof(out[n].ip), inc->ip);
		out[n].provider = inc->provider;
		out[n].kind = inc->kind;
		out[n].cleared = inc->state == INCIDENT_CLEARED;
		util_strcpy(out[n].relay, sizeof(out[n].relay), inc->relay);
		util_strcpy(out[n].rcpt, sizeof(out[n].rcpt), inc->rcpt);
		out[n].n_domains = inc->n_domains;
		memcpy(out[n].domains, inc->domains, sizeof(inc->domains));
		n++;
	}
	state_unlock();
	return n;
}

/* wants_route - should this incident's mail be rerouted? */
static int wants_route(const struct config *cfg, const struct snap *s)
{
	if (s->cleared || !cfg->reroute.transport[0] ||
	    !util_ip_parse(s->ip, strlen(s->ip), (char[64]){0}, 64))
		return 0;
	return s->kind == VERDICT_BLOCK || s->kind == VERDICT_BAN ||
	       (s->kind == VERDICT_RATELIMIT && cfg->reroute.ratelimit);
}

/* rr_setup - (re)make the reroute set when its settings changed; 1 when
 * it was remade (every decision must be set again) */
static int rr_setup(const struct config *cfg)
{
	const struct config_reroute *c = &cfg->reroute;
	struct reroute_conf rc;
	char key[sizeof(A.rr_key)], err[512];
	size_t i, n;

	snprintf(key, sizeof(key), "%s|%s|%s|%s|%s|%zu|%s", c->transport,
		 c->table, c->map_type, c->postmap, c->postfix_config, c->n_ips,
		 c->n_ips ? c->ips[0] : "");
	for (i = 1; i < c->n_ips; i++) {
		size_t l = strlen(key);
		snprintf(key + l, sizeof(key) - l, ",%s", c->ips[i]);
	}
	if (A.rr_on && !strcmp(key, A.rr_key))
		return 0;
	if (A.rr_on) {
		/* The settings changed (or reroute was switched off): the old
		 * table is emptied, or mail would go on leaving through the
		 * old transport. */
		while (A.rr.n > 0) {
			char ip[sizeof(A.rr.d[0].ip)],
				pv[sizeof(A.rr.d[0].provider)];

			util_strcpy(ip, sizeof(ip), A.rr.d[0].ip);
			util_strcpy(pv, sizeof(pv), A.rr.d[0].provider);
			if (!reroute_clear(&A.rr, ip, pv))
				break;
		}
		if (reroute_commit(&A.rr, err, sizeof(err)) < 0)
			log_warning("event=reroute result=failed table=%s "
				    "reason=\"%s\" (the old table stays)",
				    A.rr_table, err);
		reroute_free(&A.rr);
	}
	A.rr_on = 0;
	util_strcpy(A.rr_key, sizeof(A.rr_key), key);
	if (!c->transport[0])
		return 1;
	util_strcpy(A.rr_table, sizeof(A.rr_table), c->table);
	util_strcpy(A.rr_type, sizeof(A.rr_type), c->map_type);
	util_strcpy(A.rr_postmap, sizeof(A.rr_postmap), c->postmap);
	util_strcpy(A.rr_dir, sizeof(A.rr_dir), c->postfix_config);
	n = c->n_ips < ACT_MAX ? c->n_ips : ACT_MAX;
	for (i = 0; i < n; i++) {
		util_strcpy(A.rr_ips[i], sizeof(A.rr_ips[i]), c->ips[i]);
		A.rr_ipv[i] = A.rr_ips[i];
	}
	A.rr_ipv[n] = NULL;
	memset(&rc, 0, sizeof(rc));
	rc.table = A.rr_table;
	rc.map_type = A.rr_type;
	rc.postmap = A.rr_postmap;
	rc.config_dir = *A.rr_dir ? A.rr_dir : NULL;
	rc.ips = n ? A.rr_ipv : NULL;
	rc.timeout = c->timeout;
	reroute_init(&A.rr, &rc);
	A.rr_on = 1;
	if (reroute_open(&A.rr, err, sizeof(err)) < 0)
		log_warning(
			"event=reroute result=failed table=%s reason=\"%s\" "
			"(mail is not rerouted)",
			A.rr_table, err);
	return 1;
}

/* domains_of - the domains of s's provider: the incident's, the
 * consumer ones, the learned ones; returns the count */
static size_t domains_of(const struct snap *s, char (*buf)[256], const char **v,
			 unsigned long *gen)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_domains && n < ACT_DOMAINS; i++) {
		util_strcpy(buf[n], 256, s->domains[i]);
		v[n] = buf[n];
		n++;
	}
	if (s->provider == VERDICT_MS_CONSUMER)
		for (i = 0; i < UTIL_ARRAY_SIZE(consumer) && n < ACT_DOMAINS;
		     i++)
			v[n++] = consumer[i];
	i = domains_learned(s->provider, buf + n, ACT_DOMAINS - n, gen);
	for (; i > 0; i--, n++)
		v[n] = buf[n];
	return n;
}

/* route_event - "event=reroute action=set|clear ip= provider= ..." */
static void route_event(const char *action, const struct snap *s,
			const char *transport, long domains, const char *result,
			const char *why)
{
	struct buf b;

	buf_init(&b);
	event_kv(&b, "event", "reroute");
	event_kv(&b, "action", action);
	event_kv(&b, "ip", s->ip);
	event_kv(&b, "provider", verdict_provider_name(s->provider));
	if (transport)
		event_kv(&b, "transport", transport);
	if (domains >= 0)
		event_kv_num(&b, "domains", (unsigned long long)domains);
	event_kv(&b, "result", result);
	if (why)
		event_kv(&b, "reason", why);
	event_kv_num(&b, "incident", s->id);
	log_buf(*result == 'o' ? LOG_NOTICE : LOG_WARNING, &b);
}

/* find - the tracked incident id (A.lock held), or NULL */
static struct track *find(uint64_t id)
{
	size_t i;

	for (i = 0; i < A.n; i++)
		if (A.t[i].s.id == id)
			return &A.t[i];
	return NULL;
}

/* A decision changed in this pass, to log once the table is written. */
struct change {
	struct snap s;
	int set;     /* 1 set, 0 cleared */
	int cleared; /* the incident cleared: flush */
	int routed;  /* a decision of the table changed (else: flush only) */
	long domains;
};

/* reconcile - the tracked incidents against the state, the decisions
 * against them; then the table, the events and the flush */
static void reconcile(const struct config *cfg, time_t now, struct snap *snaps,
		      struct change *ch)
{
	static time_t retry_at;
	static int said_full;
	static char buf[ACT_DOMAINS][256];
	static const char *v[ACT_DOMAINS];
	uint64_t ids[ACT_MAX];
	char err[512];
	size_t i, k, n, nch = 0, nd;
	unsigned long gen;
	int remade, full, dirty = 0, rc, alive;
	struct track *t;
	struct flush_result fr;
	struct buf b;

	remade = rr_setup(cfg);
	pthread_mutex_lock(&A.lock);
	for (i = 0; i < A.n; i++)
		ids[i] = A.t[i].s.id;
	n = A.n;
	pthread_mutex_unlock(&A.lock);
	n = snapshot(snaps, ACT_MAX, ids, n, &full);
	/* Only worth saying when there is something to do for them. */
	if (full && !said_full && (A.rr_on || cfg->probe.interval > 0))
		log_warning("more than %d open incidents: the later ones are "
			    "neither rerouted nor probed",
			    ACT_MAX);
	said_full = full;

	pthread_mutex_lock(&A.lock);
	/* Gone (evicted) or cleared: the decision goes. */
	for (i = 0; i < A.n;) {
		t = &A.t[i];
		for (k = 0, alive = full; k < n; k++)
			if (snaps[k].id == t->s.id) {
				alive = !snaps[k].cleared;
				break;
			}
		if (alive) { /* (not seen in a cut snapshot: kept) */
			i++;
			continue;
		}
		ch[nch].s = t->s;
		ch[nch].set = 0;
		ch[nch].cleared = k < n;
		ch[nch].routed = t->routed;
		ch[nch].domains = -1;
		if (t->routed && A.rr_on)
			reroute_clear(&A.rr, t->s.ip,
				      verdict_provider_name(t->s.provider));
		dirty |= t->routed;
		if (t->routed || ch[nch].cleared)
			nch++;
		A.t[i] = A.t[--A.n];
	}
	/* Open: tracked, routed when they should be. */
	for (k = 0; k < n; k++) {
		if (snaps[k].cleared)
			continue;
		t = find(snaps[k].id);
		if (!t) {
			if (A.n == ACT_MAX)
				break;
			t = &A.t[A.n++];
			memset(t, 0, sizeof(*t));
		}
		t->s = snaps[k];
		if (!wants_route(cfg, &t->s) || !A.rr_on) {
			if (t->routed && A.rr_on)
				reroute_clear(
					&A.rr, t->s.ip,
					verdict_provider_name(t->s.provider));
			if (t->routed) {
				ch[nch].s = t->s;
				ch[nch].set = 0;
				ch[nch].cleared = 0;
				ch[nch].routed = 1;
				ch[nch++].domains = -1;
				dirty = 1;
			}
			t->routed = 0;
			continue;
		}
		if (t->routed && !remade && t->gen == domains_generation())
			continue;
		nd = domains_of(&t->s, buf, v, &gen);
		rc = reroute_set(&A.rr, t->s.ip,
				 verdict_provider_name(t->s.provider), v, nd,
				 cfg->reroute.transport, err, sizeof(err));
		if (rc < 0) {
			route_event("set", &t->s, cfg->reroute.transport, -1,
				    "failed", err);
			continue;
		}
		t->gen = gen;
		dirty = 1;
		if (!t->routed || remade) {
			ch[nch].s = t->s;
			ch[nch].set = 1;
			ch[nch].cleared = 0;
			ch[nch].routed = 1;
			ch[nch++].domains = rc;
		}
		t->routed = 1;
		util_strcpy(t->transport, sizeof(t->transport),
			    cfg->reroute.transport);
	}
	pthread_mutex_unlock(&A.lock);

	/* The table: written when its rendering changed (retried after a
	 * failure, at most once a minute). */
	rc = 0;
	if (A.rr_on && (dirty || (retry_at && now >= retry_at))) {
		rc = reroute_commit(&A.rr, err, sizeof(err));
		retry_at = rc < 0 ? now + 60 : 0;
	}
	for (i = 0; i < nch; i++) {
		/* An incident that was never rerouted (reroute off) clears
		 * with a flush at most: no reroute line for it. */
		if (!ch[i].routed) {
		} else if (rc < 0) {
			route_event(ch[i].set ? "set" : "clear", &ch[i].s,
				    cfg->reroute.transport, ch[i].domains,
				    "failed", err);
		} else if (A.rr_on || !ch[i].set) {
			route_event(ch[i].set ? "set" : "clear", &ch[i].s,
				    ch[i].set ? cfg->reroute.transport : NULL,
				    ch[i].domains, "ok", NULL);
		}
		if (ch[i].set && rc >= 0) {
			pthread_mutex_lock(&A.lock);
			if ((t = find(ch[i].s.id)) != NULL)
				t->routed_at = now;
			pthread_mutex_unlock(&A.lock);
		}
		if (!ch[i].cleared || !cfg->flush.command[0])
			continue;
		/* Cleared: the held mail may leave now. */
		flush_run(cfg->flush.command, cfg->flush.timeout, &fr);
		buf_init(&b);
		flush_event(&b, &fr, ch[i].s.ip,
			    verdict_provider_name(ch[i].s.provider),
			    ch[i].s.id);
		log_buf(fr.ok ? LOG_NOTICE : LOG_WARNING, &b);
	}
	if (rc < 0 && !nch)
		log_warning("event=reroute result=failed table=%s "
			    "reason=\"%s\"",
			    A.rr_table, err);
}

/* probe_done - a probe ended (its own thread): hand it to ours */
static void probe_done(const struct probe_req *req,
		       const struct probe_result *res, void *arg)
{
	uint64_t id = (uint64_t)(uintptr_t)arg;
	struct track *t;
	struct done *d;

	pthread_mutex_lock(&A.lock);
	if (A.n_done < ACT_MAX) {
		d = &A.done[A.n_done++];
		d->id = id;
		d->req = *req;
		util_strcpy(d->mx, sizeof(d->mx), req->mx);
		util_strcpy(d->source, sizeof(d->source), req->source_ip);
		d->req.mx = d->mx;
		d->req.source_ip = d->source;
		d->req.helo = d->req.sender = d->req.rcpt = "";
		d->res = *res;
	} else if ((t = find(id)) != NULL) {
		t->sched.in_flight = 0;
	}
	pthread_cond_signal(&A.cond);
	pthread_mutex_unlock(&A.lock);
}

/* resolve - the MX's address: mx itself, or its first address */
static int resolve(const char *mx, char *out, size_t size)
{
	struct addrinfo hints, *ai = NULL;
	int rc;

	if (util_ip_parse(mx, strlen(mx), out, size))
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(mx, NULL, &hints, &ai) != 0 || !ai)
		return -1;
	rc = getnameinfo(ai->ai_addr, ai->ai_addrlen, out, (socklen_t)size,
			 NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(ai);
	return rc ? -1 : 0;
}

/* probes - start the probes that are due */
static void probes(const struct config *cfg, time_t now, int at_once)
{
	struct snap due[ACT_MAX];
	struct probe_req req;
	char host[256], mx[64], why[320];
	size_t i, n = 0;
	struct track *t;

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	pthread_mutex_lock(&A.lock);
	for (i = 0; i < A.n; i++) {
		t = &A.t[i];
		if (t->sched_interval != cfg->probe.interval) {
			probe_sched_init(&t->sched, cfg->probe.interval, now,
					 (unsigned)(t->s.id * 2654435761u));
			t->sched_interval = cfg->probe.interval;
		}
		if (at_once && t->sched.interval && !t->sched.in_flight)
			t->sched.next = 0;
		if (probe_sched_start(&t->sched, now))
			due[n++] = t->s;
	}
	pthread_mutex_unlock(&A.lock);

	for (i = 0; i < n; i++) {
		memset(&req, 0, sizeof(req));
		why[0] = '\0';
		if (!due[i].relay[0] || !due[i].rcpt[0])
			snprintf(why, sizeof(why),
				 "no %s known for this incident yet",
				 due[i].relay[0] ? "recipient" : "MX host");
		else if (resolve(due[i].relay, mx, sizeof(mx)) < 0)
			snprintf(why, sizeof(why), "cannot resolve %s",
				 due[i].relay);
		req.mx = mx;
		req.port = (unsigned)cfg->probe.port;
		req.source_ip = due[i].ip;
		req.helo = cfg->probe.helo[0] ? cfg->probe.helo : host;
		req.sender = cfg->probe.sender;
		req.rcpt = due[i].rcpt;
		req.step_timeout = cfg->probe.timeout;
		if (!why[0] && probe_start(&req, probe_done,
					   (void *)(uintptr_t)due[i].id) < 0)
			snprintf(why, sizeof(why), "cannot start: %s",
				 strerror(errno));
		if (!why[0])
			continue;
		pthread_mutex_lock(&A.lock);
		if ((t = find(due[i].id)) != NULL) {
			t->sched.in_flight = 0;
			t->sched.next = now + t->sched.interval;
			if (t->said_no_target)
				why[0] = '\0';
			t->said_no_target = 1;
		}
		pthread_mutex_unlock(&A.lock);
		if (why[0])
			log_warning("event=probe-failed ip=%s provider=%s "
				    "reason=\"%s\" incident=%llu",
				    due[i].ip,
				    verdict_provider_name(due[i].provider), why,
				    (unsigned long long)due[i].id);
	}
}

/* results - the probes that ended: events, evidence, the reminder */
static void results(time_t now)
{
	struct done d;
	struct snap s;
	struct track *t;
	struct buf b;
	char code[16];
	int say;

	for (;;) {
		pthread_mutex_lock(&A.lock);
		if (!A.n_done) {
			pthread_mutex_unlock(&A.lock);
			return;
		}
		d = A.done[0];
		memmove(&A.done[0], &A.done[1], --A.n_done * sizeof(A.done[0]));
		d.req.mx = d.mx;
		d.req.source_ip = d.source;
		t = find(d.id);
		say = 0;
		if (t) {
			say = probe_sched_done(&t->sched, &d.res, now);
			t->last = d.res.status;
			t->probe_when = d.res.when ? d.res.when : now;
			t->probe_code = d.res.code;
			util_strcpy(t->probe_reply, sizeof(t->probe_reply),
				    d.res.status == PROBE_FAILED ||
						    d.res.status ==
							    PROBE_NOT_LOCAL
					    ? d.res.why
					    : d.res.reply);
			s = t->s;
		}
		pthread_mutex_unlock(&A.lock);
		if (!say)
			continue;
		buf_init(&b);
		probe_event(&b, &d.req, &d.res,
			    verdict_provider_name(s.provider), s.id);
		log_buf(d.res.status == PROBE_FAILED ? LOG_WARNING : LOG_NOTICE,
			&b);
		if (d.res.status == PROBE_NOT_LOCAL)
			log_notice("%s is not an address of this host (NAT?): "
				   "it is not probed again",
				   s.ip);
		snprintf(code, sizeof(code), "%d", d.res.code);
		emit(probe_status_event(d.res.status), &s,
		     d.res.code ? code : "", now);
		if (d.res.status == PROBE_OK)
			evidence_accepted(s.ip, s.provider, now, "probe");
	}
}

/* count_held - the messages held for each tracked provider (postqueue
 * -j, bounded time and size); a failure is logged once per reason */
static void count_held(const struct config *cfg, time_t now)
{
	static char said[256];
	unsigned long n[2];
	char path[1024], err[256];
	size_t i;
	int cut = 0, any;

	pthread_mutex_lock(&A.lock);
	any = A.n > 0;
	pthread_mutex_unlock(&A.lock);
	if (!any)
		return;
	if (held_query(cfg, n, &cut, path, sizeof(path), err, sizeof(err)) <
	    0) {
		if (strcmp(said, err))
			log_warning("cannot count the held mail: %s: %s", path,
				    err);
		util_strcpy(said, sizeof(said), err);
		return;
	}
	said[0] = '\0';
	pthread_mutex_lock(&A.lock);
	for (i = 0; i < A.n; i++) {
		A.t[i].held = n[A.t[i].s.provider == VERDICT_MS_365];
		A.t[i].held_at = now;
		A.t[i].held_cut = cut;
	}
	pthread_mutex_unlock(&A.lock);
}

/* thread_main - the actions' own thread */
static void *thread_main(void *arg)
{
	static struct snap snaps[ACT_MAX];
	static struct change ch[2 * ACT_MAX];
	struct timespec ts;
	struct config *cfg;
	time_t now, next_look = 0, next_held = 0;
	unsigned long gen = 0;
	int look, at_once;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&A.lock);
		if (!A.stop && !A.dirty && !A.probe_now && !A.n_done) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&A.cond, &A.lock, &ts);
		}
		look = A.dirty;
		at_once = A.probe_now;
		A.dirty = A.probe_now = 0;
		if (A.stop) {
			pthread_mutex_unlock(&A.lock);
			break;
		}
		pthread_mutex_unlock(&A.lock);
		cfg = config_acquire();
		if (!cfg)
			continue;
		now = time(NULL);
		if (look || at_once || now >= next_look ||
		    gen != domains_generation()) {
			gen = domains_generation();
			reconcile(cfg, now, snaps, ch);
			next_look = now + ACT_LOOK_SECS;
		}
		results(now);
		probes(cfg, now, at_once);
		if (now >= next_held || at_once) {
			count_held(cfg, now);
			next_held = now + ACT_HELD_SECS;
		}
		config_release(cfg);
	}
	return NULL;
}

/* act_start - subscribe, start */
int act_start(void)
{
	if (A.running)
		return 0;
	A.stop = 0;
	A.dirty = 1; /* the incidents restored from the state */
	if (pthread_create(&A.tid, NULL, thread_main, NULL) != 0) {
		log_error("cannot start the actions thread");
		return -1;
	}
	A.running = 1;
	events_subscribe(on_event, NULL);
	return 0;
}

/* act_stop - unsubscribe, stop, join */
void act_stop(void)
{
	if (!A.running)
		return;
	events_unsubscribe(on_event, NULL);
	pthread_mutex_lock(&A.lock);
	A.stop = 1;
	pthread_cond_signal(&A.cond);
	pthread_mutex_unlock(&A.lock);
	pthread_join(A.tid, NULL);
	A.running = 0;
	if (A.rr_on)
		reroute_free(&A.rr);
	A.rr_on = 0;
	A.rr_key[0] = '\0';
	A.n = 0;
}

/* act_wake - look now */
void act_wake(void)
{
	pthread_mutex_lock(&A.lock);
	A.dirty = 1;
	pthread_cond_signal(&A.cond);
	pthread_mutex_unlock(&A.lock);
}

/* act_probe_now - every open incident, at once */
void act_probe_now(void)
{
	pthread_mutex_lock(&A.lock);
	A.probe_now = 1;
	pthread_cond_signal(&A.cond);
	pthread_mutex_unlock(&A.lock);
}

/* act_status - a copy of what was done for incident id */
int act_status(uint64_t id, struct act_status *out)
{
	struct track *t;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&A.lock);
	t = find(id);
	if (t) {
		out->routed_at = t->routed && t->routed_at ? t->routed_at : 0;
		util_strcpy(out->transport, sizeof(out->transport),
			    t->transport);
		out->held = t->held;
		out->held_at = t->held_at;
		out->held_cut = t->held_cut;
		out->probe = t->last;
		out->probe_when = t->probe_when;
		out->probe_code = t->probe_code;
		util_strcpy(out->probe_reply, sizeof(out->probe_reply),
			    t->probe_reply);
	}
	pthread_mutex_unlock(&A.lock);
	return t != NULL;
}
