/*
 * scan.h - the offline mode: read mail logs and bounce messages, print the
 * Microsoft findings, summarise per IP (--scan), or build the delisting
 * request for one IP (--request)
 */
#ifndef MILTER_DELIST_SCAN_H
#define MILTER_DELIST_SCAN_H

#include <stdio.h>

#include "config.h"
#include "incident.h"

/* Exit status of --scan. */
#define SCAN_CLEAN 0 /* no Microsoft block, rate limit or ban found */
#define SCAN_FOUND 1 /* at least one found */
#define SCAN_ERROR 2 /* a file could not be read (the rest was scanned) */

struct scan;

/* scan_new - a scan printing findings to out (NULL: print nothing) as
 * key=value lines or JSON Lines; NULL on allocation failure */
struct scan *scan_new(const struct config *cfg, int json, FILE *out);
void scan_free(struct scan *s);

/*
 * scan_path - scan one argument: "-" is standard input, a directory (or a
 * maildir) is walked, a file is read as a mail log or as bounce messages
 * (one message, or an mbox) by looking at its first line.  An unreadable
 * file is reported on stderr and counted; the scan goes on.
 */
void scan_path(struct scan *s, const char *path);

/* scan_summary - one summary line per incident (IP and provider), and the
 * counts on stderr */
void scan_summary(struct scan *s);

/* scan_status - SCAN_CLEAN, SCAN_FOUND or SCAN_ERROR */
int scan_status(const struct scan *s);

/* scan_incidents - the incidents gathered so far (owned by s) */
struct incident_store *scan_incidents(struct scan *s);

/* scan_main - "--scan [--json] FILE..." and "--request IP FILE..." */
int scan_main(const struct config *cfg, int json, const char *request_ip,
	      char **paths, int n_paths);

#endif
