/*
 * t-addr.c - addresses as values: parse, canonical text, ranges, collapse
 *
 * Also the three cases of one address written two ways: an IPv4-mapped
 * IPv6 address and the plain IPv4 one give one IP in a verdict and count
 * as ours in outbound_ips either way; leading zeros read as decimal.
 */
#include <string.h>

#include "addr.h"
#include "check.h"
#include "finding.h"
#include "util.h"
#include "verdict.h"

/* clang-format off */
static const struct {
	const char *name, *in, *want; /* want "" = refused */
	int family;
} parse_rows[] = {
{"plain v4", "198.51.100.7", "198.51.100.7", 4},
{"mapped v4", "::ffff:198.51.100.7", "198.51.100.7", 4},
{"mapped v4 upper", "::FFFF:198.51.100.7", "198.51.100.7", 4},
{"mapped v4 hex", "::ffff:c633:6407", "198.51.100.7", 4},
{"mapped v4 long", "0:0:0:0:0:ffff:c633:6407", "198.51.100.7", 4},
{"leading zeros decimal", "010.001.002.003", "10.1.2.3", 4},
{"leading zero 08", "192.168.008.009", "192.168.8.9", 4},
{"zero", "0.0.0.0", "0.0.0.0", 4},
{"v6 canonical", "2001:DB8:0:0:0:0:0:1", "2001:db8::1", 6},
{"v6 one zero group not ::", "2001:db8:0:1:1:1:1:1",
 "2001:db8:0:1:1:1:1:1", 6},
{"v6 longest run", "2001:0:0:1:0:0:0:1", "2001:0:0:1::1", 6},
{"v6 loopback", "::1", "::1", 6},
{"v6 leading zeros", "2001:0db8::0001", "2001:db8::1", 6},
{"four digits", "0010.1.2.3", "", 0},
{"over 255", "256.1.2.3", "", 0},
{"three parts", "1.2.3", "", 0},
{"five parts", "1.2.3.4.5", "", 0},
{"empty part", "1..2.3", "", 0},
{"trailing dot", "1.2.3.4.", "", 0},
{"masked", "x.x.x.x", "", 0},
{"hex v4", "0x7f.0.0.1", "", 0},
{"one number", "2130706433", "", 0},
{"zone", "fe80::1%eth0", "", 0},
{"bad v6", "2001:db8::zz", "", 0},
{"two ::", "1::2::3", "", 0},
{"empty", "", "", 0},
{"space", " 1.2.3.4", "", 0},
};

static const struct {
	const char *name, *range, *want; /* want "" = refused */
	int rc;
	const char *inside, *outside;
} range_rows[] = {
{"v4 /24", "198.51.100.0/24", "198.51.100.0/24", 0, "198.51.100.255",
 "198.51.101.0"},
{"v4 host bits", "198.51.100.7/24", "198.51.100.0/24", 1, "198.51.100.1",
 "198.51.99.255"},
{"v4 single", "198.51.100.7", "198.51.100.7", 0, "::ffff:198.51.100.7",
 "198.51.100.8"},
{"v4 /32", "198.51.100.7/32", "198.51.100.7", 0, "198.51.100.7",
 "198.51.100.6"},
{"v4 /0", "0.0.0.0/0", "0.0.0.0/0", 0, "203.0.113.1", "2001:db8::1"},
{"v4 /31", "192.0.2.2/31", "192.0.2.2/31", 0, "192.0.2.3", "192.0.2.4"},
{"mapped single", "::ffff:198.51.100.7", "198.51.100.7", 0, "198.51.100.7",
 "198.51.100.70"},
{"mapped /120", "::ffff:198.51.100.0/120", "198.51.100.0/24", 0,
 "198.51.100.200", "198.51.101.1"},
{"v6 /48", "2001:db8:1::/48", "2001:db8:1::/48", 0, "2001:db8:1:ffff::1",
 "2001:db8:2::1"},
{"v6 /64 host bits", "2001:db8::1/64", "2001:db8::/64", 1, "2001:db8::abcd",
 "2001:db8:0:1::1"},
{"v6 /128", "2001:db8::1/128", "2001:db8::1", 0, "2001:db8::1",
 "2001:db8::2"},
{"v4 /33", "192.0.2.0/33", "", -1, NULL, NULL},
{"v6 /129", "2001:db8::/129", "", -1, NULL, NULL},
{"mapped /95", "::ffff:0.0.0.0/95", "", -1, NULL, NULL},
{"empty prefix", "192.0.2.0/", "", -1, NULL, NULL},
{"prefix not a number", "192.0.2.0/2x", "", -1, NULL, NULL},
{"prefix leading zero", "192.0.2.0/024", "", -1, NULL, NULL},
{"bad net", "192.0.2/24", "", -1, NULL, NULL},
};

