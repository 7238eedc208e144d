/*
 * events.c - the subscriber list of core's events
 *
 * The list is copied under its lock and called without it, so a
 * subscriber may subscribe or unsubscribe.
 */
#include <pthread.h>
#include <string.h>

#include "events.h"

static struct {
	pthread_mutex_t lock;
	size_t n;
	struct {
		events_fn fn;
		void *arg;
	} sub[EVENTS_SUBSCRIBERS_MAX];
} S = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* events_subscribe - add a subscriber */
int events_subscribe(events_fn fn, void *arg)
{
	int rc = -1;

	pthread_mutex_lock(&S.lock);
	if (S.n < EVENTS_SUBSCRIBERS_MAX) {
		S.sub[S.n].fn = fn;
		S.sub[S.n].arg = arg;
		S.n++;
		rc = 0;
	}
	pthread_mutex_unlock(&S.lock);
	return rc;
}

/* events_unsubscribe - remove a subscriber */
void events_unsubscribe(events_fn fn, void *arg)
{
	size_t i;

	pthread_mutex_lock(&S.lock);
	for (i = 0; i < S.n; i++)
		if (S.sub[i].fn == fn && S.sub[i].arg == arg) {
			memmove(&S.sub[i], &S.sub[i + 1],
				(S.n - i - 1) * sizeof(S.sub[0]));
			S.n--;
			break;
		}
	pthread_mutex_unlock(&S.lock);
}

/* events_emit - call every subscriber */
void events_emit(const struct core_event *ev)
{
	struct {
		events_fn fn;
		void *arg;
	} sub[EVENTS_SUBSCRIBERS_MAX];
	size_t i, n;

	pthread_mutex_lock(&S.lock);
	n = S.n;
	memcpy(sub, S.sub, n * sizeof(sub[0]));
	pthread_mutex_unlock(&S.lock);
	for (i = 0; i < n; i++)
		sub[i].fn(sub[i].arg, ev);
}

/* events_of_finding - fill ev from a finding */
void events_of_finding(struct core_event *ev, const char *name,
		       const struct finding *f, uint64_t id)
{
	memset(ev, 0, sizeof(*ev));
	ev->name = name;
	ev->incident = id;
	ev->ip = f->v.ip;
	ev->provider = f->v.provider;
	ev->kind = f->v.kind;
	ev->code = f->v.code;
	ev->has_source = 1;
	ev->source = f->source;
	ev->when = f->when;
	ev->finding = f;
}

/* events_of_incident - fill ev from an incident */
void events_of_incident(struct core_event *ev, const char *name,
			const struct incident *inc, time_t when)
{
	memset(ev, 0, sizeof(*ev));
	ev->name = name;
	ev->incident = inc->id;
	ev->ip = inc->ip;
	ev->provider = inc->provider;
	ev->kind = inc->kind;
	ev->code = inc->n_codes ? inc->codes[inc->n_codes - 1] : "";
	ev->when = when;
	ev->inc = inc;
}
