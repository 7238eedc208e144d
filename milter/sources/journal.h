/*
 * journal.h - read mail entries from the systemd journal (libsystemd's
 * sd-journal API) as the log lines our maillog parser reads
 *
 * Each entry becomes "<RFC 3339 UTC stamp> HOST IDENT[PID]: MESSAGE", the
 * form of an rsyslog high-precision log, with the entry's realtime stamp
 * (microseconds, "+00:00"), _HOSTNAME, SYSLOG_IDENTIFIER (else _COMM),
 * SYSLOG_PID (else _PID).  Control bytes in any field (a MESSAGE may be
 * binary or span lines) become spaces; a MESSAGE longer than
 * JOURNAL_MESSAGE_MAX is cut (the callback is told).
 *
 * Which entries: those with SYSLOG_FACILITY=2 (mail), matched inside the
 * journal's own index.  Postfix and Sendmail log to the mail facility by
 * default, and the match keeps every Postfix syslog_name (postfix-out1/smtp,
 * postfix-eu/smtp, ...), which an exact SYSLOG_IDENTIFIER match would
 * miss.  An MTA told to log to another facility (Postfix syslog_facility,
 * Sendmail's -L) is not read.
 *
 * Position: a journal opened for following starts at a saved cursor (the
 * entry after it: none read twice, none lost while the daemon was down,
 * as long as the journal still holds them) or, on a first start, at the
 * tail (an old journal is not replayed).  A journal opened for a scan
 * starts at the head.  journal_cursor() gives the cursor to save.
 *
 * Not thread-safe: one struct journal is used by one thread at a time,
 * and never across fork().  Built only with libsystemd (configure
 * --with-systemd, HAVE_SYSTEMD); without it every open fails with a
 * message saying so and journal_available() is 0.
 */
#ifndef MILTER_DELIST_JOURNAL_H
#define MILTER_DELIST_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#define JOURNAL_MESSAGE_MAX 65536 /* bytes kept of one MESSAGE */
#define JOURNAL_CURSOR_MAX  512	  /* room for a cursor string */
#define JOURNAL_ERR_MAX	    256	  /* room for an error message */

struct journal;

/*
 * journal_line_fn - called for each mail entry: line is len bytes without
 * a newline (a NUL follows it); cut is 1 when its MESSAGE was longer than
 * JOURNAL_MESSAGE_MAX and was cut.  The line is valid during the call.
 */
typedef void journal_line_fn(void *arg, const char *line, size_t len, int cut);

/*
 * journal_available - 1 when this build reads journals, 0 when it was
 * built without libsystemd (say so when "journal" is configured).
 */
int journal_available(void);

/*
 * journal_check_spec - does the maillog entry spec name a journal
 * ("journal" or "journal:DIR")?  0 when it does not (a file), 1 when it
 * names one this build can read, -1 when it names one that cannot work,
 * the reason in err (size JOURNAL_ERR_MAX): a build without libsystemd,
 * a DIR that is not an absolute path.  For the configuration check (-t);
 * whether the journal can be read is known only at journal_open().
 */
int journal_check_spec(const char *spec, char *err);

/*
 * journal_open - open a journal to follow: spec is "journal" (the local
 * system journal: needs root or the group systemd-journal or adm) or
 * "journal:DIR" (the journal files in the directory DIR, e.g. written by
 * systemd-journal-remote; files added later are picked up).  cursor is a
 * string from journal_cursor() (reading resumes after that entry) or NULL
 * (a first start: only entries written from now on).  Returns the
 * journal, or NULL with a message in err (size JOURNAL_ERR_MAX): an
 * unknown spec, a build without libsystemd, a directory or a journal file
 * in it that cannot be read (libsystemd would skip it without a word), a
 * local journal with no file readable by this user, no inotify watch left,
 * a cursor that is not one (open again with NULL to start at the tail).
 * Open it as the user that will read it (after dropping privileges): files
 * added later are opened then.
 */
struct journal *journal_open(const char *spec, const char *cursor, char *err);

/*
 * journal_open_files - open journal files to read once from the head (the
 * offline scan): n paths of files (entries of several files interleaved
 * in time order) or, with n == 1, the path of a directory of journal
 * files.  NULL with a message in err (size JOURNAL_ERR_MAX) on failure.
 */
struct journal *journal_open_files(const char *const *paths, size_t n,
				   char *err);

/*
 * journal_next - read up to max mail entries, calling fn(arg, ...) for
 * each.  Returns the number of entries read (0: nothing new for now), -1
 * on an error (errno set; a message in err, size JOURNAL_ERR_MAX).  An
 * entry whose fields cannot be read (a corrupted file) is skipped and
 * counted in *skipped when skipped is not NULL.
 */
int journal_next(struct journal *j, journal_line_fn *fn, void *arg, int max,
		 unsigned long *skipped, char *err);

/*
 * journal_fd - a descriptor to poll() for input (POLLIN) before calling
 * journal_wait(j, 0), for a journal from journal_open(); -1 for one from
 * journal_open_files().
 */
int journal_fd(struct journal *j);

/*
 * journal_lag - how far behind the last journal_next() left j: the
 * realtime stamp of the newest entry the journal holds (any entry, mail
 * or not: the files' headers say it without a seek) minus that of the
 * last entry read, in microseconds, into *usec (0 when it is not newer).
 * After a journal_next() that reached the end, 0: caught up (the newest
 * entry at all may be newer, but it is not mail).  The read position is
 * not touched; the cost is a look at each file's header.  0, or -1 when
 * it is not known (nothing read yet).
 */
int journal_lag(struct journal *j, uint64_t *usec);

/*
 * journal_wait - wait up to ms milliseconds (0: do not block) for the
 * journal to change (new entries, files added or rotated).  Returns 1 when
 * it changed, 0 after the timeout, -1 on error (errno set).  A caller that
 * must stop in time passes a short timeout and loops.
 */
int journal_wait(struct journal *j, int ms);

/*
 * journal_cursor - the cursor of the last mail entry read (after a first
 * start at the tail: the last one the journal held then, so it can be
 * saved at once), into buf (size JOURNAL_CURSOR_MAX).  0, or -1 when there
 * is none yet (keep the cursor saved before) or on error.
 */
int journal_cursor(struct journal *j, char *buf);

/*
 * journal_unreadable - for "journal:DIR": 1 when a journal file in DIR
 * cannot be read by this user (libsystemd skips such a file without a
 * word: a file added by a writer that creates them 0640), its name and the
 * reason in err (size JOURNAL_ERR_MAX); 0 otherwise (also for "journal")
 */
int journal_unreadable(const char *spec, char *err);

/* journal_close - close j (NULL is fine) */
void journal_close(struct journal *j);

#endif