static const struct {
	const char *name;
	const char *in[12];
	const char *want;
} collapse_rows[] = {
{"one", {"198.51.100.7"}, "198.51.100.7"},
{"two forms one address", {"198.51.100.7", "::ffff:198.51.100.7"},
 "198.51.100.7"},
{"aligned pair", {"192.0.2.5", "192.0.2.4"}, "192.0.2.4/31"},
{"unaligned pair", {"192.0.2.3", "192.0.2.4"}, "192.0.2.3; 192.0.2.4"},
{"four", {"192.0.2.13", "192.0.2.12", "192.0.2.14", "192.0.2.15"},
 "192.0.2.12/30"},
{"five", {"192.0.2.12", "192.0.2.13", "192.0.2.14", "192.0.2.15",
 "192.0.2.16"}, "192.0.2.12/30; 192.0.2.16"},
{"gap", {"192.0.2.12", "192.0.2.13", "192.0.2.15"},
 "192.0.2.12/31; 192.0.2.15"},
{"eight and a stray", {"10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3",
 "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.9"},
 "10.0.0.0/29; 10.0.0.9"},
{"run 1..6", {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5",
 "10.0.0.6"}, "10.0.0.1; 10.0.0.2/31; 10.0.0.4/31; 10.0.0.6"},
{"octet carry", {"10.0.0.255", "10.0.1.0"}, "10.0.0.255; 10.0.1.0"},
{"mixed families", {"2001:db8::1", "2001:db8::", "192.0.2.1"},
 "192.0.2.1; 2001:db8::/127"},
{"duplicates", {"192.0.2.1", "192.0.2.1", "192.0.2.1"}, "192.0.2.1"},
{"top of space", {"255.255.255.254", "255.255.255.255"},
 "255.255.255.254/31"},
};
/* clang-format on */

/* test_parse - canonical text, family, refusals */
static void test_parse(void)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(parse_rows); i++) {
		char out[ADDR_TEXT_MAX];
		int fam = addr_canon(parse_rows[i].in, strlen(parse_rows[i].in),
				     out, sizeof(out));

		CHECK_INT(fam, parse_rows[i].family, parse_rows[i].name);
		CHECK_STR(out, parse_rows[i].want, parse_rows[i].name);
		/* the edge everyone else calls agrees */
		fam = util_ip_parse(parse_rows[i].in, strlen(parse_rows[i].in),
				    out, sizeof(out));
		CHECK_INT(fam, parse_rows[i].family, parse_rows[i].name);
		if (fam)
			CHECK_STR(out, parse_rows[i].want, parse_rows[i].name);
	}
}

/* test_compare - one address written two ways compares equal */
static void test_compare(void)
{
	struct addr a, b;

	CHECK(addr_parse(&a, "::ffff:198.51.100.7", 19) == 0 &&
		      addr_parse(&b, "198.51.100.7", 12) == 0 &&
		      addr_cmp(&a, &b) == 0,
	      "mapped and plain differ");
	CHECK(addr_parse(&a, "010.001.002.003", 15) == 0 &&
		      addr_parse(&b, "10.1.2.3", 8) == 0 &&
		      addr_cmp(&a, &b) == 0,
	      "leading zeros not decimal");
	CHECK(addr_parse(&a, "10.0.0.9", 8) == 0 &&
		      addr_parse(&b, "10.0.0.10", 9) == 0 &&
		      addr_cmp(&a, &b) < 0,
	      "numeric order");
	CHECK(addr_parse(&a, "255.255.255.255", 15) == 0 &&
		      addr_parse(&b, "::", 2) == 0 && addr_cmp(&a, &b) < 0,
	      "IPv4 before IPv6");
}

