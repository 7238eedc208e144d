/*
 * incident.h - incidents per (outbound IP, provider), their life cycle and
 * their persistence
 *
 * One incident gathers every finding about one IP at one provider: first
 * and last seen, counts, codes, a few distinct sample errors, recipient
 * domains and queue ids.  Its state moves open -> alerted -> reminded ->
 * cleared.  What mail is owed (the first alert, a reminder, the cleared
 * notice) is derived from the state and the clock, so a pending alert
 * survives a restart without a separate queue: incident_due() says what is
 * owed, the sender does it and calls incident_mark().
 *
 * Not thread-safe: the daemon serialises access with its own lock.
 * No libmilter; the only I/O is incident_save()/incident_load().
 */
#ifndef MILTER_DELIST_INCIDENT_H
#define MILTER_DELIST_INCIDENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "finding.h"
#include "verdict.h"

#define INCIDENT_MAX_CODES   8
#define INCIDENT_MAX_DOMAINS 8
#define INCIDENT_MAX_QIDS    8
#define INCIDENT_MAX_SAMPLES 3
#define INCIDENT_SAMPLE_MAX  2048 /* bytes kept of one sample error */

/* Outcomes per recipient domain (struct incident's domain_outcomes). */
#define INCIDENT_OUTCOME_REFUSED  0x1 /* a permanent refusal (5xx) */
#define INCIDENT_OUTCOME_DEFERRED 0x2 /* a temporary one (4xx) */
#define INCIDENT_OUTCOME_ACCEPTED 0x4 /* accepted again (status=sent) */

enum incident_state {
	INCIDENT_OPEN = 0, /* seen, first alert not yet sent */
	INCIDENT_ALERTED,
	INCIDENT_REMINDED,
	INCIDENT_CLEARED
};

/* What mail an incident is owed now. */
enum incident_due {
	INCIDENT_DUE_NONE = 0,
	INCIDENT_DUE_ALERT,
	INCIDENT_DUE_REMINDER,
	INCIDENT_DUE_CLEARED
};

struct incident {
	uint64_t id;
	char ip[VERDICT_IP_MAX];
	enum verdict_provider provider;
	enum verdict_kind
		kind; /* most severe kind seen: ban > block > ratelimit */
	enum verdict_remedy remedy; /* remedy of that kind */
	int ip_inferred;	    /* the IP came from outbound_ips */
	/* state, attempts, next_attempt, sending and sending_due are
	 * written only by incident*.c (read them, change them through
	 * incident_due, _mark, _failed, _record, _sending_begin, _sending_end
	 * and _settle). */
	enum incident_state state;
	unsigned sources; /* bit (1 << enum finding_source) */

	time_t first_seen, last_seen;
	time_t alerted_at; /* 0 = never */
	time_t reminded_at;
	time_t cleared_at;	 /* when the cleared notice was owed */
	time_t cleared_notified; /* 0 = notice not yet sent */
	time_t sent_since;	 /* first status=sent after last_seen; 0 */

	unsigned long count;	/* findings */
	unsigned long bounced;	/* of which permanent (5xx / failed) */
	unsigned long deferred; /* of which temporary */

	/* Codes, domains and sample codes are shared strings (intern.h):
	 * read them as strings (the first n_* are set, never NULL), change
	 * them only through this module.  A code is shorter than
	 * VERDICT_CODE_MAX, a domain than FINDING_DOMAIN_MAX. */
	unsigned char n_codes, n_domains, n_qids, n_samples;
	const char *codes[INCIDENT_MAX_CODES];
	const char *domains[INCIDENT_MAX_DOMAINS];
	/* What mail to domains[i] met, an OR of INCIDENT_OUTCOME_*; 0 = not
	 * recorded (the request then claims nothing about that domain). */
	unsigned char domain_outcomes[INCIDENT_MAX_DOMAINS];
	/* The queue ids, oldest first (the most recent INCIDENT_MAX_QIDS,
	 * each shorter than FINDING_QID_MAX): n_qids NUL-terminated ids back
	 * to back in one owned allocation (NULL when none).  Read them with
	 * incident_qid(), change them through this module. */
	char *qids;
	/* Where to probe (issue 15): the MX that refused last (an address
	 * from relay= or Remote-MTA, else its host name) and one recipient
	 * of the incident (the latest); "" when unknown.  Shared strings
	 * like the codes (never NULL in the store's incidents; shorter than
	 * FINDING_DOMAIN_MAX): read them, change them through this module. */
	const char *relay;
	const char *rcpt;

