/*
 * event.c - syslog event lines and JSON Lines
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* localtime_r */
#endif
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "log.h"
#include "util.h"

/* needs_quotes - would this value break the key=value format? */
static int needs_quotes(const char *s)
{
	return !*s || strpbrk(s, " \"\\=") != NULL;
}

/* utf8_safe - src as valid UTF-8 without C1 controls or U+2028/2029
 * (line breaks to some log readers): each offender becomes U+FFFD; at
 * most size-1 bytes, no sequence split.  journald shows a message with
 * invalid UTF-8 as a blob, so a stranger's bytes could hide the line. */
static void utf8_safe(char *dst, size_t size, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, n = 0, len = strlen(src), k;

	while (i < len) {
		const char *put = (const char *)s + i;

		k = util_utf8_len(s + i, len - i);
		if (k == 0 || (k == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0) ||
		    (k == 3 && s[i] == 0xE2 && s[i + 1] == 0x80 &&
		     (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))) {
			put = "\xEF\xBF\xBD"; /* U+FFFD */
			i += k ? k : 1;
			k = 3;
		} else {
			i += k;
		}
		if (n + k >= size)
			break;
		memcpy(dst + n, put, k);
		n += k;
	}
	dst[n] = '\0';
}

/* event_kv - one key=value pair, cleaned, capped and quoted if needed */
void event_kv(struct buf *b, const char *key, const char *value)
{
	char clean[EVENT_VALUE_MAX], raw[EVENT_VALUE_MAX];
	const char *p;

	util_clean(raw, sizeof(raw), value ? value : "",
		   value ? strlen(value) : 0);
	utf8_safe(clean, sizeof(clean), raw);
	if (b->len)
		buf_addc(b, ' ');
	buf_puts(b, key);
	buf_addc(b, '=');
	if (!clean[0]) {
		buf_addc(b, '-');
		return;
	}
	if (!needs_quotes(clean)) {
		buf_puts(b, clean);
		return;
	}
	buf_addc(b, '"');
	for (p = clean; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

/* event_kv_num - one numeric pair */
void event_kv_num(struct buf *b, const char *key, unsigned long long n)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", n);
	event_kv(b, key, num);
}

/* event_name - what a finding is called in an event line */
const char *event_name(const struct finding *f)
{
	if (f->sent)
		return "sent";
	return verdict_kind_name(f->v.kind);
}

/* event_finding - the line for one finding */
void event_finding(struct buf *b, const char *name, const struct finding *f,
		   uint64_t incident)
{
	event_kv(b, "event", name ? name : event_name(f));
	event_kv(b, "ip", f->v.ip);
	event_kv(b, "provider", verdict_provider_name(f->v.provider));
	event_kv(b, "kind", verdict_kind_name(f->v.kind));
	event_kv(b, "code", f->v.code);
	event_kv(b, "status", f->v.status);
	event_kv(b, "rcpt_domain", f->rcpt_domain);
	event_kv(b, "source", finding_source_name(f->source));
	event_kv(b, "queue_id", f->queue_id);
	if (incident)
		event_kv_num(b, "incident", incident);
	else
		event_kv(b, "incident", "");
}

/* event_incident - the line for an incident's life-cycle event */
void event_incident(struct buf *b, const char *name, const struct incident *inc)
{
	event_kv(b, "event", name);
	event_kv(b, "ip", inc->ip);
	event_kv(b, "provider", verdict_provider_name(inc->provider));
	event_kv(b, "kind", verdict_kind_name(inc->kind));
	event_kv(b, "code", inc->n_codes ? inc->codes[inc->n_codes - 1] : "");
	event_kv_num(b, "incident", inc->id);
}

/* event_json_string - JSON string literal, always valid UTF-8; bytes that
 * need no escape are appended in runs, not one at a time */
void event_json_string(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t i = 0, run = 0, n;
	char esc[8];

	if (!s)
		len = 0;
	buf_addc(b, '"');
	while (i < len) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80 && (n = util_utf8_len(p + i, len - i)) > 0) {
			i += n;
			continue;
		}
		buf_add(b, (const char *)p + run, i - run);
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			buf_add(b, esc, 2);
		} else if (c < 0x20 || c == 0x7F) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			buf_puts(b, esc);
		} else {
			buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
		}
		run = ++i;
	}
	buf_add(b, (const char *)p + run, i - run);
	buf_addc(b, '"');
}

/* json_kv - "key":"value" with a leading comma unless first */
static void json_kv(struct buf *b, int *first, const char *key,
		    const char *value)
{
	if (!*first)
		buf_addc(b, ',');
	*first = 0;
	event_json_string(b, key, strlen(key));
	buf_addc(b, ':');
	event_json_string(b, value, value ? strlen(value) : 0);
}

/* event_iso_time - ISO 8601, local time, "+01:00" offset */
const char *event_iso_time(time_t t, char *dst, size_t size)
{
	struct tm tm;
	size_t n;

	if (size)
		dst[0] = '\0';
	if (t <= 0 || !localtime_r(&t, &tm) ||
	    (n = strftime(dst, size, "%Y-%m-%dT%H:%M:%S%z", &tm)) < 5 ||
	    n + 2 > size) {
		if (size)
			dst[0] = '\0';
		return dst;
	}
	memmove(dst + n - 1, dst + n - 2, 3); /* +0100 -> +01:00 */
	dst[n - 2] = ':';
	return dst;
}

/* event_json_finding - one finding as a JSON object */
void event_json_finding(struct buf *b, const struct finding *f,
			const char *file, unsigned long line)
{
	event_json_named(b, NULL, f, file, line);
}

/* event_json_named - the same, with event name (NULL: event_name(f)) */
void event_json_named(struct buf *b, const char *name, const struct finding *f,
		      const char *file, unsigned long line)
{
	char iso[64];
	int first = 1;

	buf_addc(b, '{');
	json_kv(b, &first, "event", name ? name : event_name(f));
	if (*event_iso_time(f->when, iso, sizeof(iso)))
		json_kv(b, &first, "time", iso);
	else
		buf_puts(b, ",\"time\":null");
	json_kv(b, &first, "ip", f->v.ip);
	json_kv(b, &first, "provider", verdict_provider_name(f->v.provider));
	json_kv(b, &first, "kind", verdict_kind_name(f->v.kind));
	json_kv(b, &first, "code", f->v.code);
	json_kv(b, &first, "status", f->v.status);
	json_kv(b, &first, "remedy", verdict_remedy_name(f->v.remedy));
	json_kv(b, &first, "rcpt_domain", f->rcpt_domain);
	json_kv(b, &first, "remote_mta", f->remote_mta);
	json_kv(b, &first, "source", finding_source_name(f->source));
	json_kv(b, &first, "file", file);
	if (line)
		buf_printf(b, ",\"line\":%lu", line);
	else
		buf_puts(b, ",\"line\":null");
	json_kv(b, &first, "queue_id", f->queue_id);
	buf_puts(b, ",\"text\":");
	event_json_string(b, f->text, f->text_len);
	buf_addc(b, '}');
}

/* event_warning - "event=warning what= path= reason= fix=" */
void event_warning(const char *what, const char *path, const char *reason,
		   const char *fix)
{
	struct buf b;

	buf_init(&b);
	event_kv(&b, "event", "warning");
	event_kv(&b, "what", what);
	event_kv(&b, "path", path);
	event_kv(&b, "reason", reason);
	if (fix)
		event_kv(&b, "fix", fix);
	if (!b.err)
		log_warning("%s", buf_str(&b));
	buf_free(&b);
}
