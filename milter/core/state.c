/*
 * state.c - the incident store, its lock and the state file
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "state.h"

static struct {
	pthread_mutex_t lock;
	struct incident_store *store;
	int dirty;	  /* incidents changed since the last save */
	int cursor_dirty; /* only the follower's cursor moved */
	time_t saved_at;
	int save_errno; /* last save error logged (once) */
	void (*cursor_poll)(void);
	time_t cursor_polled;
} S = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* state_lock - take the store's lock */
void state_lock(void)
{
	pthread_mutex_lock(&S.lock);
}

/* state_unlock - release it */
void state_unlock(void)
{
	pthread_mutex_unlock(&S.lock);
}

/* state_store - the store */
struct incident_store *state_store(void)
{
	return S.store;
}

/* state_changed_locked - mark the incidents changed */
void state_changed_locked(void)
{
	S.dirty = 1;
}

/* state_unsaved_locked - a change not saved */
int state_unsaved_locked(void)
{
	return S.dirty;
}

/* state_save_locked - write the state file */
void state_save_locked(const struct config *cfg, time_t now)
{
	if (!S.store)
		return;
	if (incident_save(S.store, cfg->state_file) < 0) {
		if (errno != S.save_errno)
			log_error("cannot save state to %s: %s (will retry)",
				  cfg->state_file, strerror(errno));
		S.save_errno = errno;
		return;
	}
	if (S.save_errno)
		log_notice("state saved to %s again", cfg->state_file);
	S.save_errno = 0;
	S.dirty = 0;
	S.cursor_dirty = 0;
	S.saved_at = now;
}

/* state_save_due_locked - save what is due */
void state_save_due_locked(const struct config *cfg, time_t now)
{
	if (S.dirty ||
	    (S.cursor_dirty && now - S.saved_at >= STATE_CURSOR_SAVE_SECS))
		state_save_locked(cfg, now);
}

/* remove_temp_files - what a killed run left beside the state file (see
 * state_open()) */
static void remove_temp_files(const struct config *cfg)
{
	static const char *const kinds[][2] = {
		{".tmp.", "an interrupted save"},
		{".pending.", "an interrupted alert"},
	};
	const char *slash = strrchr(cfg->state_file, '/');
	char dir[4096], prefix[2][512], path[4700];
	struct dirent *de;
	size_t k, plen[2];
	DIR *d;

	if (!slash || (size_t)(slash - cfg->state_file) >= sizeof(dir))
		return;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - cfg->state_file),
		 cfg->state_file);
	for (k = 0; k < 2; k++) {
		plen[k] = (size_t)snprintf(prefix[k], sizeof(prefix[k]), "%s%s",
					   slash + 1, kinds[k][0]);
		if (plen[k] >= sizeof(prefix[k]))
			return;
	}
	d = opendir(*dir ? dir : "/");
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		for (k = 0; k < 2; k++)
			if (!strncmp(de->d_name, prefix[k], plen[k]))
				break;
		if (k == 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == 0)
			log_info("removed %s, left by %s", path, kinds[k][1]);
	}
	closedir(d);
}

/* load - read the state file; move a corrupt one aside (lock held) */
static void load(const struct config *cfg)
{
	char err[512], aside[4200];
	int n;

	if (incident_load(S.store, cfg->state_file, err, sizeof(err)) == 0) {
		if (incident_count(S.store))
			log_info("loaded %zu incident(s) from %s",
				 incident_count(S.store), cfg->state_file);
		return;
	}
	/* A name not taken yet: never overwrite an earlier one. */
	for (n = 0; n < 1000; n++) {
		if (n)
			snprintf(aside, sizeof(aside), "%s.corrupt.%ld.%d",
				 cfg->state_file, (long)time(NULL), n);
		else
			snprintf(aside, sizeof(aside), "%s.corrupt.%ld",
				 cfg->state_file, (long)time(NULL));
		if (access(aside, F_OK) < 0)
			break;
	}
	if (rename(cfg->state_file, aside) == 0)
		log_warning("state file unusable (%s); moved aside to %s, "
			    "starting empty",
			    err, aside);
	else
		log_warning("state file unusable (%s) and cannot be moved "
			    "aside: %s; starting empty",
			    err, strerror(errno));
}

