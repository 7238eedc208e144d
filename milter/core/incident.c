/*
 * incident.c - what a finding does to an incident (incident_note,
 * incident_record, incident_sent) and the life cycle of owed mail
 * (incident_due, _mark, _failed, _sending_begin/_end, _settle); the store
 * and its indexes are in incident_store.c
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "incident_int.h"
#include "intern.h"
#include "util.h"

#define BACKOFF_MAX 3600

/* ---- noting findings ---- */

/* severity - rank of a kind: ban > block > ratelimit > anything else */
static int severity(enum verdict_kind k)
{
	return k == VERDICT_BAN		? 3
	       : k == VERDICT_BLOCK	? 2
	       : k == VERDICT_RATELIMIT ? 1
					: 0;
}

/* copy_field - bounded copy of a possibly unterminated fixed array */
static void copy_field(char *dst, size_t size, const char *src, size_t srcsize)
{
	util_copy(dst, size, src, strnlen(src, srcsize));
}

/* note_code - remember a distinct code, first ones kept */
static void note_code(struct incident *inc, const char *code)
{
	size_t i;

	if (!*code)
		return;
	for (i = 0; i < inc->n_codes; i++)
		if (strcmp(inc->codes[i], code) == 0)
			return;
	if (inc->n_codes < INCIDENT_MAX_CODES &&
	    (inc->codes[inc->n_codes] = intern_get(code, strlen(code))))
		inc->n_codes++;
}

/* domain_at - the slot of recipient domain d (any case) in inc, or -1 */
static int domain_at(const struct incident *inc, const char *d, size_t size)
{
	char low[FINDING_DOMAIN_MAX];
	size_t i;

	copy_field(low, sizeof(low), d, size);
	for (i = 0; low[i]; i++)
		low[i] = (char)util_lower((unsigned char)low[i]);
	for (i = 0; *low && i < inc->n_domains; i++)
		if (strcmp(inc->domains[i], low) == 0)
			return (int)i;
	return -1;
}

/* note_domain - remember a distinct recipient domain (lower case) and
 * what mail to it met (an INCIDENT_OUTCOME_* bit) */
static void note_domain(struct incident *inc, const char *d, size_t size,
			unsigned outcome)
{
	char low[FINDING_DOMAIN_MAX];
	int at = domain_at(inc, d, size);
	size_t i;

	if (at < 0) {
		copy_field(low, sizeof(low), d, size);
		if (!*low || inc->n_domains >= INCIDENT_MAX_DOMAINS)
			return;
		for (i = 0; low[i]; i++)
			low[i] = (char)util_lower((unsigned char)low[i]);
		if (!(inc->domains[inc->n_domains] =
			      intern_get(low, strlen(low))))
			return;
		at = (int)inc->n_domains++;
		inc->domain_outcomes[at] = 0;
	}
	inc->domain_outcomes[at] |= (unsigned char)outcome;
}

/* note_probe - the MX that refused (its address preferred) and a
 * recipient, for the probe */
static void note_probe(struct incident *inc, const struct finding *f)
{
	char ip[FINDING_IP_MAX];

	/* Both go into the state file and a probe: checked as
	 * incident_load() checks them. */
	/* Out of memory keeps the old value: only a probe's target. */
	if (util_ip_parse(f->relay_ip, strlen(f->relay_ip), ip, sizeof(ip)))
		(void)intern_set(&inc->relay, ip, strlen(ip));
	else if (util_valid_hostname(f->remote_mta) &&
		 !util_ip_parse(inc->relay, strlen(inc->relay), ip, sizeof(ip)))
		(void)intern_set(
			&inc->relay, f->remote_mta,
			strnlen(f->remote_mta, sizeof(f->remote_mta) - 1));
	if (util_valid_mailbox(f->rcpt, 0))
		(void)intern_set(&inc->rcpt, f->rcpt,
				 strnlen(f->rcpt, sizeof(f->rcpt) - 1));
}

