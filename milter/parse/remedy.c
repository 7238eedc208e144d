/*
 * remedy.c - the remedy table (see remedy.h)
 */
#include <string.h>

#include "remedy.h"
#include "util.h"

#define FORM_NEEDS                                                             \
	(REMEDY_NEED_NAME | REMEDY_NEED_EMAIL | REMEDY_NEED_TIMEZONE |         \
	 REMEDY_NEED_SENDING_DOMAIN | REMEDY_NEED_COMPANY_TYPE |               \
	 REMEDY_NEED_SERVER_TYPE | REMEDY_NEED_WEBSITE)

/* In enum verdict_remedy order (checked by t-request). */
/* clang-format off */
static const struct remedy remedies[] = {
	{VERDICT_REMEDY_NONE, "none", "", "nothing to request", "", "what to do",
	 0, REMEDY_RENDER_WAIT},
	/* Outlook.com's own block list: only Microsoft removes it, on a
	 * request through the sender support form. */
	{VERDICT_SENDER_SUPPORT_FORM, "sender-support-form",
	 "https://olcsupport.office.com/",
	 "request mitigation with Microsoft's sender support form",
	 "the form's fields in the form's order, ready to paste, the checks "
	 "to make before you reply to Microsoft, the reply text and how to "
	 "verify the unblock",
	 "delisting request", FORM_NEEDS, REMEDY_RENDER_FORM},
	/* Microsoft 365 5.7.6xx bans: self-service portal. */
	{VERDICT_DELIST_PORTAL, "delist-portal", "https://sender.office.com/",
	 "delist the IP yourself on the Microsoft 365 delist portal (one "
	 "e-mail address and one IP per visit)",
	 "the portal's steps with your values filled in",
	 "delisting request", REMEDY_NEED_EMAIL, REMEDY_RENDER_PORTAL},
	/* Microsoft 365 5.7.511: the portal is refused, a mail is wanted. */
	{VERDICT_DELIST_MAIL, "delist-mail",
	 "mailto:delist@messaging.microsoft.com",
	 "mail the bounce to delist@messaging.microsoft.com (the portal is "
	 "not allowed for 5.7.511)",
	 "the mail to send, ready to paste",
	 "delisting request",
	 REMEDY_NEED_NAME | REMEDY_NEED_EMAIL | REMEDY_NEED_SENDING_DOMAIN,
	 REMEDY_RENDER_MAIL},
	/* AS3130, S8002: Microsoft enforces a Spamhaus listing; the lookup
	 * and removal site of Spamhaus (the old /query/lookup/ address that
	 * replies quote redirects there). */
	{VERDICT_SPAMHAUS, "spamhaus", "https://check.spamhaus.org/",
	 "have the listing removed at Spamhaus; Microsoft's forms cannot "
	 "remove it",
	 "the Spamhaus lookup and removal steps",
	 "delisting request", REMEDY_NEED_EMAIL | REMEDY_NEED_SENDING_DOMAIN,
	 REMEDY_RENDER_SPAMHAUS},
	/* 5.7.515, 5.7.509: the page Microsoft's 5.7.515 reply points to. */
	{VERDICT_FIX_AUTH, "fix-authentication",
	 "https://go.microsoft.com/fwlink/p/?linkid=2319303",
	 "fix SPF, DKIM or DMARC of the sending domain", "the checks to make",
	 "what to do", REMEDY_NEED_SENDING_DOMAIN, REMEDY_RENDER_AUTH},
	/* Rate limits: nothing to request. */
	{VERDICT_WAIT, "wait", "https://aka.ms/postmaster",
	 "nothing to request; reduce the volume to Microsoft and wait",
	 "what to reduce, what to check and what to expect",
	 "what to do", 0, REMEDY_RENDER_WAIT},
	/*
	 * 5.7.708 "Access denied, traffic not accepted from this IP".
	 * Source: Microsoft Learn, "Fix NDR error codes 5.7.700 through
	 * 5.7.750 in Exchange Online" (the URL below): the 5.7.7xx codes
	 * are blocks of a tenant's outbound traffic, 5.7.708 for traffic
	 * from a new or low-reputation tenant or IP, and the way out it
	 * gives for these blocks is the tenant's admin contacting Microsoft
	 * Support after fixing the cause ("After you address the underlying
	 * cause of the issue, contact Microsoft Support to have the block
	 * removed").  Not the delist portal, not the sender support form.
	 */
	{VERDICT_M365_SUPPORT, "m365-support",
	 "https://learn.microsoft.com/exchange/mail-flow-best-practices/"
	 "non-delivery-reports-in-exchange-online/"
	 "fix-error-code-5-7-700-through-5-7-750",
	 "not the delist portal: the Microsoft 365 tenant's admin asks "
	 "Microsoft 365 support to accept this IP's traffic again, after "
	 "fixing the cause",
	 "the checks to make and the support request, ready to paste",
	 "support request",
	 REMEDY_NEED_NAME | REMEDY_NEED_EMAIL | REMEDY_NEED_SENDING_DOMAIN,
	 REMEDY_RENDER_SUPPORT},
};
/* clang-format on */

/* remedy_get - the row of r */
const struct remedy *remedy_get(enum verdict_remedy r)
{
	size_t i = (size_t)r;

	if (i < UTIL_ARRAY_SIZE(remedies) && remedies[i].id == r)
		return &remedies[i];
	return &remedies[0];
}

/* remedy_from_name - reverse lookup by name */
int remedy_from_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < UTIL_ARRAY_SIZE(remedies); i++)
		if (!strcmp(remedies[i].name, name))
			return (int)remedies[i].id;
	return -1;
}

/* remedy_count - rows in the table */
int remedy_count(void)
{
	return (int)UTIL_ARRAY_SIZE(remedies);
}
