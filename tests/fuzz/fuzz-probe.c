/*
 * fuzz-probe.c - libFuzzer target of the probe's SMTP reply parser
 * (probe.h): what a hostile MX may send
 *
 * The input is the byte stream from the server, parsed reply after reply
 * as probe_run() does, from a buffer of exactly the remaining length (a
 * read past it is caught).  Invariants: DONE takes 1..len bytes, at most
 * PROBE_REPLY_MAX, ending in LF, with a code 200-599 and a NUL-terminated
 * text without control bytes; parsing exactly the bytes taken gives the
 * same reply; MORE only below PROBE_REPLY_MAX bytes; the same call twice
 * agrees.  Each reply also goes through the event line and the address
 * and table checks (the text as an address, a domain, a transport).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util.h"

#include "buf.h"
#include "probe.h"
#include "reroute.h"

/* check_event - the event line of a refused probe quoting the text */
static void check_event(const struct probe_reply *r)
{
	struct probe_req req;
	struct probe_result res;
	struct buf b;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.mx = "192.0.2.1";
	req.source_ip = "192.0.2.2";
	res.status = PROBE_REFUSED;
	res.stage = "rcpt";
	res.code = r->code;
	memcpy(res.reply, r->text, sizeof(res.reply));
	buf_init(&b);
	probe_event(&b, &req, &res, "microsoft-consumer", 1);
	FUZZ_CHECK(!b.err && !strchr(buf_str(&b), '\n') &&
			   !strchr(buf_str(&b), '\r'),
		   "event line \"%s\"", buf_str(&b));
	buf_free(&b);
	(void)util_valid_mailbox(r->text, 1);
	if (util_valid_hostname(r->text))
		FUZZ_CHECK(!strpbrk(r->text, " \t:#"), "domain \"%s\"",
			   r->text);
	if (reroute_valid_transport(r->text))
		FUZZ_CHECK(!strpbrk(r->text, " \t#"), "transport \"%s\"",
			   r->text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_reply r, again;
	size_t pos = 0, used, used2, left;
	char *chunk;
	int p, p2;

	while (pos <= size) {
		left = size - pos;
		chunk = malloc(left ? left : 1);
		if (!chunk)
			abort();
		memcpy(chunk, data + pos, left);
		p = probe_reply_parse(chunk, left, &r, &used);
		FUZZ_CHECK(p == PROBE_PARSE_BAD || p == PROBE_PARSE_MORE ||
				   p == PROBE_PARSE_DONE,
			   "result %d", p);
		p2 = probe_reply_parse(chunk, left, &again, &used2);
		FUZZ_CHECK(p2 == p && (p != PROBE_PARSE_DONE ||
				       (used2 == used &&
					!memcmp(&r, &again, sizeof(r)))),
			   "a second call disagrees");
		if (p == PROBE_PARSE_MORE)
			FUZZ_CHECK(left < PROBE_REPLY_MAX, "MORE at %zu bytes",
				   left);
		if (p != PROBE_PARSE_DONE) {
			free(chunk);
			break;
		}
		FUZZ_CHECK(used > 0 && used <= left && used <= PROBE_REPLY_MAX,
			   "used %zu of %zu", used, left);
		FUZZ_CHECK(chunk[used - 1] == '\n', "reply not ended by LF");
		FUZZ_CHECK(r.code >= 200 && r.code <= 599, "code %d", r.code);
		FUZZ_CHECK(fuzz_nul_in(r.text, sizeof(r.text)), "text");
		FUZZ_CHECK(fuzz_no_ctl(r.text), "control byte in \"%s\"",
			   r.text);
		/* Exactly the bytes taken: the same reply. */
		p2 = probe_reply_parse(chunk, used, &again, &used2);
		FUZZ_CHECK(p2 == PROBE_PARSE_DONE && used2 == used &&
				   !memcmp(&r, &again, sizeof(r)),
			   "the reply alone parses differently");
		check_event(&r);
		free(chunk);
		pos += used;
	}
	return 0;
}
