/*
 * t-provider.c - the provider table: its invariants, the precedence rule,
 * and a provider added as rows only
 *
 * The last part builds a classifier from a test-only table (the built-in
 * rows plus a made-up "example-mail" row with one signature) through
 * verdict_classify_with(): the new provider is found without any code.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "provider.h"
#include "util.h"
#include "verdict.h"

/* clang-format off */
#define LIT(s) {(s), sizeof(s) - 1}
#define LITS(a) (a), UTIL_ARRAY_SIZE(a)

/* A provider that exists only here: rows, no code. */
static const struct provider_lit ex_mx[] = {LIT("mx.example-mail.test")};
static const struct provider_lit ex_domains[] = {LIT("example-mail.test")};
static const struct provider_lit ex_markers[] = {
	LIT("edge.example-mail.test")};
static const struct provider_sig ex_sigs[] = {
	{"example-mail-ip-listed", 350, VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM, PROVIDER_SIG_NEED_EVIDENCE, "5.7.", NULL,
	 {"is listed by example mail"}, "listed ip"},
};
static const struct provider example_row = {
	3, "example-mail", "Example Mail", LITS(ex_mx), NULL, 0,
	LITS(ex_domains), NULL, 0, 1, LITS(ex_markers), LITS(ex_sigs),
	"example-mail-other"};
/* clang-format on */

#define EX_TEXT                                                                \
	"550 5.7.1 Your server is listed by Example Mail, listed IP "          \
	"[192.0.2.77]. Visit the sender portal."

/* test_invariants - ids, rank order, unique ranks and names */
static void test_invariants(void)
{
	size_t n, i, k, j, l;
	const struct provider *rows = provider_table(&n);

	CHECK(n <= VERDICT_ROWS_MAX, "%zu rows, classifier reads %d", n,
	      VERDICT_ROWS_MAX);
	for (i = 0; i < n; i++) {
		CHECK_INT((int)rows[i].id, (int)i, "row id is its position");
		for (k = 0; k < rows[i].n_sigs; k++) {
			const struct provider_sig *s = &rows[i].sigs[k];

			CHECK(s->name && *s->name, "row %zu sig %zu named", i,
			      k);
			CHECK(s->tokens || s->words[0], "%s: no condition",
			      s->name);
			CHECK(k == 0 || rows[i].sigs[k - 1].rank < s->rank,
			      "%s: out of rank order in %s", s->name,
			      rows[i].name);
			CHECK(s->rank >= 100 && s->rank < 700,
			      "%s: rank %d outside the bands", s->name,
			      s->rank);
			CHECK(strcmp(s->name, "microsoft-other") &&
				      strcmp(s->name, "delivered"),
			      "%s: a reserved name", s->name);
			for (j = 0; j <= i; j++)
				for (l = 0;
				     l < rows[j].n_sigs && (j < i || l < k);
				     l++) {
					CHECK(rows[j].sigs[l].rank != s->rank,
					      "%s and %s share rank %d",
					      rows[j].sigs[l].name, s->name,
					      s->rank);
					CHECK(strcmp(rows[j].sigs[l].name,
						     s->name),
					      "%s twice", s->name);
				}
		}
	}
	CHECK(rows[0].n_sigs == 0, "the none row has no signatures");
}

/* Texts where two providers' signatures both fit: the rank decides. */
static const struct {
	const char *text, *signature;
	enum verdict_provider provider;
} crossed[] = {
	/* 365's ban (210) before Outlook.com's wording (320) */
	{"550 5.7.606 Access denied, banned sending IP [192.0.2.9]. Messages "
	 "from [192.0.2.9] weren't sent.",
	 "m365-banned-sending-ip", VERDICT_MS_365},
	/* Outlook.com's wording (320) before 365's Spamhaus row (440) */
	{"550 5.7.1 Service unavailable, Client host [192.0.2.9] blocked "
	 "using Spamhaus. Messages from [192.0.2.9] weren't sent. "
	 "protection.outlook.com",
	 "outlook-blocklist-wording", VERDICT_MS_CONSUMER},
	/* 365's try-again-later (460) before Outlook.com's DMARC row (530) */
	{"451 4.7.500 Access denied, please try again later. Access denied, "
	 "sending domain example.org does not pass DMARC verification. "
	 "prod.outlook.com",
	 "m365-try-again-later", VERDICT_MS_365},
};

/* test_precedence - the rank, not the row order, decides */
static void test_precedence(void)
{
	struct provider flipped[3];
	struct verdict v, w;
	size_t n, i;
	const struct provider *rows = provider_table(&n);

	CHECK_INT((int)n, 3, "built-in rows");
	if (n != 3)
		return;
	flipped[0] = rows[0];
	flipped[1] = rows[2]; /* 365 before Outlook.com */
	flipped[2] = rows[1];
	for (i = 0; i < UTIL_ARRAY_SIZE(crossed); i++) {
		const char *t = crossed[i].text;

		verdict_classify(t, strlen(t), NULL, NULL, &v);
		CHECK_STR(v.signature ? v.signature : "(none)",
			  crossed[i].signature, "built-in order");
		CHECK_INT(v.provider, crossed[i].provider, t);
		verdict_classify_with(flipped, 3, t, strlen(t), NULL, NULL, &w);
		CHECK_STR(w.signature ? w.signature : "(none)",
			  crossed[i].signature, "rows flipped");
		CHECK_INT(w.provider, crossed[i].provider, t);
		CHECK(memcmp(&v, &w, sizeof(v)) == 0, "same verdict: %s", t);
	}
}

