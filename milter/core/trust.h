/*
 * trust.h - every trust rule in one place (see DESIGN.md "Trust")
 *
 * Anyone can mail us a bounce saying "your IP is blocked", and anyone our
 * MTA talks to can answer in Microsoft's words about any IP.  Two
 * questions are asked of every finding, by the daemon (milter bounces and
 * the followed log) and by --scan alike:
 *   trust_origin()    did the report reach us through a path we trust
 *                     (our own MTA's notice, a trusted relay, our IP)?
 *   trust_plausible() may the remote host that said it be believed?
 * A finding that fails either is an unverified report: logged
 * (rate-limited by trust_rate()), never an incident, never mailed.
 */
#ifndef MILTER_DELIST_TRUST_H
#define MILTER_DELIST_TRUST_H

#include <time.h>

#include "config.h"
#include "dsn.h"
#include "finding.h"

#define TRUST_UNVERIFIED_PER_MIN 10 /* unverified-report lines a minute */

/* Who handed us a report (the milter's connection). */
struct trust_origin {
	const char *client;	 /* SMTP client address; "" = none */
	const char *client_name; /* its host name as the MTA gave it */
	int name_verified;	 /* the MTA verified client_name */
	unsigned client_port;	 /* 0 on Postfix's internal path */
	const char *myhostname;	 /* our MTA's host name (macro j) */
};

/* trust_ours - is ip one of outbound_ips (addresses or CIDR blocks)? */
int trust_ours(const char *ip, const struct config *cfg);

/* trust_relay_client - is the client a trusted_relays entry, by address
 * or by its verified host name (exact, case-insensitive)? */
int trust_relay_client(const struct trust_origin *o, const struct config *cfg);

/* trust_relay_host - is host (a remote MTA's name) a trusted_relays
 * entry or below one? */
int trust_relay_host(const char *host, const struct config *cfg);

/* trust_origin - may a bounce from o raise an alert?  Our own MTA's
 * notice (the local non-SMTP path, with Postfix's queue id or our host
 * name as Reporting-MTA), a report naming our IP, or one from a trusted
 * relay.  o NULL: a file the operator handed to --scan, which comes
 * through no connection (only trust_plausible() applies). */
int trust_origin(const struct trust_origin *o, const struct dsn_info *info,
		 const struct finding *f, const struct config *cfg);

/* trust_plausible - may a Microsoft-worded refusal from f->remote_mta be
 * believed?  Yes for a Microsoft MX, an address literal or no host (a
 * transport map to an IP, a stripped log), a trusted relay, or when the
 * IP it names is ours.  Findings that do not alert are always plausible. */
int trust_plausible(const struct finding *f, const struct config *cfg);

/* trust_rate - may an unverified-report line be logged at now?  At most
 * TRUST_UNVERIFIED_PER_MIN a minute; *dropped is set to the lines dropped
 * in the previous minute when a new minute begins (else 0).  Thread-safe. */
int trust_rate(time_t now, unsigned *dropped);

#endif
