/*
 * status.c - --status and --check: the state file and the health file,
 * read-only, for an admin and for a monitoring system
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* localtime_r */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "event.h"
#include "health.h"
#include "incident.h"
#include "status.h"
#include "util.h"

#define NAMES_SHOWN 3	/* IPs named in the --check line */
#define REPLY_SHOWN 160 /* bytes of the last reply in a text row */
#define ERR_MAX	    640

/* What --status and --check know. */
struct seen {
	const struct status_opts *o;
	time_t now;
	int state; /* 1 read, 0 no file, -1 unreadable */
	char state_err[ERR_MAX];
	struct incident_store *store;
	int health; /* 1 read, 0 none, -1 unreadable */
	char health_err[ERR_MAX];
	struct health h;
	long pid;    /* from the health file or the pidfile */
	int running; /* 1 yes, 0 no */
	int stale;   /* its pid lives, its health file is old */
	unsigned long blocked, banned, ratelimited, other, open, cleared;
};

/* local_time - "2026-12-06 19:02:03 +0100", or "-" for 0 */
static const char *local_time(time_t t, char *dst, size_t size)
{
	struct tm tm;

	if (t <= 0 || !localtime_r(&t, &tm) ||
	    strftime(dst, size, "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		util_strcpy(dst, size, "-");
	return dst;
}

/* read_pidfile - the pid in path, or 0 */
static long read_pidfile(const char *path)
{
	char line[32];
	long pid = 0;
	FILE *fp;

	if (!path || !*path || !(fp = fopen(path, "re")))
		return 0;
	if (fgets(line, sizeof(line), fp))
		pid = strtol(line, NULL, 10);
	fclose(fp);
	return pid > 0 ? pid : 0;
}

/* is_open - not cleared */
static int is_open(const struct incident *inc)
{
	return inc->state != INCIDENT_CLEARED;
}

/* replay_journals - the daemon's state journal ("<state_file>.log", and
 * ".log.new" during a compaction) over the loaded snapshot: what changed
 * since the state file was last rewritten.  A journal that cannot be read
 * is an unreadable state; a torn last record is what the daemon drops too. */
static void replay_journals(struct seen *s, const char *state_file)
{
	static const char *const ext[] = {".log", ".log.new"};
	struct incident_replay_result r;
	char path[4200];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s%s", state_file, ext[i]);
		if (access(path, F_OK) < 0)
			continue;
		memset(&r, 0, sizeof(r));
		if (incident_replay(s->store, path, &r) < 0) {
			s->state = -1;
			snprintf(s->state_err, sizeof(s->state_err),
				 "%.400s: %s", path,
				 r.why ? r.why : strerror(errno));
			return;
		}
		s->state = 1;
	}
}

/* gather - read everything once */
static void gather(struct seen *s, const struct status_opts *o)
{
	char hpath[4096];
	struct stat st;
	size_t i, n;

	memset(s, 0, sizeof(*s));
	s->o = o;
	s->now = o->now ? o->now : time(NULL);
	s->store = incident_store_new(o->max_incidents);
	if (!s->store) {
		s->state = -1;
		snprintf(s->state_err, sizeof(s->state_err), "out of memory");
	} else if (stat(o->state_file, &st) < 0) {
		s->state = errno == ENOENT ? 0 : -1;
		snprintf(s->state_err, sizeof(s->state_err), "%s: %s",
			 o->state_file, strerror(errno));
	} else if (incident_load(s->store, o->state_file, s->state_err,
				 sizeof(s->state_err)) < 0) {
		s->state = -1;
	} else {
		s->state = 1;
	}
	if (s->state >= 0)
		replay_journals(s, o->state_file);

	if (health_path(o->state_file, hpath, sizeof(hpath)) == 0 &&
	    health_read(hpath, &s->h, s->health_err, sizeof(s->health_err)) ==
		    0)
		s->health = 1;
	else
		s->health = errno == ENOENT ? 0 : -1;
	s->pid = s->health == 1 ? s->h.pid : 0;
	if (!s->pid)
		s->pid = read_pidfile(o->pidfile);
	s->running = health_alive(s->pid) == 1;
	if (s->running && s->health == 1 && s->h.interval > 0 &&
	    s->now - s->h.updated > HEALTH_STALE_FACTOR * s->h.interval) {
		s->running = 0; /* hung, or its pid was reused */
		s->stale = 1;
	}

	n = s->state == 1 ? incident_count(s->store) : 0;
	for (i = 0; i < n; i++) {
		const struct incident *inc = incident_at(s->store, i);

		if (!is_open(inc)) {
			s->cleared++;
			continue;
		}
		s->open++;
		switch (inc->kind) {
		case VERDICT_BLOCK:
		case VERDICT_DOMAIN_BLOCK:
			s->blocked++;
			break;
		case VERDICT_BAN:
			s->banned++;
			break;
		case VERDICT_RATELIMIT:
			s->ratelimited++;
			break;
		default:
			s->other++;
		}
	}
}

/* release - free what gather() took */
static void release(struct seen *s)
{
	incident_store_free(s->store);
}

/* verdict_of - the exit code and its one-line reason */
static int verdict_of(const struct seen *s, struct buf *why)
{
	const struct status_opts *o = s->o;

	if (s->state == 0) {
		buf_printf(why, "no state file %s (has the daemon run yet?)",
			   o->state_file);
		return STATUS_UNKNOWN;
	}
	if (s->state < 0) {
		buf_printf(why, "cannot read the state: %s", s->state_err);
		return STATUS_UNKNOWN;
	}
	if (!s->running) {
		char t[64];

		if (s->stale)
			buf_printf(why,
				   "daemon not answering: pid %ld, health "
				   "file not updated since %s",
				   s->pid,
				   local_time(s->h.updated, t, sizeof(t)));
		else if (s->pid)
			buf_printf(why, "daemon not running (pid %ld is gone)",
				   s->pid);
		else if (s->health < 0)
			buf_printf(why, "daemon not running? %s",
				   s->health_err);
		else if (o->pidfile && *o->pidfile)
			buf_printf(why,
				   "daemon not running (no pidfile %s, no "
				   "health file)",
				   o->pidfile);
		else
			buf_printf(why,
				   "daemon not running (no health file "
				   "next to %s)",
				   o->state_file);
		return STATUS_UNKNOWN;
	}
	if (o->critical && s->blocked + s->banned >= o->critical)
		return STATUS_CRITICAL;
	if (o->warning && s->ratelimited >= o->warning)
		return STATUS_WARNING;
	if (s->health == 1 && s->h.state_error[0]) {
		buf_printf(why, "last state save failed: %s", s->h.state_error);
		return STATUS_WARNING;
	}
	return STATUS_OK;
}

/* name_ips - " (203.0.113.5 block S3150, ...)" of the open incidents of
 * the kinds that matter */
static void name_ips(struct buf *b, const struct seen *s)
{
	size_t i, n = s->state == 1 ? incident_count(s->store) : 0, shown = 0;
	unsigned long total = 0;

	for (i = 0; i < n; i++) {
		const struct incident *inc = incident_at(s->store, i);

		if (!is_open(inc) || inc->kind == VERDICT_NOT_A_BLOCK)
			continue;
		total++;
		if (shown == NAMES_SHOWN)
			continue;
		buf_puts(b, shown ? ", " : ": ");
		buf_printf(b, "%s %s by %s%s%s", inc->ip,
			   verdict_kind_name(inc->kind),
			   verdict_provider_label(inc->provider),
			   inc->n_codes ? " " : "",
			   inc->n_codes ? inc->codes[inc->n_codes - 1] : "");
		shown++;
	}
	if (total > shown)
		buf_printf(b, " and %lu more", total - shown);
}

/* status_check - the monitoring plugin */
int status_check(const struct status_opts *o, FILE *out)
{
	static const char *const label[] = {"OK", "WARNING", "CRITICAL",
					    "UNKNOWN"};
	struct seen s;
	struct buf why, line;
	int code;

	gather(&s, o);
	buf_init(&why);
	buf_init(&line);
	code = verdict_of(&s, &why);
	buf_printf(&line, "MILTER-DELIST %s - ", label[code]);
	if (why.len)
		buf_printf(&line, "%s; ", buf_str(&why));
	buf_printf(&line, "%lu blocked, %lu banned, %lu rate limited",
		   s.blocked, s.banned, s.ratelimited);
	name_ips(&line, &s);
	/* Perfdata: label=value;warn;crit;min */
	buf_printf(&line,
		   " | blocked=%lu;;;0 banned=%lu;;;0 ratelimited=%lu;;;0 "
		   "open=%lu;;;0 cleared=%lu;;;0",
		   s.blocked, s.banned, s.ratelimited, s.open, s.cleared);
	if (s.health == 1 && s.running && s.h.n_sources) {
		size_t i, files = 0;
		unsigned long long bytes = 0;
		long long secs = 0;

		for (i = 0; i < s.h.n_sources; i++) {
			/* A journal's lag is in seconds only. */
			if (s.h.sources[i].bytes_behind != HEALTH_NO_BYTES) {
				bytes += s.h.sources[i].bytes_behind;
				files++;
			}
			if (s.h.sources[i].seconds_behind > secs)
				secs = s.h.sources[i].seconds_behind;
		}
		if (files)
			buf_printf(&line, " lag_bytes=%lluB;;;0", bytes);
		buf_printf(&line, " lag=%llds;;;0", secs);
	}
	fprintf(out, "%s\n",
		line.err ? "MILTER-DELIST UNKNOWN - out of memory"
			 : buf_str(&line));
	buf_free(&why);
	buf_free(&line);
	release(&s);
	return code;
}

/* shown - should --status list this incident? */
static int shown(const struct seen *s, const struct incident *inc)
{
	time_t when = inc->cleared_at ? inc->cleared_at : inc->last_seen;

	return is_open(inc) || s->now - when <= s->o->recent;
}

/* alert_state - "sent 2026-...", "reminded ...", "failed 2 times, next
 * try ...", "pending" */
static void alert_state(struct buf *b, const struct incident *inc)
{
	char t1[64], t2[64];

	if (inc->attempts)
		buf_printf(b, "failed %u %s, next try %s", inc->attempts,
			   util_plural(inc->attempts, "time", "times"),
			   local_time(inc->next_attempt, t1, sizeof(t1)));
	else if (inc->state == INCIDENT_OPEN)
		buf_puts(b, "not sent yet");
	else if (inc->reminded_at)
		buf_printf(b, "sent %s, reminded %s",
			   local_time(inc->alerted_at, t1, sizeof(t1)),
			   local_time(inc->reminded_at, t2, sizeof(t2)));
	else if (inc->alerted_at)
		buf_printf(b, "sent %s",
			   local_time(inc->alerted_at, t1, sizeof(t1)));
	else
		buf_puts(b, "none (cleared before the first alert)");
	if (inc->state == INCIDENT_CLEARED && inc->alerted_at)
		buf_puts(b, inc->cleared_notified ? "; cleared notice sent"
						  : "; cleared notice owed");
}

/* text_incident - one incident, a few indented lines */
static void text_incident(struct buf *b, const struct seen *s,
			  const struct incident *inc)
{
	char t1[64], reply[REPLY_SHOWN];
	const char *last = incident_longest_sample(inc);
	size_t i;

	buf_printf(b, "\n%s  %s  %s  %s  %s since %s\n", inc->ip,
		   verdict_provider_label(inc->provider),
		   verdict_kind_name(inc->kind),
		   inc->n_codes ? inc->codes[inc->n_codes - 1] : "-",
		   incident_state_name(inc->state),
		   local_time(inc->first_seen, t1, sizeof(t1)));
	buf_printf(b, "    %lu %s refused, %lu deferred; last seen %s\n",
		   inc->bounced,
		   util_plural(inc->bounced, "message", "messages"),
		   inc->deferred, local_time(inc->last_seen, t1, sizeof(t1)));
	if (inc->n_domains) {
		buf_puts(b, "    recipient domains:");
		for (i = 0; i < inc->n_domains; i++)
			buf_printf(b, "%s %s", i ? "," : "", inc->domains[i]);
		buf_addc(b, '\n');
	}
	if (inc->state == INCIDENT_CLEARED)
		buf_printf(b, "    cleared %s\n",
			   local_time(inc->cleared_at, t1, sizeof(t1)));
	buf_puts(b, "    alert: ");
	alert_state(b, inc);
	if (inc->attempts && s->health == 1 && s->h.alert_error[0])
		buf_printf(b, " (%s)", s->h.alert_error);
	buf_addc(b, '\n');
	if (last) {
		util_clean(reply, sizeof(reply), last, strlen(last));
		buf_printf(b, "    last reply: %s%s\n", reply,
			   strlen(last) >= sizeof(reply) - 1 ? "..." : "");
	}
	(void)s;
}

/* text_health - the daemon's part */
static void text_health(struct buf *b, const struct seen *s)
{
	char t1[64], t2[64];
	size_t i;

	if (s->stale)
		buf_printf(b, "daemon: NOT ANSWERING, pid %ld", s->pid);
	else if (s->running)
		buf_printf(b, "daemon: running, pid %ld", s->pid);
	else if (s->pid)
		buf_printf(b, "daemon: NOT running (pid %ld is gone)", s->pid);
	else
		buf_puts(b, "daemon: NOT running (no health file)");
	if (s->health == 1) {
		buf_printf(b, ", version %s, since %s\n", s->h.version,
			   local_time(s->h.started, t1, sizeof(t1)));
		buf_printf(b, "config: %s\n",
			   *s->h.config ? s->h.config : "built-in defaults");
		buf_printf(b, "state: %s, %s %s%s%s", s->o->state_file,
			   s->h.state_saved ? "saved" : "last save",
			   s->h.state_saved ? local_time(s->h.state_saved, t1,
							 sizeof(t1))
					    : "not reported",
			   *s->h.state_error ? ", LAST SAVE FAILED: " : "",
			   s->h.state_error);
		if (s->h.state_save_failures)
			buf_printf(b, " (%llu %s since start)",
				   s->h.state_save_failures,
				   util_plural(s->h.state_save_failures,
					       "failure", "failures"));
		buf_printf(b, "\nhealth: updated %s\n",
			   local_time(s->h.updated, t2, sizeof(t2)));
		for (i = 0; i < s->h.n_sources; i++)
			if (s->h.sources[i].bytes_behind == HEALTH_NO_BYTES)
				buf_printf(b,
					   "log source: %s, %lld s behind its "
					   "newest entry\n",
					   s->h.sources[i].name,
					   s->h.sources[i].seconds_behind);
			else
				buf_printf(
					b,
					"log source: %s, %llu bytes and %lld "
					"s behind\n",
					s->h.sources[i].name,
					s->h.sources[i].bytes_behind,
					s->h.sources[i].seconds_behind);
		if (!s->h.n_sources)
			buf_puts(b, "log sources: none reported\n");
	} else {
		buf_printf(b, "\n%s%s", s->health < 0 ? s->health_err : "",
			   s->health < 0 ? "\n" : "");
		buf_printf(b, "state: %s\n", s->o->state_file);
	}
}

/* json_str - "key":"value" with a leading comma */
static void json_str(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, ",\"%s\":", key);
	event_json_string(b, v, strlen(v));
}

