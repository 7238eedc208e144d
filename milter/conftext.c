/*
 * conftext.c - read a configuration file and blank its comments, as
 * libconfuse's lexer would read it (see conftext.h for why)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conftext.h"

#define CONFTEXT_MAX   (1 << 20) /* a config file is small */
#define CONFTEXT_DEPTH 16	 /* '{' remembered for the error */

/* skip_env - at "${VAR}", which libconfuse's lexer reads up to the next
 * '}' (quotes, newlines and all): the '}', or NULL */
static char *skip_env(char *s, int *line)
{
	char *close;

	if (s[0] != '$' || s[1] != '{' || !(close = strchr(s, '}')))
		return NULL;
	for (; s < close; s++)
		*line += *s == '\n';
	return close;
}

/* skip_string - past the quoted string that starts at s[0] (a quote),
 * read as libconfuse's lexer reads it (\ escapes the next byte, "${VAR}"
 * runs to its '}'); NULL when the text ends inside it */
static char *skip_string(char *s, int *line)
{
	char quote = *s++, *env;

	for (; *s && *s != quote; s++) {
		if (*s == '\\') {
			if (!*++s)
				return NULL;
		} else if (quote == '"' && (env = skip_env(s, line))) {
			s = env;
		}
		*line += *s == '\n';
	}
	return *s ? s : NULL;
}

/* conftext_blank - replace #, // and C comments by spaces, keep strings
 * and newlines, so libconfuse's line count stays right.  Returns -1 (and
 * the line where it starts) for an unterminated string: libConfuse 3.3
 * takes it for the end of the file and stays inside a string, so the
 * file "loads" and the next parse, in cfg_init(), aborts the process. */
int conftext_blank(char *s, int *line)
{
	int open[CONFTEXT_DEPTH], depth = 0, start;
	const char *text = s;
	char *env;

	for (*line = 1; *s; s++) {
		/* "${VAR}" that starts a word (after a byte that no unquoted
		 * word holds) is read whole, as in a string */
		if ((s == text || strchr(" \t\r\n#\"'={}()+,*", s[-1])) &&
		    (env = skip_env(s, line))) {
			s = env;
		} else if (*s == '"' || *s == '\'') {
			start = *line;
			s = skip_string(s, line);
			if (!s) {
				*line = start;
				return -1;
			}
		} else if (*s == '\n') {
			(*line)++;
		} else if (*s == '{') {
			if (depth < CONFTEXT_DEPTH)
				open[depth] = *line;
			depth++;
		} else if (*s == '}' && depth > 0) {
			depth--;
		} else if (*s == '#' || (*s == '/' && s[1] == '/')) {
			while (*s && *s != '\n')
				*s++ = ' ';
			if (!*s)
				break;
			(*line)++;
		} else if (*s == '/' && s[1] == '*') {
			*s++ = ' ';
			*s = ' ';
			while (s[1] && !(s[1] == '*' && s[2] == '/')) {
				s++;
				if (*s != '\n')
					*s = ' ';
				else
					(*line)++;
			}
			if (s[1]) {
				s[1] = ' ';
				s[2] = ' ';
				s += 2;
			}
		}
	}
	/* libconfuse 3.3 takes the end of the file for the end of an open
	 * section: a truncated file would load */
	if (depth > 0) {
		*line = open[(depth < CONFTEXT_DEPTH ? depth : CONFTEXT_DEPTH) -
			     1];
		return -2;
	}
	return 0;
}

/* conftext_read - whole file into a NUL-terminated buffer; NULL with errno */
char *conftext_read(const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size > CONFTEXT_MAX) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto fail;
	while (n < (size_t)st.st_size) {
		r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		errno = EINVAL;
		goto fail;
	}
	close(fd);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}
