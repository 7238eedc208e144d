/*
 * incident-bench.c - the incident store at scale (make bench)
 *
 *   incident-bench [-i IPS] [-n FINDINGS] DIR
 *
 * Feeds FINDINGS findings (default 1,000,000) about IPS distinct blocked
 * IPs (default 10,000, the store's default cap) through incident_note(),
 * as a storm would: IPs in pseudo-random order, each with its own S3150
 * block and 4.7.650 rate-limit replies (a sample each), recipient domains
 * from a dozen, a new queue id every time, the clock moving forward.  Then
 * writes the store with incident_save() to DIR/state (temp file, fsync,
 * rename, directory fsync: the daemon's write) and reads it back with
 * incident_load().  Prints one line of key=value results:
 *
 *   findings=1000000 ips=10000 incidents=10000 note_s=... findings_per_s=...
 *   rss_base_kib=... rss_peak_kib=... state_bytes=... save_s=... load_s=...
 *
 * rss_base_kib is the peak before the first finding (the program and its
 * prepared reply texts); rss_peak_kib the peak at the end.  Exit 0, or 1
 * when something failed (the line then says what).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "finding.h"
#include "incident.h"
#include "util.h"

#define TEXT_MAX 400

static const char *const domains[] = {
	"hotmail.com", "outlook.com",	"live.com",	   "msn.com",
	"hotmail.de",  "hotmail.co.uk", "outlook.fr",	   "live.nl",
	"hotmail.fr",  "outlook.de",	"windowslive.com", "live.co.uk",
};

/* now_s - a monotonic clock in seconds */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* hwm_kib - VmHWM of this process (peak resident set), KiB; 0 unknown */
static long hwm_kib(void)
{
	char line[256];
	long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* hex_id - a 10-digit upper-case hex queue id (no snprintf in the loop) */
static void hex_id(char *dst, unsigned long long v)
{
	static const char hex[] = "0123456789ABCDEF";
	int k;

	for (k = 9; k >= 0; k--, v >>= 4)
		dst[k] = hex[v & 15];
	dst[10] = '\0';
}

/* next - xorshift64*: the same sequence everywhere */
static unsigned long long next(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

int main(int argc, char **argv)
{
	unsigned long nips = 10000, nfind = 1000000, i;
	unsigned long long rng = 0x6d696c746572ULL;
	char(*ips)[VERDICT_IP_MAX], (*texts)[2][TEXT_MAX], path[4096];
	size_t(*lens)[2];
	struct incident_store *s, *s2;
	struct finding f;
	struct stat st;
	double t0, t_note, t_save, t_load;
	long rss_base, rss_peak;
	int opt;
	char err[512];

	while ((opt = getopt(argc, argv, "i:n:")) != -1) {
		if (opt == 'i')
			nips = strtoul(optarg, NULL, 10);
		else if (opt == 'n')
			nfind = strtoul(optarg, NULL, 10);
		else
			goto usage;
	}
	if (optind + 1 != argc || nips == 0 || nips > 65536 * 250UL)
		goto usage;
	snprintf(path, sizeof(path), "%s/state", argv[optind]);

	/* The IPs and their replies, prepared outside the timed loop. */
	ips = calloc(nips, sizeof(*ips));
	texts = calloc(nips, sizeof(*texts));
	lens = calloc(nips, sizeof(*lens));
	if (!ips || !texts || !lens) {
		printf("error=out-of-memory\n");
		return 1;
	}
	for (i = 0; i < nips; i++) {
		snprintf(ips[i], sizeof(ips[i]), "10.%lu.%lu.%lu",
			 i / 62500 % 256, i / 250 % 250, 1 + i % 250);
		snprintf(texts[i][0], TEXT_MAX,
			 "550 5.7.1 Unfortunately, messages from [%s] weren't "
			 "sent. Please contact your Internet service provider "
			 "since part of their network is on our block list "
			 "(S3150). You can also refer your provider to "
			 "http://mail.live.com/mail/"
			 "troubleshooting.aspx#errors.",
			 ips[i]);
		snprintf(
			texts[i][1], TEXT_MAX,
			"451 4.7.650 The mail server [%s] has been temporarily "
			"rate limited due to IP reputation. For e-mail "
			"delivery information, see https://aka.ms/postmaster "
			"(S775)",
			ips[i]);
		lens[i][0] = strlen(texts[i][0]);
		lens[i][1] = strlen(texts[i][1]);
	}
	s = incident_store_new(nips);
	s2 = incident_store_new(nips);
	if (!s || !s2) {
		printf("error=out-of-memory\n");
		return 1;
	}
	memset(&f, 0, sizeof(f));
	f.v.provider = VERDICT_MS_CONSUMER;
	f.source = FINDING_POSTFIX_LOG;
	rss_base = hwm_kib();

	t0 = now_s();
	for (i = 0; i < nfind; i++) {
		unsigned long long r = next(&rng);
		/* the first nips findings name every IP once, in order */
		unsigned long ip = i < nips ? i : (unsigned long)(r % nips);
		int rl = (r >> 20) % 4 == 0; /* a quarter are rate limits */

		util_strcpy(f.v.ip, sizeof(f.v.ip), ips[ip]);
		f.v.kind = rl ? VERDICT_RATELIMIT : VERDICT_BLOCK;
		f.v.remedy = rl ? VERDICT_WAIT : VERDICT_SENDER_SUPPORT_FORM;
		f.v.reply_code = rl ? 451 : 550;
		util_strcpy(f.v.status, sizeof(f.v.status),
			    rl ? "4.7.650" : "5.7.1");
		util_strcpy(f.v.code, sizeof(f.v.code),
			    rl ? "4.7.650" : "S3150");
		util_strcpy(f.rcpt_domain, sizeof(f.rcpt_domain),
			    domains[(r >> 24) % UTIL_ARRAY_SIZE(domains)]);
		hex_id(f.queue_id, r >> 8);
		f.text = texts[ip][rl];
		f.text_len = lens[ip][rl];
		f.when = 1790000000 + (time_t)(i / 20);
		if (!incident_note(s, &f, NULL)) {
			printf("error=incident_note:%s\n", strerror(errno));
			return 1;
		}
	}
	t_note = now_s() - t0;
	rss_peak = hwm_kib();

	t0 = now_s();
	if (incident_save(s, path) < 0) {
		printf("error=incident_save:%s\n", strerror(errno));
		return 1;
	}
	t_save = now_s() - t0;
	if (stat(path, &st) < 0) {
		printf("error=stat:%s\n", strerror(errno));
		return 1;
	}
	t0 = now_s();
	if (incident_load(s2, path, err, sizeof(err)) < 0) {
		printf("error=incident_load:%s\n", err);
		return 1;
	}
	t_load = now_s() - t0;
	if (incident_count(s2) != incident_count(s)) {
		printf("error=loaded-%zu-of-%zu\n", incident_count(s2),
		       incident_count(s));
		return 1;
	}
	printf("findings=%lu ips=%lu incidents=%zu note_s=%.3f "
	       "findings_per_s=%.0f rss_base_kib=%ld rss_peak_kib=%ld "
	       "state_bytes=%lld save_s=%.3f load_s=%.3f\n",
	       nfind, nips, incident_count(s), t_note,
	       t_note > 0 ? (double)nfind / t_note : 0.0, rss_base, rss_peak,
	       (long long)st.st_size, t_save, t_load);
	incident_store_free(s);
	incident_store_free(s2);
	free(ips);
	free(texts);
	free(lens);
	unlink(path);
	return 0;
usage:
	fprintf(stderr, "usage: incident-bench [-i IPS] [-n FINDINGS] DIR\n");
	return 64;
}
