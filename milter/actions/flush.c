/*
 * flush.c - run the queue flush command and say how it went
 */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "flush.h"
#include "runmail.h"
#include "util.h"

/* flush_run - run argv, record the outcome */
int flush_run(char *const argv[], time_t timeout, struct flush_result *res)
{
	memset(res, 0, sizeof(*res));
	if (argv && argv[0])
		util_strcpy(res->argv0, sizeof(res->argv0), argv[0]);
	if (run_program(argv, timeout, res->why, sizeof(res->why)) == 0) {
		res->ok = 1;
		return 0;
	}
	if (!res->why[0])
		util_strcpy(res->why, sizeof(res->why), "failed");
	return -1;
}

/* flush_split - words of a command line, no shell */
int flush_split(char *line, char **words, int max)
{
	char *save = NULL, *w;
	int n = 0;

	for (w = strtok_r(line, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (n + 1 >= max)
			return -1;
		words[n++] = w;
	}
	words[n] = NULL;
	if (n == 0 || words[0][0] != '/')
		return -1;
	return n;
}

/* flush_event - the event line of one flush */
void flush_event(struct buf *b, const struct flush_result *res, const char *ip,
		 const char *provider, uint64_t incident)
{
	event_kv(b, "event", "flush");
	event_kv(b, "ip", ip);
	event_kv(b, "provider", provider);
	event_kv(b, "result", res->ok ? "ok" : "failed");
	event_kv(b, "command", res->argv0);
	if (!res->ok)
		event_kv(b, "reason", res->why);
	if (incident)
		event_kv_num(b, "incident", incident);
	else
		event_kv(b, "incident", "");
}