/* test_new_provider - a row added in a table, found with no code */
static void test_new_provider(void)
{
	struct provider rows[4];
	struct verdict v;
	size_t n, i;
	const struct provider *builtin = provider_table(&n);
	const char *ms = "550 5.7.1 Unfortunately, messages from [192.0.2.5] "
			 "weren't sent. (S3150)";

	CHECK_INT((int)n, 3, "built-in rows");
	if (n != 3)
		return;
	for (i = 0; i < 3; i++)
		rows[i] = builtin[i];
	rows[3] = example_row;

	/* unknown to the built-in table */
	CHECK_INT(verdict_classify(EX_TEXT, strlen(EX_TEXT),
				   "mx1.mx.example-mail.test", NULL, &v),
		  0, "built-in table does not know example-mail");

	/* its MX said it */
	CHECK_INT(verdict_classify_with(rows, 4, EX_TEXT, strlen(EX_TEXT),
					"mx1.mx.example-mail.test", NULL, &v),
		  1, "found");
	CHECK_INT(v.provider, 3, "provider is the new row");
	CHECK_STR(rows[v.provider].name, "example-mail", "its name");
	CHECK_STR(v.signature ? v.signature : "(none)",
		  "example-mail-ip-listed", "signature");
	CHECK_INT(v.kind, VERDICT_BLOCK, "kind");
	CHECK_INT(v.remedy, VERDICT_SENDER_SUPPORT_FORM, "remedy");
	CHECK_STR(v.ip, "192.0.2.77", "ip after its phrase");
	CHECK_STR(v.code, "5.7.1", "code");
	CHECK_INT(v.reply_code, 550, "reply code");
	CHECK(verdict_alerts(&v), "a block alerts");

	/* the host in the text, its recipient domain, its marker */
	{
		const char *t = "host mx2.mx.example-mail.test[192.0.2.1] "
				"said: " EX_TEXT;

		verdict_classify_with(rows, 4, t, strlen(t), NULL, NULL, &v);
		CHECK_INT(v.provider, 3, "host named in the text");
	}
	verdict_classify_with(rows, 4, EX_TEXT, strlen(EX_TEXT), NULL,
			      "Example-Mail.test", &v);
	CHECK_INT(v.provider, 3, "recipient domain");
	{
		const char *t = EX_TEXT " (edge.example-mail.test)";

		verdict_classify_with(rows, 4, t, strlen(t), NULL, NULL, &v);
		CHECK_STR(v.signature ? v.signature : "(none)",
			  "example-mail-ip-listed", "marker is evidence");
	}
	/* no evidence: its signature needs some */
	CHECK_INT(verdict_classify_with(rows, 4, EX_TEXT, strlen(EX_TEXT),
					"mx.example.org", NULL, &v),
		  0, "no evidence, no verdict");
	/* its status condition */
	{
		const char *t = "550 5.1.1 Your server is listed by Example "
				"Mail, listed IP [192.0.2.77].";

		verdict_classify_with(rows, 4, t, strlen(t),
				      "mx.example-mail.test", NULL, &v);
		CHECK_STR(v.signature ? v.signature : "(none)",
			  "example-mail-other", "5.1.1 is not its status");
		CHECK_INT(v.provider, 3, "still its reply");
		CHECK_INT(v.kind, VERDICT_NOT_A_BLOCK, "not a block");
		CHECK(!verdict_alerts(&v), "no alert");
	}
	CHECK_INT(provider_of_mx_in(rows, 4, "MX.Example-Mail.test."), 3,
		  "mx lookup over the table");
	CHECK_INT(provider_of_domain_in(rows, 4, "example-mail.test"), 3,
		  "domain lookup over the table");
	CHECK_INT(provider_of_mx("mx.example-mail.test"), VERDICT_PROVIDER_NONE,
		  "not in the built-in table");

	/* the built-in providers are unchanged by the extra row */
	{
		struct verdict b;

		verdict_classify(ms, strlen(ms), NULL, NULL, &b);
		verdict_classify_with(rows, 4, ms, strlen(ms), NULL, NULL, &v);
		CHECK(memcmp(&v, &b, sizeof(v)) == 0, "same Microsoft verdict");
		CHECK_STR(v.signature ? v.signature : "(none)",
			  "outlook-blocklist", "Microsoft signature");
	}
}

int main(void)
{
	test_invariants();
	test_precedence();
	test_new_provider();
	return check_done("t-provider");
}