/* qids_len - bytes of inc's queue ids, their NULs included */
static size_t qids_len(const struct incident *inc)
{
	const char *p = inc->qids;
	size_t i;

	if (!inc->n_qids)
		return 0;
	for (i = 0; i < inc->n_qids; i++)
		p += strlen(p) + 1;
	return (size_t)(p - inc->qids);
}

/* incident_qid - the i-th queue id; see incident.h */
const char *incident_qid(const struct incident *inc, size_t i)
{
	const char *p = inc->qids;

	if (i >= inc->n_qids)
		return NULL;
	while (i--)
		p += strlen(p) + 1;
	return p;
}

/* qid_put - q[len] (checked) after the kept ids of inc, dropping the oldest
 * first when drop; inc unchanged on out of memory */
static int qid_put(struct incident *inc, const char *q, size_t len, int drop)
{
	size_t used = qids_len(inc);
	size_t cut = drop ? strlen(inc->qids) + 1 : 0;
	size_t need = used - cut + len + 1;
	char *p = inc->qids;

	/* Grow before anything moves, so a failure changes nothing. */
	if (need > used && !(p = realloc(inc->qids, need)))
		return -1;
	inc->qids = p;
	if (cut) {
		memmove(p, p + cut, used - cut);
		inc->n_qids--;
	}
	memcpy(p + used - cut, q, len);
	p[used - cut + len] = '\0';
	inc->n_qids++;
	if (need < used && (p = realloc(inc->qids, need)))
		inc->qids = p; /* a failed shrink keeps the larger block */
	return 0;
}

/* incident_qids_append - one more queue id as read from a file */
int incident_qids_append(struct incident *inc, const char *q, size_t len)
{
	if (inc->n_qids >= INCIDENT_MAX_QIDS) {
		errno = EINVAL;
		return -1;
	}
	return qid_put(inc, q, len, 0);
}

/* note_qid - remember a distinct queue id; when full the oldest goes.
 * 1 added, 0 known (or empty), -1 with errno */
static int note_qid(struct incident *inc, const char *q, size_t len)
{
	const char *p = inc->qids;
	size_t i;

	if (len >= FINDING_QID_MAX || memchr(q, '\0', len)) {
		errno = EINVAL;
		return -1;
	}
	if (!len)
		return 0;
	for (i = 0; i < inc->n_qids; i++, p += strlen(p) + 1)
		if (strlen(p) == len && memcmp(p, q, len) == 0)
			return 0;
	if (qid_put(inc, q, len, inc->n_qids >= INCIDENT_MAX_QIDS) < 0)
		return -1;
	return 1;
}

/* incident_add_qid - a queue id as a finding brings it; see incident.h */
int incident_add_qid(struct incident *inc, const char *q, size_t len)
{
	int rc = note_qid(inc, q, len);

	if (rc > 0)
		incident_touch(inc);
	return rc < 0 ? -1 : 0;
}

/* note_sample - one sample per code, the longest normalised text wins */
static void note_sample(struct incident *inc, const struct finding *f)
{
	char norm[INCIDENT_SAMPLE_MAX], code[VERDICT_CODE_MAX], *copy;
	size_t len, i, j;

	if (!f->text || !f->text_len)
		return;
	copy_field(code, sizeof(code), f->v.code, sizeof(f->v.code));
	for (i = 0; i < inc->n_samples; i++)
		if (strcmp(inc->sample_codes[i], code) == 0)
			break;
	/* Normalising only shrinks: skip it when it cannot win (the usual
	 * case in a storm of identical replies). */
	if (i == INCIDENT_MAX_SAMPLES ||
	    (i < inc->n_samples && f->text_len <= strlen(inc->samples[i])))
		return;
	len = util_clean(norm, sizeof(norm), f->text, f->text_len);
	if (!len || (i < inc->n_samples && len <= strlen(inc->samples[i])))
		return;
	for (j = 0; i == inc->n_samples && j < inc->n_samples; j++)
		if (strcmp(inc->samples[j], norm) == 0)
			return; /* the same text under another code */
	copy = malloc(len + 1);
	if (!copy)
		return; /* a sample is worth less than the finding */
	memcpy(copy, norm, len + 1);
	if (i < inc->n_samples) {
		free(inc->samples[i]);
	} else {
		inc->sample_codes[i] = intern_get(code, strlen(code));
		if (!inc->sample_codes[i]) {
			free(copy);
			return;
		}
		inc->n_samples++;
	}
	inc->samples[i] = copy;
}

