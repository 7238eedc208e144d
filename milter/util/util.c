/*
 * util.c - small string and address helpers shared by every module
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "util.h"

/* util_copy - bounded copy, always terminated */
size_t util_copy(char *dst, size_t size, const char *src, size_t len)
{
	if (size == 0)
		return 0;
	if (len > size - 1)
		len = size - 1;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
	return len;
}

/* util_strcpy - bounded copy of a string */
size_t util_strcpy(char *dst, size_t size, const char *src)
{
	return util_copy(dst, size, src ? src : "", src ? strlen(src) : 0);
}

/* util_memcasemem - case-insensitive search: the candidates are the
 * places of the needle's first byte, in either case */
const char *util_memcasemem(const char *hay, size_t hlen, const char *needle,
			    size_t nlen)
{
	const char *p, *last;
	char lo, up;

	if (nlen == 0)
		return hay;
	if (nlen > hlen)
		return NULL;
	lo = (char)util_lower((unsigned char)needle[0]);
	up = lo >= 'a' && lo <= 'z' ? (char)(lo - ('a' - 'A')) : lo;
	last = hay + (hlen - nlen) + 1; /* candidates start before it */
	for (p = hay; (p = util_first_of(p, last, lo, up)) != NULL; p++)
		if (util_same_ci(p + 1, needle + 1, nlen - 1))
			return p;
	return NULL;
}

/* util_casefind - case-insensitive search for a string */
const char *util_casefind(const char *hay, size_t hlen, const char *needle)
{
	return util_memcasemem(hay, hlen, needle, strlen(needle));
}

/* util_has_prefix - case-insensitive prefix test */
int util_has_prefix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p), i;

	if (n > len)
		return 0;
	for (i = 0; i < n; i++)
		if (util_lower((unsigned char)s[i]) !=
		    util_lower((unsigned char)p[i]))
			return 0;
	return 1;
}

/* util_has_suffix - case-insensitive suffix test */
int util_has_suffix(const char *s, const char *p)
{
	size_t n = strlen(s), m = strlen(p);

	return m <= n && util_has_prefix(s + n - m, m, p);
}

/* util_domain_match - host is domain or below it */
int util_domain_match(const char *host, const char *domain)
{
	size_t hl = strlen(host), dl = strlen(domain);

	if (hl && host[hl - 1] == '.')
		hl--;
	if (dl == 0 || dl > hl)
		return 0;
	if (!util_has_prefix(host + hl - dl, dl, domain))
		return 0;
	return hl == dl || host[hl - dl - 1] == '.';
}

/* util_ip_parse - validate and canonicalise an IP address (addr.h) */
int util_ip_parse(const char *s, size_t len, char *out, size_t size)
{
	if (size < ADDR_TEXT_MAX)
		return 0;
	return addr_canon(s, len, out, size);
}

/* utf8_cut - largest n' <= n that does not split a UTF-8 sequence */
static size_t utf8_cut(const char *s, size_t n)
{
	size_t i = n, back = 0;

	/* Step back over continuation bytes to the lead byte, at most 3. */
	while (i > 0 && back < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
		i--;
		back++;
	}
	if (i == 0)
		return n;
	{
		unsigned char lead = (unsigned char)s[i - 1];
		size_t need = lead >= 0xF0   ? 4
			      : lead >= 0xE0 ? 3
			      : lead >= 0xC0 ? 2
					     : 1;
		if (need > 1 && back + 1 < need)
			return i - 1; /* incomplete sequence: drop it */
	}
	return n;
}

/* util_clean - make text safe for one header, syslog line or body line */
size_t util_clean(char *dst, size_t size, const char *src, size_t len)
{
	size_t i, n = 0;
	int space = 1; /* drop leading white space */

	if (size == 0)
		return 0;
	for (i = 0; i < len && n < size - 1; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c == 0x7F || c == ' ') {
			if (!space)
				dst[n++] = ' ';
			space = 1;
			continue;
		}
		dst[n++] = (char)c;
		space = 0;
	}
	if (i < len)
		n = utf8_cut(dst, n);
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
	return n;
}

/* util_utf8_len - validate one UTF-8 sequence */
size_t util_utf8_len(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

/* util_trim - strip white space at both ends */
void util_trim(const char **s, size_t *len)
{
	while (*len &&
	       (**s == ' ' || **s == '\t' || **s == '\r' || **s == '\n')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' ||
			(*s)[*len - 1] == '\r' || (*s)[*len - 1] == '\n'))
		(*len)--;
}

/* util_valid_hostname - letters, digits, dots and hyphens, 1 to 253 bytes,
 * not starting with a dot or hyphen: a host or domain name that is safe as
 * a Postfix table key and in the state file */
int util_valid_hostname(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

/* util_valid_mailbox - an address safe to write into an SMTP command (MAIL
 * FROM, RCPT TO) or the state file: printable ASCII without space, <, >,
 * quote or backslash, at most 254 bytes; "" only when empty_ok */
int util_valid_mailbox(const char *s, int empty_ok)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0)
		return s && empty_ok;
	if (n > 254)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' ||
		    c == '\\')
			return 0;
	}
	return 1;
}

/* util_write_all - the whole of data to fd */
int util_write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* util_fnv1a32 - FNV-1a, 32 bits */
uint32_t util_fnv1a32(const char *data, size_t len)
{
	uint32_t h = 0x811c9dc5u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 0x01000193u;
	}
	return h;
}
