/*
 * event.h - the stable one-line formats: syslog "event=... key=value" lines
 * and the JSON Lines of --scan --json
 *
 * Values never contain spaces unquoted: a value with a space, a quote, a
 * backslash or '=' is written "quoted" with \" and \\ escapes; control
 * characters never survive; empty values are written as "-".
 */
#ifndef MILTER_DELIST_EVENT_H
#define MILTER_DELIST_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "finding.h"
#include "incident.h"

#define EVENT_VALUE_MAX 256 /* bytes of one value kept */

/* event_kv - append " key=value" (no leading space on an empty buffer) */
void event_kv(struct buf *b, const char *key, const char *value);

/* event_kv_num - append " key=N" */
void event_kv_num(struct buf *b, const char *key, unsigned long long n);

/* event_warning - log "event=warning what= path= reason= [fix=]": what
 * cannot work as configured and how to fix it (fix may be NULL) */
void event_warning(const char *what, const char *path, const char *reason,
		   const char *fix);

/* event_name - the event name of a finding: its kind ("block",
 * "ratelimit", "ban", "auth", ...) */
const char *event_name(const struct finding *f);

/* event_finding - "event=NAME ip= provider= kind= code= status= rcpt_domain=
 * source= queue_id= incident=": NAME is name, or event_name(f) when name
 * is NULL; incident 0 is written as "-".  code is the most specific code
 * (the S/AS token when Microsoft gave one), status the enhanced status
 * ("4.7.650"), each "" when absent */
void event_finding(struct buf *b, const char *name, const struct finding *f,
		   uint64_t incident);

/* event_incident - "event=NAME ip= provider= kind= code= incident=" with
 * the incident's most recent code */
void event_incident(struct buf *b, const char *name,
		    const struct incident *inc);

/* event_json_string - a JSON string literal of len bytes: control
 * characters escaped, invalid UTF-8 replaced by U+FFFD */
void event_json_string(struct buf *b, const char *s, size_t len);

/* event_json_finding - one JSON object (no newline) with the keys event,
 * ip, provider, kind, code, status, remedy, rcpt_domain, remote_mta, source,
 * file, line (null when 0), queue_id, text */
void event_json_finding(struct buf *b, const struct finding *f,
			const char *file, unsigned long line);

/* event_json_named - event_json_finding() with the event name name (NULL:
 * event_name(f)) */
void event_json_named(struct buf *b, const char *name, const struct finding *f,
		      const char *file, unsigned long line);

#endif
