/*
 * incident_io.c - the state file's lines: an incident's record and a
 * cursor written (incident_put_record/_put_cursor) and read back
 * (incident_load(), incident_parse_fields()); writing the whole file is in
 * incident_save.c
 *
 * Line-oriented text (see incident.h for an example): a version line, a
 * store line, a cursor line per log source, one line per incident of
 * space-separated key=value fields, and "end N" so that a cut file never
 * loads.  Values are percent-encoded: every byte outside printable ASCII,
 * and % = , themselves.  The reader is strict: anything it does not
 * understand fails the whole load, except an unknown key in an incident
 * line (a later version's field), and extra values of a repeated field
 * beyond our caps.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "incident_int.h"
#include "intern.h"
#include "util.h"

#define STATE_LINE_MAX 65536	      /* longest line incident_load() accepts */
#define STATE_TIME_MAX 253402300799LL /* |time|: 9999-12-31 23:59:59 */

enum ftype {
	F_U64,
	F_TIME,
	F_ULONG,
	F_UINT,
	F_FLAG,
	F_IP,
	F_PROVIDER,
	F_KIND,
	F_REMEDY,
	F_STATE,
	F_RELAY, /* issue 15: where to probe; written when set */
	F_RCPT,
	F_OUTCOMES, /* per recipient domain, in its order; written when set */
	F_CODE, /* from here on the key may repeat */
	F_DOMAIN,
	F_QID,
	F_SAMPLE
};

#define OFF(m) offsetof(struct incident, m)

/* The fields of an incident line, in the order they are written. */
static const struct field {
	const char *name;
	enum ftype type;
	size_t off;
} fields[] = {
	{"id", F_U64, OFF(id)},
	{"ip", F_IP, 0},
	{"provider", F_PROVIDER, 0},
	{"kind", F_KIND, 0},
	{"remedy", F_REMEDY, 0},
	{"state", F_STATE, 0},
	{"inferred", F_FLAG, OFF(ip_inferred)},
	{"sources", F_UINT, OFF(sources)},
	{"first", F_TIME, OFF(first_seen)},
	{"last", F_TIME, OFF(last_seen)},
	{"alerted", F_TIME, OFF(alerted_at)},
	{"reminded", F_TIME, OFF(reminded_at)},
	{"cleared", F_TIME, OFF(cleared_at)},
	{"notified", F_TIME, OFF(cleared_notified)},
	{"sent-since", F_TIME, OFF(sent_since)},
	{"count", F_ULONG, OFF(count)},
	{"bounced", F_ULONG, OFF(bounced)},
	{"deferred", F_ULONG, OFF(deferred)},
	{"attempts", F_UINT, OFF(attempts)},
	{"next-attempt", F_TIME, OFF(next_attempt)},
	{"sending", F_TIME, OFF(sending)},
	{"sending-due", F_UINT, OFF(sending_due)},
	{"relay", F_RELAY, 0},
	{"rcpt", F_RCPT, 0},
	{"code", F_CODE, 0},
	{"domain", F_DOMAIN, 0},
	{"outcomes", F_OUTCOMES, 0},
	{"qid", F_QID, 0},
	{"sample", F_SAMPLE, 0},
};

/* The fields without which an incident line is corrupt. */
#define REQUIRED_FIELDS (1u << 0 | 1u << 1 | 1u << 2 | 1u << 5)

/* put_enc - percent-encode: only printable ASCII but % = , passes */
static void put_enc(struct buf *b, const char *v, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0, run;

	while (i < len) {
		for (run = i; run < len; run++) {
			unsigned char c = (unsigned char)v[run];
			if (c <= ' ' || c >= 0x7f || c == '%' || c == '=' ||
			    c == ',')
				break;
		}
		if (run > i)
			buf_add(b, v + i, run - i);
		if (run < len) {
			unsigned char c = (unsigned char)v[run];
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_add(b, e, 3);
			run++;
		}
		i = run;
	}
}

/* put_str - write " name=value" with value encoded */
static void put_str(struct buf *b, const char *name, const char *v)
{
	buf_addc(b, ' ');
	buf_puts(b, name);
	buf_addc(b, '=');
	put_enc(b, v, strlen(v));
}

