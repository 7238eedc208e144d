/*
 * held.h - how many messages wait in the queue for a provider: the
 * "37 messages held in the queue" of the alert (issue 15)
 *
 * held_count() reads the output of Postfix's "postqueue -j" (one JSON
 * object per queued message and line) and counts the messages of the
 * deferred queue with at least one recipient whose domain the caller's
 * match() accepts.  Hostile-input safe: it reads only the keys it needs,
 * bounded, any bytes (fuzzed: tests/fuzz/fuzz-held.c); no allocation.
 */
#ifndef MILTER_DELIST_HELD_H
#define MILTER_DELIST_HELD_H

#include <stddef.h>

struct config;

#define HELD_DOMAIN_MAX 256 /* bytes of a domain handed to match() */

/* Called with a recipient's domain (lower case, NUL-terminated, no
 * trailing dot); non-zero when it is one of the provider's. */
typedef int (*held_match_fn)(const char *domain, void *arg);

/*
 * held_count - the messages in text (len bytes of postqueue -j output)
 * whose "queue_name" is "deferred" and one of whose "recipients" has an
 * "address" for which match(domain, arg) is true.  A line that is cut
 * or not JSON counts for what could be read of it.
 */
unsigned long held_count(const char *text, size_t len, held_match_fn match,
			 void *arg);

/*
 * held_query - run "postqueue -j" of the Postfix in use (flush.command's
 * program when it is postqueue, else the postqueue beside
 * reroute.postmap; -c reroute.postfix_config when set), 10 s and 16 MiB
 * at most, and count the held messages for Outlook.com (n[0]) and
 * Microsoft 365 (n[1]) by domains_provider().  *cut is set when the
 * output was longer than read.  The program in path.  0, or -1 with the
 * reason in err.
 */
int held_query(const struct config *cfg, unsigned long n[2], int *cut,
	       char *path, size_t pathlen, char *err, size_t errlen);

#endif
