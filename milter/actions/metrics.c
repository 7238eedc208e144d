/*
 * metrics.c - counters for Prometheus and the textfile they are written to
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "metrics.h"
#include "util.h"
#include "verdict.h"

/* One label set of milter_delist_findings_total. */
struct finding_series {
	char source[METRICS_LABEL_MAX];
	char provider[METRICS_LABEL_MAX];
	char code[METRICS_LABEL_MAX];
	unsigned long long n;
};

struct lag {
	char source[METRICS_LABEL_MAX];
	unsigned long long bytes;
	double seconds;
	time_t at; /* when it was told */
};

/* One label set of milter_delist_alerts_total. */
struct alert_series {
	char channel[METRICS_LABEL_MAX];
	unsigned long long sent, failed;
};

#define MAX_CHANNELS 4
#define N_PROVIDERS  3 /* enum verdict_provider */
#define N_KINDS	     7 /* enum verdict_kind */

struct metrics {
	pthread_mutex_t lock;
	time_t started;
	size_t n_findings;
	struct finding_series findings[METRICS_MAX_FINDING_SERIES + 1];
	size_t n_lags;
	struct lag lags[METRICS_MAX_SOURCES];
	size_t n_channels;
	struct alert_series alerts[MAX_CHANNELS];
	unsigned long long saves_ok, saves_failed;
	double save_seconds;
	time_t saved_at; /* last good save */
	char state_error[HEALTH_TEXT_MAX], alert_error[HEALTH_TEXT_MAX];
};

/* metrics_new - counters at zero */
struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	m->started = time(NULL);
	return m;
}

/* metrics_free - release */
void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* label - a label value: cleaned to one line, capped */
static void label(char *dst, const char *src)
{
	util_clean(dst, METRICS_LABEL_MAX, src ? src : "",
		   src ? strlen(src) : 0);
}

/* metrics_finding - count one finding; the label sets are capped: past
 * the cap, the finding counts in the source/provider/code "other" row */
void metrics_finding(struct metrics *m, const char *source,
		     const char *provider, const char *code)
{
	char s[METRICS_LABEL_MAX], p[METRICS_LABEL_MAX], c[METRICS_LABEL_MAX];
	struct finding_series *f;
	size_t i;

	if (!m)
		return;
	label(s, source);
	label(p, provider);
	label(c, code);
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n_findings; i++) {
		f = &m->findings[i];
		if (!strcmp(f->source, s) && !strcmp(f->provider, p) &&
		    !strcmp(f->code, c))
			goto found;
	}
	if (m->n_findings == METRICS_MAX_FINDING_SERIES) {
		/* The last slot is the overflow row. */
		f = &m->findings[METRICS_MAX_FINDING_SERIES];
		util_strcpy(f->source, sizeof(f->source), "other");
		util_strcpy(f->provider, sizeof(f->provider), "other");
		util_strcpy(f->code, sizeof(f->code), "other");
		goto found;
	}
	f = &m->findings[m->n_findings++];
	memcpy(f->source, s, sizeof(s));
	memcpy(f->provider, p, sizeof(p));
	memcpy(f->code, c, sizeof(c));
found:
	f->n++;
	pthread_mutex_unlock(&m->lock);
}

/* metrics_alert - one sent or failed alert */
void metrics_alert(struct metrics *m, const char *channel, int ok)
{
	char ch[METRICS_LABEL_MAX];
	struct alert_series *a = NULL;
	size_t i;

	if (!m)
		return;
	label(ch, channel);
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n_channels && !a; i++)
		if (!strcmp(m->alerts[i].channel, ch))
			a = &m->alerts[i];
	if (!a && m->n_channels < MAX_CHANNELS) {
		a = &m->alerts[m->n_channels++];
		memcpy(a->channel, ch, sizeof(ch));
	}
	if (a) {
		if (ok)
			a->sent++;
		else
			a->failed++;
	}
	pthread_mutex_unlock(&m->lock);
}

/* metrics_lag - the follower's distance to the end of its source */
void metrics_lag(struct metrics *m, const char *source,
		 unsigned long long bytes, double seconds)
{
	char s[METRICS_LABEL_MAX];
	struct lag *l = NULL;
	size_t i;

	if (!m)
		return;
	label(s, source);
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n_lags && !l; i++)
		if (!strcmp(m->lags[i].source, s))
			l = &m->lags[i];
	if (!l && m->n_lags < METRICS_MAX_SOURCES) {
		l = &m->lags[m->n_lags++];
		memcpy(l->source, s, sizeof(s));
	}
	if (l) {
		l->bytes = bytes;
		l->seconds = seconds < 0 ? 0 : seconds;
		l->at = time(NULL);
	}
	pthread_mutex_unlock(&m->lock);
}

