/*
 * act_probe.c - the act thread's probes: start the due ones (the MX that
 * refused, asked as the incident's IP whether it still refuses), take in
 * the results from the probes' own threads, and turn them into events and
 * evidence (an accepted probe counts as a success toward clearing)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "act_int.h"
#include "event.h"
#include "evidence.h"
#include "log.h"
#include "probe.h"
#include "util.h"

/* probe_done - a probe ended (its own thread): hand it to ours */
static void probe_done(const struct probe_req *req,
		       const struct probe_result *res, void *arg)
{
	uint64_t id = (uint64_t)(uintptr_t)arg;
	struct act_track *t;
	struct act_done *d;

	pthread_mutex_lock(&act_g.lock);
	if (act_g.n_done < ACT_MAX) {
		d = &act_g.done[act_g.n_done++];
		d->id = id;
		d->req = *req;
		util_strcpy(d->mx, sizeof(d->mx), req->mx);
		util_strcpy(d->source, sizeof(d->source), req->source_ip);
		d->req.mx = d->mx;
		d->req.source_ip = d->source;
		d->req.helo = d->req.sender = d->req.rcpt = "";
		d->res = *res;
	} else if ((t = act_find(id)) != NULL) {
		t->sched.in_flight = 0;
	}
	pthread_cond_signal(&act_g.cond);
	pthread_mutex_unlock(&act_g.lock);
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

/* act_probes - start the probes that are due */
void act_probes(const struct config *cfg, time_t now, int at_once)
{
	struct act_snap due[ACT_MAX];
	struct probe_req req;
	char host[256], mx[64], why[320];
	size_t i, n = 0;
	struct act_track *t;

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	pthread_mutex_lock(&act_g.lock);
	for (i = 0; i < act_g.n; i++) {
		t = &act_g.t[i];
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
	pthread_mutex_unlock(&act_g.lock);

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
		pthread_mutex_lock(&act_g.lock);
		if ((t = act_find(due[i].id)) != NULL) {
			t->sched.in_flight = 0;
			t->sched.next = now + t->sched.interval;
			if (t->said_no_target)
				why[0] = '\0';
			t->said_no_target = 1;
		}
		pthread_mutex_unlock(&act_g.lock);
		if (why[0])
			log_warning("event=probe-failed ip=%s provider=%s "
				    "reason=\"%s\" incident=%llu",
				    due[i].ip,
				    verdict_provider_name(due[i].provider), why,
				    (unsigned long long)due[i].id);
	}
}

/* act_results - the probes that ended: events, evidence, the reminder */
void act_results(time_t now)
{
	struct act_done d;
	struct act_snap s;
	struct act_track *t;
	struct buf b;
	char code[16];
	int say;

	for (;;) {
		pthread_mutex_lock(&act_g.lock);
		if (!act_g.n_done) {
			pthread_mutex_unlock(&act_g.lock);
			return;
		}
		d = act_g.done[0];
		memmove(&act_g.done[0], &act_g.done[1],
			--act_g.n_done * sizeof(act_g.done[0]));
		d.req.mx = d.mx;
		d.req.source_ip = d.source;
		t = act_find(d.id);
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
		pthread_mutex_unlock(&act_g.lock);
		if (!say)
			continue;
		buf_init(&b);
		probe_event(&b, &d.req, &d.res,
			    verdict_provider_name(s.provider), s.id);
		act_log_buf(d.res.status == PROBE_FAILED ? LOG_WARNING
							 : LOG_NOTICE,
			    &b);
		if (d.res.status == PROBE_NOT_LOCAL)
			log_notice("%s is not an address of this host (NAT?): "
				   "it is not probed again",
				   s.ip);
		snprintf(code, sizeof(code), "%d", d.res.code);
		act_emit(probe_status_event(d.res.status), &s,
			 d.res.code ? code : "", now);
		if (d.res.status == PROBE_OK)
			evidence_accepted(s.ip, s.provider, now, "probe");
	}
}
