/*
 * logsource.c - the mail logs followed: files and journals, one thread
 * and one cursor each (see logsource.h)
 *
 * L.lock guards the list of sources; L.reload serialises a reload with
 * the cursor poll (state_poll_cursor() -> poll()), so that the cursor of
 * a source just removed is not saved again behind the reload's back.
 * Lock order: L.reload, then L.lock, then the state lock is never taken
 * while holding L.lock (poll() copies the cursors and sets them after).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "event.h"
#include "evidence.h"
#include "follow.h"
#include "journal.h"
#include "log.h"
#include "logsource.h"
#include "maillog.h"
#include "state.h"

#define AT_MAX INCIDENT_CURSOR_MAX

struct source {
	char *spec;		/* the maillog entry */
	int journal;		/* 1: a journal, 0: a file */
	int fresh;		/* added by a reload: at its end, whatever */
	struct follow *follow;	/* a file's follower */
	struct maillog_rec rec; /* its catch-up lines' stamps */
	unsigned long old;	/* catch-up lines too old, not said yet */
	/* A journal's thread and what only it touches. */
	pthread_t thread;
	int running;
	atomic_int stop;
	struct journal *j;
	unsigned long skipped;
	double behind_max;	   /* a catch-up's worst lag, seconds */
	unsigned long behind_read; /* entries read during it */
	/* The journal's first try (logsource_start() waits for it). */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int tried;
	atomic_llong moved; /* a file's last line read (time_t) */
	struct source *next;
};

static struct {
	pthread_mutex_t lock, reload;
	struct source *list;
	logsource_lag_fn on_lag;
	void *on_lag_arg;
} L = {.lock = PTHREAD_MUTEX_INITIALIZER, .reload = PTHREAD_MUTEX_INITIALIZER};

/* logsource_on_lag - the lag observer */
void logsource_on_lag(logsource_lag_fn fn, void *arg)
{
	pthread_mutex_lock(&L.lock);
	L.on_lag = fn;
	L.on_lag_arg = arg;
	pthread_mutex_unlock(&L.lock);
}

/* tell_lag - a file's size past its cursor c to the observer (L.lock
 * held; a file replaced since counts whole) */
static void tell_lag(struct source *s, const struct incident_cursor *c)
{
	unsigned long long behind = 0;
	time_t now = time(NULL);
	struct stat st;

	if (!L.on_lag || stat(s->spec, &st) < 0)
		return;
	if ((unsigned long long)st.st_ino != c->ino)
		behind = (unsigned long long)st.st_size;
	else if ((unsigned long long)st.st_size > c->offset)
		behind = (unsigned long long)st.st_size - c->offset;
	if (!behind || !atomic_load(&s->moved))
		atomic_store(&s->moved, (long long)now);
	L.on_lag(L.on_lag_arg, s->spec, behind,
		 behind ? (double)(now - (time_t)atomic_load(&s->moved)) : 0);
}

/* journal_told - a journal's lag after a read of n entries to the
 * observer (none when it is not known), and the end of a catch-up said
 * in one line: how many entries, how far behind at worst */
static void journal_told(struct source *s, int n)
{
	uint64_t usec;
	double secs;

	if (journal_lag(s->j, &usec) < 0)
		return;
	secs = (double)usec / 1e6;
	if (secs > 0 || s->behind_max > 0)
		s->behind_read += (unsigned long)n;
	if (secs > s->behind_max)
		s->behind_max = secs;
	if (secs <= 0 && s->behind_max > 0) {
		if (s->behind_max >= LOGSOURCE_BEHIND_SAY)
			log_info(
				"%s: caught up: %lu entries read, up to %.0f s "
				"behind the newest entry",
				s->spec, s->behind_read, s->behind_max);
		s->behind_max = 0;
		s->behind_read = 0;
	}
	pthread_mutex_lock(&L.lock);
	if (L.on_lag)
		L.on_lag(L.on_lag_arg, s->spec, LOGSOURCE_NO_BYTES, secs);
	pthread_mutex_unlock(&L.lock);
}

