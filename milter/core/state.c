/*
 * state.c - the incident store, its lock and the state file
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "state.h"
#include "util.h"

#define JOURNAL_MIN   (256 * 1024)	/* compact no sooner than this */
#define PENDING_MAX   (8 * 1024 * 1024) /* unwritten records kept */
#define COMPACT_RETRY 30		/* seconds between failed compactions */

static struct {
	pthread_mutex_t lock;
	struct incident_store *store;
	int dirty;	  /* incidents changed since the last save */
	int cursor_dirty; /* only the follower's cursor moved */
	time_t saved_at;
	int save_errno; /* last save error logged (once) */
	void (*cursor_poll)(void);
	time_t cursor_polled;
	/* The journal: "<state_file>.log", or ".log.new" from a compaction
	 * on until that compaction renames it over ".log". */
	char file[4096], log[4200], lognew[4200];
	int jfd, jnew, next_jfd;
	off_t jlen;
	int unsynced;	   /* written, not yet fdatasync'ed */
	struct buf pend;   /* records not written yet (a failed write) */
	int need_snapshot; /* only a snapshot saves everything */
	size_t snap_len;   /* bytes of the last snapshot */
	/* A compaction: the snapshot taken under the lock, written by the
	 * thread that took it once it has released the lock. */
	int compacting, snap_ready;
	time_t compact_after; /* no new try before (after a failure) */
	pthread_t compactor;
	struct buf snap;
	struct state_stats stats;
	state_save_fn on_save;
	void *on_save_arg;
	mode_t jmode; /* the journals' mode: 0640 with state_group */
} S = {.lock = PTHREAD_MUTEX_INITIALIZER, .jfd = -1, .next_jfd = -1};

static void compact_finish(void);
static int snapshot_now(void);

/* state_lock - take the store's lock */
void state_lock(void)
{
	pthread_mutex_lock(&S.lock);
}

/* state_unlock - release it; a compaction this thread prepared is written
 * now, without the lock */
