/*
 * t-reroute.c - the reroute table: key and value checks, rendering
 * (sorted, one line per domain, IP filter, clear), and a real write with
 * Postfix's postmap (skipped without it): the indexed file is replaced by
 * rename, so a reader's open file is never changed in place
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "util.h"
#include "reroute.h"

static const struct {
	const char *name, *in;
	int want;
} domain_rows[] = {
	{"plain", "hotmail.com", 1},
	{"upper", "Outlook.COM", 1},
	{"country", "hotmail.co.uk", 1},
	{"empty", "", 0},
	{"space", "hotmail .com", 0},
	{"newline", "hotmail.com\nx.com smtp:evil", 0},
	{"leading dot", ".hotmail.com", 0},
	{"leading dash", "-x.com", 0},
	{"colon", "a:b", 0},
	{"hash", "a#b", 0},
};

static const struct {
	const char *name, *in;
	int want;
} transport_rows[] = {
	{"relay", "smtp:[backup.example]:587", 1},
	{"transport only", "smtp-ip2:", 1},
	{"with nexthop", "relay:[127.0.0.1]:2525", 1},
	{"no colon", "smtp", 0},
	{"leading colon", ":[x]", 0},
	{"space", "smtp:[a] b", 0},
	{"newline", "smtp:[a]\nhotmail.com error:", 0},
	{"comment", "smtp:#", 0},
	{"empty", "", 0},
};

static const char *ms[] = {"outlook.com", "Hotmail.com", "live.com",
			   "bad domain", "hotmail.com"};
static const char *m365[] = {"contoso.com", "hotmail.com"};

/* render_str - the rendering without the two comment lines */
static char *render_str(const struct reroute *r)
{
	struct buf b;
	const char *s;
	char *out;
	int i;

	buf_init(&b);
	CHECK(reroute_render(r, &b) == 0, "render");
	s = buf_str(&b);
	for (i = 0; i < 2 && strchr(s, '\n'); i++) {
		CHECK(s[0] == '#', "comment line %d", i);
		s = strchr(s, '\n') + 1;
	}
	out = strdup(s);
	buf_free(&b);
	return out;
}

static void test_render(void)
{
	static const char *only[] = {"192.0.2.7", NULL};
	struct reroute_conf conf;
	struct reroute r;
	char err[256], *s;

	memset(&conf, 0, sizeof(conf));
	conf.table = "/nonexistent/reroute";
	reroute_init(&r, &conf);
	s = render_str(&r);
	CHECK_STR(s, "", "empty");
	free(s);

	CHECK_INT(reroute_set(&r, "192.0.2.5", "microsoft-consumer", ms, 5,
			      "smtp:[backup.example]:587", err, sizeof(err)),
		  4, "set consumer");
	CHECK_INT(reroute_set(&r, "192.0.2.7", "microsoft-365", m365, 2,
			      "smtp-ip2:", err, sizeof(err)),
		  2, "set 365");
	s = render_str(&r);
	/* hotmail.com twice: (192.0.2.5, microsoft-consumer) comes first */
	CHECK_STR(s,
		  "contoso.com smtp-ip2:\n"
		  "hotmail.com smtp:[backup.example]:587\n"
		  "live.com smtp:[backup.example]:587\n"
		  "outlook.com smtp:[backup.example]:587\n",
		  "two decisions");
	free(s);

	CHECK_INT(reroute_set(&r, "192.0.2.5", "microsoft-consumer", ms, 1,
			      "relay:", err, sizeof(err)),
		  1, "replace");
	s = render_str(&r);
	CHECK_STR(s,
		  "contoso.com smtp-ip2:\n"
		  "hotmail.com smtp-ip2:\n"
		  "outlook.com relay:\n",
		  "replaced");
	free(s);

	CHECK(reroute_set(&r, "not-an-ip", "p", ms, 1, "relay:", err,
			  sizeof(err)) < 0,
	      "bad ip");
	CHECK(reroute_set(&r, "192.0.2.9", "p", ms, 1, "relay:\nx error:", err,
			  sizeof(err)) < 0,
	      "injected transport");

	CHECK_INT(reroute_clear(&r, "192.0.2.7", "microsoft-365"), 1, "clear");
	CHECK_INT(reroute_clear(&r, "192.0.2.7", "microsoft-365"), 0,
		  "clear again");
	s = render_str(&r);
	CHECK_STR(s, "outlook.com relay:\n", "after clear");
	free(s);
	reroute_free(&r);

	/* Only the decisions of the IPs this table is for. */
	conf.ips = only;
	reroute_init(&r, &conf);
	reroute_set(&r, "192.0.2.5", "microsoft-consumer", ms, 5, "relay:", err,
		    sizeof(err));
	reroute_set(&r, "192.0.2.7", "microsoft-365", m365, 2, "smtp-ip2:", err,
		    sizeof(err));
	s = render_str(&r);
	CHECK_STR(s, "contoso.com smtp-ip2:\nhotmail.com smtp-ip2:\n",
		  "ip filter");
	free(s);
	reroute_free(&r);
}

