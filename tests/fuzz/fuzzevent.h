/*
 * fuzzevent.h - for the fuzz targets that turn records into findings:
 * checks that the syslog event line of a finding is one well-formed
 * key=value line and that its JSON object is valid JSON in valid UTF-8.
 * Static functions: include it in one target each (after fuzz.h).
 */
#ifndef MILTER_DELIST_FUZZEVENT_H
#define MILTER_DELIST_FUZZEVENT_H

#include <string.h>

#include "buf.h"
#include "event.h"
#include "finding.h"

/* utf8_ok - is s (n bytes) valid UTF-8 (Unicode Table 3-7)? */
static inline int utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xBF;
		size_t k, len;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4;
		else
			return 0;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		else if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return 0;
		i += len;
	}
	return 1;
}

/* check_event_line - "key=value key=value ...": keys [a-z_], values
 * unquoted (no space, quote, backslash or '=') or quoted with \" and \\
 * escapes, one space between pairs, no control character anywhere */
static inline void check_event_line(const char *line)
{
	const char *p = line;

	FUZZ_CHECK(fuzz_no_ctl(line), "control byte in \"%s\"", line);
	while (*p) {
		const char *k = p;

		while ((*p >= 'a' && *p <= 'z') || *p == '_')
			p++;
		FUZZ_CHECK(p > k && *p == '=', "bad key at \"%s\"", k);
		p++;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\') {
					p++;
					FUZZ_CHECK(*p == '"' || *p == '\\',
						   "bad escape in \"%s\"", k);
				}
			FUZZ_CHECK(*p == '"', "unterminated in \"%s\"", k);
			p++;
		} else {
			const char *v = p;

			while (*p && *p != ' ') {
				FUZZ_CHECK(*p != '"' && *p != '\\' && *p != '=',
					   "unquoted special in \"%s\"", k);
				p++;
			}
			FUZZ_CHECK(p > v, "empty value in \"%s\"", k);
		}
		if (*p) {
			FUZZ_CHECK(*p == ' ' && p[1] && p[1] != ' ',
				   "bad separator at \"%s\"", p);
			p++;
		}
	}
}

/* json_string - skip a JSON string at *p; 0 if malformed */
static inline int json_string(const char **p)
{
	const char *s = *p;

	if (*s != '"')
		return 0;
	for (s++; *s != '"'; s++) {
		if (!*s || (unsigned char)*s < 0x20)
			return 0;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF",
						    s[i]) ||
					    !s[i])
						return 0;
				s += 4;
			} else if (!*s || !strchr("\"\\/bfnrt", *s)) {
				return 0;
			}
		}
	}
	*p = s + 1;
	return 1;
}

/* check_json_object - a flat JSON object of strings, numbers and null */
static inline void check_json_object(const char *s, size_t len)
{
	const char *p = s;

	FUZZ_CHECK(strlen(s) == len, "NUL in JSON");
	FUZZ_CHECK(utf8_ok((const unsigned char *)s, len),
		   "invalid UTF-8 in %s", s);
	FUZZ_CHECK(*p == '{', "not an object: %s", s);
	p++;
	while (*p != '}') {
		FUZZ_CHECK(json_string(&p), "bad key in %s", s);
		FUZZ_CHECK(*p == ':', "no colon in %s", s);
		p++;
		if (*p == '"') {
			FUZZ_CHECK(json_string(&p), "bad string in %s", s);
		} else if (strncmp(p, "null", 4) == 0) {
			p += 4;
		} else {
			FUZZ_CHECK(*p >= '0' && *p <= '9', "bad value in %s",
				   s);
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (*p == ',')
			p++;
		else
			FUZZ_CHECK(*p == '}', "bad separator in %s", s);
	}
	FUZZ_CHECK(p[1] == '\0', "text after the object in %s", s);
}

/* check_finding_lines - the event line and the JSON object of f */
static inline void check_finding_lines(const struct finding *f)
{
	struct buf b;

	buf_init(&b);
	event_finding(&b, NULL, f, 42);
	FUZZ_CHECK(!b.err, "event line: error %d", b.err);
	check_event_line(buf_str(&b));
	buf_reset(&b);
	event_finding(&b, "unverified-report", f, 0);
	check_event_line(buf_str(&b));
	buf_reset(&b);
	event_json_finding(&b, f, "file \"x\"\n", 7);
	FUZZ_CHECK(!b.err, "JSON: error %d", b.err);
	check_json_object(buf_str(&b), b.len);
	buf_free(&b);
}

#endif
