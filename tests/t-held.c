/*
 * t-held.c - counting the held mail in postqueue -j output (held.h):
 * deferred messages with a recipient of the provider, escapes, cut and
 * hostile lines; and run_output() keeps a program's standard output
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "held.h"
#include "runmail.h"

/* Postfix 3.7's postqueue -j, one message per line (abridged only in
 * the values). */
#define MSG(queue, rcpts)                                                      \
	"{\"queue_name\": \"" queue "\", \"queue_id\": \"4XyZ1\", "            \
	"\"arrival_time\": 1765015600, \"message_size\": 512, "                \
	"\"forced_expire\": false, \"sender\": \"alice@example.org\", "        \
	"\"recipients\": [" rcpts "]}\n"
#define RCPT(a)                                                                \
	"{\"address\": \"" a "\", \"delay_reason\": \"host "                   \
	"mx[192.0.2.9] said: 550 5.7.1 (S3150)\"}"

/* hotmail - the test's provider: hotmail.com and outlook.com */
static int hotmail(const char *domain, void *arg)
{
	(*(int *)arg)++;
	return !strcmp(domain, "hotmail.com") || !strcmp(domain, "outlook.com");
}

static const struct {
	const char *name, *text;
	unsigned long want;
} rows[] = {
	{"empty", "", 0},
	{"one deferred", MSG("deferred", RCPT("bob@hotmail.com")), 1},
	{"active is not held", MSG("active", RCPT("bob@hotmail.com")), 0},
	{"incoming is not held", MSG("incoming", RCPT("bob@hotmail.com")), 0},
	{"other domain", MSG("deferred", RCPT("bob@example.net")), 0},
	{"second recipient",
	 MSG("deferred", RCPT("a@example.net") ", " RCPT("b@Outlook.COM.")), 1},
	{"a message once, two recipients",
	 MSG("deferred", RCPT("a@hotmail.com") ", " RCPT("b@hotmail.com")), 1},
	{"three messages",
	 MSG("deferred", RCPT("a@hotmail.com"))
		 MSG("active", RCPT("b@hotmail.com"))
			 MSG("deferred", RCPT("c@outlook.com"))
				 MSG("deferred", RCPT("d@example.net")),
	 2},
	{"escaped quote in the sender",
	 "{\"queue_name\": \"deferred\", \"sender\": \"x\\\"address\\\": "
	 "\\\"a@hotmail.com\", \"recipients\": [" RCPT("b@example.net") "]}\n",
	 0},
	{"escapes in the address",
	 MSG("deferred", RCPT("b\\u00e9b@hotmail\\u002ecom")), 0},
	{"escaped slash", MSG("deferred", RCPT("b\\/c@hotmail.com")), 1},
	{"cut line",
	 "{\"queue_name\": \"deferred\", \"recipients\": "
	 "[{\"address\": \"bob@hotm",
	 0},
	{"cut after the address",
	 "{\"queue_name\": \"deferred\", \"recipients\": "
	 "[{\"address\": \"bob@hotmail.com\"",
	 1},
	{"not JSON", "Mail queue is empty\n", 0},
	{"key without value", "{\"queue_name\"\n\"address\": 5}\n", 0},
	{"no @", MSG("deferred", RCPT("hotmail.com")), 0},
};

int main(void)
{
	struct buf out;
	char err[256];
	char *argv[] = {"/bin/sh", "-c", "printf 'one\\ntwo\\n'; exit 0", NULL};
	size_t i;
	int calls, cut = -1;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		calls = 0;
		CHECK_INT(held_count(rows[i].text, strlen(rows[i].text),
				     hotmail, &calls),
			  rows[i].want, rows[i].name);
	}
	/* Bytes after a NUL, a NUL inside a value: no crash, counted. */
	{
		static const char nul[] = "{\"queue_name\": \"deferred\", "
					  "\"recipients\": [{\"address\": "
					  "\"b@hotmail.com\"}]}\n\0\n";

		calls = 0;
		CHECK_INT(held_count(nul, sizeof(nul) - 1, hotmail, &calls), 1,
			  "NUL after a line");
	}

	buf_init(&out);
	CHECK(run_output(argv, 10, &out, 1024, &cut, err, sizeof(err)) == 0,
	      "run_output: %s", err);
	CHECK(out.data && !strcmp(out.data, "one\ntwo\n") && cut == 0,
	      "stdout kept whole");
	buf_reset(&out);
	CHECK(run_output(argv, 10, &out, 3, &cut, err, sizeof(err)) == 0,
	      "run_output cut: %s", err);
	CHECK(out.len == 3 && cut == 1, "stdout cut at max (%zu)", out.len);
	buf_free(&out);
	return check_done("t-held");
}