/* test_ranges - parse, text, membership */
static void test_ranges(void)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(range_rows); i++) {
		struct addr_range r;
		struct addr a;
		char out[ADDR_RANGE_MAX];
		const char *name = range_rows[i].name;
		int rc = addr_range_parse(&r, range_rows[i].range,
					  strlen(range_rows[i].range));

		CHECK_INT(rc, range_rows[i].rc, name);
		if (rc < 0)
			continue;
		addr_range_text(&r, out, sizeof(out));
		CHECK_STR(out, range_rows[i].want, name);
		CHECK(addr_parse(&a, range_rows[i].inside,
				 strlen(range_rows[i].inside)) == 0 &&
			      addr_in_range(&a, &r),
		      "%s: %s not inside", name, range_rows[i].inside);
		CHECK(addr_parse(&a, range_rows[i].outside,
				 strlen(range_rows[i].outside)) == 0 &&
			      !addr_in_range(&a, &r),
		      "%s: %s inside", name, range_rows[i].outside);
	}
}

/* test_collapse - the fewest ranges, rendered with "; " */
static void test_collapse(void)
{
	size_t i, j;

	for (i = 0; i < UTIL_ARRAY_SIZE(collapse_rows); i++) {
		struct addr in[12];
		char out[512];
		size_t n = 0;

		for (j = 0; j < 12 && collapse_rows[i].in[j]; j++)
			if (addr_parse(&in[n], collapse_rows[i].in[j],
				       strlen(collapse_rows[i].in[j])) == 0)
				n++;
		CHECK_INT(addr_collapse_text(in, n, out, sizeof(out)), 0,
			  collapse_rows[i].name);
		CHECK_STR(out, collapse_rows[i].want, collapse_rows[i].name);
	}
	/* A 256-address block is one range; a short buffer says so. */
	{
		struct addr in[256];
		char out[12];

		for (i = 0; i < 256; i++) {
			memset(&in[i], 0, sizeof(in[i]));
			in[i].family = 4;
			in[i].b[0] = 198, in[i].b[1] = 51, in[i].b[2] = 100;
			in[i].b[3] = (unsigned char)(255 - i);
		}
		CHECK_INT(addr_collapse_text(in, 256, out, sizeof(out)), -1,
			  "short buffer");
		CHECK_INT(addr_collapse(in, 256, NULL, 0), 1, "256 in one");
	}
}

/* test_reported - the three cases of issue "addresses written two ways" */
static void test_reported(void)
{
	static const char fmt_ban[] =
		"550 5.7.606 Access denied, banned sending IP [%s]. To request "
		"removal from this list please visit https://sender.office.com/ "
		"and follow the directions. (AS16012609)";
	char text[512], ip_mapped[VERDICT_IP_MAX];
	struct verdict v;
	char *ours[] = {"::ffff:198.51.100.7"};
	char *ours_range[] = {"192.0.2.9", "198.51.100.0/29"};

	snprintf(text, sizeof(text), fmt_ban, "::ffff:198.51.100.7");
	CHECK(verdict_classify(text, strlen(text), NULL, NULL, &v) == 1,
	      "mapped: no verdict");
	util_strcpy(ip_mapped, sizeof(ip_mapped), v.ip);
	snprintf(text, sizeof(text), fmt_ban, "198.51.100.7");
	CHECK(verdict_classify(text, strlen(text), NULL, NULL, &v) == 1,
	      "plain: no verdict");
	CHECK_STR(ip_mapped, v.ip, "one address, one incident key");

	CHECK(finding_is_ours("198.51.100.7", ours, 1),
	      "plain form of a mapped outbound_ips entry is not ours");
	CHECK(finding_is_ours("::ffff:198.51.100.7", ours, 1),
	      "mapped form is not ours");
	CHECK(!finding_is_ours("198.51.100.8", ours, 1), "neighbour is ours");
	CHECK(finding_is_ours("198.51.100.5", ours_range, 2),
	      "address inside an outbound_ips range is not ours");
	CHECK(!finding_is_ours("198.51.100.8", ours_range, 2),
	      "address outside an outbound_ips range is ours");
	CHECK(!finding_is_ours("unknown", ours_range, 2), "unknown is ours");

	snprintf(text, sizeof(text), fmt_ban, "010.001.002.003");
	CHECK(verdict_classify(text, strlen(text), NULL, NULL, &v) == 1,
	      "leading zeros: no verdict");
	CHECK_STR(v.ip, "10.1.2.3", "leading zeros read as decimal");
}

int main(void)
{
	test_parse();
	test_compare();
	test_ranges();
	test_collapse();
	test_reported();
	return check_done("t-addr");
}