/* incident_put_record - one incident line, no newline */
void incident_put_record(struct buf *b, const struct incident *inc)
{
	const char *base = (const char *)inc;
	size_t i, k;

	buf_puts(b, "incident");
	for (i = 0; i < UTIL_ARRAY_SIZE(fields); i++) {
		const struct field *fd = &fields[i];
		const void *m = base + fd->off;
		switch (fd->type) {
		case F_U64:
			buf_printf(b, " %s=%" PRIu64, fd->name,
				   *(const uint64_t *)m);
			break;
		case F_TIME:
			buf_printf(b, " %s=%lld", fd->name,
				   (long long)*(const time_t *)m);
			break;
		case F_ULONG:
			buf_printf(b, " %s=%lu", fd->name,
				   *(const unsigned long *)m);
			break;
		case F_UINT:
			buf_printf(b, " %s=%u", fd->name, *(const unsigned *)m);
			break;
		case F_FLAG:
			buf_printf(b, " %s=%d", fd->name, *(const int *)m != 0);
			break;
		case F_IP:
			put_str(b, fd->name, inc->ip);
			break;
		case F_PROVIDER:
			put_str(b, fd->name,
				verdict_provider_name(inc->provider));
			break;
		case F_KIND:
			put_str(b, fd->name, verdict_kind_name(inc->kind));
			break;
		case F_REMEDY:
			put_str(b, fd->name, verdict_remedy_name(inc->remedy));
			break;
		case F_STATE:
			put_str(b, fd->name, incident_state_name(inc->state));
			break;
		case F_RELAY:
			if (inc->relay[0])
				put_str(b, fd->name, inc->relay);
			break;
		case F_RCPT:
			if (inc->rcpt[0])
				put_str(b, fd->name, inc->rcpt);
			break;
		case F_CODE:
			for (k = 0; k < inc->n_codes; k++)
				put_str(b, fd->name, inc->codes[k]);
			break;
		case F_DOMAIN:
			for (k = 0; k < inc->n_domains; k++)
				put_str(b, fd->name, inc->domains[k]);
			break;
		case F_OUTCOMES:
			/* "outcomes=1.6": one digit per domain, in order */
			for (k = 0; k < inc->n_domains; k++)
				if (inc->domain_outcomes[k])
					break;
			if (k == inc->n_domains)
				break;
			buf_addc(b, ' ');
			buf_puts(b, fd->name);
			buf_addc(b, '=');
			for (k = 0; k < inc->n_domains; k++) {
				if (k)
					buf_addc(b, '.');
				buf_addc(b, (char)('0' + (inc->domain_outcomes[k] &
							  7)));
			}
			break;
		case F_QID:
			for (k = 0; k < inc->n_qids; k++)
				put_str(b, fd->name, incident_qid(inc, k));
			break;
		case F_SAMPLE:
			for (k = 0; k < inc->n_samples; k++) {
				put_str(b, fd->name, inc->sample_codes[k]);
				buf_addc(b, ',');
				put_enc(b, inc->samples[k],
					strlen(inc->samples[k]));
			}
			break;
		}
	}
}

/* incident_put_cursor - the i-th cursor's line, no newline */
void incident_put_cursor(struct buf *b, const struct incident_store *s,
			 size_t i)
{
	buf_puts(b, "cursor");
	put_str(b, "source", s->cursors[i].source);
	put_str(b, "at", s->cursors[i].at);
}

/* unhex - value of a hex digit, -1 if c is none */
static int unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = util_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* decode - percent-decode v in place; -1 on a bad escape or a raw byte
 * that put_enc() would have encoded */
static int decode(char *v, size_t *len)
{
	char *w = v;
	const unsigned char *r = (const unsigned char *)v;

	for (; *r; r++) {
		if (*r == '%') {
			int hi = unhex(r[1]), lo = hi < 0 ? -1 : unhex(r[2]);
			if (lo < 0)
				return -1;
			*w++ = (char)(hi << 4 | lo);
			r += 2;
		} else if (*r > ' ' && *r < 0x7f && *r != '=' && *r != ',') {
			*w++ = (char)*r;
		} else {
			return -1;
		}
	}
	*len = (size_t)(w - v);
	*w = '\0';
	return 0;
}