void state_unlock(void)
{
	int mine = S.snap_ready && pthread_equal(S.compactor, pthread_self());

	if (mine)
		S.snap_ready = 0;
	pthread_mutex_unlock(&S.lock);
	if (mine)
		compact_finish();
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

/* state_stats - counters for tests and the bench */
void state_stats(struct state_stats *st)
{
	pthread_mutex_lock(&S.lock);
	*st = S.stats;
	pthread_mutex_unlock(&S.lock);
}

/* journal_create - a new journal at path (truncated), its header synced
 * with its directory entry; the fd or -1 */
static int journal_create(const char *path)
{
	const char *h = incident_journal_header();
	int fd = open(path,
		      O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_NOFOLLOW |
			      O_CLOEXEC,
		      0600);

	if (fd < 0)
		return -1;
	if (fchmod(fd, S.jmode ? S.jmode : 0600) < 0 ||
	    util_write_all(fd, h, strlen(h)) < 0 || fdatasync(fd) < 0 ||
	    incident_sync_dir(path) < 0) {
		int e = errno;
		close(fd);
		unlink(path);
		errno = e;
		return -1;
	}
	S.stats.bytes_written += strlen(h);
	return fd;
}

/* journal_open - the journal to append to (lock held); 0 or -1 */
static int journal_open(void)
{
	struct stat st;

	if (S.jfd >= 0)
		return 0;
	S.jfd = open(S.log, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (S.jfd >= 0 && fstat(S.jfd, &st) == 0 && st.st_size > 0) {
		S.jlen = st.st_size;
		S.jnew = 0;
		return 0;
	}
	if (S.jfd >= 0)
		close(S.jfd);
	S.jfd = journal_create(S.log);
	S.jlen = (off_t)strlen(incident_journal_header());
	S.jnew = 0;
	return S.jfd < 0 ? -1 : 0;
}

/* journal_flush - append the changed records and fdatasync (lock held);
 * 0, or -1 with errno (the records are kept for the next try) */
static int journal_flush(void)
{
	if (incident_changes_lost(S.store))
		S.need_snapshot = 1;
	incident_changes(S.store, &S.pend);
	if (S.pend.err || S.pend.len > PENDING_MAX) {
		buf_reset(&S.pend);
		S.need_snapshot = 1;
	}
	if (S.need_snapshot) {
		/* Not here (a milter callback may be waiting): the alert
		 * worker writes the snapshot outside the lock. */
		errno = S.save_errno ? S.save_errno : EIO;
		return -1;
	}
	if (journal_open() < 0)
		return -1;
	if (S.pend.len) {
		if (util_write_all(S.jfd, S.pend.data, S.pend.len) < 0) {
			int e = errno;
			/* Cut what was written of it: records after a torn
			 * one would never be read. */
			if (ftruncate(S.jfd, S.jlen) < 0) {
				close(S.jfd);
				S.jfd = -1;
				S.need_snapshot = 1;
			}
			errno = e;
			return -1;
		}
		S.jlen += (off_t)S.pend.len;
		S.stats.bytes_written += S.pend.len;
		S.stats.records += 1;
		/* A mass block's batch is megabytes: do not keep them. */
		if (S.pend.cap > 65536)
			buf_free(&S.pend);
		else
			buf_reset(&S.pend);
		S.unsynced = 1;
	}
	if (S.unsynced) {
		if (fdatasync(S.jfd) < 0)
			return -1;
		S.unsynced = 0;
		S.stats.syncs++;
	}
	return 0;
}

/* state_on_save - the save observer */
void state_on_save(state_save_fn fn, void *arg)
{
	pthread_mutex_lock(&S.lock);
	S.on_save = fn;
	S.on_save_arg = arg;
	pthread_mutex_unlock(&S.lock);
}

/* saved - journal_flush() between the observer's two calls */
static int saved(void)
{
	struct timespec t0, t1;
	int rc, e;

	if (S.on_save)
		S.on_save(S.on_save_arg, STATE_SAVE_BEGIN, S.store, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = journal_flush();
	e = rc < 0 ? errno : 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (S.on_save)
		S.on_save(S.on_save_arg, STATE_SAVE_END, S.store,
			  (double)(t1.tv_sec - t0.tv_sec) +
				  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
			  e);
	errno = e;
	return rc;
}

/* state_save_locked - make every change durable: append it to the journal
 * and fdatasync */
void state_save_locked(const struct config *cfg, time_t now)
{
	(void)cfg;
	if (!S.store)
		return;
	if (saved() < 0) {
		if (errno != S.save_errno)
			log_error("cannot save state to %s: %s (will retry)",
				  S.log, strerror(errno));
		S.save_errno = errno;
		S.dirty = 1;
		return;
	}
	if (S.save_errno)
		log_notice("state saved to %s again", S.log);
	S.save_errno = 0;
	S.dirty = 0;
	S.cursor_dirty = 0;
	S.saved_at = now;
}

/* compact_begin - take the snapshot for this thread to write once it
 * releases the lock (lock held) */
static void compact_begin(void)
{
	/* The next journal first: a directory that takes no file costs no
	 * snapshot. */
	if (!S.jnew && S.next_jfd < 0)
		S.next_jfd = journal_create(S.lognew);
	if (!S.jnew && S.next_jfd < 0) {
		S.need_snapshot = 1;
		return;
	}
	buf_reset(&S.snap);
	if (incident_snapshot(S.store, &S.snap) < 0) {
		buf_free(&S.snap);
		return;
	}
	/* Every change so far is in the snapshot; later ones go to the
	 * next journal, which the snapshot's rename makes the journal. */
	incident_changes_forget(S.store);
	buf_reset(&S.pend);
	if (!S.jnew) {
		if (S.jfd >= 0)
			close(S.jfd);
		S.jfd = S.next_jfd;
		S.next_jfd = -1;
		S.jnew = 1;
		S.jlen = (off_t)strlen(incident_journal_header());
		S.unsynced = 0;
	}
	S.need_snapshot = 0;
	S.compacting = 1;
	S.snap_ready = 1;
	S.compactor = pthread_self();
}

/* compact_finish - write the snapshot, make the new journal the journal,
 * prepare the next one (no lock: no milter thread waits on this) */
static void compact_finish(void)
{
	int rc, e, nfd = -1;

	rc = incident_write_file(S.file, S.snap.data, S.snap.len);
	if (rc == 0 &&
	    (rename(S.lognew, S.log) < 0 || incident_sync_dir(S.log) < 0))
		rc = -1;
	e = errno;
	if (rc == 0)
		nfd = journal_create(S.lognew);
	pthread_mutex_lock(&S.lock);
	if (rc == 0) {
		S.jnew = 0;
		S.compact_after = 0;
		S.snap_len = S.snap.len;
		S.stats.bytes_written += S.snap.len;
		S.stats.snapshots++;
		if (S.next_jfd >= 0)
			close(S.next_jfd);
		S.next_jfd = nfd;
		if (S.on_save)
			S.on_save(S.on_save_arg, STATE_SAVE_REWRITTEN, S.store,
				  0, 0);
	} else {
		/* Replaying the journals over the old snapshot still gives
		 * every change but those taken into the lost snapshot. */
		S.need_snapshot = 1;
		S.dirty = 1;
		if (e != S.save_errno)
			log_error("cannot save state to %s: %s (will retry)",
				  S.file, strerror(e));
		S.save_errno = e;
	}
	S.compacting = 0;
	buf_free(&S.snap);
	pthread_mutex_unlock(&S.lock);
}

/* state_save_due_locked - save what is due; compact when the journal
 * outgrew the snapshot */
void state_save_due_locked(const struct config *cfg, time_t now)
{
	size_t limit = S.snap_len > JOURNAL_MIN ? S.snap_len : JOURNAL_MIN;

	if (!S.store)
		return;
	if (S.dirty || S.unsynced ||
	    (S.cursor_dirty && now - S.saved_at >= STATE_CURSOR_SAVE_SECS))
		state_save_locked(cfg, now);
	if (!S.compacting && now >= S.compact_after &&
	    (S.need_snapshot || (size_t)S.jlen > limit)) {
		S.compact_after = now + COMPACT_RETRY; /* if this one fails */
		compact_begin();
	}
}

/* snapshot_now - compact with the lock held (start and stop only): the
 * snapshot, then a fresh journal; 0 or -1 */
static int snapshot_now(void)
{
	struct buf b;
	int rc;

	if (S.compacting) {
		errno = EBUSY;
		return -1;
	}
	buf_init(&b);
	rc = incident_snapshot(S.store, &b);
	if (rc == 0)
		rc = incident_write_file(S.file, b.data, b.len);
	if (rc == 0) {
		incident_changes_forget(S.store);
		buf_reset(&S.pend);
		S.need_snapshot = 0;
		S.snap_len = b.len;
		S.stats.bytes_written += b.len;
		S.stats.snapshots++;
		S.stats.snapshots_locked++;
		if (S.jfd >= 0)
			close(S.jfd);
		S.jfd = journal_create(S.log);
		S.jlen = (off_t)strlen(incident_journal_header());
		S.jnew = 0;
		S.unsynced = 0;
		unlink(S.lognew);
		if (S.next_jfd >= 0)
			close(S.next_jfd);
		S.next_jfd = -1;
		if (S.on_save)
			S.on_save(S.on_save_arg, STATE_SAVE_REWRITTEN, S.store,
				  0, 0);
	}
	buf_free(&b);
	return rc;
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

/* aside - a free name "<path>.corrupt.<time>[.n]" */
static void aside_name(const char *path, char *aside, size_t size)
{
	int n;

	/* A name not taken yet: never overwrite an earlier one. */
	for (n = 0; n < 1000; n++) {
		if (n)
			snprintf(aside, size, "%s.corrupt.%ld.%d", path,
				 (long)time(NULL), n);
		else
			snprintf(aside, size, "%s.corrupt.%ld", path,
				 (long)time(NULL));
		if (access(aside, F_OK) < 0)
			break;
	}
}

/* replay - apply one journal; a bad one is moved aside (lock held) */
static void replay(const char *path)
{
	struct incident_replay_result r;
	char aside[4300];

	if (incident_replay(S.store, path, &r) < 0) {
		aside_name(path, aside, sizeof(aside));
		if (rename(path, aside) == 0)
			log_warning("state journal %s unusable (%s); moved "
				    "aside to %s",
				    path, r.why ? r.why : strerror(errno),
				    aside);
		else
			log_warning("state journal %s unusable (%s)", path,
				    r.why ? r.why : strerror(errno));
		return;
	}
	if (r.records)
		log_info("replayed %zu record(s) of %s", r.records, path);
	if (r.dropped && r.torn) {
		log_warning("state journal %s: dropped a torn last record "
			    "(%zu bytes at offset %zu: %s); it was never "
			    "acknowledged",
			    path, r.dropped, r.dropped_at, r.why);
	} else if (r.dropped) {
		aside_name(path, aside, sizeof(aside));
		log_warning("state journal %s: %s at offset %zu; the %zu "
			    "byte(s) from there are dropped%s%s",
			    path, r.why, r.dropped_at, r.dropped,
			    link(path, aside) == 0 ? " and kept in " : "",
			    access(aside, F_OK) == 0 ? aside : "");
	}
}

/* load - read the state file and its journals; move a corrupt state file
 * aside (lock held) */
static void load(const struct config *cfg)
{
	char err[512], aside[4200];

	if (incident_load(S.store, cfg->state_file, err, sizeof(err)) < 0) {
		aside_name(cfg->state_file, aside, sizeof(aside));
		if (rename(cfg->state_file, aside) == 0)
			log_warning("state file unusable (%s); moved aside to "
				    "%s, starting empty",
				    err, aside);
		else
			log_warning("state file unusable (%s) and cannot be "
				    "moved aside: %s; starting empty",
				    err, strerror(errno));
	}
	/* Records carry whole states: replaying one the snapshot already
	 * has changes nothing, so the order of the crash does not matter. */
	replay(S.log);
	replay(S.lognew);
	if (incident_count(S.store))
		log_info("loaded %zu incident(s) from %s",
			 incident_count(S.store), cfg->state_file);
}

/* state_open - new store, clean up, load, compact */
int state_open(const struct config *cfg)
{
	struct incident_store *st = incident_store_new(cfg->max_incidents);

	if (!st) {
		log_error("out of memory");
		return -1;
	}
	S.jmode = *cfg->state_group ? 0640 : 0600;
	remove_temp_files(cfg);
	incident_journal_enable(st);
	pthread_mutex_lock(&S.lock);
	incident_store_free(S.store);
	S.store = st;
	S.dirty = S.cursor_dirty = 0;
	S.save_errno = 0;
	S.saved_at = 0;
	S.need_snapshot = 0;
	S.unsynced = 0;
	S.compact_after = 0;
	memset(&S.stats, 0, sizeof(S.stats));
	util_strcpy(S.file, sizeof(S.file), cfg->state_file);
	snprintf(S.log, sizeof(S.log), "%s.log", cfg->state_file);
	snprintf(S.lognew, sizeof(S.lognew), "%s.log.new", cfg->state_file);
	load(cfg);
	/* The replayed journals go into a new snapshot: the store starts
	 * with an empty journal. */
	if (snapshot_now() < 0) {
		log_error("cannot save state to %s: %s (will retry)",
			  cfg->state_file, strerror(errno));
		S.save_errno = errno;
		S.need_snapshot = 1;
		S.dirty = 1;
	} else {
		S.next_jfd = journal_create(S.lognew);
	}
	pthread_mutex_unlock(&S.lock);
	return 0;
}

/* state_close - final snapshot, no journal left; free */
void state_close(const struct config *cfg)
{
	pthread_mutex_lock(&S.lock);
	if (cfg && S.store && !S.compacting) {
		if (snapshot_now() == 0) {
			unlink(S.log);
			unlink(S.lognew);
			incident_sync_dir(S.file);
		} else {
			/* The journal still holds what changed. */
			state_save_locked(cfg, time(NULL));
		}
	}
	if (cfg && S.store)
		log_info("state: this run wrote %llu byte(s) to %s and its "
			 "journal: %lu journal append(s), %lu fdatasync(s), "
			 "%lu snapshot(s), %lu of them with the store locked "
			 "(start and stop)",
			 S.stats.bytes_written, S.file, S.stats.records,
			 S.stats.syncs, S.stats.snapshots,
			 S.stats.snapshots_locked);
	if (S.jfd >= 0)
		close(S.jfd);
	if (S.next_jfd >= 0)
		close(S.next_jfd);
	S.jfd = S.next_jfd = -1;
	buf_free(&S.pend);
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
