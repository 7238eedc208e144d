/*
 * units.c - durations, sizes and syslog names of configuration values
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <syslog.h>

#include "units.h"
#include "util.h"

/* number - leading decimal digits of s, at most max; NULL if none */
static const char *number(const char *s, unsigned long long max,
			  unsigned long long *v)
{
	if (!s || !isdigit((unsigned char)*s))
		return NULL;
	for (*v = 0; isdigit((unsigned char)*s); s++) {
		*v = *v * 10 + (unsigned long long)(*s - '0');
		if (*v > max)
			return NULL;
	}
	return s;
}

/* units_duration - a number and an optional unit s, m, h, d or w */
int units_duration(const char *s, time_t *out)
{
	static const char units[] = "smhdw";
	static const unsigned long long mul[] = {1, 60, 3600, 86400, 604800};
	unsigned long long v;
	const char *p = number(s, 100000000ULL, &v), *u;

	if (!p)
		return -1;
	if (*p) {
		u = strchr(units, *p);
		if (!u || p[1])
			return -1;
		v *= mul[u - units];
	}
	if (v > 10ULL * 365 * 86400)
		return -1;
	*out = (time_t)v;
	return 0;
}

/* units_size - a number and an optional unit k, M or G (either case) */
int units_size(const char *s, size_t *out)
{
	static const char units[] = "kmg";
	unsigned long long v, mul = 1;
	const char *p = number(s, 1ULL << 40, &v), *u;

	if (!p)
		return -1;
	if (*p) {
		u = strchr(units, tolower((unsigned char)*p));
		if (!*p || !u || p[1])
			return -1;
		mul = 1ULL << (10 * (u - units + 1));
	}
	if (v * mul > SIZE_MAX)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

struct named {
	const char *name;
	int value;
};

static const struct named facilities[] = {
	{"mail", LOG_MAIL},	{"daemon", LOG_DAEMON}, {"user", LOG_USER},
	{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
	{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
	{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

static const struct named levels[] = {
	{"emerg", LOG_EMERG}, {"alert", LOG_ALERT},	{"crit", LOG_CRIT},
	{"err", LOG_ERR},     {"warning", LOG_WARNING}, {"notice", LOG_NOTICE},
	{"info", LOG_INFO},   {"debug", LOG_DEBUG},
};

/* by_name - value of name in a table, -1 if absent */
static int by_name(const struct named *t, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i].value;
	return -1;
}

/* by_value - name of value in a table, "?" if absent */
static const char *by_value(const struct named *t, size_t n, int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return "?";
}

/* units_facility - syslog facility by name */
int units_facility(const char *name)
{
	return by_name(facilities, UTIL_ARRAY_SIZE(facilities), name);
}

/* units_facility_name - name of a facility value */
const char *units_facility_name(int facility)
{
	return by_value(facilities, UTIL_ARRAY_SIZE(facilities), facility);
}

/* units_level - syslog level by name, "error" too, or by number 0-7 */
int units_level(const char *name)
{
	if (name && name[0] >= '0' && name[0] <= '7' && !name[1])
		return name[0] - '0';
	if (name && !strcmp(name, "error"))
		return LOG_ERR;
	return by_name(levels, UTIL_ARRAY_SIZE(levels), name);
}

/* units_level_name - name of a level value */
const char *units_level_name(int level)
{
	return by_value(levels, UTIL_ARRAY_SIZE(levels), level);
}