/* file_at - a file cursor in its saved form */
static void file_at(const struct incident_cursor *c, char *at, size_t size)
{
	snprintf(at, size, "file:%llu:%llu:%llu:%llu:%llu", c->dev, c->ino,
		 c->offset, c->src, c->sum);
}

/* file_parse - the saved form back (src and sum may be missing: a state
 * file of an older version); 0, or -1 when at is not a file's */
static int file_parse(const char *at, struct incident_cursor *c)
{
	int end = 0, n;

	memset(c, 0, sizeof(*c));
	if (at[0] == '\0' || strncmp(at, "file:", 5) || at[5] < '0' ||
	    at[5] > '9')
		return -1;
	n = sscanf(at, "file:%llu:%llu:%llu%n:%llu:%llu%n", &c->dev, &c->ino,
		   &c->offset, &end, &c->src, &c->sum, &end);
	if ((n != 3 && n != 5) || at[end] != '\0') {
		memset(c, 0, sizeof(*c));
		return -1;
	}
	c->valid = 1;
	return 0;
}

/* refused - a saved cursor that cannot be used: said, then the end */
static void refused(const struct source *s, const char *why)
{
	char reason[512];

	snprintf(reason, sizeof(reason),
		 "saved cursor refused (%s): following from its end, lines "
		 "written while the daemon was stopped are not read",
		 why);
	event_warning("maillog", s->spec, reason, NULL);
}

/* first_save - a first start's position, saved at once */
static void first_save(const struct source *s, const char *at)
{
	struct config *cfg = config_acquire();

	if (cfg)
		state_cursor_first(cfg, s->spec, at);
	config_release(cfg);
}

/* old_said - say how many catch-up lines were too old to count */
static void old_said(struct source *s)
{
	struct buf b;

	if (!s->old)
		return;
	buf_init(&b);
	event_kv(&b, "event", "old-finding");
	event_kv(&b, "path", s->spec);
	event_kv_num(&b, "lines", s->old);
	event_kv(&b, "reason",
		 "read again from the start of a rotated or rewritten log, "
		 "older than an hour: not taken as current");
	if (!b.err)
		log_notice("%s", buf_str(&b));
	buf_free(&b);
	s->old = 0;
}

/* file_line - a file follower's callback: the line (unless it is an old
 * one read again), then the position */
static void file_line(void *arg, const struct follow_line *l)
{
	struct source *s = arg;
	time_t now = time(NULL), nb = follow_not_before(l, now);
	char at[AT_MAX];

	if (nb && maillog_parse(l->text, l->len, now, &s->rec) == 1 &&
	    s->rec.when && s->rec.when < nb) {
		s->old++;
	} else {
		old_said(s); /* at the first line taken after them */
		evidence_log_line(l->text, l->len);
	}
	file_at(l->after, at, sizeof(at));
	state_cursor_set(s->spec, at);
	atomic_store(&s->moved, (long long)now);
}

/* start_file - follow a file from its saved cursor or its end */
static int start_file(struct source *s)
{
	struct incident_cursor cur = {0};
	char at[AT_MAX], err[256];

	if (!s->fresh && state_cursor_get(s->spec, at, sizeof(at)) == 0 &&
	    file_parse(at, &cur) < 0)
		refused(s, "not the cursor of a file");
	s->follow = follow_new(s->spec, &cur, file_line, s, err, sizeof(err));
	if (!s->follow || follow_run(s->follow, err, sizeof(err)) < 0) {
		log_error("cannot follow %s: %s", s->spec, err);
		return -1;
	}
	if (follow_origin(s->follow) == FOLLOW_RESUMED) {
		log_info("following %s from its saved cursor", s->spec);
		return 0;
	}
	/* A first start, or the saved content is gone (read from offset
	 * 0): the position is saved at once. */
	follow_cursor(s->follow, &cur);
	if (cur.valid) {
		file_at(&cur, at, sizeof(at));
		first_save(s, at);
	}
	log_info("following %s from %s", s->spec,
		 follow_origin(s->follow) == FOLLOW_NEW
			 ? "its end (first start)"
			 : "its start (its content at the cursor changed)");
	return 0;
}