/* note_update - fold finding f (at when) into inc */
static void note_update(struct incident *inc, const struct finding *f,
			time_t when)
{
	const struct verdict *v = &f->v;

	int permanent = v->reply_code / 100 == 5 ||
			(v->status[0] == '5' && v->status[1] == '.');

	inc->count++;
	if (permanent)
		inc->bounced++;
	else
		inc->deferred++;
	note_code(inc, v->code);
	note_domain(inc, f->rcpt_domain, sizeof(f->rcpt_domain),
		    permanent ? INCIDENT_OUTCOME_REFUSED
			      : INCIDENT_OUTCOME_DEFERRED);
	/* Out of memory loses a queue id, not the finding. */
	(void)note_qid(inc, f->queue_id,
		       strnlen(f->queue_id, sizeof(f->queue_id) - 1));
	note_probe(inc, f);
	note_sample(inc, f);
	if (severity(v->kind) > severity(inc->kind) ||
	    (v->kind == inc->kind && inc->remedy == VERDICT_REMEDY_NONE)) {
		inc->kind = v->kind;
		inc->remedy = v->remedy;
	}
	if ((unsigned)f->source < 32)
		inc->sources |= 1u << f->source;
	if (!f->ip_inferred)
		inc->ip_inferred = 0;
	if (when < inc->first_seen)
		inc->first_seen = when;
	if (when > inc->last_seen)
		inc->last_seen = when;
	/* A failure after the first success stops the clear clock; one
	 * stamped before it (a late DSN) does not undo the success. */
	if (inc->sent_since && when >= inc->sent_since)
		inc->sent_since = 0;
}

/* incident_note - add one finding; see incident.h */
struct incident *incident_note(struct incident_store *s,
			       const struct finding *f, int *is_new)
{
	struct incident *inc, *cur;
	time_t when;

	if (is_new)
		*is_new = 0;
	if (!s || !f || f->sent || f->v.provider == VERDICT_PROVIDER_NONE ||
	    !severity(f->v.kind) || !f->v.ip[0] ||
	    strnlen(f->v.ip, sizeof(f->v.ip)) == sizeof(f->v.ip)) {
		errno = EINVAL;
		return NULL;
	}
	when = f->when ? f->when : time(NULL);
	cur = incident_hash_find(s, f->v.ip, f->v.provider);
	if (cur && (cur->state != INCIDENT_CLEARED ||
		    (cur->sent_since && when < cur->sent_since))) {
		note_update(cur, f, when);
		incident_heap_update(s, cur);
		incident_touch(cur);
		return cur;
	}
	/* New, or the old one cleared: a new incident with a new id
	 * (out of ids only after a tampered state file). */
	if (s->next_id > INCIDENT_ID_MAX) {
		errno = EOVERFLOW;
		return NULL;
	}
	inc = calloc(1, sizeof(*inc));
	if (!inc)
		return NULL;
	inc->relay = inc->rcpt = intern_empty;
	if (s->n >= s->max)
		incident_store_evict(s);
	if (incident_store_reserve(s) < 0) {
		free(inc);
		return NULL;
	}
	/* The old cleared incident may just have been evicted. */
	cur = incident_hash_find(s, f->v.ip, f->v.provider);
	inc->id = s->next_id++;
	util_strcpy(inc->ip, sizeof(inc->ip), f->v.ip);
	inc->provider = f->v.provider;
	inc->kind = f->v.kind;
	inc->remedy = f->v.remedy;
	inc->ip_inferred = f->ip_inferred ? 1 : 0;
	inc->state = INCIDENT_OPEN;
	inc->first_seen = inc->last_seen = when;
	note_update(inc, f, when);
	if (cur)
		incident_hash_del(s, cur);
	if (incident_hash_add(s, inc) < 0) {
		if (cur)
			incident_hash_add(s, cur);
		s->next_id--;
		incident_free_one(inc);
		errno = ENOMEM;
		return NULL;
	}
	incident_store_link(s, inc);
	incident_touch(inc);
	if (is_new)
		*is_new = 1;
	return inc;
}

