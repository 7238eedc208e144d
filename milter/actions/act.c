/*
 * act.c - reroute, flush and the held-mail count, driven by core's events
 * (the probes are in act_probe.c)
 *
 * Locks: act_g.lock guards the table of tracked incidents (act_g.t), the
 * probe results and the flags.  The thread takes the state lock only
 * without act_g.lock (it snapshots the open incidents first), and never
 * holds act_g.lock while it emits an event, logs through evidence_* or runs
 * a program.  act_describe() takes act_g.lock inside the state lock (lock
 * order: state, then act).  The reroute table (struct reroute) belongs to
 * the thread.
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
#include "act_int.h"
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

struct act_shared act_g = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/* act_log_buf - one event line */
void act_log_buf(int prio, struct buf *b)
{
	if (!b->err)
		log_msg(prio, "%s", buf_str(b));
	buf_free(b);
}

/* act_emit - an event of ours (probe-*) for the other subscribers */
void act_emit(const char *name, const struct act_snap *s, const char *code,
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
	pthread_mutex_lock(&act_g.lock);
	act_g.dirty = 1;
	pthread_cond_signal(&act_g.cond);
	pthread_mutex_unlock(&act_g.lock);
}

/* mine - is ip one whose mail this instance reroutes (reroute on, and
 * ip one of reroute.ips)?  Without reroute.ips no IP is singled out. */
static int mine(const char *ip)
{
	return act_g.rr_on && act_g.rr.conf.ips &&
	       reroute_ip_wanted(&act_g.rr, ip);
}

/* tracked - is incident id among the n_ids we track? */
static int tracked(uint64_t id, const uint64_t *ids, size_t n_ids)
{
	size_t k;

	for (k = 0; k < n_ids; k++)
		if (ids[k] == id)
			return 1;
	return 0;
}

/* snap - incident inc into out */
static void snap(struct act_snap *out, const struct incident *inc)
{
	size_t k;

	memset(out, 0, sizeof(*out));
	out->id = inc->id;
	util_strcpy(out->ip, sizeof(out->ip), inc->ip);
	out->provider = inc->provider;
	out->kind = inc->kind;
	out->cleared = inc->state == INCIDENT_CLEARED;
	util_strcpy(out->relay, sizeof(out->relay), inc->relay);
	util_strcpy(out->rcpt, sizeof(out->rcpt), inc->rcpt);
	out->n_domains = inc->n_domains;
	for (k = 0; k < inc->n_domains; k++)
		util_strcpy(out->domains[k], sizeof(out->domains[k]),
			    inc->domains[k]);
}

/* snapshot - the incidents that are open, or that we track (to see them
 * clear), at most max (<= ACT_MAX): those of reroute.ips first (a whole
 * range blocked at once must not crowd out this instance's own IPs), then
 * the tracked ones, then the others in the store's order; one pass over
 * the store under the state lock.  Returns the number in out and sets
 * *full when some were left out. */
static size_t snapshot(struct act_snap *out, size_t max, const uint64_t *ids,
		       size_t n_ids, int *full)
{
	size_t later[2][ACT_MAX]; /* tracked, others: store indices */
	struct incident_store *st;
	struct incident *inc;
	size_t i, k, n = 0, nl[2] = {0, 0}, count;
	int t, f;

	*full = 0;
	if (max > ACT_MAX)
		max = ACT_MAX;
	state_lock();
	st = state_store();
	count = st ? incident_count(st) : 0;
	for (i = 0; i < count; i++) {
		inc = incident_at(st, i);
		t = tracked(inc->id, ids, n_ids);
		if (inc->state == INCIDENT_CLEARED && !t)
			continue;
		if (mine(inc->ip)) {
			if (n < max)
				snap(&out[n++], inc);
			else
				*full = 1;
			continue;
		}
		f = t ? 0 : 1;
		if (nl[f] < max)
			later[f][nl[f]++] = i;
		else
			*full = 1;
	}
	for (f = 0; f < 2; f++)
		for (k = 0; k < nl[f]; k++) {
			if (n == max) {
				*full = 1;
				break;
			}
			snap(&out[n++], incident_at(st, later[f][k]));
		}
	state_unlock();
	return n;
}

