/*
 * verdict.c - turn a remote server's reply into a Microsoft block verdict
 *
 * The reply is looked at in a few bounded passes: one for the enhanced
 * status and reply code, one for the provider token ("(S3150)",
 * "AS(1430)", "SC-001"), one for the host that said it, and one
 * case-insensitive search per match word of the providers' signatures
 * (provider.c), tried in rank order.  Every
 * search compares a short constant needle at each position, so the work is
 * linear in the length of the text; there is no regex and no allocation.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "provider.h"
#include "remedy.h"
#include "util.h"
#include "verdict.h"

static const char *const kind_names[] = {
	"none",		"block", "ratelimit",  "ban",
	"domain-block", "auth",	 "not-a-block"};
#define MAX_HOST       256
#define MAX_HOST_TRIES 16

/* is_space - white space as found in folded and unfolded replies */
static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* is_digit - ASCII digit */
static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* is_alnum - ASCII letter or digit */
static int is_alnum(int c)
{
	c = util_lower(c);
	return is_digit(c) || (c >= 'a' && c <= 'z');
}

/* is_host_char - may appear in a host name */
static int is_host_char(int c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_';
}

/* at - byte i of s as unsigned, or 0 past the end */
static int at(const char *s, size_t len, size_t i)
{
	return i < len ? (unsigned char)s[i] : 0;
}

/* ws_match - length of hay matched by needle at its start, or 0 */
static inline size_t ws_match(const char *h, size_t hlen, const char *n)
{
	size_t i = 0;

	for (; *n; n++) {
		if (*n == ' ') {
			while (i < hlen && is_space((unsigned char)h[i]))
				i++;
		} else if (*n == '\'' && i + 3 <= hlen &&
			   memcmp(h + i, "\xE2\x80\x99", 3) == 0) {
			i += 3;
		} else if (*n == '\'' && at(h, hlen, i) == '`') {
			i++;
		} else if (i < hlen && util_lower((unsigned char)h[i]) ==
					       (unsigned char)*n) {
			i++;
		} else {
			return 0;
		}
	}
	return i;
}

/* next_first - the first i' >= i with util_lower(h[i']) == c, or hlen.
 * Eight bytes are tested at once (classification searches a dozen
 * phrases in every reply, most of them absent): setting bit 5 maps 'A'-'Z'
 * onto 'a'-'z' and no other byte onto a lower-case letter but itself. */
static inline size_t next_first(const char *h, size_t i, size_t hlen, int c)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t fold = c >= 'a' && c <= 'z' ? ones * 0x20 : 0;
	const uint64_t pat = ones * (uint64_t)(c & 0xFF);
	uint64_t w, y;

	for (; i + 8 <= hlen; i += 8) {
		memcpy(&w, h + i, 8);
		y = (w | fold) ^ pat;
		if ((y - ones) & ~y & (ones << 7))
			break; /* a candidate among these eight */
	}
	for (; i < hlen; i++)
		if (util_lower((unsigned char)h[i]) == c)
			return i;
	return hlen;
}

/* ws_find - first match of a lower-case needle whose spaces match any
 * white space; *mlen gets the matched length */
static const char *ws_find(const char *h, size_t hlen, const char *n,
			   size_t *mlen)
{
	int first = (unsigned char)n[0];
	size_t i, m;

	for (i = 0; (i = next_first(h, i, hlen, first)) < hlen; i++) {
		m = ws_match(h + i, hlen - i, n);
		if (m) {
			if (mlen)
				*mlen = m;
			return h + i;
		}
	}
	return NULL;
}

/* reply_before - 3-digit reply code ending just before s[end] (spaces and
 * '-' allowed in between), or 0 */
static int reply_before(const char *s, size_t end)
{
	size_t i = end, skipped = 0;

	while (i > 0 && skipped < 16 &&
	       (is_space((unsigned char)s[i - 1]) || s[i - 1] == '-')) {
		i--;
		skipped++;
	}
	if (i < 3 || !is_digit(s[i - 1]) || !is_digit(s[i - 2]))
		return 0;
	if (s[i - 3] != '2' && s[i - 3] != '4' && s[i - 3] != '5')
		return 0;
	if (i > 3 && (is_alnum((unsigned char)s[i - 4]) || s[i - 4] == '.'))
		return 0;
	return (s[i - 3] - '0') * 100 + (s[i - 2] - '0') * 10 +
	       (s[i - 1] - '0');
}