/* journal_line - a journal entry: the line, then its cursor */
static void journal_line(void *arg, const char *line, size_t len, int cut)
{
	struct source *s = arg;
	char at[AT_MAX];

	(void)cut; /* the line's first JOURNAL_MESSAGE_MAX bytes: enough */
	evidence_log_line(line, len);
	memcpy(at, "journal:", 8);
	if (journal_cursor(s->j, at + 8) == 0)
		state_cursor_set(s->spec, at);
}

/* open_journal - open s from its saved cursor or its end; 0, or -1 with
 * the reason in err (JOURNAL_ERR_MAX) */
static int open_journal(struct source *s, char *err)
{
	char at[AT_MAX], why[JOURNAL_ERR_MAX];
	const char *cursor = NULL;

	if (!s->fresh && state_cursor_get(s->spec, at, sizeof(at)) == 0) {
		if (!strncmp(at, "journal:", 8) && at[8])
			cursor = at + 8;
		else
			refused(s, "not the cursor of a journal");
	}
	s->j = journal_open(s->spec, cursor, err);
	if (!s->j && cursor) {
		snprintf(why, sizeof(why), "%s", err);
		s->j = journal_open(s->spec, NULL, err);
		if (s->j)
			refused(s, why);
		cursor = NULL;
	}
	if (!s->j)
		return -1;
	s->fresh = 0;
	if (cursor) {
		log_info("following %s from its saved cursor", s->spec);
		return 0;
	}
	memcpy(at, "journal:", 8);
	if (journal_cursor(s->j, at + 8) == 0)
		first_save(s, at);
	log_info("following %s from its end (first start)", s->spec);
	return 0;
}