/* wants_route - should this incident's mail be rerouted (by this
 * instance: an IP of reroute.ips, when that is set)? */
static int wants_route(const struct config *cfg, const struct act_snap *s)
{
	char canon[64];

	if (s->cleared || !cfg->reroute.transport[0] ||
	    !util_ip_parse(s->ip, strlen(s->ip), canon, sizeof(canon)))
		return 0;
	/* Another instance's IP: its mail does not leave through ours. */
	if (act_g.rr_on && !reroute_ip_wanted(&act_g.rr, canon))
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
	char key[sizeof(act_g.rr_key)], err[512];
	size_t i, n;

	snprintf(key, sizeof(key), "%s|%s|%s|%s|%s|%zu|%s", c->transport,
		 c->table, c->map_type, c->postmap, c->postfix_config, c->n_ips,
		 c->n_ips ? c->ips[0] : "");
	for (i = 1; i < c->n_ips; i++) {
		size_t l = strlen(key);
		snprintf(key + l, sizeof(key) - l, ",%s", c->ips[i]);
	}
	if (act_g.rr_on && !strcmp(key, act_g.rr_key))
		return 0;
	if (act_g.rr_on) {
		/* The settings changed (or reroute was switched off): the old
		 * table is emptied, or mail would go on leaving through the
		 * old transport. */
		while (act_g.rr.n > 0) {
			char ip[sizeof(act_g.rr.d[0].ip)],
				pv[sizeof(act_g.rr.d[0].provider)];

			util_strcpy(ip, sizeof(ip), act_g.rr.d[0].ip);
			util_strcpy(pv, sizeof(pv), act_g.rr.d[0].provider);
			if (!reroute_clear(&act_g.rr, ip, pv))
				break;
		}
		if (reroute_commit(&act_g.rr, err, sizeof(err)) < 0)
			log_warning("event=reroute result=failed table=%s "
				    "reason=\"%s\" (the old table stays)",
				    act_g.rr_table, err);
		reroute_free(&act_g.rr);
	}
	act_g.rr_on = 0;
	util_strcpy(act_g.rr_key, sizeof(act_g.rr_key), key);
	if (!c->transport[0])
		return 1;
	util_strcpy(act_g.rr_table, sizeof(act_g.rr_table), c->table);
	util_strcpy(act_g.rr_type, sizeof(act_g.rr_type), c->map_type);
	util_strcpy(act_g.rr_postmap, sizeof(act_g.rr_postmap), c->postmap);
	util_strcpy(act_g.rr_dir, sizeof(act_g.rr_dir), c->postfix_config);
	n = c->n_ips < ACT_MAX ? c->n_ips : ACT_MAX;
	for (i = 0; i < n; i++) {
		util_strcpy(act_g.rr_ips[i], sizeof(act_g.rr_ips[i]),
			    c->ips[i]);
		act_g.rr_ipv[i] = act_g.rr_ips[i];
	}
	act_g.rr_ipv[n] = NULL;
	memset(&rc, 0, sizeof(rc));
	rc.table = act_g.rr_table;
	rc.map_type = act_g.rr_type;
	rc.postmap = act_g.rr_postmap;
	rc.config_dir = *act_g.rr_dir ? act_g.rr_dir : NULL;
	rc.ips = n ? act_g.rr_ipv : NULL;
	rc.timeout = c->timeout;
	reroute_init(&act_g.rr, &rc);
	act_g.rr_on = 1;
	if (reroute_open(&act_g.rr, err, sizeof(err)) < 0)
		log_warning(
			"event=reroute result=failed table=%s reason=\"%s\" "
			"(mail is not rerouted)",
			act_g.rr_table, err);
	return 1;
}

/* domains_of - the domains of s's provider: the incident's, the
 * consumer ones, the learned ones; returns the count */
static size_t domains_of(const struct act_snap *s, char (*buf)[256],
			 const char **v, unsigned long *gen)
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
static void route_event(const char *action, const struct act_snap *s,
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
	act_log_buf(*result == 'o' ? LOG_NOTICE : LOG_WARNING, &b);
}