/* parse_status - enhanced status "c.d.d" starting at s[i]: its length,
 * or 0; "5.7.51 1" (a space inside the code, seen in logs) is joined */
static size_t parse_status(const char *s, size_t len, size_t i, char *out)
{
	size_t j = i + 2, a, b, n;
	char buf[VERDICT_STATUS_MAX];

	if (at(s, len, i + 1) != '.')
		return 0;
	for (a = 0; a < 4 && is_digit(at(s, len, j)); a++)
		j++;
	if (a == 0 || a > 3 || at(s, len, j) != '.')
		return 0;
	j++;
	for (b = 0; b < 4 && is_digit(at(s, len, j)); b++)
		j++;
	if (b == 0 || b > 3)
		return 0;
	/* "52.101.68.1", "4.16.55.1": part of something longer */
	if (at(s, len, j) == '.' && is_digit(at(s, len, j + 1)))
		return 0;
	n = util_copy(buf, sizeof(buf), s + i, j - i);
	if (b == 2 && at(s, len, j) == ' ' && is_digit(at(s, len, j + 1)) &&
	    !is_digit(at(s, len, j + 2)) && at(s, len, j + 2) != '.') {
		buf[n++] = s[j + 1];
		buf[n] = '\0';
		j += 2;
	}
	memcpy(out, buf, n + 1);
	return j - i;
}

/* find_status - the enhanced status that follows a reply code, else the
 * first one; also the reply code */
static void find_status(const char *s, size_t len, struct verdict *v)
{
	char st[VERDICT_STATUS_MAX];
	size_t i, n;
	int code, prev;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c != '2' && c != '4' && c != '5')
			continue;
		prev = i ? (unsigned char)s[i - 1] : ' ';
		code = 0;
		if (is_digit(prev) && i >= 3 && s[i - 3] == s[i]) {
			/* "5505.5.0": reply code and status glued */
			code = reply_before(s, i);
			if (code == 0)
				continue;
		} else if (is_alnum(prev) || prev == '.') {
			continue;
		}
		n = parse_status(s, len, i, st);
		if (n == 0)
			continue;
		if (code == 0)
			code = reply_before(s, i);
		if (code || v->status[0] == '\0') {
			util_strcpy(v->status, sizeof(v->status), st);
			v->reply_code = code;
		}
		if (code)
			return;
		i += n - 1;
	}
}

/* find_reply_code - a lone 3-digit reply code ("said: 550\n..."), or 0 */
static int find_reply_code(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 3 <= len; i++) {
		int prev = i ? (unsigned char)s[i - 1] : ' ';
		int next = at(s, len, i + 3);

		if ((s[i] != '2' && s[i] != '4' && s[i] != '5') ||
		    !is_digit(s[i + 1]) || !is_digit(s[i + 2]))
			continue;
		if (!(is_space(prev) || strchr("'\"(:;", prev)))
			continue;
		if (i + 3 == len || is_space(next) || next == '-')
			return (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 +
			       (s[i + 2] - '0');
	}
	return 0;
}

/* token_at - provider token starting at s[i] ("(S3150)", "(AS843)",
 * "AS(1430)", "SC-001", "ATTR34"): its text into out, or 0 */