/* tried - the journal's first try is over: wake logsource_start() */
static void tried(struct source *s)
{
	pthread_mutex_lock(&s->mu);
	s->tried = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* journal_thread - open (retrying), read, wait, until told to stop */
static void *journal_thread(void *arg)
{
	struct source *s = arg;
	char err[JOURNAL_ERR_MAX], said[JOURNAL_ERR_MAX] = "";
	char unread[JOURNAL_ERR_MAX] = "";
	unsigned long skipped_said = 0;
	time_t retry = 0, looked = 0, told = 0;
	int n, w, bad;

	/* named: an admin (and a test) can tell it in top -H or /proc */
	pthread_setname_np(pthread_self(), "journal");
	while (!atomic_load(&s->stop)) {
		if (!s->j && time(NULL) < retry) {
			struct timespec ts = {0, 250 * 1000000L};

			nanosleep(&ts, NULL);
			continue;
		}
		if (!s->j && open_journal(s, err) < 0) {
			/* Once per distinct reason, then quietly again. */
			if (strcmp(err, said))
				event_warning("maillog", s->spec, err,
					      "see the sources section of "
					      "milter-delist(8); retried "
					      "every 5 s");
			snprintf(said, sizeof(said), "%s", err);
			retry = time(NULL) + LOGSOURCE_RETRY_SECS;
			tried(s);
			continue;
		}
		if (*said) {
			log_notice("%s can be read again", s->spec);
			*said = '\0';
		}
		tried(s);
		n = journal_next(s->j, journal_line, s, LOGSOURCE_BATCH,
				 &s->skipped, err);
		/* After each batch, and once a second while idle (then 0
		 * at no cost: the read reached the end). */
		if (n > 0 || (n == 0 && time(NULL) != told)) {
			told = time(NULL);
			journal_told(s, n);
		}
		if (s->skipped != skipped_said) {
			log_warning("%s: %lu damaged entr(y/ies) skipped",
				    s->spec, s->skipped - skipped_said);
			skipped_said = s->skipped;
		}
		w = n == 0 ? journal_wait(s->j, 250) : 0;
		/* A file added that we may not read is skipped by libsystemd
		 * without a word: look for one every few seconds. */
		if (time(NULL) - looked >= LOGSOURCE_RETRY_SECS) {
			looked = time(NULL);
			bad = journal_unreadable(s->spec, err);
			if (bad && strcmp(err, unread))
				event_warning("maillog", s->spec, err,
					      "let this user read it (its "
					      "group, or an ACL on the "
					      "directory)");
			snprintf(unread, sizeof(unread), "%s", bad ? err : "");
		}
		if (n < 0 || (n == 0 && w < 0)) {
			if (n == 0)
				snprintf(err, sizeof(err),
					 "cannot wait for the journal: %s",
					 strerror(errno));
			event_warning("maillog", s->spec, err,
				      "reopened from its cursor");
			journal_close(s->j);
			s->j = NULL;
			retry = time(NULL) + LOGSOURCE_RETRY_SECS;
		}
	}
	journal_close(s->j);
	s->j = NULL;
	tried(s);
	return NULL;
}

/* start_journal - the journal's thread; waits for its first try */
static int start_journal(struct source *s)
{
	struct timespec until;

	if (pthread_create(&s->thread, NULL, journal_thread, s) != 0) {
		log_error("cannot follow %s: no thread", s->spec);
		return -1;
	}
	s->running = 1;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&s->mu);
	while (!s->tried &&
	       pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* source_halt - stop s's thread (joined) */
static void source_halt(struct source *s)
{
	if (s->follow)
		follow_stop(s->follow);
	s->follow = NULL;
	old_said(s);
	if (s->running) {
		atomic_store(&s->stop, 1);
		pthread_join(s->thread, NULL);
	}
	s->running = 0;
}

/* source_free - stop s and free it */
static void source_free(struct source *s)
{
	source_halt(s);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->spec);
	free(s);
}

/* source_start - a started source for spec, or NULL (logged) */
static struct source *source_start(const char *spec, int fresh)
{
	char err[JOURNAL_ERR_MAX];
	struct source *s;
	int kind = journal_check_spec(spec, err);

	if (kind < 0) {
		event_warning("maillog", spec, err, NULL);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->spec = strdup(spec))) {
		free(s);
		log_error("cannot follow %s: out of memory", spec);
		return NULL;
	}
	s->journal = kind;
	s->fresh = fresh;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (fresh)
		state_cursor_set(spec, NULL);
	if ((kind ? start_journal(s) : start_file(s)) < 0) {
		source_free(s);
		return NULL;
	}
	return s;
}

/* find - the source of spec in L.list, or NULL (L.lock held) */
static struct source *find(const char *spec)
{
	struct source *s;

	for (s = L.list; s; s = s->next)
		if (!strcmp(s->spec, spec))
			break;
	return s;
}

/* add - start spec and append it to the list (not with L.lock) */
static void add(const char *spec, int fresh)
{
	struct source *s, **pp;

	pthread_mutex_lock(&L.lock);
	s = find(spec);
	pthread_mutex_unlock(&L.lock);
	if (s) {
		log_warning("maillog %s is listed twice: followed once", spec);
		return;
	}
	if (!(s = source_start(spec, fresh)))
		return;
	pthread_mutex_lock(&L.lock);
	for (pp = &L.list; *pp; pp = &(*pp)->next)
		;
	*pp = s;
	pthread_mutex_unlock(&L.lock);
}

/* poll - state_poll_cursor(): the files' positions (a switch to a new
 * file moves the cursor without a line) */
static void poll(void)
{
	struct incident_cursor c;
	struct source *s;
	char(*at)[AT_MAX] = NULL;
	char **spec = NULL;
	size_t n = 0, i, max = 0;

	pthread_mutex_lock(&L.reload);
	pthread_mutex_lock(&L.lock);
	for (s = L.list; s; s = s->next)
		max += s->follow != NULL;
	if (max && (at = calloc(max, sizeof(*at))) != NULL &&
	    (spec = calloc(max, sizeof(*spec))) != NULL)
		for (s = L.list; s && n < max; s = s->next) {
			if (!s->follow)
				continue;
			follow_cursor(s->follow, &c);
			if (c.valid)
				tell_lag(s, &c);
			if (!c.valid || !(spec[n] = strdup(s->spec)))
				continue;
			file_at(&c, at[n++], AT_MAX);
		}
	pthread_mutex_unlock(&L.lock);
	for (i = 0; i < n; i++) {
		state_cursor_set(spec[i], at[i]);
		free(spec[i]);
	}
	pthread_mutex_unlock(&L.reload);
	free(spec);
	free(at);
}

