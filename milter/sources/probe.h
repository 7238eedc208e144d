/*
 * probe.h - verify an unblock by itself: an SMTP probe from the blocked IP
 * to the MX host that refused it
 *
 * EHLO, MAIL FROM (the configured probe sender), RCPT TO (a recipient of
 * the incident), then RSET and QUIT: no DATA, never a message.  The
 * socket is bound to the blocked IP, so an acceptance at RCPT is evidence
 * that THIS IP is accepted again.  Every step has a time limit and every
 * reply a size limit; the reply parser is hostile-input safe (fuzzed).
 *
 * probe_run() blocks (up to about 6 step timeouts): call it from a worker
 * thread, one probe in flight (probe_sched).  No global state.
 */
#ifndef MILTER_DELIST_PROBE_H
#define MILTER_DELIST_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

#define PROBE_REPLY_MAX	      4096 /* bytes of one (multi-line) reply */
#define PROBE_TEXT_MAX	      512  /* bytes of reply text kept */
#define PROBE_MIN_INTERVAL    300  /* s: never probe more often */
#define PROBE_DEFAULT_TIMEOUT 30   /* s per step */

/* probe_reply_parse results */
enum probe_parse {
	PROBE_PARSE_BAD = -1, /* not an SMTP reply: give up */
	PROBE_PARSE_MORE = 0, /* incomplete: read more */
	PROBE_PARSE_DONE = 1  /* one whole reply */
};

/* One SMTP reply. */
struct probe_reply {
	int code;		   /* 200-599 */
	char text[PROBE_TEXT_MAX]; /* the lines joined by " ", cleaned */
};

/* What to probe. */
struct probe_req {
	const char *mx;	       /* the MX's IP address (from relay=) */
	unsigned port;	       /* 25 (others for tests) */
	const char *source_ip; /* the blocked IP: bound as source */
	const char *helo;      /* EHLO name (our myhostname) */
	const char *sender;    /* MAIL FROM address ("" = null sender) */
	const char *rcpt;    /* RCPT TO address: a recipient of the incident */
	time_t step_timeout; /* s per step (0 = PROBE_DEFAULT_TIMEOUT) */
};

enum probe_status {
	PROBE_OK,	/* RCPT TO accepted: this IP is accepted again */
	PROBE_REFUSED,	/* a 4xx/5xx reply before RCPT was accepted */
	PROBE_FAILED,	/* connect error, timeout, garbage */
	PROBE_NOT_LOCAL /* the source IP is not on this host (NAT) */
};

struct probe_result {
	enum probe_status status;
	const char *stage;	    /* "connect", "greeting", "ehlo", "mail",
				       "rcpt" (static strings) */
	int code;		    /* the reply's code, 0 without one */
	char reply[PROBE_TEXT_MAX]; /* the reply text (refused, ok) */
	char why[256];		    /* failed / not-local: the reason */
	time_t when;		    /* when the probe ended */
};

/*
 * probe_reply_parse - look for one whole reply at the start of data (len
 * bytes, any bytes): lines "NNN-text" ended by "NNN text" (or "NNN"), CRLF
 * or LF.  DONE: out filled, *used the bytes it took.  MORE: no whole
 * reply yet (and still under PROBE_REPLY_MAX).  BAD: a line that is not
 * a reply line, codes that differ between lines, a reply longer than
 * PROBE_REPLY_MAX, a NUL byte.
 */
int probe_reply_parse(const char *data, size_t len, struct probe_reply *out,
		      size_t *used);

/* probe_run - run one probe (blocking); always fills res; returns 0 */
int probe_run(const struct probe_req *req, struct probe_result *res);

/* probe_status_event - "probe-ok", "probe-refused", "probe-failed" (also
 * for not-local) */
const char *probe_status_event(enum probe_status s);

/*
 * probe_event - the event line of a probe: "event=probe-ok ip= provider=
 * mx= port= stage= code= reply= reason= incident=" (event.c's quoting)
 */
void probe_event(struct buf *b, const struct probe_req *req,
		 const struct probe_result *res, const char *provider,
		 uint64_t incident);

/* Called in the probe's thread when an asynchronous probe ended. */
typedef void (*probe_done_fn)(const struct probe_req *req,
			      const struct probe_result *res, void *arg);

/*
 * probe_start - run one probe in a detached thread of its own, so that no
 * caller (the events thread, a milter callback) ever waits on a network:
 * req and its strings are copied; done(req, res, arg) is called in that
 * thread when it ended (it must lock what it touches).  0, or -1 (errno:
 * invalid settings, no memory, no thread): done is then not called.
 */
int probe_start(const struct probe_req *req, probe_done_fn done, void *arg);

/* The schedule of one incident's probes: one in flight, a minimum
 * interval, jitter (up to a tenth of the interval). */
struct probe_sched {
	time_t interval; /* 0: off */
	time_t next;	 /* the next probe is due then (0: at once) */
	int in_flight;
	int said_not_local; /* "not local" said once already */
	unsigned seed;
};

/* probe_sched_init - interval 0 = off; others raised to
 * PROBE_MIN_INTERVAL; the first probe is due one interval after now */
void probe_sched_init(struct probe_sched *s, time_t interval, time_t now,
		      unsigned seed);

/* probe_sched_start - 1 when a probe is due at now and none is in
 * flight (it is then in flight), else 0 */
int probe_sched_start(struct probe_sched *s, time_t now);

/* probe_sched_done - the probe ended with res at now: the next one is
 * due an interval (plus jitter) later; NOT_LOCAL stops the schedule.
 * Returns 1 when the result should be reported (always, except a
 * repeated not-local). */
int probe_sched_done(struct probe_sched *s, const struct probe_result *res,
		     time_t now);

#endif
