/* enrich.h — what the parts of the enrich plugin share: the pfx2as reader
 * (pfx2as.c) and the MaxMind DB reader (mmdb.c), used by plugin.c. */
#pragma once

#include "darkpipe.h"
#include "../../common/prefix.h"

/* What is known of one address.  Strings are interned in the plugin's
 * string chunk; NULL: not known. */
typedef struct {
  gint64 asn;              /* 0: none (AS 0 is reserved, RFC 7607) */
  const char *as_org;
  const char *country;     /* ISO 3166-1 alpha-2, as the database writes it */
  const char *as_origins;  /* the pfx2as origin field: "64500", "64500_64501", "64500,64501" */
} EnrichInfo;

/* ------------------------------------------------------------------ */
/* pfx2as.c: CAIDA's routeviews prefix-to-AS files */

typedef enum {
  PFX2AS_V4,      /* an IPv4 prefix */
  PFX2AS_V6,      /* an IPv6 prefix */
  PFX2AS_BLANK,   /* empty, or a # comment */
  PFX2AS_BAD,     /* does not parse: see *why */
} Pfx2asLine;

/* One line of @len bytes (any bytes; not changed): `prefix length origins`
 * separated by tabs or spaces.  For PFX2AS_V4: the network in *@addr (for
 * PFX2AS_V6 in the 16 bytes @addr6), the length in *@plen, the first AS of the origin field in *@asn and the field
 * itself at *@origins (into @line, *@origins_len bytes).  For PFX2AS_BAD,
 * *@why (static text) says what is wrong. */
Pfx2asLine enrich_pfx2as_line (const char *line, gsize len, guint32 *addr, guint8 addr6[16], guint *plen,
                               gint64 *asn, const char **origins, gsize *origins_len, const char **why);

typedef struct {
  PrefixTrie trie;         /* value: index into asn and origins */
  PrefixTrie trie6;        /* the IPv6 prefixes, the same way */
  guint32 *jump_node;      /* per /16: its trie node (0: none), where a lookup starts */
  gint64 *jump_best;       /* per /16: the longest prefix of length <= 16 holding it, or -1 */
  GArray *asn;             /* gint64 per prefix */
  GPtrArray *origins;      /* interned text per prefix */
  guint64 v4, v6, duplicates;
} EnrichPfx2as;

/* Reads the file @path (plain or gzip) into @p, which starts zeroed; with
 * @p NULL only checks it.  Errors (DP_DATA_ERROR_FORMAT, or the reader's)
 * name the file and line: a line that does not parse, a file without an
 * IPv4 prefix.  Origin texts are copied into @strings (unused when @p is
 * NULL). */
gboolean enrich_pfx2as_read (EnrichPfx2as *p, const char *path, GStringChunk *strings, GError **error);
void enrich_pfx2as_clear (EnrichPfx2as *p);
/* Longest-prefix match of @addr into @info (asn and as_origins); FALSE
 * when no prefix holds it. */
gboolean enrich_pfx2as_lookup (const EnrichPfx2as *p, guint32 addr, EnrichInfo *info);
/* The same for the IPv6 address @addr6 (16 bytes). */
gboolean enrich_pfx2as_lookup6 (const EnrichPfx2as *p, const guint8 addr6[16], EnrichInfo *info);

/* ------------------------------------------------------------------ */
/* mmdb.c: MaxMind DB files through libmaxminddb */

typedef struct _EnrichMmdb EnrichMmdb;

/* TRUE when this build reads MaxMind DB files (configure found libmaxminddb). */
gboolean enrich_mmdb_available (void);
/* Opens @path and checks that it is a MaxMind DB with IPv4 data.  Returns
 * NULL with @error naming the file (and, without libmaxminddb, saying so). */
EnrichMmdb *enrich_mmdb_open (const char *path, GError **error);
void enrich_mmdb_close (EnrichMmdb *db);
/* The database's type as its metadata says ("GeoLite2-ASN"), never NULL. */
const char *enrich_mmdb_type (const EnrichMmdb *db);
/* Looks up the IPv6 address @addr6 (16 bytes; an IPv4 database has none
 * of them), else the IPv4 address @addr4: autonomous_system_number and
 * _organization into @info
 * (when @asn), country.iso_code (else registered_country.iso_code; when
 * @country).  Fields the record lacks stay as they were.  FALSE with
 * @error (naming the file, the address and the data offset) when the
 * database is corrupt. */
gboolean enrich_mmdb_lookup (EnrichMmdb *db, guint32 addr4, const guint8 *addr6, gboolean asn, gboolean country,
                             GStringChunk *strings, EnrichInfo *info, GError **error);