	char *samples[INCIDENT_MAX_SAMPLES]; /* distinct reply texts, owned */
	/* v.code of the finding each sample came from: one sample per code,
	 * the longest text seen for it (Sendmail logs cut replies). */
	const char *sample_codes[INCIDENT_MAX_SAMPLES];

	/* Failed mail attempts for this incident's owed mail (back-off). */
	unsigned attempts;
	time_t next_attempt; /* 0 = as soon as due */

	/* A mail handed to sendmail and not yet known to be sent: saved
	 * before sendmail runs, so a restart after a crash in between knows
	 * the mail (enum incident_due sending_due) was most likely sent. */
	time_t sending; /* 0 = none */
	unsigned sending_due;

	/* Private to incident.c (index bookkeeping); never touch.  A shallow
	 * copy (a snapshot taken under the lock) is safe to pass to
	 * incident_due(): the store checks identity.  Its samples and
	 * qids still belong to the store. */
	struct incident_store *store;
	struct incident *hnext;
	size_t heap_idx, slot;
	size_t chg_slot; /* 1 + index in the store's change list; 0 none */
};

/* Where the log follower is in its file; saved with the incidents.  src
 * and sum are 0 in a cursor saved by an older version (not checked). */
struct incident_cursor {
	unsigned long long dev, ino;
	unsigned long long offset;
	unsigned long long src; /* hash of the followed path (follow.c) */
	unsigned long long sum; /* hash of the bytes just before offset */
	int valid;
};

struct incident_store;

/* incident_store_new - empty store holding at most max incidents (0: 10000);
 * NULL on allocation failure */
struct incident_store *incident_store_new(size_t max);
void incident_store_free(struct incident_store *s);

/*
 * incident_note - add one finding (f->v alerts, f->v.ip set)
 *
 * Creates the incident or updates it: counts (bounced when the reply code
 * is 5xx or the status 5.x.x, else deferred), codes, domains (lower case),
 * queue ids (the most recent kept) and samples (one per code: the longest
 * text seen, whitespace-normalised by util_clean(), at most
 * INCIDENT_SAMPLE_MAX - 1 bytes), kind (the most severe: ban > block >
 * ratelimit, with its remedy), sources, first/last seen, and stops a
 * running clear clock (a finding at or after sent_since).
 * The caller sets f->when (to now when the source has no time; 0 falls
 * back to time(NULL)).
 * A finding for a cleared incident reopens it as a new incident with a new
 * id (a new alert is owed); the cleared one stays until evicted.  Only a
 * finding stamped before the success that cleared it (a late DSN) is
 * folded into the cleared incident instead.
 * At the cap, the oldest cleared incident (by last_seen) goes first, then
 * the oldest by last_seen.
 * Returns the incident (owned by the store; the pointer is valid until the
 * next incident_note() or incident_load()) and sets *is_new (may be NULL)
 * when it was created or reopened; NULL with errno ENOMEM on allocation
 * failure, EINVAL for a finding that is not an alerting verdict with an IP
 * (f->sent findings go to incident_sent()).
 */
struct incident *incident_note(struct incident_store *s,
			       const struct finding *f, int *is_new);

/*
 * incident_sent - a message to provider was accepted from ip at when
 * (ip "" means "from any of our IPs": every incident of that provider).
 * Starts the clear_after clock (sets sent_since = when) of each matching
 * incident that is not cleared, whose clock is not running yet and whose
 * last_seen <= when.  domain (NULL: not known) is the recipient domain the
 * message went to: when it is one of the incident's and when >= last_seen,
 * its outcome gains INCIDENT_OUTCOME_ACCEPTED (the request lists, per
 * domain, what mail to it met).
 */
void incident_sent(struct incident_store *s, const char *ip,
		   enum verdict_provider provider, time_t when,
		   const char *domain);

/*
 * incident_due - what mail is owed by inc at now, given the configured
 * reminder and clear_after intervals (seconds; reminder 0 disables it).
 *
 * First, an incident that is not cleared and whose clear clock has run
 * clear_after (now - sent_since >= clear_after) moves to CLEARED with
 * cleared_at = now (and its back-off is reset).  Then:
 *   OPEN                                          -> DUE_ALERT
 *   ALERTED,  reminder && now - alerted_at  >= reminder -> DUE_REMINDER
 *   REMINDED, reminder && now - reminded_at >= reminder -> DUE_REMINDER
 *             (one reminder per interval for as long as it stays blocked)
 *   CLEARED,  alerted_at && !cleared_notified     -> DUE_CLEARED
 * An incident that clears before its first alert went out owes nothing:
 * the admin was never told, so no "cleared" notice either (syslog still
 * has its event lines).  While a back-off runs (now < next_attempt) the
 * answer is DUE_NONE, but the move to CLEARED still happens.
 */