/* logsource_start - every configured source */
void logsource_start(const struct config *cfg)
{
	char at[AT_MAX], old[AT_MAX];
	size_t i, gone;

	pthread_mutex_lock(&L.reload);
	/* A state file of a version that followed one log: its cursor is
	 * the first configured file's. */
	if (state_cursor_get("", at, sizeof(at)) == 0)
		for (i = 0; i < cfg->n_maillogs; i++)
			if (!journal_check_spec(cfg->maillogs[i], NULL)) {
				if (state_cursor_get(cfg->maillogs[i], old,
						     sizeof(old)) < 0)
					state_cursor_set(cfg->maillogs[i], at);
				break;
			}
	gone = state_cursor_retain((const char *const *)cfg->maillogs,
				   cfg->n_maillogs);
	if (gone)
		log_info("forgot the cursor(s) of %zu log source(s) no longer "
			 "configured",
			 gone);
	for (i = 0; i < cfg->n_maillogs; i++)
		add(cfg->maillogs[i], 0);
	/* Not silent: without a log only the bounces the milter is shown
	 * are evidence (no deferral such as 4.7.650, nothing of Sendmail,
	 * no "cleared"), and a stock Debian 12 logs to the journal only. */
	if (cfg->n_maillogs == 0)
		event_warning("maillog", "-",
			      "no log source: only the bounces the MTA passes "
			      "through the milter are seen (no deferrals, no "
			      "Sendmail refusals, no clearing)",
			      "set maillog to journal (Debian 12 without rsyslog) "
			      "or the MTA's log file");
	state_cursor_source(poll);
	pthread_mutex_unlock(&L.reload);
}

/* logsource_stop - stop them all */
void logsource_stop(void)
{
	struct source *s, *next;

	state_cursor_source(NULL);
	pthread_mutex_lock(&L.reload);
	pthread_mutex_lock(&L.lock);
	s = L.list;
	L.list = NULL;
	pthread_mutex_unlock(&L.lock);
	for (; s; s = next) {
		next = s->next;
		source_free(s);
	}
	pthread_mutex_unlock(&L.reload);
}

/* listed - is spec among cfg's maillogs? */
static int listed(const struct config *cfg, const char *spec)
{
	size_t i;

	for (i = 0; i < cfg->n_maillogs; i++)
		if (!strcmp(cfg->maillogs[i], spec))
			return 1;
	return 0;
}

/* logsource_reload - stop the removed, start the added */
void logsource_reload(const struct config *cfg)
{
	struct source **pp, *s;
	size_t i;

	pthread_mutex_lock(&L.reload);
	pthread_mutex_lock(&L.lock);
	for (pp = &L.list; (s = *pp) != NULL;) {
		if (listed(cfg, s->spec)) {
			pp = &s->next;
			continue;
		}
		*pp = s->next;
		pthread_mutex_unlock(&L.lock);
		source_halt(s);
		state_cursor_set(s->spec, NULL);
		pthread_mutex_lock(&L.lock);
		if (L.on_lag)
			L.on_lag(L.on_lag_arg, s->spec, 0, LOGSOURCE_GONE);
		pthread_mutex_unlock(&L.lock);
		log_info("stopped following %s (no longer configured)",
			 s->spec);
		source_free(s);
		pthread_mutex_lock(&L.lock);
	}
	pthread_mutex_unlock(&L.lock);
	for (i = 0; i < cfg->n_maillogs; i++) {
		pthread_mutex_lock(&L.lock);
		s = find(cfg->maillogs[i]);
		pthread_mutex_unlock(&L.lock);
		if (!s)
			add(cfg->maillogs[i], 1);
	}
	pthread_mutex_unlock(&L.reload);
}