/* next_kv - split the next "key=value" off *p (value still encoded);
 * 1 a pair, 0 at the end, -1 when the token is not key=value */
static int next_kv(char **p, char **key, char **val)
{
	char *tok = *p, *sp, *eq;

	if (!tok)
		return 0;
	sp = strchr(tok, ' ');
	if (sp)
		*sp = '\0';
	*p = sp ? sp + 1 : NULL;
	eq = strchr(tok, '=');
	if (!eq || eq == tok)
		return -1;
	*eq = '\0';
	*key = tok;
	*val = eq + 1;
	return 1;
}

/* incident_parse_u64 - strict unsigned decimal no larger than max */
int incident_parse_u64(const char *v, unsigned long long max,
		       unsigned long long *out)
{
	char *end;
	unsigned long long x;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || *end || x > max)
		return -1;
	*out = x;
	return 0;
}

/* parse_time - strict signed decimal within the years -7950 to 9999:
 * the store subtracts times from now, which must not overflow */
static int parse_time(const char *v, time_t *out)
{
	const char *d = *v == '-' ? v + 1 : v;
	char *end;
	long long x;

	if (*d < '0' || *d > '9')
		return -1;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || *end || x < -STATE_TIME_MAX || x > STATE_TIME_MAX ||
	    (long long)(time_t)x != x)
		return -1;
	*out = (time_t)x;
	return 0;
}

