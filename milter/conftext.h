/*
 * conftext.h - the text of a configuration file before libconfuse reads it
 *
 * libconfuse 3.3 counts a line twice after each '#' or '//' comment,
 * takes an unterminated string for the end of the file (the next parse,
 * in cfg_init(), then aborts the process), and the end of the file for
 * the end of an open section (a truncated file loads).  So the file is read whole,
 * its comments are blanked (newlines kept) and it is parsed from a
 * buffer: line numbers are then exact.
 */
#ifndef MILTER_DELIST_CONFTEXT_H
#define MILTER_DELIST_CONFTEXT_H

/* conftext_read - a regular file of at most 1 MiB without NUL bytes into
 * a malloc'ed NUL-terminated buffer; NULL with errno */
char *conftext_read(const char *path);

/* conftext_blank - replace #, // and C comments in s by spaces, keep
 * strings and newlines.  Returns 0; -1 with *line the line where an
 * unterminated string starts; -2 with *line the line of a '{' that is
 * never closed. */
int conftext_blank(char *s, int *line);

#endif