static int token_at(const char *s, size_t len, size_t i, char *out)
{
	int prev = i ? (unsigned char)s[i - 1] : ' ';
	size_t j = i, d = 0;

	if (s[i] == '(') {
		j++;
		if (at(s, len, j) == 'A')
			j++;
		if (at(s, len, j) != 'S')
			return 0;
		j++;
		while (d < 16 && is_digit(at(s, len, j + d)))
			d++;
		if (d == 0 || d >= 16 || at(s, len, j + d) != ')')
			return 0;
		util_copy(out, VERDICT_CODE_MAX, s + i + 1, j + d - i - 1);
		return 1;
	}
	if (is_alnum(prev))
		return 0;
	if (util_has_prefix(s + i, len - i, "AS(")) {
		j += 3;
		while (d < 16 && is_digit(at(s, len, j + d)))
			d++;
		if (d == 0 || d >= 16 || at(s, len, j + d) != ')')
			return 0;
		util_copy(out, VERDICT_CODE_MAX, s + i, j + d + 1 - i);
		return 1;
	}
	if (len - i >= 5 && memcmp(s + i, "ATTR", 4) == 0) {
		j += 4;
		while (d < 8 && is_digit(at(s, len, j + d)))
			d++;
	} else if (s[i] >= 'A' && s[i] <= 'Z' && at(s, len, i + 1) >= 'A' &&
		   at(s, len, i + 1) <= 'Z' && at(s, len, i + 2) == '-') {
		/* legacy Hotmail "SC-001" */
		j += 3;
		while (d < 4 && is_digit(at(s, len, j + d)))
			d++;
		if (d != 3)
			return 0;
	} else {
		return 0;
	}
	if (d == 0 || d >= 8 || is_host_char(at(s, len, j + d)))
		return 0;
	util_copy(out, VERDICT_CODE_MAX, s + i, j + d - i);
	return 1;
}

/* find_token - the first provider token in the text */
static void find_token(const char *s, size_t len, struct verdict *v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((s[i] == '(' || (s[i] >= 'A' && s[i] <= 'Z')) &&
		    token_at(s, len, i, v->token))
			return;
}

/* token_is_ms - a token format only Microsoft uses */
static int token_is_ms(const char *t)
{
	static const char *const legacy[] = {"SC-", "OU-", "DY-", "RP-"};
	size_t i;

	if (t[0] == 'S' || t[0] == 'A')
		return 1; /* S3150, AS843, AS(1430), ATTR34 */
	for (i = 0; i < UTIL_ARRAY_SIZE(legacy); i++)
		if (strncmp(t, legacy[i], 3) == 0)
			return 1;
	return 0;
}

/* find_host - the host named in "host NAME[ip]" / "host NAME [ip]" (the
 * one that said it) into out; 0 when the text names none */
static int find_host(const char *s, size_t len, char *out, size_t size)
{
	const char *p = s, *end = s + len, *hit;
	int tries;

	for (tries = 0; tries < MAX_HOST_TRIES; tries++) {
		size_t i, n;

		hit = util_casefind(p, (size_t)(end - p), "host");
		if (!hit)
			return 0;
		p = hit + 4;
		if (hit > s && is_alnum((unsigned char)hit[-1]))
			continue;
		i = 0;
		while (p + i < end && is_space((unsigned char)p[i]))
			i++;
		if (i == 0)
			continue;
		for (n = 0; p + i + n < end && n < MAX_HOST &&
			    is_host_char((unsigned char)p[i + n]);
		     n++)
			;
		if (n == 0 || n >= MAX_HOST)
			continue;
		{
			size_t k = i + n;

			while (p + k < end && k < i + n + 4 &&
			       is_space((unsigned char)p[k]))
				k++;
			if (p + k >= end || p[k] != '[')
				continue;
		}
		util_copy(out, size, p + i, n);
		return 1;
	}
	return 0;
}

/* find_said - the host in "NAME[ip] said:" when the "host " before it was
 * cut off; 0 when there is none */
static int find_said(const char *s, size_t len, char *out, size_t size)
{
	const char *p = s, *end = s + len, *hit;
	int tries;

	for (tries = 0; tries < MAX_HOST_TRIES; tries++) {
		size_t pos, j, b;

		hit = util_casefind(p, (size_t)(end - p), "] said:");
		if (!hit)
			return 0;
		p = hit + 7;
		/* back over the address to '[', then over the name */
		pos = (size_t)(hit - s);
		for (j = pos; j > 0 && pos - j < 48 && s[j - 1] != '['; j--)
			;
		if (j == 0 || s[j - 1] != '[')
			continue;
		j--;
		for (b = j; b > 0 && j - b < MAX_HOST &&
			    is_host_char((unsigned char)s[b - 1]);
		     b--)
			;
		if (b == j || j - b >= MAX_HOST)
			continue;
		util_copy(out, size, s + b, j - b);
		return 1;
	}
	return 0;
}

