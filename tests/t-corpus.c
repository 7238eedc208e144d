/*
 * t-corpus.c - the whole detection engine against the labelled corpus
 *
 * sisimai/LABELS.tsv: every .eml goes through dsn (fed in odd-sized
 * chunks), each record's diagnostic text through verdict; the file's
 * verdict is its strongest record.  maillog/real-lines.tsv: every line
 * goes through maillog_parse and verdict.  Compared with the labels:
 * provider family (Microsoft or not), alert (is_block), code token and
 * blocked IP.  Rows labelled with '?' are reported, not failed.
 *
 * The corpus is $MILTER_DELIST_CORPUS, else $srcdir/../shared/corpus; the
 * test is skipped (77) when it is not there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "labels.h"
#include "dsn.h"
#include "finding.h"
#include "maillog.h"
#include "util.h"
#include "verdict.h"

/* strength - order of verdicts within one file: alerts first */
static int strength(const struct verdict *v)
{
	if (verdict_alerts(v))
		return 5;
	switch (v->kind) {
	case VERDICT_DOMAIN_BLOCK:
		return 4;
	case VERDICT_AUTH:
		return 3;
	case VERDICT_NOT_A_BLOCK:
		return 2;
	default:
		return v->provider != VERDICT_PROVIDER_NONE;
	}
}

/* domain_of - the part after the last '@', or the whole string */
static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : addr;
}

struct tally {
	const char *name;
	int total, agree, doubtful;
};

/* score - count one row; fail it unless the label is doubtful */
static void score(struct tally *t, const char *row, const char *prov,
		  const char *block, const char *code, const char *ip, int ok,
		  const char *why)
{
	int unsure = strchr(prov, '?') || strchr(block, '?');

	t->total++;
	if (ok) {
		t->agree++;
	} else if (unsure) {
		t->doubtful++;
		printf("%s: doubtful %s (%s %s %s %s): %s\n", t->name, row,
		       prov, block, code, ip, why);
	} else {
		CHECK(0, "%s: %s (%s %s %s %s): %s", t->name, row, prov, block,
		      code, ip, why);
	}
}

/* file_verdict - run one message through dsn and verdict; the strongest
 * record's verdict.  A complaint report (ARF) has no records: it is
 * credited to the party that sent it, with no kind. */
static void file_verdict(const char *msg, size_t len, struct verdict *best,
			 char *note, size_t size)
{
	static const size_t chunks[] = {1, 7, 64, 777, 4096};
	struct dsn *d = dsn_new(0);
	const struct dsn_info *info;
	size_t off = 0, k = 0, i, n;

	memset(best, 0, sizeof(*best));
	note[0] = '\0';
	if (!d)
		abort();
	while (off < len) {
		size_t c = chunks[k++ % UTIL_ARRAY_SIZE(chunks)];

		if (c > len - off)
			c = len - off;
		dsn_feed(d, msg + off, c);
		off += c;
	}
	n = dsn_finish(d);
	info = dsn_get_info(d);
	for (i = 0; i < n; i++) {
		const struct dsn_record *r = dsn_get(d, i);
		struct finding fd;

		/* The daemon's own path: record -> finding -> verdict. */
		finding_from_dsn(&fd, r, info, 0);
		if (strength(&fd.v) > strength(best)) {
			*best = fd.v;
			snprintf(note, size, "record %zu/%zu rcpt=%s mta=%s",
				 i + 1, n, r->recipient, r->remote_mta);
		}
	}
	if (n == 0 && info && info->is_arf) {
		best->provider =
			verdict_consumer_domain(domain_of(info->from))
				? VERDICT_MS_CONSUMER
				: verdict_mx_provider(info->reporting_mta);
		snprintf(note, size, "complaint report from %s", info->from);
	}
	if (!note[0])
		snprintf(note, size, "%zu records", n);
	dsn_free(d);
}