enum incident_due incident_due(struct incident *inc, time_t now,
			       time_t reminder, time_t clear_after);

/* incident_mark - the owed mail of kind due was sent at now: ALERT sets
 * alerted_at and state ALERTED, REMINDER reminded_at and REMINDED (a
 * cleared incident stays CLEARED), CLEARED sets cleared_notified; the
 * back-off (attempts, next_attempt) is reset */
void incident_mark(struct incident *inc, enum incident_due due, time_t now);

/* incident_failed - sending failed at now: attempts++, next_attempt =
 * now + retry * 2^(attempts - 1), at most one hour (or retry if larger) */
void incident_failed(struct incident *inc, time_t now, time_t retry);

/*
 * incident_record - incident_note() plus the reopen rule: *changed is set
 * when the finding opened the incident or changed its kind (an event is
 * due); a rate limit that became a block or ban reopens an incident that
 * was alerted (a new alert is owed: state OPEN, back-off reset).  NULL on
 * out of memory.
 */
struct incident *incident_record(struct incident_store *s,
				 const struct finding *f, int *is_new,
				 int *changed);

/* incident_sending_begin - mark the owed mail due as handed to sendmail at
 * now (saved before sendmail runs: see incident_settle()) */
void incident_sending_begin(struct incident *inc, enum incident_due due,
			    time_t now);

/* incident_sending_end - clear the sending marks (sendmail returned) */
void incident_sending_end(struct incident *inc);

/* incident_settle - the previous run stopped while inc's mail was being
 * sent: when started (sendmail had been run), it counts as sent at the
 * time the send began.  The marks are cleared.  Returns the kind of mail
 * that was being sent, DUE_NONE when inc was not sending. */
enum incident_due incident_settle(struct incident *inc, int started);

/* incident_touch - inc (the store's own, not a copy) changed outside the
 * functions above: its record goes into the next journal batch
 * (incident_changes()).  Every function of this header that changes an
 * incident calls it; a module that changes a field itself must too. */
void incident_touch(struct incident *inc);

/* Iteration in id order; n = incident_count(s). */
size_t incident_count(const struct incident_store *s);
struct incident *incident_at(struct incident_store *s, size_t i);
struct incident *incident_find(struct incident_store *s, const char *ip,
			       enum verdict_provider provider);

/* incident_by_id - the incident with that id, or NULL (evicted): pointers
 * do not survive a later incident_note(), ids do.  O(log n). */
struct incident *incident_by_id(struct incident_store *s, uint64_t id);

/* incident_qid - the i-th queue id of inc (0 the oldest), or NULL when
 * i >= inc->n_qids; valid until inc changes */
const char *incident_qid(const struct incident *inc, size_t i);

/* incident_add_qid - remember queue id q[len] (no NUL inside, len <
 * FINDING_QID_MAX, else EINVAL) as inc's newest, as a finding does: a
 * known or empty one changes nothing, the oldest goes at
 * INCIDENT_MAX_QIDS.  0, or -1 with errno (ENOMEM: inc unchanged). */
int incident_add_qid(struct incident *inc, const char *q, size_t len);

/* incident_longest_sample - the longest sample text of inc, or NULL */
const char *incident_longest_sample(const struct incident *inc);

/*
 * The log sources' cursors, saved and loaded with the store: one text per
 * source (a maillog entry: a path, "journal", "journal:DIR"), in the
 * source's own form (logsource.c), opaque here.  The source "" is the
 * cursor of a state file written when one log was followed.
 */
#define INCIDENT_CURSORS_MAX 256  /* sources with a saved cursor */
#define INCIDENT_CURSOR_MAX  1024 /* bytes of a source name or cursor */

/* incident_set_cursor - the cursor of source is at (copied); at NULL
 * forgets it.  0, or -1: too long, too many sources, out of memory. */
int incident_set_cursor(struct incident_store *s, const char *source,
			const char *at);

/* incident_get_cursor - the cursor of source, or NULL; valid until the
 * next incident_set_cursor() or load */
const char *incident_get_cursor(const struct incident_store *s,
				const char *source);

/* incident_cursor_source - the source of the i-th saved cursor, or NULL
 * past the last (for listing them) */
const char *incident_cursor_source(const struct incident_store *s, size_t i);

/*
 * The journal (incident_journal.c): records of what changed, appended to
 * "<state_file>.log" beside the state file (state.c owns the files).
 */

/* incident_journal_enable - from now on note what changes in s (for
 * incident_changes()); a store without a journal (--scan) notes nothing */
void incident_journal_enable(struct incident_store *s);

