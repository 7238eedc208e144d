/*
 * act_int.h - what act.c (the thread: reroute, flush, held mail) shares
 * with act_probe.c (the probes and their results); no other module
 * includes it.  Lock order as in act.c: the state lock, then act_g.lock.
 */
#ifndef MILTER_DELIST_ACT_INT_H
#define MILTER_DELIST_ACT_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "finding.h"
#include "incident.h"
#include "probe.h"
#include "reroute.h"
#include "verdict.h"

#define ACT_MAX	      REROUTE_MAX /* open incidents acted on */
#define ACT_DOMAINS   256	  /* domains of one decision */
#define ACT_LOOK_SECS 5		  /* look at the state this often anyway */
#define ACT_HELD_SECS 60	  /* count the held mail this often */

/* One open incident as the thread saw it. */
struct act_snap {
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
struct act_track {
	struct act_snap s;
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
struct act_done {
	uint64_t id;
	struct probe_req req;
	char mx[64], source[64];
	struct probe_result res;
};

/* The module's state: lock, cond and the table are shared with the
 * probe half (act_probe.c); the rest belongs to the thread. */
struct act_shared {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t tid;
	int running, stop, dirty, probe_now;
	struct act_track t[ACT_MAX];
	size_t n;
	struct act_done done[ACT_MAX];
	size_t n_done;
	int said_full;
	/* the thread's own */
	struct reroute rr;
	int rr_on;
	char rr_key[2048]; /* the reroute settings rr was made with */
	char rr_table[1024], rr_type[16], rr_postmap[1024], rr_dir[1024];
	char rr_ips[ACT_MAX][VERDICT_IP_MAX];
	const char *rr_ipv[ACT_MAX + 1];
};

extern struct act_shared act_g;

/* act_log_buf - log b as one event line at prio, then free it */
void act_log_buf(int prio, struct buf *b);

/* act_emit - an event of ours (probe-*) about s for the other
 * subscribers */
void act_emit(const char *name, const struct act_snap *s, const char *code,
	      time_t when);

/* act_find - the tracked incident id (act_g.lock held), or NULL */
struct act_track *act_find(uint64_t id);

/* act_probes - start the probes that are due (at_once: every tracked
 * incident now); takes act_g.lock itself (act_probe.c) */
void act_probes(const struct config *cfg, time_t now, int at_once);

/* act_results - the probes that ended: events, evidence (act_probe.c) */
void act_results(time_t now);

#endif
