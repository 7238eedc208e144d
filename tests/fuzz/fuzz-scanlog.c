/*
 * fuzz-scanlog.c - libFuzzer target of the threaded log reader of --scan
 * (scanlog.h)
 *
 * The input, repeated to about 200 KB (so that it spans several blocks of
 * the smallest size), is read as a log file once by one thread in one
 * large block and once by 2 or 3 workers in blocks of SCANLOG_LINE_MAX + 1
 * bytes to a few times that, with some of its first bytes given as
 * already read (the choice taken from the input's hash).
 * Invariants: both reads succeed; the counts, and every finding with its
 * line number and reply text, are the same and in the same order.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memfd_create */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#include "finding.h"
#include "scanlog.h"

#define NOW	 1768910400 /* 2026-01-20 12:00:00 UTC */
#define FUZZ_LOG (200u << 10)

/* What one read gave: its findings rendered one after the other. */
struct seen {
	char *text;
	size_t len, cap;
};

static void hit(void *arg, struct finding *f, unsigned long line)
{
	struct seen *s = arg;
	char head[1024];
	int n;

	n = snprintf(head, sizeof(head), "%lu %d %d %s %s %s %s %lld %d %zu\n",
		     line, f->v.provider, f->v.kind, f->v.code, f->v.ip,
		     f->rcpt_domain, f->queue_id, (long long)f->when, f->sent,
		     f->text_len);
	if (n < 0)
		abort();
	if (s->len + (size_t)n + f->text_len + 1 > s->cap) {
		s->cap = (s->len + (size_t)n + f->text_len + 1) * 2;
		s->text = realloc(s->text, s->cap);
		if (!s->text)
			abort();
	}
	memcpy(s->text + s->len, head, (size_t)n);
	s->len += (size_t)n;
	if (f->text_len) {
		memcpy(s->text + s->len, f->text, f->text_len);
		s->len += f->text_len;
	}
}

/* one - a read of the file on fd; head: its first head_len bytes */
static void one(int fd, const char *log, size_t head_len, unsigned workers,
		size_t block, struct seen *s, struct scanlog_counts *c)
{
	FUZZ_CHECK(lseek(fd, (off_t)head_len, SEEK_SET) == (off_t)head_len,
		   "lseek");
	FUZZ_CHECK(scanlog_file(fd, log, head_len, workers, block, NOW, hit, s,
				c) == 0,
		   "scanlog_file failed (workers %u, block %zu)", workers,
		   block);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t h = fuzz_hash(data, size);
	struct seen a = {0}, b = {0};
	struct scanlog_counts ca, cb;
	size_t n, i, block, head;
	unsigned workers;
	char *log;
	int fd;

	if (size == 0)
		return 0;
	n = (FUZZ_LOG / size + 1) * size;
	log = malloc(n);
	if (!log)
		return 0;
	for (i = 0; i < n; i += size)
		memcpy(log + i, data, size);
	fd = memfd_create("fuzz-scanlog", 0);
	FUZZ_CHECK(fd >= 0, "memfd_create");
	FUZZ_CHECK(write(fd, log, n) == (ssize_t)n, "write");
	block = SCANLOG_LINE_MAX + 1 + (size_t)(h % (3 * SCANLOG_LINE_MAX));
	head = (size_t)((h >> 20) % (n < 70000 ? n : 70000));
	workers = 2 + (unsigned)((h >> 40) & 1);
	one(fd, log, 0, 0, 4 * FUZZ_LOG, &a, &ca);
	one(fd, log, head, workers, block, &b, &cb);
	FUZZ_CHECK(ca.lines == cb.lines && ca.records == cb.records &&
			   ca.malformed == cb.malformed,
		   "counts differ: %lu/%lu/%lu vs %lu/%lu/%lu", ca.lines,
		   ca.records, ca.malformed, cb.lines, cb.records,
		   cb.malformed);
	FUZZ_CHECK(a.len == b.len && (!a.len || !memcmp(a.text, b.text, a.len)),
		   "findings differ (workers %u, block %zu, head %zu)", workers,
		   block, head);
	close(fd);
	free(a.text);
	free(b.text);
	free(log);
	return 0;
}