/* act_find - the tracked incident id (act_g.lock held), or NULL */
struct act_track *act_find(uint64_t id)
{
	size_t i;

	for (i = 0; i < act_g.n; i++)
		if (act_g.t[i].s.id == id)
			return &act_g.t[i];
	return NULL;
}

/* A decision changed in this pass, to log once the table is written. */
struct change {
	struct act_snap s;
	int set;     /* 1 set, 0 cleared */
	int cleared; /* the incident cleared: flush */
	int routed;  /* a decision of the table changed (else: flush only) */
	long domains;
};

/* evict - a tracked incident that is not of reroute.ips, preferably one
 * without a probe in flight, to make room for one that is (act_g.lock
 * held); NULL when every tracked one is.  Its mail was not rerouted by
 * this instance (wants_route()): only its probes stop. */
static struct act_track *evict(void)
{
	struct act_track *any = NULL;
	size_t i;

	for (i = 0; i < act_g.n && !any; i++)
		if (!mine(act_g.t[i].s.ip) && !act_g.t[i].sched.in_flight)
			any = &act_g.t[i];
	for (i = 0; i < act_g.n && !any; i++)
		if (!mine(act_g.t[i].s.ip))
			any = &act_g.t[i];
	if (any && any->routed) /* (a decision from before reroute.ips) */
		reroute_clear(&act_g.rr, any->s.ip,
			      verdict_provider_name(any->s.provider));
	return any;
}

/* reconcile - the tracked incidents against the state, the decisions
 * against them; then the table, the events and the flush */