/* state_open - new store, clean up, load */
int state_open(const struct config *cfg)
{
	struct incident_store *st = incident_store_new(cfg->max_incidents);

	if (!st) {
		log_error("out of memory");
		return -1;
	}
	remove_temp_files(cfg);
	pthread_mutex_lock(&S.lock);
	incident_store_free(S.store);
	S.store = st;
	S.dirty = S.cursor_dirty = 0;
	S.save_errno = 0;
	S.saved_at = 0;
	load(cfg);
	pthread_mutex_unlock(&S.lock);
	return 0;
}

/* state_close - final save, free */
void state_close(const struct config *cfg)
{
	pthread_mutex_lock(&S.lock);
	if (cfg && S.store && (S.dirty || S.cursor_dirty))
		state_save_locked(cfg, time(NULL));
	incident_store_free(S.store);
	S.store = NULL;
	pthread_mutex_unlock(&S.lock);
}

/* state_cursor_source - the sources' position poller */
void state_cursor_source(void (*poll)(void))
{
	pthread_mutex_lock(&S.lock);
	S.cursor_poll = poll;
	pthread_mutex_unlock(&S.lock);
}

/* state_poll_cursor - ask the sources where they are */
void state_poll_cursor(time_t now)
{
	void (*poll)(void);

	pthread_mutex_lock(&S.lock);
	poll = now - S.cursor_polled >= STATE_CURSOR_SAVE_SECS ? S.cursor_poll
							       : NULL;
	if (poll)
		S.cursor_polled = now;
	pthread_mutex_unlock(&S.lock);
	/* The poller takes the sources' lock: never with ours held. */
	if (poll)
		poll();
}

/* state_cursor_get - a source's saved cursor */
int state_cursor_get(const char *source, char *buf, size_t size)
{
	const char *at = NULL;
	int rc = -1;

	pthread_mutex_lock(&S.lock);
	if (S.store)
		at = incident_get_cursor(S.store, source);
	if (at && strlen(at) < size) {
		memcpy(buf, at, strlen(at) + 1);
		rc = 0;
	}
	pthread_mutex_unlock(&S.lock);
	return rc;
}

/* set_locked - a source's cursor; 1 when it changed */
static int set_locked(const char *source, const char *at)
{
	const char *old;

	if (!S.store)
		return 0;
	old = incident_get_cursor(S.store, source);
	if (at ? old && !strcmp(old, at) : !old)
		return 0;
	if (incident_set_cursor(S.store, source, at) < 0) {
		log_error("cannot keep the cursor of %s (too long, too many "
			  "sources, or out of memory)",
			  source);
		return 0;
	}
	S.cursor_dirty = 1;
	return 1;
}

/* state_cursor_set - a source moved */
void state_cursor_set(const char *source, const char *at)
{
	pthread_mutex_lock(&S.lock);
	set_locked(source, at);
	pthread_mutex_unlock(&S.lock);
}

/* state_cursor_first - a first start's cursor, saved at once */
void state_cursor_first(const struct config *cfg, const char *source,
			const char *at)
{
	pthread_mutex_lock(&S.lock);
	if (set_locked(source, at))
		state_save_locked(cfg, time(NULL));
	pthread_mutex_unlock(&S.lock);
}

/* state_cursor_retain - forget the cursors of unlisted sources */
size_t state_cursor_retain(const char *const *names, size_t n)
{
	const char *src;
	size_t i = 0, k, gone = 0;

	pthread_mutex_lock(&S.lock);
	while (S.store && (src = incident_cursor_source(S.store, i))) {
		for (k = 0; k < n; k++)
			if (!strcmp(names[k], src))
				break;
		if (k < n) {
			i++;
			continue;
		}
		incident_set_cursor(S.store, src, NULL);
		S.cursor_dirty = 1;
		gone++;
	}
	pthread_mutex_unlock(&S.lock);
	return gone;
}