/* ip_after - the first valid IP written after an occurrence of anchor
 * ("messages from [IP]", "banned sender[IP]"); "" when all are masked */
static void ip_after(const char *s, size_t len, const char *anchor, char *out)
{
	const char *p = s, *end = s + len, *hit;
	size_t m = 0;

	out[0] = '\0';
	while ((hit = ws_find(p, (size_t)(end - p), anchor, &m)) != NULL) {
		const char *q = hit + m, *v;
		size_t n = 0;

		p = q;
		while (q < end && is_space((unsigned char)*q))
			q++;
		if (q < end && *q == '[') {
			q++;
			if (end - q >= 5 && util_has_prefix(q, 5, "ipv6:"))
				q += 5;
		}
		v = q;
		while (v + n < end && n < 64 &&
		       (is_digit((unsigned char)v[n]) || v[n] == '.' ||
			v[n] == ':' ||
			(util_lower((unsigned char)v[n]) >= 'a' &&
			 util_lower((unsigned char)v[n]) <= 'f')))
			n++;
		/* "[2001:db8::zz]", "[1.1.1.1x]": not an address.  One that
		 * runs to the end of the text may be cut ("203.0.113.5" of
		 * "203.0.113.50"): no IP rather than another one. */
		if (v + n >= end || is_host_char((unsigned char)v[n]) ||
		    v[n] == '*')
			continue;
		/* "from 192.0.2.1. Please": a sentence's full stop */
		while (n > 0 && v[n - 1] == '.')
			n--;
		if (n > 0 && n < 64 && util_ip_parse(v, n, out, VERDICT_IP_MAX))
			return;
		out[0] = '\0';
	}
}

/* token_listed - is tok one of the "|A|B|" list? */
static int token_listed(const char *list, const char *tok)
{
	const char *p;
	size_t n = strlen(tok);

	if (n == 0)
		return 0;
	for (p = strstr(list, tok); p; p = strstr(p + 1, tok))
		if (p > list && p[-1] == '|' && p[n] == '|')
			return 1;
	return 0;
}

/*
 * The pairs of adjacent bytes of a text (lower-cased, hashed into 4,096
 * bits), so that a signature word one of whose pairs of letters the text
 * lacks is known absent without searching: ws_match() matches a needle's
 * letters, digits and punctuation one text byte each, so two adjacent
 * ones (neither a space nor an apostrophe) meet two adjacent text bytes.
 * Most words are absent from most replies.
 */
struct pairs {
	uint64_t bits[64];
};

/* pair_key - the bit of the pair (a, b), both lower-cased */
static unsigned pair_key(unsigned char a, unsigned char b)
{
	return ((unsigned)(a & 63) << 6) | (b & 63);
}

/* pairs_of - the pairs of the text */
static void pairs_of(struct pairs *p, const char *s, size_t len)
{
	unsigned k;
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i + 1 < len; i++) {
		k = pair_key((unsigned char)util_lower((unsigned char)s[i]),
			     (unsigned char)util_lower((unsigned char)s[i + 1]));
		p->bits[k >> 6] |= 1ULL << (k & 63);
	}
}

/* may_occur - 0 when a pair of the lower-case word w is not in the text */
static int may_occur(const struct pairs *p, const char *w)
{
	unsigned k;

	for (; w[0] && w[1]; w++) {
		if (w[0] == ' ' || w[0] == '\'' || w[1] == ' ' || w[1] == '\'')
			continue;
		k = pair_key((unsigned char)w[0], (unsigned char)w[1]);
		if (!(p->bits[k >> 6] & (1ULL << (k & 63))))
			return 0;
	}
	return 1;
}

/* sig_fits - does signature r apply to the text (whose pairs are p)? */
static int sig_fits(const struct provider_sig *r, const char *s, size_t len,
		    const struct pairs *p, const struct verdict *v,
		    int evidence)
{
	size_t i;

	if ((r->flags & PROVIDER_SIG_NEED_EVIDENCE) && !evidence)
		return 0;
	if (r->status && v->status[0] &&
	    strncmp(v->status, r->status, strlen(r->status)) != 0)
		return 0;
	if (r->tokens && !token_listed(r->tokens, v->token))
		return 0;
	for (i = 0; i < UTIL_ARRAY_SIZE(r->words) && r->words[i]; i++)
		if (!may_occur(p, r->words[i]))
			return 0;
	for (i = 0; i < UTIL_ARRAY_SIZE(r->words) && r->words[i]; i++)
		if (!ws_find(s, len, r->words[i], NULL))
			return 0;
	return 1;
}