/* json_time - "key":"ISO 8601" or null */
static void json_time(struct buf *b, const char *key, time_t t)
{
	char iso[64];

	if (t <= 0)
		buf_printf(b, ",\"%s\":null", key);
	else
		buf_printf(b, ",\"%s\":\"%s\"", key,
			   event_iso_time(t, iso, sizeof(iso)));
}

/* json_incident - one incident as an object */
static void json_incident(struct buf *b, const struct incident *inc)
{
	const char *last = incident_longest_sample(inc);
	size_t i;

	buf_printf(b, "{\"id\":%llu", (unsigned long long)inc->id);
	json_str(b, "ip", inc->ip);
	json_str(b, "provider", verdict_provider_name(inc->provider));
	json_str(b, "kind", verdict_kind_name(inc->kind));
	json_str(b, "code", inc->n_codes ? inc->codes[inc->n_codes - 1] : "");
	json_str(b, "state", incident_state_name(inc->state));
	json_time(b, "first_seen", inc->first_seen);
	json_time(b, "last_seen", inc->last_seen);
	buf_printf(b, ",\"refused\":%lu,\"deferred\":%lu", inc->bounced,
		   inc->deferred);
	buf_puts(b, ",\"domains\":[");
	for (i = 0; i < inc->n_domains; i++) {
		if (i)
			buf_addc(b, ',');
		event_json_string(b, inc->domains[i], strlen(inc->domains[i]));
	}
	buf_puts(b, "],\"codes\":[");
	for (i = 0; i < inc->n_codes; i++) {
		if (i)
			buf_addc(b, ',');
		event_json_string(b, inc->codes[i], strlen(inc->codes[i]));
	}
	buf_addc(b, ']');
	json_time(b, "alerted", inc->alerted_at);
	json_time(b, "reminded", inc->reminded_at);
	json_time(b, "cleared", inc->cleared_at);
	json_time(b, "cleared_notified", inc->cleared_notified);
	buf_printf(b, ",\"alert_attempts\":%u", inc->attempts);
	json_time(b, "next_attempt", inc->next_attempt);
	json_str(b, "last_reply", last ? last : "");
	buf_addc(b, '}');
}

