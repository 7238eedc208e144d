/*
 * trust.c - the trust rules and the unverified-report rate limit
 *
 * The rules read only the configuration and the finding; the rate
 * limiter has its own lock.
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "trust.h"
#include "util.h"

static struct {
	pthread_mutex_t lock;
	time_t minute;
	unsigned count, dropped;
} R = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* trust_ours - one of our outbound IPs */
int trust_ours(const char *ip, const struct config *cfg)
{
	return ip && ip[0] &&
	       finding_is_ours(ip, cfg->outbound_ips, cfg->n_outbound_ips);
}

/* trust_relay_client - the client by address or verified name */
int trust_relay_client(const struct trust_origin *o, const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_trusted_relays; i++)
		if (!strcasecmp(cfg->trusted_relays[i], o->client) ||
		    (o->name_verified &&
		     !strcasecmp(cfg->trusted_relays[i], o->client_name)))
			return 1;
	return 0;
}

/* trust_relay_host - a remote MTA name at or below a trusted relay */
int trust_relay_host(const char *host, const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_trusted_relays; i++)
		if (util_domain_match(host, cfg->trusted_relays[i]))
			return 1;
	return 0;
}

/* trust_origin - the path a bounce came by */
int trust_origin(const struct trust_origin *o, const struct dsn_info *info,
		 const struct finding *f, const struct config *cfg)
{
	int local;

	if (!o)
		return 1;
	/* Postfix fakes the connection of non-SMTP mail (its own bounces
	 * among it) as localhost, 127.0.0.1, port 0; an SMTP client always
	 * has a port.  No address at all: a local submission too. */
	local = !o->client[0] ||
		(o->client_port == 0 && (!strcmp(o->client, "127.0.0.1") ||
					 !strcmp(o->client, "::1")));
	/* Our own MTA's notice: from the local (non-SMTP) path, written by
	 * Postfix (queue id) or by this host (Reporting-MTA = $j). */
	if (local && (info->postfix_queue_id[0] ||
		      (o->myhostname[0] &&
		       !strcasecmp(info->reporting_mta, o->myhostname))))
		return 1;
	if (trust_ours(f->v.ip, cfg))
		return 1;
	return trust_relay_client(o, cfg);
}

/* trust_plausible - see trust.h */
int trust_plausible(const struct finding *f, const struct config *cfg)
{
	const char *h = f->remote_mta;
	char ip[VERDICT_IP_MAX];

	if (f->sent || !verdict_alerts(&f->v))
		return 1;
	if (!h[0] || verdict_mx_provider(h) != VERDICT_PROVIDER_NONE ||
	    util_ip_parse(h, strlen(h), ip, sizeof(ip)))
		return 1;
	if (trust_ours(f->v.ip, cfg))
		return 1;
	return trust_relay_host(h, cfg);
}

/* trust_rate - the per-minute limit of unverified-report lines */
int trust_rate(time_t now, unsigned *dropped)
{
	time_t minute = now / 60;
	int ok;

	*dropped = 0;
	pthread_mutex_lock(&R.lock);
	if (minute != R.minute) {
		*dropped = R.dropped;
		R.minute = minute;
		R.count = 0;
		R.dropped = 0;
	}
	ok = R.count < TRUST_UNVERIFIED_PER_MIN;
	if (ok)
		R.count++;
	else
		R.dropped++;
	pthread_mutex_unlock(&R.lock);
	return ok;
}
