/*
 * monitor.h - the thread that keeps the health file and the metrics file
 * up to date
 *
 * Every interval (and at once after monitor_kick(), e.g. after a state
 * save) it fills a struct health from the daemon's facts and the metrics
 * counters (metrics_health()) and writes "<state_file>.health"; when a
 * metrics file is configured it renders the metrics (the incidents
 * through the render_store callback, which takes the store's lock) and
 * replaces that file.  A write error is logged once per change of error,
 * never fatal.  The health file is removed at monitor_stop(): a clean stop
 * reads as "not running".
 */
#ifndef MILTER_DELIST_MONITOR_H
#define MILTER_DELIST_MONITOR_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "metrics.h"

struct monitor_opts {
	const char *state_file;	  /* the health file goes next to it */
	const char *config_file;  /* "" = built-in defaults */
	const char *metrics_file; /* "" or NULL: no metrics file */
	time_t interval;	  /* seconds between writes (0: 60) */
	size_t ip_cap;		  /* metrics_ip_cap (0: METRICS_IP_CAP) */
	gid_t gid;		  /* state_group, or (gid_t)-1 */
	/* render_store - metrics_render(m, store, ip_cap, out) under the
	 * store's lock; NULL: the counters only, no incidents */
	void (*render_store)(struct metrics *m, size_t ip_cap, struct buf *out,
			     void *arg);
	void *arg;
};

struct monitor;

/* monitor_start - write both files now and start the thread; the strings
 * of o are copied.  NULL with errno. */
struct monitor *monitor_start(struct metrics *m, const struct monitor_opts *o);

/* monitor_kick - write again soon (after a state save, an alert) */
void monitor_kick(struct monitor *mon);

/* monitor_stop - stop the thread, remove the health file */
void monitor_stop(struct monitor *mon);

#endif