/* parse_text - a decoded string value into dst[size]: no NUL, fits */
static int parse_text(char *dst, size_t size, const char *v, size_t len)
{
	if (len >= size || memchr(v, '\0', len))
		return -1;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

/* parse_sample - "code,text" (both encoded) into the next sample slot */
static int parse_sample(struct incident *inc, char *v)
{
	char *comma = strchr(v, ',');
	size_t clen, tlen;

	if (!comma)
		return -1;
	*comma = '\0';
	if (decode(v, &clen) < 0 || decode(comma + 1, &tlen) < 0 || !tlen ||
	    tlen >= INCIDENT_SAMPLE_MAX)
		return -1;
	if (inc->n_samples == INCIDENT_MAX_SAMPLES)
		return 0; /* a later version's larger cap */
	if (clen >= VERDICT_CODE_MAX || memchr(v, '\0', clen) ||
	    memchr(comma + 1, '\0', tlen))
		return -1;
	inc->samples[inc->n_samples] = strdup(comma + 1);
	if (!inc->samples[inc->n_samples])
		return -1;
	inc->sample_codes[inc->n_samples] = intern_get(v, clen);
	if (!inc->sample_codes[inc->n_samples]) {
		free(inc->samples[inc->n_samples]);
		return -1;
	}
	inc->n_samples++;
	return 0;
}

/* parse_shared - one more value (shorter than width) of a repeated field
 * of shared strings into arr[*n] */
static int parse_shared(const char **arr, size_t width, size_t cap,
			unsigned char *n, const char *v, size_t len)
{
	if (*n == cap)
		return len < width ? 0 : -1;
	if (!len || len >= width || memchr(v, '\0', len))
		return -1;
	arr[*n] = intern_get(v, len);
	if (!arr[*n])
		return -1;
	(*n)++;
	return 0;
}

/* parse_value - one decoded field; -1 when the value is not valid */
static int parse_value(struct incident *inc, const struct field *fd, char *v,
		       size_t len)
{
	char *m = (char *)inc + fd->off;
	unsigned long long u;
	char ip[VERDICT_IP_MAX];
	int x;

	switch (fd->type) {
	case F_U64:
		if (incident_parse_u64(v, INCIDENT_ID_MAX, &u) < 0 || u == 0)
			return -1;
		*(uint64_t *)(void *)m = u;
		return 0;
	case F_TIME:
		return parse_time(v, (time_t *)(void *)m);
	case F_ULONG:
		if (incident_parse_u64(v, ULONG_MAX, &u) < 0)
			return -1;
		*(unsigned long *)(void *)m = (unsigned long)u;
		return 0;
	case F_UINT:
		if (incident_parse_u64(v, UINT_MAX, &u) < 0)
			return -1;
		*(unsigned *)(void *)m = (unsigned)u;
		return 0;
	case F_FLAG:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return -1;
		*(int *)(void *)m = *v == '1';
		return 0;
	case F_IP: /* a tampered file must not smuggle text into alerts */
		if (parse_text(inc->ip, sizeof(inc->ip), v, len) < 0 ||
		    !util_ip_parse(v, len, ip, sizeof(ip)))
			return -1;
		return 0;
	case F_PROVIDER:
		x = verdict_provider_from_name(v);
		inc->provider = (enum verdict_provider)x;
		return x < 0 ? -1 : 0;
	case F_KIND:
		x = verdict_kind_from_name(v);
		inc->kind = (enum verdict_kind)x;
		return x < 0 ? -1 : 0;
	case F_REMEDY:
		x = verdict_remedy_from_name(v);
		inc->remedy = (enum verdict_remedy)x;
		return x < 0 ? -1 : 0;
	case F_STATE:
		x = incident_state_from_name(v);
		inc->state = (enum incident_state)x;
		return x < 0 ? -1 : 0;
	case F_RELAY: /* an address or a host name, nothing else */
		if (len >= FINDING_DOMAIN_MAX || memchr(v, '\0', len) ||
		    (!util_ip_parse(v, len, ip, sizeof(ip)) &&
		     !util_valid_hostname(v)))
			return -1;
		return intern_set(&inc->relay, v, len);
	case F_RCPT: /* written into a probe's RCPT TO */
		if (len >= FINDING_DOMAIN_MAX || memchr(v, '\0', len) ||
		    !util_valid_mailbox(v, 0))
			return -1;
		return intern_set(&inc->rcpt, v, len);
	case F_CODE:
		return parse_shared(inc->codes, VERDICT_CODE_MAX,
				    INCIDENT_MAX_CODES, &inc->n_codes, v, len);
	case F_OUTCOMES: {
		/* digits 0-7 separated by dots, at most one per domain slot;
		 * aligned with the domain= fields whatever their order */
		size_t k = 0, i;

		for (i = 0; i < len; i++) {
			if (v[i] >= '0' && v[i] <= '7' && k < INCIDENT_MAX_DOMAINS &&
			    (i + 1 == len || v[i + 1] == '.'))
				inc->domain_outcomes[k++] = (unsigned char)(v[i] - '0');
			else if (v[i] != '.' || i == 0 || i + 1 == len)
				return -1;
		}
		return 0;
	}
	case F_DOMAIN:
		return parse_shared(inc->domains, FINDING_DOMAIN_MAX,
				    INCIDENT_MAX_DOMAINS, &inc->n_domains, v,
				    len);
	case F_QID:
		/* Past the cap: a later version's larger one. */
		if (inc->n_qids == INCIDENT_MAX_QIDS)
			return len < FINDING_QID_MAX ? 0 : -1;
		if (!len || len >= FINDING_QID_MAX || memchr(v, '\0', len))
			return -1;
		return incident_qids_append(inc, v, len);
	case F_SAMPLE:
		break; /* parse_incident() hands it to parse_sample() */
	}
	return -1;
}

/* incident_parse_fields - an incident line into inc; NULL or why */
const char *incident_parse_fields(char *p, struct incident *inc)
{
	unsigned seen = 0;
	char *key, *val;
	size_t i, len;
	int r;

	inc->relay = inc->rcpt = intern_empty; /* until their fields come */
	while ((r = next_kv(&p, &key, &val)) > 0) {
		for (i = 0; i < UTIL_ARRAY_SIZE(fields); i++)
			if (strcmp(key, fields[i].name) == 0)
				break;
		if (i == UTIL_ARRAY_SIZE(fields))
			continue; /* a later version's field */
		if (fields[i].type < F_CODE) {
			if (seen & (1u << i))
				return "repeated field";
			seen |= 1u << i;
		}
		if (fields[i].type == F_SAMPLE) {
			if (parse_sample(inc, val) < 0)
				return "bad sample";
			continue;
		}
		if (decode(val, &len) < 0 ||
		    parse_value(inc, &fields[i], val, len) < 0)
			return "bad value";
	}
	if (r < 0)
		return "not key=value";
	if ((seen & REQUIRED_FIELDS) != REQUIRED_FIELDS)
		return "missing id, ip, provider or state";
	if (inc->provider == VERDICT_PROVIDER_NONE)
		return "no provider";
	return NULL;
}

/* incident_parse_pairs - numeric fields of a store or cursor line */
const char *incident_parse_pairs(char *p, const char *const *names, size_t n,
				 size_t nreq, unsigned *seenp,
				 unsigned long long *out)
{
	unsigned seen = 0;
	char *key, *val;
	size_t i, len;
	int r;

	while ((r = next_kv(&p, &key, &val)) > 0) {
		for (i = 0; i < n; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (i == n)
			continue;
		if ((seen & (1u << i)) || decode(val, &len) < 0 ||
		    incident_parse_u64(val, ULLONG_MAX, &out[i]) < 0)
			return "bad or repeated value";
		seen |= 1u << i;
	}
	if (seenp)
		*seenp = seen;
	if (r < 0)
		return "not key=value";
	for (i = nreq; i < n; i++)
		if (!(seen & (1u << i)))
			out[i] = 0;
	return (seen & ((1u << nreq) - 1)) == (1u << nreq) - 1
		       ? NULL
		       : "missing field";
}

/* incident_parse_cursor - "source=S at=A", or the "dev= ino= offset= [src=
 * sum=]" of a state file written when one log was followed (source "", at in
 * logsource.c's form of a file cursor); NULL or why */
const char *incident_parse_cursor(struct incident_store *s, char *p)
{
	static const char *const old_keys[] = {"dev", "ino", "offset", "src",
					       "sum"};
	char *key, *val, *source = NULL, *at = NULL, old[160];
	unsigned long long num[5];
	size_t len;
	int r;

	if (strncmp(p, "source=", 7)) {
		if ((source = (char *)incident_parse_pairs(p, old_keys, 5, 3,
							   NULL, num)) != NULL)
			return source;
		snprintf(old, sizeof(old), "file:%llu:%llu:%llu:%llu:%llu",
			 num[0], num[1], num[2], num[3], num[4]);
		source = "";
		at = old;
	} else {
		while ((r = next_kv(&p, &key, &val)) > 0) {
			if (decode(val, &len) < 0 || strlen(val) != len)
				return "bad cursor value";
			if (!strcmp(key, "source") && !source)
				source = val;
			else if (!strcmp(key, "at") && !at)
				at = val;
		}
		if (r < 0 || !source || !at || !*at)
			return "bad cursor line";
	}
	if (incident_get_cursor(s, source))
		return "repeated cursor";
	if (incident_set_cursor(s, source, at) < 0)
		return "cursor too long, or too many";
	return NULL;
}

/* read_line - the next line of fp into buf[size], without its newline;
 * 1 a line, 0 at end of file, -1 with why set */
static int read_line(FILE *fp, char *buf, size_t size, const char **why)
{
	size_t n = 0;
	int c;

	while ((c = getc_unlocked(fp)) != EOF) {
		if (c == '\n') {
			buf[n] = '\0';
			return 1;
		}
		if (c == '\0' || n + 1 >= size) {
			*why = c ? "line too long" : "NUL byte";
			return -1;
		}
		buf[n++] = (char)c;
	}
	if (ferror(fp)) {
		*why = "read error";
		return -1;
	}
	if (n) {
		*why = "last line unterminated (truncated)";
		return -1;
	}
	return 0;
}

/* cmp_id - qsort order of incident pointers by id */
static int cmp_id(const void *a, const void *b)
{
	uint64_t x = (*(struct incident *const *)a)->id;
	uint64_t y = (*(struct incident *const *)b)->id;

	return x < y ? -1 : x > y;
}

/* install - enter the parsed incidents (sorted by id) into the empty
 * store; each one linked is owned by the store.  NULL or why. */
static const char *install(struct incident_store *s, struct incident **v,
			   size_t n, size_t *linked)
{
	struct incident *old;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0 && v[i]->id == v[i - 1]->id)
			return "duplicate incident id";
		old = incident_hash_find(s, v[i]->ip, v[i]->provider);
		if (old && old->state != INCIDENT_CLEARED)
			return "two current incidents for one IP";
		if (incident_store_reserve(s) < 0)
			return "out of memory";
		if (old)
			incident_hash_del(s, old);
		if (incident_hash_add(s, v[i]) < 0)
			return "out of memory";
		incident_store_link(s, v[i]);
		(*linked)++;
	}
	if (n && s->next_id <= v[n - 1]->id)
		s->next_id = v[n - 1]->id + 1;
	return NULL;
}

