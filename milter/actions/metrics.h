/*
 * metrics.h - Prometheus metrics in a file for node_exporter's textfile
 * collector (`metrics_file`), rewritten atomically every
 * `metrics_interval` seconds
 *
 * The pipeline counts with the metrics_*() increment functions (any
 * thread: one mutex, held for a few loads and stores); metrics_write()
 * renders the counters plus a snapshot of the incident store in the text
 * exposition format and replaces the file (temp file + rename).
 *
 * Families (labels in braces; every label set is bounded):
 *   milter_delist_build_info{version}                       gauge, 1
 *   milter_delist_start_time_seconds                        gauge
 *   milter_delist_incidents{state}                          gauge
 *   milter_delist_incidents_open{provider,kind,ip}          gauge
 *     (at most ip_cap IPs, the rest summed in ip="others")
 *   milter_delist_findings_total{source,provider,code}      counter
 *     (at most METRICS_MAX_FINDING_SERIES label sets, then code="other")
 *   milter_delist_alerts_total{channel,result}              counter
 *   milter_delist_log_lag_bytes{source}                     gauge
 *     (files only: a journal has no such series)
 *   milter_delist_log_lag_seconds{source}                   gauge
 *   milter_delist_state_saves_total{result}                 counter
 *   milter_delist_state_save_duration_seconds               gauge (last)
 */
#ifndef MILTER_DELIST_METRICS_H
#define MILTER_DELIST_METRICS_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "health.h"
#include "incident.h"

#define METRICS_MAX_FINDING_SERIES 200
#define METRICS_MAX_SOURCES	   16
#define METRICS_LABEL_MAX	   64 /* bytes of a label value kept */
#define METRICS_IP_CAP		   50 /* default per-IP series */
#define METRICS_LAG_STALE	   5  /* s: a journal's lag not told, growing */

struct metrics;

/* metrics_new - zeroed counters, start time now; NULL on ENOMEM */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* metrics_finding - one finding from source ("dsn", "postfix-log", ...)
 * about provider with code; NULL values count as "" */
void metrics_finding(struct metrics *m, const char *source,
		     const char *provider, const char *code);

/* metrics_alert - one alert attempt on channel ("mail", "exec"): sent
 * when ok, else failed */
void metrics_alert(struct metrics *m, const char *channel, int ok);

/* metrics_lag - how far behind the log source is now (replaces the
 * previous values of that source); bytes HEALTH_NO_BYTES for a journal:
 * then no milter_delist_log_lag_bytes series for it, and since a journal
 * is told at least once a second while its thread reads, one not told for
 * METRICS_LAG_STALE seconds (a thread blocked, a journal that cannot be
 * opened again) counts that time on top of its last seconds */
void metrics_lag(struct metrics *m, const char *source,
		 unsigned long long bytes, double seconds);

/* metrics_lag_forget - source is no longer followed: its lag is shown no
 * more */
void metrics_lag_forget(struct metrics *m, const char *source);

/* metrics_save - one state save that took seconds; ok or failed (a good
 * save also clears the state error, see metrics_error()) */
void metrics_save(struct metrics *m, double seconds, int ok);

enum metrics_error_kind { METRICS_ERR_STATE, METRICS_ERR_ALERT };

/* metrics_error - the last error of the state save or of an alert, for
 * the health file ("" or NULL clears it) */
void metrics_error(struct metrics *m, enum metrics_error_kind kind,
		   const char *text);

struct health;

/* metrics_health - fill h's state_saved, state_save_failures,
 * state_error, alert_error and sources (from metrics_lag) */
void metrics_health(struct metrics *m, struct health *h);

/*
 * metrics_render - the exposition text into out: counters of m and the
 * incidents of store (NULL: none; the caller holds the store's lock or
 * passes a private copy).  ip_cap: per-IP series of the open incidents
 * (0: METRICS_IP_CAP).  0, or -1 when out failed (out->err).
 */
int metrics_render(struct metrics *m, struct incident_store *store,
		   size_t ip_cap, struct buf *out);

/*
 * metrics_write - render and replace path atomically (mode 0640, group
 * gid unless (gid_t)-1; see health_replace_file()).  0, or -1 with
 * errno.  A file node_exporter can read: the daemon user needs write
 * access to the directory (node_exporter's textfile directory).
 */
int metrics_write(struct metrics *m, const char *path,
		  struct incident_store *store, size_t ip_cap, gid_t gid);

#endif
