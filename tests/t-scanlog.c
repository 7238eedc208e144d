/*
 * t-scanlog.c - the threaded log reader of --scan gives what one thread
 * gives: the same findings with the same line numbers, in the same order,
 * and the same counts, whatever the number of threads, the block size and
 * the bytes the caller read first; lines longer than SCANLOG_LINE_MAX are
 * cut where one thread cuts them, also across block boundaries
 */
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "finding.h"
#include "maillog.h"
#include "scanlog.h"

#define NOW 1795000000 /* 2026-11-18 */

/* The findings of one run, rendered, one per line. */
struct out {
	char *text;
	size_t len, cap;
};

/* put - append a rendered finding */
static void put(struct out *o, const struct finding *f, unsigned long line)
{
	char tmp[2048];
	int n = snprintf(tmp, sizeof(tmp),
			 "%lu %d %d %d %s %s %s %lld %d %s %s %s %.*s\n", line,
			 f->v.provider, f->v.kind, f->v.reply_code, f->v.status,
			 f->v.code, f->v.ip, (long long)f->when, f->sent,
			 f->rcpt_domain, f->queue_id, f->remote_mta,
			 (int)(f->text_len < 600 ? f->text_len : 600),
			 f->text ? f->text : "");

	if (n < 0)
		return;
	if (o->len + (size_t)n + 1 > o->cap) {
		o->cap = (o->len + (size_t)n + 1) * 2;
		o->text = realloc(o->text, o->cap);
		if (!o->text)
			abort();
	}
	memcpy(o->text + o->len, tmp, (size_t)n + 1);
	o->len += (size_t)n;
}

static void hit(void *arg, struct finding *f, unsigned long line)
{
	put(arg, f, line);
}

/* reference - one thread, the plain way: cut at LF, a line longer than
 * SCANLOG_LINE_MAX cut there and the rest of it skipped */
static void reference(const char *p, size_t n, struct out *o,
		      struct scanlog_counts *c)
{
	static struct maillog_rec rec;
	struct finding f;
	size_t i = 0, len;
	const char *nl;
	int cut, rc;

	memset(c, 0, sizeof(*c));
	while (i < n) {
		nl = memchr(p + i, '\n', n - i);
		len = nl ? (size_t)(nl - (p + i)) : n - i;
		cut = len >= SCANLOG_LINE_MAX;
		c->lines++;
		if (cut)
			c->malformed++;
		rc = maillog_parse(p + i, cut ? SCANLOG_LINE_MAX : len, NOW,
				   &rec);
		if (rc < 0)
			c->malformed++;
		if (rc > 0) {
			c->records++;
			if (finding_from_log(&f, &rec, NOW))
				put(o, &f, c->lines);
		}
		i += len + (nl ? 1 : 0);
	}
}

/* xorshift - a deterministic stream */
static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* add - append n bytes to the log being built */
static void add(struct out *o, const char *p, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->text = realloc(o->text, o->cap);
		if (!o->text)
			abort();
	}
	memcpy(o->text + o->len, p, n);
	o->len += n;
}

/* build - a log of fixture lines in random order with long lines (just
 * under, at and over the limit, one several blocks long), CRLF, blank
 * lines, junk, and no LF at the end */
static void build(struct out *log, char **lines, size_t n_lines)
{
	uint64_t s = 0x9E3779B97F4A7C15ull;
	static char big[3 * SCANLOG_BLOCK];
	size_t i, k, len;

	for (i = 0; i < 6000; i++) {
		k = xorshift(&s) % (n_lines + 8);
		if (k < n_lines) {
			add(log, lines[k], strlen(lines[k]));
			if (xorshift(&s) % 7 == 0)
				add(log, "\r", 1);
			add(log, "\n", 1);
			continue;
		}
		switch (k - n_lines) {
		case 0:
			add(log, "\n", 1);
			break;
		case 1: /* a line just under, at, just over the limit */
			len = SCANLOG_LINE_MAX - 1 + xorshift(&s) % 3;
			memset(big, 'x', len);
			memcpy(big, lines[0], strlen(lines[0]));
			add(log, big, len);
			add(log, "\n", 1);
			break;
		case 2: /* junk */
			for (len = 0; len < 200; len++)
				big[len] = (char)(xorshift(&s) & 0xff);
			add(log, big, 200);
			add(log, "\n", 1);
			break;
		case 3: /* now and then a line longer than several blocks */
			if (xorshift(&s) % 50)
				break;
			len = SCANLOG_BLOCK +
			      xorshift(&s) % (2 * SCANLOG_BLOCK);
			memset(big, 'y', len);
			add(log, big, len);
			add(log, "\n", 1);
			break;
		default:
			break;
		}
	}
	add(log, lines[0], strlen(lines[0])); /* no LF at the end */
}

int main(void)
{
	static const size_t blocks[] = {0, SCANLOG_LINE_MAX + 1, 100003,
					SCANLOG_BLOCK};
	static const size_t heads[] = {0, 1, 4096, 70000};
	static const unsigned int workers[] = {0, 2, 3, 5};
	char path[4096], tmpl[] = "/tmp/t-scanlog.XXXXXX", row[128];
	char *fix, *lines[64], *p;
	size_t n_lines = 0, fixlen, b, h, w;
	struct out log = {0}, ref = {0}, got;
	struct scanlog_counts rc, c;
	int fd;

	fix = check_slurp(
		check_path(path, sizeof(path), "tests/fixtures/scan/mail.log"),
		&fixlen);
	if (!fix) {
		fprintf(stderr, "cannot read %s\n", path);
		return 99;
	}
	for (p = strtok(fix, "\n"); p && n_lines < 64; p = strtok(NULL, "\n"))
		lines[n_lines++] = p;
	build(&log, lines, n_lines);
	reference(log.text, log.len, &ref, &rc);
	CHECK(rc.lines > 4000 && ref.len > 0 && rc.malformed > 0,
	      "the log has lines (%lu), findings and cut lines", rc.lines);

	fd = mkstemp(tmpl);
	if (fd < 0 || write(fd, log.text, log.len) != (ssize_t)log.len) {
		perror(tmpl);
		return 99;
	}
	unlink(tmpl);
	for (w = 0; w < sizeof(workers) / sizeof(*workers); w++)
		for (b = 0; b < sizeof(blocks) / sizeof(*blocks); b++)
			for (h = 0; h < sizeof(heads) / sizeof(*heads); h++) {
				snprintf(row, sizeof(row),
					 "workers %u, block %zu, head %zu",
					 workers[w], blocks[b], heads[h]);
				memset(&got, 0, sizeof(got));
				if (lseek(fd, (off_t)heads[h], SEEK_SET) < 0)
					return 99;
				CHECK_INT(scanlog_file(fd, log.text, heads[h],
						       workers[w], blocks[b],
						       NOW, hit, &got, &c),
					  0, row);
				CHECK_INT(c.lines, rc.lines, row);
				CHECK_INT(c.records, rc.records, row);
				CHECK_INT(c.malformed, rc.malformed, row);
				CHECK(got.len == ref.len && got.text &&
					      !memcmp(got.text, ref.text,
						      ref.len),
				      "%s: the findings differ", row);
				free(got.text);
			}
	memset(&got, 0, sizeof(got));
	/* A read error is reported, not taken for the end of the file. */
	CHECK_INT(scanlog_file(-1, NULL, 0, 2, 0, NOW, hit, &got, &c), -1,
		  "bad fd");
	free(got.text);
	close(fd);
	free(log.text);
	free(ref.text);
	free(fix);
	return check_done("t-scanlog");
}