/* incident_changes - append to b one record per change since the last
 * call: "gone" for each evicted incident, the whole line of each changed
 * incident (id order), the cursor and next-id when they moved; each record
 * a line ending in " check=X".  The change marks are cleared.  Returns the
 * number of records (b->err set on out of memory: the marks are gone,
 * write a snapshot). */
size_t incident_changes(struct incident_store *s, struct buf *b);

/* incident_changes_lost - 1 when a change could not be noted (out of
 * memory): only a snapshot saves everything */
int incident_changes_lost(const struct incident_store *s);

/* incident_changes_forget - clear the change marks (a snapshot of the
 * whole store was just taken) */
void incident_changes_forget(struct incident_store *s);

/* incident_journal_header - the journal's first line, newline included */
const char *incident_journal_header(void);

struct incident_replay_result {
	size_t records;	   /* applied */
	size_t skipped;	   /* stale or unknown records with a good sum */
	size_t dropped;	   /* bytes not applied after a bad record */
	size_t dropped_at; /* offset of the first one */
	int torn;	   /* the bad record is a cut last line */
	const char *why;   /* what was wrong, NULL when nothing */
};

/* incident_replay - apply the journal at path over the store (loaded from
 * the state file first).  0 when the journal was read (or does not
 * exist): r says how many records applied and what was dropped from the
 * first bad record on (a cut last record: r->torn); -1 with errno when it
 * is unreadable or not a journal (r->why). */
int incident_replay(struct incident_store *s, const char *path,
		    struct incident_replay_result *r);

/* incident_replay_text - the same on data[len] (modified; data[len] is
 * NUL) */
int incident_replay_text(struct incident_store *s, char *data, size_t len,
			 struct incident_replay_result *r);

/* incident_snapshot - the whole store as a state file (the format below)
 * appended to b; 0, or -1 with errno ENOMEM */
int incident_snapshot(const struct incident_store *s, struct buf *b);

/* incident_write_file - data[len] to path through "<path>.tmp.<pid>"
 * (mode 0600, O_EXCL|O_NOFOLLOW), fsync, rename, fsync of the directory;
 * 0, or -1 with errno (the temp file is removed) */
int incident_write_file(const char *path, const char *data, size_t len);

/* incident_sync_dir - fsync the directory holding path; 0 or -1 */
int incident_sync_dir(const char *path);

/*
 * incident_save - write the store to path: temp file "<path>.tmp.<pid>" in
 * the same directory (mode 0600, O_EXCL|O_NOFOLLOW), fsync, rename, fsync
 * of the directory.  0, or -1 with errno (the temp file is removed).
 *
 * The format (incident_io.c): a version line, the store line, a cursor
 * line per log source, one line per incident in id order, and an end line
 * with the number of incidents.  Values are percent-encoded (every byte
 * outside printable ASCII, and % = ,); code, domain, qid and sample
 * repeat; a sample is "code,text".
 *
 *   milter-delist-state 2
 *   store next-id=3 count=1
 *   cursor source=/var/log/mail.log at=file:2049:131:80211:1234:5678
 *   cursor source=journal%3A/srv/journal at=journal:s%3D6a...;i%3D1f3;...
 *   incident id=2 ip=203.0.113.5 provider=microsoft-consumer kind=block
 *     remedy=sender-support-form state=alerted inferred=0 sources=2
 *     first=1700000000 last=1700000300 alerted=1700000060 reminded=0
 *     cleared=0 notified=0 sent-since=0 count=2 bounced=2 deferred=0
 *     attempts=0 next-attempt=0 code=S3150 domain=hotmail.com qid=4Xyz1
 *     sample=S3150,550%205.7.1%20Unfortunately%2C%20messages...
 *   end 1
 * (an incident is one line; it is folded here.)  Version 2 has the same
 * lines as version 1 (still read) and comes with the journal.
 */
int incident_save(const struct incident_store *s, const char *path);

/*
 * incident_load - read path into the store (its incidents are dropped
 * first).  0 on success or when the file does not exist; -1 when it is
 * unreadable or corrupt (errno set, EINVAL for a corrupt file, and a
 * one-line reason "PATH: line N: why" in err), in which case the store is
 * left empty and the caller moves the file aside.  Strict: a bad version
 * line, a missing or wrong end line (truncation), an unparsable value
 * (an id over 2^63 - 1, a time over 9999 years off 1970 included), a
 * duplicate id, an unknown line, a line over 64 KiB or more incidents
 * than the cap all fail; an unknown key in an incident line is ignored.
 */
int incident_load(struct incident_store *s, const char *path, char *err,
		  size_t errlen);

/* incident_state_name - "open", "alerted", "reminded", "cleared" */
const char *incident_state_name(enum incident_state st);

#endif
