/*
 * t-volume.c - unit tests of the per-sender / per-user volume counters:
 * the sliding window, top-N order, key normal form, caps and eviction
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util.h"
#include "volume.h"

#define T0   1700000000L /* a whole hour: 1700000000 = 472222 * 3600 + 800 */
#define HOUR 3600L

/* One message as a table row. */
struct add {
	const char *sender;
	const char *user;
	unsigned rcpts;
	long at; /* seconds after T0 */
};

/* feed - add the rows to v */
static void feed(struct volume *v, const struct add *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		CHECK_INT(volume_add(v, rows[i].sender, rows[i].user,
				     rows[i].rcpts, T0 + rows[i].at),
			  0, rows[i].sender ? rows[i].sender : "(null)");
}

/* test_window - counts leave the window after 24 hours */
static void test_window(void)
{
	static const struct add rows[] = {
		{"a@example.org", NULL, 2, 0},
		{"a@example.org", NULL, 1, HOUR},
		{"a@example.org", NULL, 1, 23 * HOUR},
	};
	static const struct {
		const char *name;
		long at;
		unsigned long msgs, rcpts;
	} want[] = {
		{"before anything", -HOUR, 0, 0},
		{"at the first", 0, 1, 2},
		{"same hour", HOUR - 801, 1, 2},
		{"after 23 h", 23 * HOUR, 3, 4},
		{"first hour leaves at 24 h", 24 * HOUR, 2, 2},
		{"second leaves", 25 * HOUR, 1, 1},
		{"all gone", 47 * HOUR, 0, 0},
	};
	struct volume *v = volume_new(0), *v2;
	struct volume_count top[4];
	unsigned long r;
	size_t i;

	feed(v, rows, UTIL_ARRAY_SIZE(rows));
	CHECK_INT(volume_keys(v, VOLUME_SENDER), 1, "key held");
	for (i = 0; i < UTIL_ARRAY_SIZE(want); i++) {
		CHECK_INT(volume_total(v, T0 + want[i].at, &r), want[i].msgs,
			  want[i].name);
		CHECK_INT(r, want[i].rcpts, want[i].name);
		if (want[i].msgs) {
			CHECK_INT(volume_top(v, T0 + want[i].at, VOLUME_SENDER,
					     top, 4),
				  1, want[i].name);
			CHECK_INT(top[0].messages, want[i].msgs, want[i].name);
			CHECK_INT(top[0].rcpts, want[i].rcpts, want[i].name);
		} else {
			CHECK_INT(volume_top(v, T0 + want[i].at, VOLUME_SENDER,
					     top, 4),
				  0, want[i].name);
		}
	}
	/* A bucket reused a day later starts from zero. */
	v2 = volume_new(0);
	feed(v2, rows, UTIL_ARRAY_SIZE(rows));
	volume_add(v2, "a@example.org", NULL, 1, T0 + 24 * HOUR);
	CHECK_INT(volume_total(v2, T0 + 24 * HOUR, &r), 3, "bucket reused");
	CHECK_INT(r, 3, "bucket reused: rcpts");
	CHECK_INT(volume_top(v2, T0 + 24 * HOUR, VOLUME_SENDER, top, 4), 1,
		  "bucket reused: top");
	CHECK_INT(top[0].messages, 3, "bucket reused per key");
	CHECK_INT(top[0].rcpts, 3, "bucket reused per key: rcpts");
	volume_free(v2);
	/* Idle keys are dropped once a whole window has passed (here by
	 * the query at 47 h). */
	CHECK_INT(volume_keys(v, VOLUME_SENDER), 0, "idle key dropped");
	volume_add(v, "b@example.org", NULL, 1, T0 + 48 * HOUR);
	CHECK_INT(volume_keys(v, VOLUME_SENDER), 1, "new key");
	/* A late message within the window counts; an older one not. */
	volume_add(v, "b@example.org", NULL, 1, T0 + 30 * HOUR);
	volume_add(v, "b@example.org", NULL, 1, T0 + 10 * HOUR);
	CHECK_INT(volume_total(v, T0 + 48 * HOUR, NULL), 2, "late one counted");
	CHECK_INT(volume_top(v, T0 + 48 * HOUR, VOLUME_SENDER, top, 4), 1,
		  "one sender");
	CHECK_INT(top[0].messages, 2, "late one counted per key");
	volume_free(v);
}

