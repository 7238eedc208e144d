/*
 * logsource.c - starting and stopping the log follower
 *
 * L.lock guards the follower pointer (a reload replaces it).  Lock order:
 * never the state lock while holding L.lock (state_poll_cursor() calls
 * cursor() without the state lock).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "evidence.h"
#include "follow.h"
#include "log.h"
#include "logsource.h"
#include "state.h"

static struct {
	pthread_mutex_t lock;
	struct follow *follow;
	char *path;
	logsource_lag_fn on_lag;
	void *on_lag_arg;
} L = {.lock = PTHREAD_MUTEX_INITIALIZER};

static atomic_llong moved_at; /* last line read (time_t) */

/* logsource_on_lag - the lag observer */
void logsource_on_lag(logsource_lag_fn fn, void *arg)
{
	pthread_mutex_lock(&L.lock);
	L.on_lag = fn;
	L.on_lag_arg = arg;
	pthread_mutex_unlock(&L.lock);
}

/* tell_lag - the file's size past the cursor c to the observer (L.lock
 * held; a file replaced since counts whole) */
static void tell_lag(const struct incident_cursor *c)
{
	unsigned long long behind = 0;
	time_t now = time(NULL);
	struct stat st;

	if (!L.on_lag || !L.path || stat(L.path, &st) < 0)
		return;
	if ((unsigned long long)st.st_ino != c->ino)
		behind = (unsigned long long)st.st_size;
	else if ((unsigned long long)st.st_size > c->offset)
		behind = (unsigned long long)st.st_size - c->offset;
	if (!behind)
		atomic_store(&moved_at, (long long)now);
	L.on_lag(L.on_lag_arg, L.path, behind,
		 behind ? (double)(now - (time_t)atomic_load(&moved_at)) : 0);
}

/* line - the follower's callback: the line, then the position after it */
static void line(void *arg, const char *p, size_t len,
		 const struct incident_cursor *after)
{
	(void)arg;
	evidence_log_line(p, len);
	state_cursor_set(after);
	atomic_store(&moved_at, (long long)time(NULL));
}

/* cursor - where the follower is (state_poll_cursor()) */
static int cursor(struct incident_cursor *c)
{
	int rc = -1;

	pthread_mutex_lock(&L.lock);
	if (L.follow) {
		follow_cursor(L.follow, c);
		tell_lag(c);
		rc = 0;
	}
	pthread_mutex_unlock(&L.lock);
	return rc;
}

/* logsource_start - follow cfg->maillog from the saved cursor */
void logsource_start(const struct config *cfg)
{
	struct incident_cursor cur;
	char err[256];

	if (!*cfg->maillog)
		return;
	state_cursor_get(&cur);
	atomic_store(&moved_at, (long long)time(NULL));
	pthread_mutex_lock(&L.lock);
	L.follow =
		follow_start(cfg->maillog, &cur, line, NULL, err, sizeof(err));
	if (L.follow) {
		L.path = strdup(cfg->maillog);
		if (!cur.valid)
			follow_cursor(L.follow, &cur);
		else
			cur.valid = 0; /* resumed: nothing new to save */
	}
	pthread_mutex_unlock(&L.lock);
	if (!L.follow) {
		log_error("cannot follow %s: %s", cfg->maillog, err);
		return;
	}
	state_cursor_source(cursor);
	if (cur.valid)
		state_cursor_first(cfg, &cur);
	log_info("following %s", cfg->maillog);
}

/* logsource_stop - stop the follower thread */
void logsource_stop(void)
{
	state_cursor_source(NULL);
	pthread_mutex_lock(&L.lock);
	if (L.follow)
		follow_stop(L.follow);
	L.follow = NULL;
	free(L.path);
	L.path = NULL;
	pthread_mutex_unlock(&L.lock);
}

/* logsource_reload - a new maillog path */
void logsource_reload(const struct config *cfg)
{
	if (strcmp(L.path ? L.path : "", cfg->maillog)) {
		logsource_stop();
		logsource_start(cfg);
	}
}
