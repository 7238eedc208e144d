/*
 * logsource.c - starting and stopping the log follower
 *
 * L.lock guards the follower pointer (a reload replaces it).  Lock order:
 * never the state lock while holding L.lock (state_poll_cursor() calls
 * cursor() without the state lock).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "follow.h"
#include "log.h"
#include "logsource.h"
#include "state.h"

static struct {
	pthread_mutex_t lock;
	struct follow *follow;
	char *path;
} L = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* line - the follower's callback: the line, then the position after it */
static void line(void *arg, const char *p, size_t len,
		 const struct incident_cursor *after)
{
	(void)arg;
	evidence_log_line(p, len);
	state_cursor_set(after);
}

/* cursor - where the follower is (state_poll_cursor()) */
static int cursor(struct incident_cursor *c)
{
	int rc = -1;

	pthread_mutex_lock(&L.lock);
	if (L.follow) {
		follow_cursor(L.follow, c);
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