static void reconcile(const struct config *cfg, time_t now,
		      struct act_snap *snaps, struct change *ch)
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
	struct act_track *t;
	struct flush_result fr;
	struct buf b;

	remade = rr_setup(cfg);
	pthread_mutex_lock(&act_g.lock);
	for (i = 0; i < act_g.n; i++)
		ids[i] = act_g.t[i].s.id;
	n = act_g.n;
	pthread_mutex_unlock(&act_g.lock);
	n = snapshot(snaps, ACT_MAX, ids, n, &full);
	/* Only worth saying when there is something to do for them. */
	if (full && !said_full && (act_g.rr_on || cfg->probe.interval > 0))
		log_warning("more than %d open incidents: the later ones are "
			    "neither rerouted nor probed (those of reroute.ips "
			    "come first)",
			    ACT_MAX);
	said_full = full;

	pthread_mutex_lock(&act_g.lock);
	/* Gone (evicted) or cleared: the decision goes. */
	for (i = 0; i < act_g.n;) {
		t = &act_g.t[i];
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
		if (t->routed && act_g.rr_on)
			reroute_clear(&act_g.rr, t->s.ip,
				      verdict_provider_name(t->s.provider));
		dirty |= t->routed;
		if (t->routed || ch[nch].cleared)
			nch++;
		act_g.t[i] = act_g.t[--act_g.n];
	}
	/* Open: tracked, routed when they should be. */
	for (k = 0; k < n; k++) {
		if (snaps[k].cleared)
			continue;
		t = act_find(snaps[k].id);
		if (!t) {
			if (act_g.n < ACT_MAX)
				t = &act_g.t[act_g.n++];
			else if (!mine(snaps[k].ip) || !(t = evict()))
				break;
			memset(t, 0, sizeof(*t));
		}
		t->s = snaps[k];
		if (!wants_route(cfg, &t->s) || !act_g.rr_on) {
			if (t->routed && act_g.rr_on)
				reroute_clear(
					&act_g.rr, t->s.ip,
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
		rc = reroute_set(&act_g.rr, t->s.ip,
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
	pthread_mutex_unlock(&act_g.lock);

	/* The table: written when its rendering changed (retried after a
	 * failure, at most once a minute). */
	rc = 0;
	if (act_g.rr_on && (dirty || (retry_at && now >= retry_at))) {
		rc = reroute_commit(&act_g.rr, err, sizeof(err));
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
		} else if (act_g.rr_on || !ch[i].set) {
			route_event(ch[i].set ? "set" : "clear", &ch[i].s,
				    ch[i].set ? cfg->reroute.transport : NULL,
				    ch[i].domains, "ok", NULL);
		}
		if (ch[i].set && rc >= 0) {
			pthread_mutex_lock(&act_g.lock);
			if ((t = act_find(ch[i].s.id)) != NULL)
				t->routed_at = now;
			pthread_mutex_unlock(&act_g.lock);
		}
		if (!ch[i].cleared || !cfg->flush.command[0])
			continue;
		/* Cleared: the held mail may leave now. */
		flush_run(cfg->flush.command, cfg->flush.timeout, &fr);
		buf_init(&b);
		flush_event(&b, &fr, ch[i].s.ip,
			    verdict_provider_name(ch[i].s.provider),
			    ch[i].s.id);
		act_log_buf(fr.ok ? LOG_NOTICE : LOG_WARNING, &b);
	}
	if (rc < 0 && !nch)
		log_warning("event=reroute result=failed table=%s "
			    "reason=\"%s\"",
			    act_g.rr_table, err);
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

	pthread_mutex_lock(&act_g.lock);
	any = act_g.n > 0;
	pthread_mutex_unlock(&act_g.lock);
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
	pthread_mutex_lock(&act_g.lock);
	for (i = 0; i < act_g.n; i++) {
		act_g.t[i].held = n[act_g.t[i].s.provider == VERDICT_MS_365];
		act_g.t[i].held_at = now;
		act_g.t[i].held_cut = cut;
	}
	pthread_mutex_unlock(&act_g.lock);
}

/* thread_main - the actions' own thread */
static void *thread_main(void *arg)
{
	static struct act_snap snaps[ACT_MAX];
	static struct change ch[2 * ACT_MAX];
	struct timespec ts;
	struct config *cfg;
	time_t now, next_look = 0, next_held = 0;
	unsigned long gen = 0;
	int look, at_once;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&act_g.lock);
		if (!act_g.stop && !act_g.dirty && !act_g.probe_now &&
		    !act_g.n_done) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&act_g.cond, &act_g.lock, &ts);
		}
		look = act_g.dirty;
		at_once = act_g.probe_now;
		act_g.dirty = act_g.probe_now = 0;
		if (act_g.stop) {
			pthread_mutex_unlock(&act_g.lock);
			break;
		}
		pthread_mutex_unlock(&act_g.lock);
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
		act_results(now);
		act_probes(cfg, now, at_once);
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
	if (act_g.running)
		return 0;
	act_g.stop = 0;
	act_g.dirty = 1; /* the incidents restored from the state */
	if (pthread_create(&act_g.tid, NULL, thread_main, NULL) != 0) {
		log_error("cannot start the actions thread");
		return -1;
	}
	act_g.running = 1;
	events_subscribe(on_event, NULL);
	return 0;
}

/* act_stop - unsubscribe, stop, join */
void act_stop(void)
{
	if (!act_g.running)
		return;
	events_unsubscribe(on_event, NULL);
	pthread_mutex_lock(&act_g.lock);
	act_g.stop = 1;
	pthread_cond_signal(&act_g.cond);
	pthread_mutex_unlock(&act_g.lock);
	pthread_join(act_g.tid, NULL);
	act_g.running = 0;
	if (act_g.rr_on)
		reroute_free(&act_g.rr);
	act_g.rr_on = 0;
	act_g.rr_key[0] = '\0';
	act_g.n = 0;
}

/* act_wake - look now */
void act_wake(void)
{
	pthread_mutex_lock(&act_g.lock);
	act_g.dirty = 1;
	pthread_cond_signal(&act_g.cond);
	pthread_mutex_unlock(&act_g.lock);
}

/* act_probe_now - every open incident, at once */
void act_probe_now(void)
{
	pthread_mutex_lock(&act_g.lock);
	act_g.probe_now = 1;
	pthread_cond_signal(&act_g.cond);
	pthread_mutex_unlock(&act_g.lock);
}

/* act_status - a copy of what was done for incident id */
int act_status(uint64_t id, struct act_status *out)
{
	struct act_track *t;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&act_g.lock);
	t = act_find(id);
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
	pthread_mutex_unlock(&act_g.lock);
	return t != NULL;
}
