/*
 * domains.c - the consumer domains and the learned Microsoft 365 domains
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "domains.h"
#include "finding.h"
#include "util.h"

static struct {
	pthread_mutex_t lock;
	struct {
		char domain[FINDING_DOMAIN_MAX];
		enum verdict_provider provider;
	} learned[DOMAINS_LEARNED_MAX];
	size_t next;
	unsigned long gen; /* learned domains added or forgotten */
} D = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* learned_locked - the provider learned for domain (lock held) */
static enum verdict_provider learned_locked(const char *domain)
{
	size_t i,
		n = D.next < DOMAINS_LEARNED_MAX ? D.next : DOMAINS_LEARNED_MAX;

	for (i = 0; i < n; i++)
		if (!strcasecmp(D.learned[i].domain, domain))
			return D.learned[i].provider;
	return VERDICT_PROVIDER_NONE;
}

/* domains_provider - consumer domains, then the learned ones */
enum verdict_provider domains_provider(const char *domain)
{
	enum verdict_provider p;

	if (!domain || !*domain)
		return VERDICT_PROVIDER_NONE;
	if (verdict_consumer_domain(domain))
		return VERDICT_MS_CONSUMER;
	pthread_mutex_lock(&D.lock);
	p = learned_locked(domain);
	pthread_mutex_unlock(&D.lock);
	return p;
}

/* domains_is_ms - handled by Microsoft */
int domains_is_ms(const char *domain)
{
	return domains_provider(domain) != VERDICT_PROVIDER_NONE;
}

/* domains_learn - remember domain */
void domains_learn(const char *domain, enum verdict_provider provider)
{
	if (!domain || !*domain || provider == VERDICT_PROVIDER_NONE ||
	    verdict_consumer_domain(domain))
		return;
	pthread_mutex_lock(&D.lock);
	if (learned_locked(domain) == VERDICT_PROVIDER_NONE) {
		size_t i = D.next++ % DOMAINS_LEARNED_MAX;

		util_strcpy(D.learned[i].domain, FINDING_DOMAIN_MAX, domain);
		D.learned[i].provider = provider;
		D.gen++;
	}
	pthread_mutex_unlock(&D.lock);
}

/* domains_forget - empty the learned table */
void domains_forget(void)
{
	pthread_mutex_lock(&D.lock);
	memset(D.learned, 0, sizeof(D.learned));
	D.next = 0;
	D.gen++;
	pthread_mutex_unlock(&D.lock);
}

/* domains_learned - copy the learned domains of provider */
size_t domains_learned(enum verdict_provider provider, char (*out)[256],
		       size_t max, unsigned long *gen)
{
	size_t i, k = 0, n;

	pthread_mutex_lock(&D.lock);
	n = D.next < DOMAINS_LEARNED_MAX ? D.next : DOMAINS_LEARNED_MAX;
	for (i = 0; i < n && k < max; i++)
		if (D.learned[i].provider == provider)
			util_strcpy(out[k++], 256, D.learned[i].domain);
	if (gen)
		*gen = D.gen;
	pthread_mutex_unlock(&D.lock);
	return k;
}

/* domains_generation - changes whenever a domain is learned */
unsigned long domains_generation(void)
{
	unsigned long g;

	pthread_mutex_lock(&D.lock);
	g = D.gen;
	pthread_mutex_unlock(&D.lock);
	return g;
}