/* json_all - the whole answer */
static void json_all(struct buf *b, const struct seen *s, int code)
{
	static const char *const label[] = {"ok", "warning", "critical",
					    "unknown"};
	size_t i, n = s->state == 1 ? incident_count(s->store) : 0, k = 0;

	buf_printf(b, "{\"status\":\"%s\",\"daemon\":{\"running\":%s",
		   label[code], s->running ? "true" : "false");
	if (s->pid)
		buf_printf(b, ",\"pid\":%ld", s->pid);
	else
		buf_puts(b, ",\"pid\":null");
	if (s->health == 1) {
		json_str(b, "version", s->h.version);
		json_str(b, "config", s->h.config);
		json_time(b, "started", s->h.started);
		json_time(b, "health_updated", s->h.updated);
		json_time(b, "state_saved", s->h.state_saved);
		json_str(b, "state_error", s->h.state_error);
		buf_printf(b, ",\"state_save_failures\":%llu",
			   s->h.state_save_failures);
		json_str(b, "alert_error", s->h.alert_error);
		buf_puts(b, ",\"sources\":[");
		for (i = 0; i < s->h.n_sources; i++) {
			buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
			event_json_string(b, s->h.sources[i].name,
					  strlen(s->h.sources[i].name));
			if (s->h.sources[i].bytes_behind == HEALTH_NO_BYTES)
				buf_puts(b, ",\"bytes_behind\":null");
			else
				buf_printf(b, ",\"bytes_behind\":%llu",
					   s->h.sources[i].bytes_behind);
			buf_printf(b, ",\"seconds_behind\":%lld}",
				   s->h.sources[i].seconds_behind);
		}
		buf_addc(b, ']');
	} else if (s->health < 0) {
		json_str(b, "health_error", s->health_err);
	}
	buf_addc(b, '}');
	json_str(b, "state_file", s->o->state_file);
	if (s->state != 1)
		json_str(b, "state_error",
			 s->state == 0 ? "no state file" : s->state_err);
	buf_printf(b,
		   ",\"counts\":{\"blocked\":%lu,\"banned\":%lu,"
		   "\"ratelimited\":%lu,\"other\":%lu,\"open\":%lu,"
		   "\"cleared\":%lu},\"incidents\":[",
		   s->blocked, s->banned, s->ratelimited, s->other, s->open,
		   s->cleared);
	for (i = 0; i < n; i++) {
		const struct incident *inc = incident_at(s->store, i);

		if (!shown(s, inc))
			continue;
		if (k++)
			buf_addc(b, ',');
		json_incident(b, inc);
	}
	buf_puts(b, "]}\n");
}

/* status_print - --status */
int status_print(const struct status_opts *o, FILE *out)
{
	struct seen s;
	struct buf b, why;
	size_t i, n, k = 0;
	int code;

	gather(&s, o);
	buf_init(&b);
	buf_init(&why);
	code = verdict_of(&s, &why);
	if (o->json) {
		json_all(&b, &s, code);
	} else {
		text_health(&b, &s);
		if (s.state != 1)
			buf_printf(&b, "%s\n", buf_str(&why));
		buf_printf(&b,
			   "\n%lu open %s (%lu blocked, %lu banned, %lu "
			   "rate limited), %lu cleared\n",
			   s.open, util_plural(s.open, "incident", "incidents"),
			   s.blocked, s.banned, s.ratelimited, s.cleared);
		n = s.state == 1 ? incident_count(s.store) : 0;
		for (i = 0; i < n; i++) {
			const struct incident *inc = incident_at(s.store, i);

			if (shown(&s, inc)) {
				text_incident(&b, &s, inc);
				k++;
			}
		}
	}
	if (b.err)
		fprintf(stderr, "milter-delist: --status: out of memory\n");
	else
		fputs(buf_str(&b), out);
	buf_free(&b);
	buf_free(&why);
	release(&s);
	return code;
}
