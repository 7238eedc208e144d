/*
 * monitor.c - the health and metrics files, rewritten by a thread
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "health.h"
#include "log.h"
#include "monitor.h"
#include "util.h"

struct monitor {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int kicked, stopping;
	struct metrics *m;
	struct monitor_opts o;
	char health_file[PATH_MAX];
	char metrics_file[PATH_MAX];
	char config_file[PATH_MAX];
	char state_file[PATH_MAX];
	time_t started;
	int health_errno, metrics_errno; /* last reported */
};

/* report - log a write error once, and its end */
static void report(const char *what, const char *path, int e, int *last)
{
	if (e && e != *last)
		log_error("cannot write the %s file %s: %s", what, path,
			  strerror(e));
	else if (!e && *last)
		log_notice("the %s file %s is written again", what, path);
	*last = e;
}

/* write_all - one round of both files */
static void write_all(struct monitor *mon)
{
	struct health h;
	struct buf b;
	int e;

	memset(&h, 0, sizeof(h));
	h.pid = (long)getpid();
	util_strcpy(h.version, sizeof(h.version), PACKAGE_VERSION);
	util_strcpy(h.config, sizeof(h.config), mon->config_file);
	util_strcpy(h.state_file, sizeof(h.state_file), mon->state_file);
	h.started = mon->started;
	h.updated = time(NULL);
	h.interval = mon->o.interval;
	metrics_health(mon->m, &h);
	e = health_write(mon->health_file, &h, mon->o.gid) < 0 ? errno : 0;
	report("health", mon->health_file, e, &mon->health_errno);

	if (!*mon->metrics_file)
		return;
	buf_init(&b);
	if (mon->o.render_store)
		mon->o.render_store(mon->m, mon->o.ip_cap, &b, mon->o.arg);
	else
		metrics_render(mon->m, NULL, mon->o.ip_cap, &b);
	if (b.err)
		e = b.err;
	else
		e = health_replace_file(mon->metrics_file, buf_str(&b), b.len,
					mon->o.gid) < 0
			    ? errno
			    : 0;
	buf_free(&b);
	report("metrics", mon->metrics_file, e, &mon->metrics_errno);
}

/* thread - write, sleep until the interval passes or a kick */
static void *thread(void *arg)
{
	struct monitor *mon = arg;
	struct timespec ts;

	pthread_mutex_lock(&mon->lock);
	while (!mon->stopping) {
		mon->kicked = 0;
		pthread_mutex_unlock(&mon->lock);
		write_all(mon);
		pthread_mutex_lock(&mon->lock);
		ts.tv_sec = time(NULL) + mon->o.interval;
		ts.tv_nsec = 0;
		while (!mon->kicked && !mon->stopping &&
		       pthread_cond_timedwait(&mon->wake, &mon->lock, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&mon->lock);
	return NULL;
}

/* monitor_start - copy the options, start the thread */
struct monitor *monitor_start(struct metrics *m, const struct monitor_opts *o)
{
	struct monitor *mon = calloc(1, sizeof(*mon));
	int e;

	if (!mon)
		return NULL;
	mon->m = m;
	mon->o = *o;
	if (mon->o.interval <= 0)
		mon->o.interval = 60;
	mon->started = time(NULL);
	if (health_path(o->state_file, mon->health_file,
			sizeof(mon->health_file)) < 0) {
		free(mon);
		errno = ENAMETOOLONG;
		return NULL;
	}
	util_strcpy(mon->metrics_file, sizeof(mon->metrics_file),
		    o->metrics_file ? o->metrics_file : "");
	util_strcpy(mon->config_file, sizeof(mon->config_file),
		    o->config_file ? o->config_file : "");
	util_strcpy(mon->state_file, sizeof(mon->state_file), o->state_file);
	pthread_mutex_init(&mon->lock, NULL);
	pthread_cond_init(&mon->wake, NULL);
	if ((e = pthread_create(&mon->tid, NULL, thread, mon)) != 0) {
		pthread_cond_destroy(&mon->wake);
		pthread_mutex_destroy(&mon->lock);
		free(mon);
		errno = e;
		return NULL;
	}
	return mon;
}

/* monitor_kick - wake the thread */
void monitor_kick(struct monitor *mon)
{
	if (!mon)
		return;
	pthread_mutex_lock(&mon->lock);
	mon->kicked = 1;
	pthread_cond_signal(&mon->wake);
	pthread_mutex_unlock(&mon->lock);
}

/* monitor_stop - join, remove the health file */
void monitor_stop(struct monitor *mon)
{
	if (!mon)
		return;
	pthread_mutex_lock(&mon->lock);
	mon->stopping = 1;
	pthread_cond_signal(&mon->wake);
	pthread_mutex_unlock(&mon->lock);
	pthread_join(mon->tid, NULL);
	unlink(mon->health_file);
	pthread_cond_destroy(&mon->wake);
	pthread_mutex_destroy(&mon->lock);
	free(mon);
}
