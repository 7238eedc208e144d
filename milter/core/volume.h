/*
 * volume.h - outbound messages to Microsoft per envelope sender and per
 * SASL user over the last 24 hours
 *
 * Quoted in the alert as the compromise check: a sudden top sender is the
 * usual sign of a stolen account.  Each key keeps 24 hourly buckets, so
 * "the last 24 h" is the current hour so far plus the 23 before it (between
 * 23 and 24 hours).  Keys are ASCII-lower-cased, stripped of one pair of
 * angle brackets, and cut at VOLUME_KEY_MAX - 1 bytes; they are stored,
 * never interpreted (whoever prints them cleans them).  Each of the two
 * tables holds at most max_keys keys; a new key beyond that evicts the
 * least recently counted one, and keys idle for 24 h are dropped.  The
 * totals do not depend on the keys, so eviction never lowers them.
 *
 * Pure: no I/O, no globals.  Not thread-safe: the caller locks.
 * Memory: about 250 bytes plus the key length per key.
 */
#ifndef MILTER_DELIST_VOLUME_H
#define MILTER_DELIST_VOLUME_H

#include <stddef.h>
#include <time.h>

#define VOLUME_KEY_MAX	    256	 /* bytes of a key kept, with the NUL */
#define VOLUME_BUCKETS	    24	 /* buckets per key */
#define VOLUME_BUCKET_SECS  3600 /* seconds per bucket */
#define VOLUME_DEFAULT_KEYS 4096 /* per table, when max_keys is 0 */

enum volume_which {
	VOLUME_SENDER = 0, /* envelope sender ("<>" for the null sender) */
	VOLUME_AUTH	   /* SASL login name ({auth_authen}) */
};

/* One line of a top-N answer. */
struct volume_count {
	char key[VOLUME_KEY_MAX];
	unsigned long messages; /* in the window */
	unsigned long rcpts;	/* Microsoft recipients of those messages */
};

struct volume;

/* volume_new - empty counters, at most max_keys keys per table (0: the
 * default); NULL on allocation failure */
struct volume *volume_new(size_t max_keys);

/* volume_free - release v (NULL is fine) */
void volume_free(struct volume *v);

/*
 * volume_add - count one message with rcpt_count Microsoft recipients,
 * sent at now by sender (NULL or "" or "<>": the null sender, counted as
 * "<>") and auth_user (NULL or "": not authenticated, not counted per
 * user).  Returns 0, or -1 with errno ENOMEM when a new key could not be
 * stored (the totals still count the message).
 */
int volume_add(struct volume *v, const char *sender, const char *auth_user,
	       unsigned rcpt_count, time_t now);

/*
 * volume_top - the n keys of table which with the most messages in the
 * window ending at now, most first (ties: more recipients, then key
 * order), into out[0..n-1].  Keys with nothing in the window are left
 * out.  Returns how many were written.
 */
size_t volume_top(struct volume *v, time_t now, enum volume_which which,
		  struct volume_count *out, size_t n);

/* volume_total - messages in the window ending at now (every sender);
 * the recipients into *rcpts when rcpts is not NULL */
unsigned long volume_total(struct volume *v, time_t now, unsigned long *rcpts);

/* volume_keys - keys held in table which (tests and the bound) */
size_t volume_keys(const struct volume *v, enum volume_which which);

#endif
