/*
 * labels.h - reading the corpus label files (tab-separated rows) and
 * comparing a verdict with a row's labels; shared by t-corpus and t-verdict
 */
#ifndef MILTER_DELIST_TEST_LABELS_H
#define MILTER_DELIST_TEST_LABELS_H

#include <stdio.h>
#include <string.h>

#include "verdict.h"

/* fields - split a TSV line in place into at most n fields; returns the
 * number found */
static inline int fields(char *line, char **f, int n)
{
	int i = 0;

	f[i++] = line;
	while (i < n && (line = strchr(line, '\t')) != NULL) {
		*line++ = '\0';
		f[i++] = line;
	}
	return i;
}

/* strip_marker - drop a trailing "(anonymised)"-style remark */
static inline void strip_marker(char *s)
{
	char *p = strrchr(s, '(');
	size_t i;

	if (!p || s[strlen(s) - 1] != ')')
		return;
	for (i = 1; p[i] != ')'; i++)
		if (!(p[i] >= 'a' && p[i] <= 'z') && p[i] != ' ')
			return;
	*p = '\0';
}

/*
 * label_agrees - compare a verdict with a row's labels.  Provider family
 * and alert always; code token and IP only where the label says
 * Microsoft (other providers' codes are not ours to classify).  A label
 * "5.7.1;S3150" agrees when our code is one of its tokens and the others
 * are our status or token; an IP label with a "(masked)"-style remark
 * means no usable IP.
 */
static inline int label_agrees(const char *prov, const char *block,
			       const char *code, const char *ip,
			       const struct verdict *v, char *why, size_t size)
{
	int ms = strncmp(prov, "microsoft-", 10) == 0;
	int alert = ms && strncmp(block, "yes", 3) == 0;
	char tok[128], *t, *save = NULL;
	int found = 0;

	if (ms != (v->provider != VERDICT_PROVIDER_NONE)) {
		snprintf(why, size, "provider %s",
			 verdict_provider_name(v->provider));
		return 0;
	}
	if (alert != verdict_alerts(v)) {
		snprintf(why, size, "alerts %d (kind %s)", verdict_alerts(v),
			 verdict_kind_name(v->kind));
		return 0;
	}
	if (!ms)
		return 1;
	snprintf(tok, sizeof(tok), "%s", code);
	if (strcmp(tok, "-") == 0) {
		found = v->code[0] == '\0';
	} else {
		for (t = strtok_r(tok, ";", &save); t;
		     t = strtok_r(NULL, ";", &save)) {
			strip_marker(t);
			if (strcmp(t, v->code) == 0)
				found = 1;
			else if (strcmp(t, v->status) && strcmp(t, v->token))
				found = -1000;
		}
	}
	if (found <= 0) {
		snprintf(why, size, "code \"%s\" status \"%s\" token \"%s\"",
			 v->code, v->status, v->token);
		return 0;
	}
	snprintf(tok, sizeof(tok), "%s", ip);
	if (strcmp(tok, "-") == 0 || strchr(tok, '('))
		tok[0] = '\0';
	if (strcmp(tok, v->ip) != 0) {
		snprintf(why, size, "ip \"%s\"", v->ip);
		return 0;
	}
	return 1;
}

#endif