/* test_commit - a real table with postmap, replaced by rename */
static void test_commit(void)
{
	char dir[] = "/tmp/t-reroute.XXXXXX", table[256], db[256], cf[256];
	char err[1024], cmd[1024];
	struct reroute_conf conf;
	struct reroute r;
	struct stat st1, st2;
	FILE *f;

	if (access("/usr/sbin/postmap", X_OK) != 0) {
		printf("t-reroute: postmap not installed: commit not tested\n");
		return;
	}
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(cf, sizeof(cf), "%s/main.cf", dir);
	f = fopen(cf, "w");
	if (f) {
		fputs("compatibility_level = 3.6\n", f);
		fclose(f);
	}
	snprintf(table, sizeof(table), "%s/reroute", dir);
	snprintf(db, sizeof(db), "%s/reroute.db", dir);
	memset(&conf, 0, sizeof(conf));
	conf.table = table;
	conf.config_dir = dir;
	reroute_init(&r, &conf);
	CHECK(reroute_open(&r, err, sizeof(err)) == 0, "open: %s", err);
	CHECK(stat(db, &st1) == 0, "empty table created");
	CHECK_INT(reroute_commit(&r, err, sizeof(err)), 1, "first commit");
	CHECK_INT(reroute_commit(&r, err, sizeof(err)), 0, "unchanged");
	reroute_set(&r, "192.0.2.5", "microsoft-consumer", ms, 5,
		    "smtp:[backup.example]:587", err, sizeof(err));
	stat(db, &st1);
	CHECK_INT(reroute_commit(&r, err, sizeof(err)), 1, "changed");
	CHECK_INT(r.lines, 3, "lines (Hotmail.com once)");
	CHECK(stat(db, &st2) == 0 && st2.st_ino != st1.st_ino,
	      "index replaced by rename (new inode)");
	snprintf(cmd, sizeof(cmd),
		 "/usr/sbin/postmap -c %s -q hotmail.com hash:%s | "
		 "grep -qx 'smtp:\\[backup.example\\]:587'",
		 dir, table);
	CHECK(system(cmd) == 0, "postmap -q finds hotmail.com");

	/* A failing postmap leaves the old table in place. */
	r.conf.postmap = "/bin/false";
	reroute_clear(&r, "192.0.2.5", "microsoft-consumer");
	CHECK(reroute_commit(&r, err, sizeof(err)) < 0, "postmap fails");
	CHECK(strstr(err, "exit 1") != NULL, "reason: %s", err);
	CHECK(system(cmd) == 0, "old table still answers");
	reroute_free(&r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(domain_rows) / sizeof(domain_rows[0]); i++)
		CHECK_INT(util_valid_hostname(domain_rows[i].in),
			  domain_rows[i].want, domain_rows[i].name);
	for (i = 0; i < sizeof(transport_rows) / sizeof(transport_rows[0]); i++)
		CHECK_INT(reroute_valid_transport(transport_rows[i].in),
			  transport_rows[i].want, transport_rows[i].name);
	test_render();
	test_commit();
	return check_done("t-reroute");
}