/* test_top - order by messages, then recipients, then key */
static void test_top(void)
{
	static const struct add rows[] = {
		{"low@x.org", "u1", 1, 0},    {"big@x.org", "u2", 1, 0},
		{"z-mid@x.org", "u2", 1, 10}, {"big@x.org", "u2", 1, 20},
		{"z-mid@x.org", "u3", 5, 30}, {"big@x.org", "u2", 1, 40},
		{"tie-b@x.org", "u3", 1, 50}, {"tie-b@x.org", "u3", 1, 60},
		{"tie-a@x.org", NULL, 1, 70}, {"tie-a@x.org", "", 1, 80},
	};
	static const struct {
		const char *key;
		unsigned long msgs, rcpts;
	} senders[] =
		{
			{"big@x.org", 3, 3},
			{"z-mid@x.org", 2, 6}, /* more recipients than the ties
						*/
			{"tie-a@x.org", 2, 2},
			{"tie-b@x.org", 2, 2},
			{"low@x.org", 1, 1},
		},
	  users[] = {
		  {"u2", 4, 4},
		  {"u3", 3, 7},
		  {"u1", 1, 1},
	  };
	struct volume *v = volume_new(0);
	struct volume_count top[8];
	size_t n, i;

	feed(v, rows, UTIL_ARRAY_SIZE(rows));
	n = volume_top(v, T0 + 100, VOLUME_SENDER, top, 8);
	CHECK_INT(n, UTIL_ARRAY_SIZE(senders), "senders");
	for (i = 0; i < n && i < UTIL_ARRAY_SIZE(senders); i++) {
		CHECK_STR(top[i].key, senders[i].key, senders[i].key);
		CHECK_INT(top[i].messages, senders[i].msgs, senders[i].key);
		CHECK_INT(top[i].rcpts, senders[i].rcpts, senders[i].key);
	}
	n = volume_top(v, T0 + 100, VOLUME_AUTH, top, 8);
	CHECK_INT(n, UTIL_ARRAY_SIZE(users), "users (NULL and \"\" not)");
	for (i = 0; i < n && i < UTIL_ARRAY_SIZE(users); i++) {
		CHECK_STR(top[i].key, users[i].key, users[i].key);
		CHECK_INT(top[i].messages, users[i].msgs, users[i].key);
		CHECK_INT(top[i].rcpts, users[i].rcpts, users[i].key);
	}
	/* Top 2 only: the best two, in order. */
	CHECK_INT(volume_top(v, T0 + 100, VOLUME_SENDER, top, 2), 2, "n=2");
	CHECK_STR(top[0].key, "big@x.org", "n=2 first");
	CHECK_STR(top[1].key, "z-mid@x.org", "n=2 second");
	CHECK_INT(volume_top(v, T0 + 100, VOLUME_SENDER, top, 0), 0, "n=0");
	CHECK_INT(volume_total(v, T0 + 100, NULL), UTIL_ARRAY_SIZE(rows),
		  "total");
	volume_free(v);
}