/* metrics_lag_forget - a source no longer followed */
void metrics_lag_forget(struct metrics *m, const char *source)
{
	char s[METRICS_LABEL_MAX];
	size_t i;

	if (!m)
		return;
	label(s, source);
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n_lags; i++)
		if (!strcmp(m->lags[i].source, s)) {
			memmove(&m->lags[i], &m->lags[i + 1],
				(m->n_lags - i - 1) * sizeof(m->lags[0]));
			m->n_lags--;
			break;
		}
	pthread_mutex_unlock(&m->lock);
}

/* lag_seconds - l's seconds now: a journal not told for
 * METRICS_LAG_STALE seconds is not reading, behind by that time more */
static double lag_seconds(const struct lag *l, time_t now)
{
	if (l->bytes == HEALTH_NO_BYTES && now - l->at >= METRICS_LAG_STALE)
		return l->seconds + (double)(now - l->at);
	return l->seconds;
}

/* metrics_save - one state save */
void metrics_save(struct metrics *m, double seconds, int ok)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	if (ok) {
		m->saves_ok++;
		m->saved_at = time(NULL);
		m->state_error[0] = '\0';
	} else {
		m->saves_failed++;
	}
	m->save_seconds = seconds < 0 ? 0 : seconds;
	pthread_mutex_unlock(&m->lock);
}

/* metrics_error - remember the last error text */
void metrics_error(struct metrics *m, enum metrics_error_kind kind,
		   const char *text)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	util_strcpy(kind == METRICS_ERR_STATE ? m->state_error : m->alert_error,
		    HEALTH_TEXT_MAX, text ? text : "");
	pthread_mutex_unlock(&m->lock);
}

/* metrics_health - the health file's share of the counters */
void metrics_health(struct metrics *m, struct health *h)
{
	time_t now = time(NULL);
	size_t i;

	pthread_mutex_lock(&m->lock);
	h->state_saved = m->saved_at;
	h->state_save_failures = m->saves_failed;
	memcpy(h->state_error, m->state_error, sizeof(h->state_error));
	memcpy(h->alert_error, m->alert_error, sizeof(h->alert_error));
	h->n_sources = 0;
	for (i = 0; i < m->n_lags && i < HEALTH_MAX_SOURCES; i++) {
		util_strcpy(h->sources[i].name, sizeof(h->sources[i].name),
			    m->lags[i].source);
		h->sources[i].bytes_behind = m->lags[i].bytes;
		h->sources[i].seconds_behind =
			(long long)lag_seconds(&m->lags[i], now);
		h->n_sources++;
	}
	pthread_mutex_unlock(&m->lock);
}

/* lv - append a label value with the exposition format's escapes */
static void lv(struct buf *b, const char *name, const char *v, int first)
{
	buf_printf(b, "%s%s=\"", first ? "" : ",", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_addc(b, '\\');
		if (*v == '\n') {
			buf_puts(b, "\\n");
			continue;
		}
		buf_addc(b, *v);
	}
	buf_addc(b, '"');
}