/* incident_load - strict reader of the state file; see incident.h */
int incident_load(struct incident_store *s, const char *path, char *err,
		  size_t errlen)
{
	static const char *const store_keys[] = {"next-id"};
	struct incident **v = NULL, *inc;
	unsigned long long num[5];
	size_t n = 0, linked = 0, lineno = 0, i;
	const char *why = NULL;
	char *line = NULL, *rest;
	FILE *fp;
	int r, saw_store = 0, saw_end = 0, rc = -1, saved = EINVAL;

	if (err && errlen)
		*err = '\0';
	incident_store_clear(s);
	fp = fopen(path, "re");
	if (!fp) {
		if (errno == ENOENT)
			return 0;
		saved = errno;
		why = strerror(errno);
		goto out;
	}
	line = malloc(STATE_LINE_MAX + 1);
	v = calloc(s->max + 1, sizeof(*v));
	if (!line || !v) {
		saved = ENOMEM;
		why = "out of memory";
		goto out;
	}
	while ((r = read_line(fp, line, STATE_LINE_MAX + 1, &why)) > 0) {
		lineno++;
		rest = strchr(line, ' ');
		if (rest)
			*rest++ = '\0';
		if (lineno == 1) {
			if (!rest || strcmp(line, "milter-delist-state") ||
			    (strcmp(rest, "1") && strcmp(rest, "2"))) {
				why = "not a version 1 or 2 state file";
				goto out;
			}
		} else if (saw_end) {
			why = "data after the end line";
			goto out;
		} else if (!rest) {
			why = "line without fields";
			goto out;
		} else if (strcmp(line, "incident") == 0) {
			if (n == s->max) {
				why = "more incidents than max_incidents";
				goto out;
			}
			inc = calloc(1, sizeof(*inc));
			if (!inc) {
				saved = ENOMEM;
				why = "out of memory";
				goto out;
			}
			v[n++] = inc;
			why = incident_parse_fields(rest, inc);
		} else if (strcmp(line, "store") == 0 && !saw_store) {
			saw_store = 1;
			why = incident_parse_pairs(rest, store_keys, 1, 1, NULL,
						   num);
			if (!why && (!num[0] || num[0] > INCIDENT_ID_MAX + 1))
				why = "next-id out of range";
			s->next_id = num[0];
		} else if (strcmp(line, "cursor") == 0) {
			why = incident_parse_cursor(s, rest);
		} else if (strcmp(line, "end") == 0) {
			saw_end = 1;
			if (incident_parse_u64(rest, SIZE_MAX, &num[0]) < 0 ||
			    num[0] != n)
				why = "end line does not match the incidents";
		} else {
			why = "unknown or repeated line";
		}
		if (why)
			goto out;
	}
	if (r < 0) {
		if (ferror(fp))
			saved = errno ? errno : EIO;
		goto out;
	}
	if (!saw_end || !saw_store) {
		why = lineno ? "no end line (truncated)" : "empty file";
		goto out;
	}
	qsort(v, n, sizeof(*v), cmp_id);
	why = install(s, v, n, &linked);
	if (why && strcmp(why, "out of memory") == 0)
		saved = ENOMEM;
	if (!why) {
		s->journal_next_id = s->next_id;
		rc = 0;
	}
out:
	if (rc < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s: line %zu: %s", path, lineno,
				 why ? why : "unreadable");
		for (i = linked; i < n; i++)
			incident_free_one(v[i]);
		incident_store_clear(s);
		errno = saved;
	}
	if (fp)
		fclose(fp);
	free(line);
	free(v);
	return rc;
}