/* test_keys - normal form: case, brackets, null sender, length, bytes */
static void test_keys(void)
{
	static const struct {
		const char *in, *key;
	} rows[] = {
		{"<Alice@Example.COM>", "alice@example.com"},
		{"alice@example.com", "alice@example.com"},
		{"", "<>"},
		{"<>", "<>"},
		{NULL, "<>"},
		{"<x", "<x"},
		{"evil\r\nBcc: x@y", "evil\r\nbcc: x@y"},
	};
	struct volume *v;
	struct volume_count top[1];
	char long1[1000], long2[1000];
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(rows); i++) {
		v = volume_new(0);
		volume_add(v, rows[i].in, rows[i].in, 1, T0);
		CHECK_INT(volume_top(v, T0, VOLUME_SENDER, top, 1), 1,
			  rows[i].key);
		CHECK_STR(top[0].key, rows[i].key, rows[i].key);
		volume_free(v);
	}
	v = volume_new(0);
	volume_add(v, "<Alice@Example.COM>", "Bob", 1, T0);
	volume_add(v, "alice@example.com", "bob", 1, T0);
	CHECK_INT(volume_keys(v, VOLUME_SENDER), 1, "one sender key");
	CHECK_INT(volume_keys(v, VOLUME_AUTH), 1, "one user key");
	/* Long keys are cut; two that differ only past the cut merge. */
	memset(long1, 'a', sizeof(long1) - 1);
	long1[sizeof(long1) - 1] = '\0';
	memcpy(long2, long1, sizeof(long2));
	long2[900] = 'b';
	volume_add(v, long1, NULL, 1, T0);
	volume_add(v, long2, NULL, 1, T0);
	CHECK_INT(volume_keys(v, VOLUME_SENDER), 2, "long keys merged");
	volume_top(v, T0, VOLUME_SENDER, top, 1);
	CHECK_INT(strlen(top[0].key), VOLUME_KEY_MAX - 1, "key cut");
	volume_free(v);
	/* A cut never leaves half a UTF-8 sequence. */
	v = volume_new(0);
	memset(long1, 'a', sizeof(long1) - 1);
	long1[sizeof(long1) - 1] = '\0';
	for (i = VOLUME_KEY_MAX - 2; i + 2 < sizeof(long1); i += 2)
		memcpy(long1 + i, "\xc3\xa4", 2);
	volume_add(v, long1, NULL, 1, T0);
	volume_top(v, T0, VOLUME_SENDER, top, 1);
	CHECK_INT(strlen(top[0].key), VOLUME_KEY_MAX - 2, "cut before a2");
	volume_free(v);
}

/* test_evict - at max_keys the least recently counted key goes */
static void test_evict(void)
{
	struct volume *v = volume_new(3);
	struct volume_count top[8];
	char key[64];
	size_t n, i;

	volume_add(v, "a", "ua", 1, T0);
	volume_add(v, "b", "ub", 1, T0 + 1);
	volume_add(v, "c", "uc", 1, T0 + 2);
	volume_add(v, "a", NULL, 1, T0 + 3); /* a is recent again */
	volume_add(v, "d", NULL, 1, T0 + 4); /* b goes */
	n = volume_top(v, T0 + 5, VOLUME_SENDER, top, 8);
	CHECK_INT(n, 3, "capped at 3 keys");
	CHECK_STR(top[0].key, "a", "a kept (2 messages)");
	CHECK(strcmp(top[1].key, "b") && strcmp(top[2].key, "b"),
	      "b evicted: %s %s", top[1].key, top[2].key);
	CHECK_INT(volume_keys(v, VOLUME_AUTH), 3, "users untouched");
	CHECK_INT(volume_total(v, T0 + 5, NULL), 5, "totals keep everything");
	volume_free(v);

	/* Adding prunes idle keys too, without any query. */
	v = volume_new(0);
	volume_add(v, "a", "ua", 1, T0);
	volume_add(v, "b", "ub", 1, T0 + 10 * HOUR);
	volume_add(v, "c", "uc", 1, T0 + 25 * HOUR);
	CHECK_INT(volume_keys(v, VOLUME_SENDER), 2, "a pruned on add");
	CHECK_INT(volume_keys(v, VOLUME_AUTH), 2, "ua pruned on add");
	volume_free(v);

	/* A storm of distinct senders stays bounded. */
	v = volume_new(1000);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "user%zu@spam.example", i);
		volume_add(v, key, key, 1, T0 + (long)(i / 10));
	}
	CHECK_INT(volume_keys(v, VOLUME_SENDER), 1000, "senders capped");
	CHECK_INT(volume_keys(v, VOLUME_AUTH), 1000, "users capped");
	CHECK_INT(volume_total(v, T0 + 10000, NULL), 100000, "total");
	n = volume_top(v, T0 + 10000, VOLUME_SENDER, top, 1);
	CHECK(n == 1 && strncmp(top[0].key, "user99", 6) == 0,
	      "the newest keys survive: %s", top[0].key);
	volume_free(v);
}

int main(void)
{
	test_window();
	test_top();
	test_keys();
	test_evict();
	return check_done("t-volume");
}