/* first_fit - the fitting signature of lowest rank among the n rows
 * (the earlier row's on a tie); *owner gets its row.  Each row's list is
 * in rank order, so a row is left at its first fit or at a rank no lower
 * than the best so far: a signature ranked below the winner is always
 * tried, and one above it only when an earlier row's fit was worse. */
static const struct provider_sig *
first_fit(const struct provider *rows, size_t n, const char *s, size_t len,
	  const struct verdict *v, int evidence, const struct provider **owner)
{
	const struct provider_sig *best = NULL, *r, *end;
	int best_rank = INT_MAX;
	struct pairs p;
	size_t i;

	pairs_of(&p, s, len);
	for (i = 0; i < n; i++) {
		if (!rows[i].n_sigs)
			continue; /* sigs may be NULL */
		r = rows[i].sigs;
		for (end = r + rows[i].n_sigs; r < end; r++) {
			if (best && r->rank >= best_rank)
				break;
			if (sig_fits(r, s, len, &p, v, evidence)) {
				best = r;
				best_rank = r->rank;
				*owner = &rows[i];
				break;
			}
		}
	}
	return best;
}

/* has_marker - a row's server marker is the host or in the text; rows
 * sharing one marker list are searched once */
static int has_marker(const struct provider *rows, size_t n,
		      const char *remote_mta, const char *s, size_t len)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && rows[j].markers != rows[i].markers; j++)
			;
		if (j < i)
			continue;
		for (k = 0; k < rows[i].n_markers; k++)
			if ((remote_mta &&
			     util_domain_match(remote_mta,
					       rows[i].markers[k].s)) ||
			    util_casefind(s, len, rows[i].markers[k].s))
				return 1;
	}
	return 0;
}

/* other_name - the name for p's replies that no signature fits */
static const char *other_name(const struct provider *rows, size_t n,
			      enum verdict_provider p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].id == p && rows[i].other && *rows[i].other)
			return rows[i].other;
	return "other"; /* a row without a name for them */
}

/* verdict_classify - over the built-in provider table */
int verdict_classify(const char *text, size_t len, const char *remote_mta,
		     const char *rcpt_domain, struct verdict *v)
{
	size_t n;
	const struct provider *rows = provider_table(&n);

	return verdict_classify_with(rows, n, text, len, remote_mta,
				     rcpt_domain, v);
}

/*
 * verdict_classify_with - see verdict.h.  Provider: the host that said it
 * (named in the text, else remote_mta) decides; else, unless the wording
 * is provider-specific, the recipient domain; else the signature's row.
 */
