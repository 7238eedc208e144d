/*
 * hooks.h - the monitoring actions (metrics file, health file for
 * --status and --check, state_group, the alert.exec hook) plugged into
 * core's observers: events_subscribe(), state_on_save() and
 * logsource_on_lag()
 */
#ifndef MILTER_DELIST_HOOKS_H
#define MILTER_DELIST_HOOKS_H

#include <stddef.h>

#include "config.h"

/*
 * hooks_share_dir - state_group: give the state directory that group and
 * mode 02750 (set-group-ID: the state, health and exec files created in
 * it inherit the group).  Call as root, before dropping privileges.  0
 * (also when state_group is empty), or -1 with the reason in err.
 */
int hooks_share_dir(const struct config *cfg, char *err, size_t errlen);

/*
 * hooks_start - the metrics counters, the exec spool
 * ("<state_file>.exec") and its worker (alert.exec, exec_timeout,
 * alert.retry), the monitor thread (health file, metrics_file every
 * metrics_interval, metrics_ip_cap), then the observers.  Call before
 * the pipeline starts (state_open) so the first save and events are
 * seen.  A part that cannot run is logged; -1 only when out of memory.
 */
int hooks_start(const struct config *cfg);

/* hooks_reload - a new alert.exec, exec_events, exec_timeout or retry
 * (metrics_file and state_group take effect at the next restart) */
void hooks_reload(const struct config *cfg);

/* hooks_stop - after the pipeline stopped (its final save seen): the
 * observers off, the exec worker joined (owed runs stay in the spool),
 * the health file removed */
void hooks_stop(void);

#endif