/* sent_one - start the clear clock of inc if a success at when counts */
static void sent_one(struct incident *inc, time_t when, const char *domain)
{
	int at;

	if (inc->state != INCIDENT_CLEARED && when >= inc->last_seen &&
	    !inc->sent_since) {
		inc->sent_since = when ? when : 1;
		incident_touch(inc);
	}
	/* Mail to that recipient domain was accepted after the refusals:
	 * the request says so per domain. */
	if (domain && when >= inc->last_seen &&
	    (at = domain_at(inc, domain, strlen(domain) + 1)) >= 0 &&
	    !(inc->domain_outcomes[at] & INCIDENT_OUTCOME_ACCEPTED)) {
		inc->domain_outcomes[at] |= INCIDENT_OUTCOME_ACCEPTED;
		incident_touch(inc);
	}
}

/* incident_sent - a message to provider was accepted; see incident.h */
void incident_sent(struct incident_store *s, const char *ip,
		   enum verdict_provider provider, time_t when,
		   const char *domain)
{
	struct incident *inc;
	size_t i;

	if (!s)
		return;
	if (ip && *ip) {
		inc = incident_hash_find(s, ip, provider);
		if (inc)
			sent_one(inc, when, domain);
		return;
	}
	for (i = 0; i < s->used; i++)
		if (s->byid[i] && s->byid[i]->provider == provider)
			sent_one(s->byid[i], when, domain);
}

/* ---- life cycle ---- */

/* retier - inc became CLEARED: move it up the eviction order, if inc is
 * really the store's (not a copy) */
static void retier(struct incident *inc)
{
	struct incident_store *s = inc->store;

	if (s && inc->heap_idx < s->n && s->heap[inc->heap_idx].inc == inc)
		incident_heap_update(s, inc);
}

/* incident_due - what mail is owed; see incident.h */
enum incident_due incident_due(struct incident *inc, time_t now,
			       time_t reminder, time_t clear_after)
{
	enum incident_due due = INCIDENT_DUE_NONE;

	if (inc->state != INCIDENT_CLEARED && inc->sent_since &&
	    now >= inc->sent_since && now - inc->sent_since >= clear_after) {
		inc->state = INCIDENT_CLEARED;
		inc->cleared_at = now;
		inc->attempts = 0;
		inc->next_attempt = 0;
		retier(inc);
		incident_touch(inc);
	}
	switch (inc->state) {
	case INCIDENT_OPEN:
		due = INCIDENT_DUE_ALERT;
		break;
	case INCIDENT_ALERTED:
		if (reminder > 0 && now - inc->alerted_at >= reminder)
			due = INCIDENT_DUE_REMINDER;
		break;
	case INCIDENT_REMINDED:
		if (reminder > 0 && now - inc->reminded_at >= reminder)
			due = INCIDENT_DUE_REMINDER;
		break;
	case INCIDENT_CLEARED:
		if (inc->alerted_at && !inc->cleared_notified)
			due = INCIDENT_DUE_CLEARED;
		break;
	}
	if (due != INCIDENT_DUE_NONE && inc->next_attempt &&
	    now < inc->next_attempt)
		return INCIDENT_DUE_NONE;
	return due;
}

