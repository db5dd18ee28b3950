/* anonymize.h — what the parts of the anonymize plugin share. */
#pragma once

#include "darkpipe.h"

/* Key file: one line of colon-separated hex fields c4:c6:key:pad:mac:iv
 * (cryptopANT's format; 03 = AES).  Only AES for IPv4 is supported. */
#define ANON_KEY_LEN 16
#define ANON_PAD_LEN 32
#define ANON_KEYFILE_MAX 4096

typedef struct {
  guint8 key[ANON_KEY_LEN];
  guint8 pad[ANON_PAD_LEN];
} AnonKey;

/* Reads and checks the key file @path into @k (the caller cleanses @k);
 * errors name the file and the byte, never key digits; a key others may
 * read is a warning through @stage. */
gboolean anon_key_read (DpStage *stage, const char *path, AnonKey *k, GError **error);