int verdict_classify_with(const struct provider *rows, size_t n,
			  const char *text, size_t len, const char *remote_mta,
			  const char *rcpt_domain, struct verdict *v)
{
	char host[MAX_HOST];
	enum verdict_provider host_p = VERDICT_PROVIDER_NONE, rcpt_p;
	const struct provider_sig *r;
	const struct provider *owner = NULL;
	int evidence;

	memset(v, 0, sizeof(*v));
	if (n > VERDICT_ROWS_MAX)
		n = VERDICT_ROWS_MAX;
	if (!text) {
		text = "";
		len = 0;
	}
	find_status(text, len, v);
	if (v->reply_code == 0)
		v->reply_code = find_reply_code(text, len);
	find_token(text, len, v);

	if (find_host(text, len, host, sizeof(host)) ||
	    find_said(text, len, host, sizeof(host)))
		remote_mta = host;
	host_p = provider_of_mx_in(rows, n, remote_mta);
	rcpt_p = provider_of_domain_in(rows, n, rcpt_domain);
	evidence = host_p || rcpt_p || (v->token[0] && token_is_ms(v->token));
	/* a known server id, as the host or in the text */
	if (!evidence)
		evidence = has_marker(rows, n, remote_mta, text, len);

	r = first_fit(rows, n, text, len, v, evidence, &owner);
	if (r) {
		v->signature = r->name;
		v->kind = r->kind;
		v->remedy = r->remedy;
		if (host_p)
			v->provider = host_p;
		else if (rcpt_p && !(r->flags & PROVIDER_SIG_STRONG))
			v->provider = rcpt_p;
		else
			v->provider = owner->id;
		if (r->ip_after)
			ip_after(text, len, r->ip_after, v->ip);
	} else if (evidence) {
		/* A known provider said something we have no signature
		 * for; without its host or recipient domain only
		 * Microsoft's tokens and markers can tell. */
		v->provider = host_p   ? host_p
			      : rcpt_p ? rcpt_p
			      : (v->token[0] == 'S' || v->token[2] == '-')
				      ? VERDICT_MS_CONSUMER
				      : VERDICT_MS_365;
		if (v->reply_code / 100 == 2 || v->status[0] == '2') {
			v->signature = "delivered";
			return 1; /* accepted: nothing to code */
		}
		v->signature = other_name(rows, n, v->provider);
		if (v->reply_code || v->status[0])
			v->kind = VERDICT_NOT_A_BLOCK;
	} else {
		return 0;
	}
	if (!v->code[0])
		util_strcpy(v->code, sizeof(v->code),
			    v->token[0] ? v->token : v->status);
	return 1;
}

/* verdict_alerts - block, ratelimit and ban raise an alert */
int verdict_alerts(const struct verdict *v)
{
	return v && v->provider != VERDICT_PROVIDER_NONE &&
	       (v->kind == VERDICT_BLOCK || v->kind == VERDICT_RATELIMIT ||
		v->kind == VERDICT_BAN);
}

/* verdict_consumer_domain - a consumer mailbox domain (provider.c) */
int verdict_consumer_domain(const char *domain)
{
	return provider_consumer_domain(domain);
}

/* verdict_mx_provider - whose MX host it is (provider.c) */
enum verdict_provider verdict_mx_provider(const char *host)
{
	return provider_of_mx(host);
}

/* name_of - table entry i, or "" when out of range */
static const char *name_of(const char *const *tab, size_t n, int i)
{
	return i >= 0 && (size_t)i < n ? tab[i] : "";
}

/* index_of - position of name in tab, or -1 */
static int index_of(const char *const *tab, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (strcmp(tab[i], name) == 0)
			return (int)i;
	return -1;
}

/* verdict_provider_name - "none", "microsoft-consumer", "microsoft-365" */
const char *verdict_provider_name(enum verdict_provider p)
{
	return (int)p >= 0 && (int)p < provider_count() ? provider_get(p)->name
							: "";
}

/* verdict_provider_label - "Outlook.com", "Microsoft 365"; "" for none */
const char *verdict_provider_label(enum verdict_provider p)
{
	return (int)p >= 0 && (int)p < provider_count() ? provider_get(p)->label
							: "";
}

/* verdict_kind_name - "block", "ratelimit", ... */
const char *verdict_kind_name(enum verdict_kind k)
{
	return name_of(kind_names, UTIL_ARRAY_SIZE(kind_names), k);
}

/* verdict_remedy_name - "sender-support-form", "delist-portal", ... */
const char *verdict_remedy_name(enum verdict_remedy r)
{
	return (int)r >= 0 && (int)r < remedy_count() ? remedy_get(r)->name
						      : "";
}

/* verdict_remedy_url - where the remedy is done; "" for none */
const char *verdict_remedy_url(enum verdict_remedy r)
{
	return (int)r >= 0 && (int)r < remedy_count() ? remedy_get(r)->url : "";
}

/* verdict_provider_from_name - reverse of verdict_provider_name */
int verdict_provider_from_name(const char *name)
{
	return provider_from_name(name);
}

/* verdict_kind_from_name - reverse of verdict_kind_name */
int verdict_kind_from_name(const char *name)
{
	return index_of(kind_names, UTIL_ARRAY_SIZE(kind_names), name);
}

/* verdict_remedy_from_name - reverse of verdict_remedy_name */
int verdict_remedy_from_name(const char *name)
{
	return remedy_from_name(name);
}