/* family - the HELP and TYPE lines */
static void family(struct buf *b, const char *name, const char *type,
		   const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* open_row - one milter_delist_incidents_open sample */
static void open_row(struct buf *b, int provider, int kind, const char *ip,
		     unsigned long n)
{
	buf_puts(b, "milter_delist_incidents_open{");
	lv(b, "provider", verdict_provider_name(provider), 1);
	lv(b, "kind", verdict_kind_name(kind), 0);
	lv(b, "ip", ip, 0);
	buf_printf(b, "} %lu\n", n);
}

/* render_incidents - the gauges from the store */
static void render_incidents(struct buf *b, struct incident_store *store,
			     size_t ip_cap)
{
	static const enum incident_state states[] = {
		INCIDENT_OPEN, INCIDENT_ALERTED, INCIDENT_REMINDED,
		INCIDENT_CLEARED};
	unsigned long by_state[4] = {0}, others[N_PROVIDERS][N_KINDS];
	size_t i, n = store ? incident_count(store) : 0, shown = 0;
	int p, k;

	memset(others, 0, sizeof(others));
	family(b, "milter_delist_incidents_open", "gauge",
	       "Incidents not cleared, by provider, kind and IP (IPs past "
	       "the cap summed in ip=\"others\").");
	for (i = 0; i < n; i++) {
		const struct incident *inc = incident_at(store, i);

		if ((unsigned)inc->state < 4)
			by_state[inc->state]++;
		if (inc->state == INCIDENT_CLEARED)
			continue;
		if (shown < ip_cap) {
			open_row(b, inc->provider, inc->kind, inc->ip, 1);
			shown++;
		} else if ((unsigned)inc->provider < N_PROVIDERS &&
			   (unsigned)inc->kind < N_KINDS) {
			others[inc->provider][inc->kind]++;
		}
	}
	for (p = 0; p < N_PROVIDERS; p++)
		for (k = 0; k < N_KINDS; k++)
			if (others[p][k])
				open_row(b, p, k, "others", others[p][k]);
	family(b, "milter_delist_incidents", "gauge",
	       "Incidents in the state file, by state.");
	for (i = 0; i < UTIL_ARRAY_SIZE(states); i++) {
		buf_puts(b, "milter_delist_incidents{");
		lv(b, "state", incident_state_name(states[i]), 1);
		buf_printf(b, "} %lu\n", by_state[states[i]]);
	}
}

/* metrics_render - the whole exposition */
int metrics_render(struct metrics *m, struct incident_store *store,
		   size_t ip_cap, struct buf *out)
{
	time_t now = time(NULL);
	size_t i;

	family(out, "milter_delist_build_info", "gauge",
	       "Version of milter-delist; always 1.");
	buf_puts(out, "milter_delist_build_info{");
	lv(out, "version", PACKAGE_VERSION, 1);
	buf_puts(out, "} 1\n");
	render_incidents(out, store, ip_cap ? ip_cap : METRICS_IP_CAP);
	pthread_mutex_lock(&m->lock);
	family(out, "milter_delist_start_time_seconds", "gauge",
	       "Start of the daemon, seconds since the epoch.");
	buf_printf(out, "milter_delist_start_time_seconds %lld\n",
		   (long long)m->started);
	family(out, "milter_delist_findings_total", "counter",
	       "Findings about Microsoft's verdicts, by source, provider "
	       "and code.");
	for (i = 0; i <= METRICS_MAX_FINDING_SERIES; i++) {
		const struct finding_series *f = &m->findings[i];

		if (i >= m->n_findings && !f->n)
			continue;
		buf_puts(out, "milter_delist_findings_total{");
		lv(out, "source", f->source, 1);
		lv(out, "provider", f->provider, 0);
		lv(out, "code", f->code, 0);
		buf_printf(out, "} %llu\n", f->n);
	}
	family(out, "milter_delist_alerts_total", "counter",
	       "Alert attempts, by channel (mail, exec) and result.");
	for (i = 0; i < m->n_channels; i++) {
		buf_puts(out, "milter_delist_alerts_total{");
		lv(out, "channel", m->alerts[i].channel, 1);
		buf_printf(out, ",result=\"sent\"} %llu\n", m->alerts[i].sent);
		buf_puts(out, "milter_delist_alerts_total{");
		lv(out, "channel", m->alerts[i].channel, 1);
		buf_printf(out, ",result=\"failed\"} %llu\n",
			   m->alerts[i].failed);
	}
	family(out, "milter_delist_log_lag_bytes", "gauge",
	       "Bytes of the log file not read yet (no series for a "
	       "journal).");
	for (i = 0; i < m->n_lags; i++) {
		if (m->lags[i].bytes == HEALTH_NO_BYTES)
			continue; /* a journal: no series */
		buf_puts(out, "milter_delist_log_lag_bytes{");
		lv(out, "source", m->lags[i].source, 1);
		buf_printf(out, "} %llu\n", m->lags[i].bytes);
	}
	family(out, "milter_delist_log_lag_seconds", "gauge",
	       "Seconds the log source's follower is behind (a journal: its "
	       "newest entry's stamp minus the last mail entry read).");
	for (i = 0; i < m->n_lags; i++) {
		buf_puts(out, "milter_delist_log_lag_seconds{");
		lv(out, "source", m->lags[i].source, 1);
		buf_printf(out, "} %.3f\n", lag_seconds(&m->lags[i], now));
	}
	family(out, "milter_delist_state_saves_total", "counter",
	       "State file saves, by result.");
	buf_printf(out,
		   "milter_delist_state_saves_total{result=\"ok\"} %llu\n"
		   "milter_delist_state_saves_total{result=\"failed\"} %llu\n",
		   m->saves_ok, m->saves_failed);
	family(out, "milter_delist_state_save_duration_seconds", "gauge",
	       "Duration of the last state save.");
	buf_printf(out, "milter_delist_state_save_duration_seconds %.6f\n",
		   m->save_seconds);
	pthread_mutex_unlock(&m->lock);
	return out->err ? -1 : 0;
}

/* metrics_write - render, then replace the file */
int metrics_write(struct metrics *m, const char *path,
		  struct incident_store *store, size_t ip_cap, gid_t gid)
{
	struct buf b;
	int r;

	buf_init(&b);
	if (metrics_render(m, store, ip_cap, &b) < 0) {
		errno = b.err ? b.err : ENOMEM;
		buf_free(&b);
		return -1;
	}
	r = health_replace_file(path, buf_str(&b), b.len, gid);
	buf_free(&b);
	return r;
}
