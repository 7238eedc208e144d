/*
 * exec_worker.c - the thread that runs the alert.exec spool, apart from
 * the alert mail and the milter
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#define IDLE_SECS 60 /* look at the spool at least this often */

struct exec_worker {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct exec_spool *spool;
	char program[PATH_MAX];
	time_t timeout, retry;
	struct metrics *m;
	int kicked, stopping;
	struct exec_spool_result total; /* ran/ok/failed summed */
};

/* count - the pass's runs in the metrics */
static void count(struct metrics *m, const struct exec_spool_result *res)
{
	unsigned i;

	for (i = 0; i < res->ok; i++)
		metrics_alert(m, "exec", 1);
	for (i = 0; i < res->failed; i++)
		metrics_alert(m, "exec", 0);
	if (res->failed)
		metrics_error(m, METRICS_ERR_ALERT, res->last_error);
}

/* worker - run due jobs; sleep until the next retry, a post or a stop */
static void *worker(void *arg)
{
	struct exec_worker *w = arg;
	struct exec_spool_result res;
	char program[PATH_MAX];
	time_t timeout, retry, now, wait_until;
	struct timespec ts;

	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		w->kicked = 0;
		memcpy(program, w->program, sizeof(program));
		timeout = w->timeout;
		retry = w->retry;
		pthread_mutex_unlock(&w->lock);

		now = time(NULL);
		memset(&res, 0, sizeof(res));
		if (*program)
			exec_spool_run(w->spool, program, timeout, retry, now,
				       &res);
		count(w->m, &res);
		wait_until = now + IDLE_SECS;
		if (res.next && res.next < wait_until)
			wait_until = res.next;

		pthread_mutex_lock(&w->lock);
		w->total.ran += res.ran;
		w->total.ok += res.ok;
		w->total.failed += res.failed;
		w->total.owed = res.owed;
		w->total.next = res.next;
		if (res.failed || res.last_error[0])
			memcpy(w->total.last_error, res.last_error,
			       sizeof(res.last_error));
		else if (res.ok)
			w->total.last_error[0] = '\0';
		ts.tv_sec = wait_until;
		ts.tv_nsec = 0;
		while (!w->kicked && !w->stopping &&
		       pthread_cond_timedwait(&w->wake, &w->lock, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* exec_worker_start - settle, then start the thread */
struct exec_worker *exec_worker_start(struct exec_spool *s, const char *program,
				      time_t timeout, time_t retry,
				      struct metrics *m)
{
	struct exec_worker *w = calloc(1, sizeof(*w));
	int e;

	if (!w)
		return NULL;
	w->spool = s;
	w->m = m;
	util_strcpy(w->program, sizeof(w->program), program);
	w->timeout = timeout;
	w->retry = retry;
	exec_spool_settle(s);
	if (pthread_mutex_init(&w->lock, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&w->wake, NULL) != 0) {
		pthread_mutex_destroy(&w->lock);
		goto fail;
	}
	if ((e = pthread_create(&w->tid, NULL, worker, w)) != 0) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		errno = e;
		goto fail;
	}
	return w;
fail:
	e = errno;
	free(w);
	errno = e;
	return NULL;
}

/* kick - wake the worker */
static void kick(struct exec_worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->kicked = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

/* exec_worker_post - spool, then wake */
int exec_worker_post(struct exec_worker *w, const char *key, const char *json,
		     const struct exec_env *env)
{
	int r = exec_spool_add(w->spool, key, json, env);

	if (r == 0)
		kick(w);
	return r;
}

/* exec_worker_configure - a reload */
void exec_worker_configure(struct exec_worker *w, const char *program,
			   time_t timeout, time_t retry)
{
	pthread_mutex_lock(&w->lock);
	util_strcpy(w->program, sizeof(w->program), program);
	w->timeout = timeout;
	w->retry = retry;
	w->kicked = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

/* exec_worker_last - the totals */
void exec_worker_last(struct exec_worker *w, struct exec_spool_result *res)
{
	pthread_mutex_lock(&w->lock);
	*res = w->total;
	pthread_mutex_unlock(&w->lock);
}

/* exec_worker_stop - join */
void exec_worker_stop(struct exec_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->tid, NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
