/*
 * units.h - the units of configuration values: durations ("90s", "24h"),
 * sizes ("4M") and syslog facility and level names.  Pure functions, no
 * state; used by config.c and by the command line (-d).
 */
#ifndef MILTER_DELIST_UNITS_H
#define MILTER_DELIST_UNITS_H

#include <stddef.h>
#include <time.h>

/* units_duration - "90", "90s", "15m", "24h", "2d", "1w" (at most ten
 * years) into seconds; 0 or -1 */
int units_duration(const char *s, time_t *out);

/* units_size - "4194304", "512k", "4M", "1G" into bytes; 0 or -1 */
int units_size(const char *s, size_t *out);

/* units_facility - syslog facility by name ("mail", "local0" ...), -1 if
 * unknown */
int units_facility(const char *name);

/* units_facility_name - the name of a facility value, "?" if none */
const char *units_facility_name(int facility);

/* units_level - syslog level by name ("err" or "error", "info" ...) or
 * by number "0" to "7"; -1 if unknown */
int units_level(const char *name);

/* units_level_name - the name of a level value, "?" if none */
const char *units_level_name(int level);

#endif