/* incident_mark - the owed mail was sent; see incident.h */
void incident_mark(struct incident *inc, enum incident_due due, time_t now)
{
	switch (due) {
	case INCIDENT_DUE_NONE:
		return;
	case INCIDENT_DUE_ALERT:
		inc->alerted_at = now;
		if (inc->state != INCIDENT_CLEARED)
			inc->state = INCIDENT_ALERTED;
		break;
	case INCIDENT_DUE_REMINDER:
		inc->reminded_at = now;
		if (inc->state != INCIDENT_CLEARED)
			inc->state = INCIDENT_REMINDED;
		break;
	case INCIDENT_DUE_CLEARED:
		inc->cleared_notified = now ? now : 1;
		break;
	}
	inc->attempts = 0;
	inc->next_attempt = 0;
	incident_touch(inc);
}

/* incident_failed - schedule a retry with back-off; see incident.h */
void incident_failed(struct incident *inc, time_t now, time_t retry)
{
	time_t delay = retry > 0 ? retry : 1, cap;
	unsigned i;

	cap = delay > BACKOFF_MAX ? delay : BACKOFF_MAX;
	if (inc->attempts < UINT_MAX)
		inc->attempts++;
	for (i = 1; i < inc->attempts && delay < cap; i++)
		delay *= 2;
	inc->next_attempt = now + (delay < cap ? delay : cap);
	incident_touch(inc);
}

/* incident_record - incident_note() and the reopen rule; see incident.h */
struct incident *incident_record(struct incident_store *s,
				 const struct finding *f, int *is_new,
				 int *changed)
{
	enum verdict_kind before = VERDICT_KIND_NONE;
	struct incident *inc = incident_find(s, f->v.ip, f->v.provider);

	if (inc && inc->state != INCIDENT_CLEARED)
		before = inc->kind;
	*changed = 0;
	inc = incident_note(s, f, is_new);
	if (!inc)
		return NULL;
	*changed = *is_new || inc->kind != before;
	/* A rate limit that turned into a block or ban needs a different
	 * remedy: a new alert is owed. */
	if (*changed && !*is_new && before == VERDICT_RATELIMIT &&
	    inc->state != INCIDENT_OPEN) {
		inc->state = INCIDENT_OPEN;
		inc->attempts = 0;
		inc->next_attempt = 0;
		incident_touch(inc);
	}
	return inc;
}

/* incident_sending_begin - the owed mail due is handed to sendmail */
void incident_sending_begin(struct incident *inc, enum incident_due due,
			    time_t now)
{
	inc->sending = now ? now : 1;
	inc->sending_due = due;
	incident_touch(inc);
}

/* incident_sending_end - sendmail returned: the marks go */
void incident_sending_end(struct incident *inc)
{
	inc->sending = 0;
	inc->sending_due = 0;
	incident_touch(inc);
}

/* incident_settle - a send the previous run left unfinished */
enum incident_due incident_settle(struct incident *inc, int started)
{
	enum incident_due due = (enum incident_due)inc->sending_due;

	if (!inc->sending)
		return INCIDENT_DUE_NONE;
	if (started)
		incident_mark(inc, due, inc->sending);
	incident_sending_end(inc);
	return due;
}

/* incident_longest_sample - see incident.h */
const char *incident_longest_sample(const struct incident *inc)
{
	const char *best = NULL;
	size_t i, blen = 0;

	for (i = 0; i < inc->n_samples; i++) {
		size_t l = strlen(inc->samples[i]);
		if (!best || l > blen) {
			best = inc->samples[i];
			blen = l;
		}
	}
	return best;
}

static const char *const state_names[] = {"open", "alerted", "reminded",
					  "cleared"};

/* incident_state_from_name - reverse of incident_state_name */
int incident_state_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(state_names); i++)
		if (strcmp(name, state_names[i]) == 0)
			return (int)i;
	return -1;
}

/* incident_state_name - stable name of a state */
const char *incident_state_name(enum incident_state st)
{
	return (unsigned)st < UTIL_ARRAY_SIZE(state_names) ? state_names[st]
							   : "unknown";
}