/* test_labels - every row of sisimai/LABELS.tsv */
static void test_labels(const char *dir)
{
	struct tally t = {"LABELS.tsv", 0, 0, 0};
	char path[4200], why[1024], note[600], *data, *line, *next;

	snprintf(path, sizeof(path), "%s/sisimai/LABELS.tsv", dir);
	data = check_slurp(path, NULL);
	CHECK(data != NULL, "cannot read %s", path);
	if (!data)
		return;
	line = strchr(data, '\n'); /* header */
	for (line = line ? line + 1 : NULL; line && *line; line = next) {
		char *f[12], *msg;
		size_t len;
		struct verdict v;
		int ok;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (fields(line, f, 12) < 5)
			continue;
		snprintf(path, sizeof(path), "%s/sisimai/%s", dir, f[0]);
		msg = check_slurp(path, &len);
		CHECK(msg != NULL, "cannot read %s", path);
		if (!msg)
			continue;
		file_verdict(msg, len, &v, note, sizeof(note));
		free(msg);
		ok = label_agrees(f[1], f[2], f[3], f[4], &v, why, sizeof(why));
		if (!ok) {
			size_t w = strlen(why);

			snprintf(why + w, sizeof(why) - w, " [%s %s; %s]",
				 verdict_provider_name(v.provider),
				 verdict_kind_name(v.kind), note);
		}
		score(&t, f[0], f[1], f[2], f[3], f[4], ok, why);
	}
	free(data);
	printf("LABELS.tsv: agreements %d/%d (%d doubtful)\n", t.agree, t.total,
	       t.doubtful);
}

/* unwrap - undo a source's hard wrap: the two-character marks "\n" and
 * "\t" stand where the line was broken ("\n\t" inside a word, "\n"
 * before "[" inside "host[ip]", else where a space was) */
static size_t unwrap(char *s)
{
	size_t i, n = 0;

	for (i = 0; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1] == 'n') {
			i++;
			if (s[i + 1] == '\\' && s[i + 2] == 't')
				i += 2;
			else if (s[i + 1] != '[')
				s[n++] = ' ';
			continue;
		}
		s[n++] = s[i];
	}
	s[n] = '\0';
	return n;
}

/* test_lines - every row of maillog/real-lines.tsv */
static void test_lines(const char *dir)
{
	struct tally t = {"real-lines.tsv", 0, 0, 0};
	char path[4200], why[1024], row[32], *data, *line, *next;
	time_t now = 1780000000; /* 2026-05-28: stamps are of past years */
	int lineno = 1;

	snprintf(path, sizeof(path), "%s/maillog/real-lines.tsv", dir);
	data = check_slurp(path, NULL);
	CHECK(data != NULL, "cannot read %s", path);
	if (!data)
		return;
	line = strchr(data, '\n'); /* header */
	for (line = line ? line + 1 : NULL; line && *line; line = next) {
		char *f[8];
		struct maillog_rec r;
		struct verdict v;
		size_t len;
		int ret, ok;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (fields(line, f, 8) < 7)
			continue;
		len = strstr(f[6], "(wrapped)") ? unwrap(f[1]) : strlen(f[1]);
		memset(&r, 0, sizeof(r));
		ret = maillog_parse(f[1], len, now, &r);
		memset(&v, 0, sizeof(v));
		if (ret == 1) {
			struct finding fd;

			/* The daemon's own path: the finding takes the
			 * replying host and the line's dsn= when the reply
			 * has no code (labels say "4.7.4" for Postfix's own
			 * "TLS is required" deferral). */
			if (finding_from_log(&fd, &r, now) || fd.v.provider)
				v = fd.v;
			if (!v.code[0] && v.provider &&
			    r.status != MAILLOG_SENT && r.dsn[0] &&
			    r.dsn[0] != '2')
				util_strcpy(v.code, sizeof(v.code), r.dsn);
		}
		ok = label_agrees(f[2], f[3], f[4], f[5], &v, why, sizeof(why));
		if (!ok) {
			size_t w = strlen(why);

			snprintf(why + w, sizeof(why) - w,
				 " [maillog %d status=%s relay=%.80s "
				 "rcpt_domain=%.80s "
				 "dsn=%s text=%.60s]",
				 ret, maillog_status_name(r.status),
				 r.relay_host, r.rcpt_domain, r.dsn,
				 r.text ? r.text : "");
		}
		snprintf(row, sizeof(row), "line %d", lineno);
		score(&t, row, f[2], f[3], f[4], f[5], ok, why);
	}
	free(data);
	printf("real-lines.tsv: %d/%d (%d doubtful)\n", t.agree, t.total,
	       t.doubtful);
}

int main(void)
{
	const char *env = getenv("MILTER_DELIST_CORPUS");
	char dir[4096];
	struct stat st;

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		check_path(dir, sizeof(dir), "../shared/corpus");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("t-corpus: no corpus at %s, skipped\n", dir);
		return 77;
	}
	test_labels(dir);
	test_lines(dir);
	return check_done("t-corpus");
}
