/*
 * t-event.c - the stable line formats: key=value syslog lines and JSON
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "event.h"
#include "util.h"

static const struct {
	const char *name;
	const char *value;
	const char *want; /* the whole " key=value" as appended to "x=1" */
} kv_rows[] = {
	{"plain", "S3150", "x=1 k=S3150"},
	{"empty", "", "x=1 k=-"},
	{"null", NULL, "x=1 k=-"},
	{"space", "a b", "x=1 k=\"a b\""},
	{"quote", "say \"hi\"", "x=1 k=\"say \\\"hi\\\"\""},
	{"backslash", "a\\b", "x=1 k=\"a\\\\b\""},
	{"equals", "a=b", "x=1 k=\"a=b\""},
	{"crlf injection", "x\r\nevent=cleared ip=1.2.3.4",
	 "x=1 k=\"x event=cleared ip=1.2.3.4\""},
	{"nul and tab", "a\tb", "x=1 k=\"a b\""},
	{"leading space", "  v", "x=1 k=v"},
};

static void test_kv(void)
{
	struct buf b;
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(kv_rows); i++) {
		buf_init(&b);
		buf_puts(&b, "x=1");
		event_kv(&b, "k", kv_rows[i].value);
		CHECK_STR(buf_str(&b), kv_rows[i].want, kv_rows[i].name);
		buf_free(&b);
	}
	/* First pair: no leading space. */
	buf_init(&b);
	event_kv(&b, "event", "block");
	event_kv_num(&b, "incident", 42);
	CHECK_STR(buf_str(&b), "event=block incident=42", "first pair");
	buf_free(&b);

	/* A huge value is capped: the line stays bounded. */
	{
		static char big[100000];

		memset(big, 'a', sizeof(big) - 1);
		buf_init(&b);
		event_kv(&b, "k", big);
		CHECK(b.len < EVENT_VALUE_MAX + 8, "capped value: %zu bytes",
		      b.len);
		buf_free(&b);
	}
}

static const struct {
	const char *name;
	const char *in;
	size_t len;
	const char *want;
} json_rows[] = {
	{"plain", "abc", 3, "\"abc\""},
	{"quote backslash", "a\"b\\c", 5, "\"a\\\"b\\\\c\""},
	{"control", "a\nb\r\t", 5, "\"a\\u000ab\\u000d\\u0009\""},
	{"nul inside", "a\0b", 3, "\"a\\u0000b\""},
	{"utf-8 kept", "caf\xC3\xA9", 5, "\"caf\xC3\xA9\""},
	{"invalid byte", "a\xFFz", 3, "\"a\xEF\xBF\xBDz\""},
	{"truncated sequence", "a\xE2\x82", 3, "\"a\xEF\xBF\xBD\xEF\xBF\xBD\""},
	{"overlong", "\xC0\xAF", 2, "\"\xEF\xBF\xBD\xEF\xBF\xBD\""},
	{"surrogate", "\xED\xA0\x80", 3,
	 "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""},
	{"del", "\x7F", 1, "\"\\u007f\""},
};

static void test_json(void)
{
	struct buf b;
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(json_rows); i++) {
		buf_init(&b);
		event_json_string(&b, json_rows[i].in, json_rows[i].len);
		CHECK_STR(buf_str(&b), json_rows[i].want, json_rows[i].name);
		buf_free(&b);
	}
}

static void test_finding(void)
{
	struct finding f;
	struct buf b;
	const char *text = "550 5.7.1 Unfortunately, messages from "
			   "[203.0.113.5] weren't sent... (S3150)";

	memset(&f, 0, sizeof(f));
	f.v.provider = VERDICT_MS_CONSUMER;
	f.v.kind = VERDICT_BLOCK;
	f.v.remedy = VERDICT_SENDER_SUPPORT_FORM;
	strcpy(f.v.code, "S3150");
	strcpy(f.v.status, "5.7.1");
	strcpy(f.v.ip, "203.0.113.5");
	strcpy(f.rcpt_domain, "hotmail.com");
	strcpy(f.queue_id, "4ABCD1234");
	strcpy(f.remote_mta, "hotmail-com.olc.protection.outlook.com");
	f.source = FINDING_POSTFIX_LOG;
	f.text = text;
	f.text_len = strlen(text);

	buf_init(&b);
	event_finding(&b, NULL, &f, 7);
	CHECK_STR(buf_str(&b),
		  "event=block ip=203.0.113.5 provider=microsoft-consumer "
		  "kind=block code=S3150 status=5.7.1 rcpt_domain=hotmail.com "
		  "source=postfix-log queue_id=4ABCD1234 incident=7",
		  "syslog line");
	buf_free(&b);

	buf_init(&b);
	event_finding(&b, "repeat", &f, 0);
	CHECK(!strncmp(buf_str(&b), "event=repeat ip=", 16) &&
		      strstr(buf_str(&b), " incident=-"),
	      "named event without incident: %s", buf_str(&b));
	buf_free(&b);

	buf_init(&b);
	event_json_finding(&b, &f, "/var/log/mail.log", 12);
	CHECK_STR(buf_str(&b),
		  "{\"event\":\"block\",\"ip\":\"203.0.113.5\","
		  "\"provider\":\"microsoft-consumer\",\"kind\":\"block\","
		  "\"code\":\"S3150\",\"status\":\"5.7.1\",\"remedy\":\"sender-support-form\","
		  "\"rcpt_domain\":\"hotmail.com\",\"remote_mta\":"
		  "\"hotmail-com.olc.protection.outlook.com\","
		  "\"source\":\"postfix-log\",\"file\":\"/var/log/mail.log\","
		  "\"line\":12,\"queue_id\":\"4ABCD1234\",\"text\":"
		  "\"550 5.7.1 Unfortunately, messages from [203.0.113.5] "
		  "weren't sent... (S3150)\"}",
		  "json line");
	buf_free(&b);

	f.sent = 1;
	CHECK_STR(event_name(&f), "sent", "sent finding name");
}

int main(void)
{
	test_kv();
	test_json();
	test_finding();
	return check_done("t-event");
}
