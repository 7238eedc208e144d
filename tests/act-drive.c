/*
 * act-drive.c - drive the action modules (reroute, probe, flush) from the
 * command line, as the daemon's events will: the real-Postfix test
 * (t-act-postfix.sh) runs them against a real instance and the fake MX.
 *
 *   act-drive reroute TABLE CONFIG_DIR [IP PROVIDER TRANSPORT DOMAIN...]
 *       write TABLE (hash) with that one decision, or empty without one;
 *       prints "reroute written|unchanged lines=N"; exit 0, 1 on error
 *   act-drive probe MX PORT SOURCE_IP HELO SENDER RCPT [STEP_TIMEOUT]
 *       one probe; prints its event line; exit 0 ok, 1 refused,
 *       2 failed, 3 not local
 *   act-drive flush PROGRAM [ARG...]
 *       run the flush command; prints its event line; exit 0 ok, 1 not
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "flush.h"
#include "probe.h"
#include "reroute.h"

/* reroute - one decision (or none) into the table */
static int do_reroute(int argc, char **argv)
{
	struct reroute_conf conf;
	struct reroute r;
	char err[1024];
	int rc;

	if (argc < 4 || (argc > 4 && argc < 8)) {
		fprintf(stderr, "usage: act-drive reroute TABLE CONFIG_DIR "
				"[IP PROVIDER TRANSPORT DOMAIN...]\n");
		return 2;
	}
	memset(&conf, 0, sizeof(conf));
	conf.table = argv[2];
	conf.config_dir = argv[3];
	reroute_init(&r, &conf);
	if (reroute_open(&r, err, sizeof(err)) < 0) {
		fprintf(stderr, "act-drive: %s\n", err);
		return 1;
	}
	if (argc > 4 &&
	    reroute_set(&r, argv[4], argv[5], (const char *const *)argv + 7,
			(size_t)(argc - 7), argv[6], err, sizeof(err)) < 0) {
		fprintf(stderr, "act-drive: %s\n", err);
		reroute_free(&r);
		return 1;
	}
	rc = reroute_commit(&r, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "act-drive: %s\n", err);
	else
		printf("reroute %s lines=%zu\n", rc ? "written" : "unchanged",
		       r.lines);
	reroute_free(&r);
	return rc < 0 ? 1 : 0;
}

/* probe - one probe, its event line */
static int do_probe(int argc, char **argv)
{
	struct probe_req req;
	struct probe_result res;
	struct buf b;

	if (argc < 8) {
		fprintf(stderr, "usage: act-drive probe MX PORT SOURCE_IP HELO "
				"SENDER RCPT [STEP_TIMEOUT]\n");
		return 2;
	}
	memset(&req, 0, sizeof(req));
	req.mx = argv[2];
	req.port = (unsigned)strtoul(argv[3], NULL, 10);
	req.source_ip = argv[4];
	req.helo = argv[5];
	req.sender = argv[6];
	req.rcpt = argv[7];
	req.step_timeout = argc > 8 ? strtol(argv[8], NULL, 10) : 10;
	probe_run(&req, &res);
	buf_init(&b);
	probe_event(&b, &req, &res, "microsoft-consumer", 0);
	printf("%s\n", buf_str(&b));
	buf_free(&b);
	switch (res.status) {
	case PROBE_OK:
		return 0;
	case PROBE_REFUSED:
		return 1;
	case PROBE_NOT_LOCAL:
		return 3;
	default:
		return 2;
	}
}

/* flush - the flush command, its event line */
static int do_flush(int argc, char **argv)
{
	struct flush_result res;
	struct buf b;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: act-drive flush PROGRAM [ARG...]\n");
		return 2;
	}
	rc = flush_run(argv + 2, 30, &res);
	buf_init(&b);
	flush_event(&b, &res, "127.0.0.2", "microsoft-consumer", 0);
	printf("%s\n", buf_str(&b));
	buf_free(&b);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "reroute"))
		return do_reroute(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "probe"))
		return do_probe(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "flush"))
		return do_flush(argc, argv);
	fprintf(stderr, "usage: act-drive reroute|probe|flush ...\n");
	return 2;
}
