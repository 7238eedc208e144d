/*
 * domains.h - which recipient domains Microsoft handles
 *
 * The consumer domains (hotmail.com, outlook.com, ...) are known; Microsoft
 * 365 domains are learned from Microsoft MX names in the log and from
 * Microsoft verdicts about mail to them.  Bounded (DOMAINS_LEARNED_MAX,
 * oldest forgotten first), thread-safe, own lock.
 */
#ifndef MILTER_DELIST_DOMAINS_H
#define MILTER_DELIST_DOMAINS_H

#include "verdict.h"

#define DOMAINS_LEARNED_MAX 1024

/* domains_provider - who handles mail to domain; NONE when not known */
enum verdict_provider domains_provider(const char *domain);

/* domains_is_ms - is mail to this domain handled by Microsoft? */
int domains_is_ms(const char *domain);

/* domains_learn - remember that provider handles domain (NONE and
 * consumer domains are ignored) */
void domains_learn(const char *domain, enum verdict_provider provider);

/* domains_forget - forget every learned domain (tests, a fresh start) */
void domains_forget(void);

/* domains_learned - copy at most max learned domains of provider into out
 * (256 bytes each); the number copied; *gen (may be NULL) the generation
 * they belong to */
size_t domains_learned(enum verdict_provider provider, char (*out)[256],
		       size_t max, unsigned long *gen);

/* domains_generation - a number that changes whenever a domain is learned
 * or forgotten (cheap: poll it) */
unsigned long domains_generation(void);

#endif
