/*
 * blockfinding.h - what the incident tests share: an Outlook.com S3150
 * block finding (550, sender support form) about an IP, to be completed
 * by the test (domain, queue id, text, time)
 */
#ifndef MILTER_DELIST_TEST_BLOCKFINDING_H
#define MILTER_DELIST_TEST_BLOCKFINDING_H

#include <stdio.h>
#include <string.h>

#include "finding.h"

/* block_finding - *f zeroed, then an S3150 block of ip at when */
static inline void block_finding(struct finding *f, const char *ip,
				 time_t when)
{
	memset(f, 0, sizeof(*f));
	f->v.provider = VERDICT_MS_CONSUMER;
	f->v.kind = VERDICT_BLOCK;
	f->v.remedy = VERDICT_SENDER_SUPPORT_FORM;
	f->v.reply_code = 550;
	snprintf(f->v.code, sizeof(f->v.code), "S3150");
	snprintf(f->v.ip, sizeof(f->v.ip), "%s", ip);
	f->when = when;
}

#endif
