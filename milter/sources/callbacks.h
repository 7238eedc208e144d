/*
 * callbacks.h - the libmilter glue
 */
#ifndef MILTER_DELIST_CALLBACKS_H
#define MILTER_DELIST_CALLBACKS_H

#include <libmilter/mfapi.h>

/* callbacks_descriptor - the filter description for smfi_register() */
struct smfiDesc *callbacks_descriptor(void);

#endif
