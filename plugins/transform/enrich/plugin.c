/* plugin.c — the enrich plugin: who a source is.  Adds the origin AS, the
 * AS's organisation and the country of an address to tables that have an
 * address column (taxonomy.sources, cluster tables, labels), and makes a
 * per-source table of a packet stream with the same columns.
 *
 * Where the facts come from: CAIDA's routeviews prefix-to-AS files
 * (pfx2as.c: longest-prefix match in a trie) and MaxMind DB files through
 * libmaxminddb (mmdb.c).  Lookups are cached per address in a
 * direct-mapped cache: a telescope sees the same sources again and again.
 * 240.0.0.0/4 (reserved, never routed, where darkpipe's pseudonyms live)
 * is never looked up. */
#include "config.h"

#include <string.h>

#include "dp-hash.h"
#include "enrich.h"

typedef struct {
  char *pfx2as;
  char *asn_db;
  char *country_db;
  char **columns;
  gboolean column_prefix;
  guint64 cache_size;
} EnrichConfig;

typedef struct {
  guint32 addr;
  gboolean used;
  EnrichInfo info;
} EnrichSlot;

/* The columns added per address column, in this order. */
enum { COL_ASN, COL_AS_ORG, COL_COUNTRY, COL_AS_ORIGINS, N_ADDED };
static const char *const enrich_added[N_ADDED] = { "asn", "as_org", "country", "as_origins" };

typedef struct {
  const EnrichConfig *cfg;
  GStringChunk *strings;      /* organisation names, countries, origin fields */
  EnrichPfx2as pfx;
  gboolean have_pfx;
  EnrichMmdb *asn_db, *country_db;
  EnrichSlot *cache;
  guint32 cache_mask;
  DpHash sources;             /* packets' source -> packets */
  DpNameMap *names;           /* of the packets, for the sources table */
  gboolean saw_packets;
  guint64 addresses, lookups, pseudonyms, with_asn, with_country;
} Enrich;

/* ------------------------------------------------------------------ */
/* Lookups */

/* What is known of @addr, through the cache. */
static gboolean
enrich_lookup (Enrich *s, const DpNameMap *names, guint32 addr, EnrichInfo *info, GError **error)
{
  memset (info, 0, sizeof *info);
  if ((addr >> 28) == 0xf)
    {
      /* 240.0.0.0/4 keys a name map: an IPv6 address (a prefix stands for
       * its network), else a pseudonym.  Not cached: keys of different
       * maps may be equal. */
      const guint8 *a6 = dp_name_map_lookup_ip6 (names, addr, NULL);
      if (a6 == NULL)
        {
          s->pseudonyms++;
          return TRUE;
        }
      s->addresses++;
      s->lookups++;
      if (s->have_pfx)
        enrich_pfx2as_lookup6 (&s->pfx, a6, info);
      if (s->asn_db && !enrich_mmdb_lookup (s->asn_db, 0, a6, TRUE, FALSE, s->strings, info, error))
        return FALSE;
      if (s->country_db && !enrich_mmdb_lookup (s->country_db, 0, a6, FALSE, TRUE, s->strings, info, error))
        return FALSE;
      s->with_asn += info->asn != 0;
      s->with_country += info->country != NULL;
      return TRUE;
    }
  s->addresses++;
  EnrichSlot *slot = s->cache ? &s->cache[dp_hash_mix (addr) & s->cache_mask] : NULL;
  if (slot && slot->used && slot->addr == addr)
    *info = slot->info;
  else
    {
      s->lookups++;
      if (s->have_pfx)
        enrich_pfx2as_lookup (&s->pfx, addr, info);
      if (s->asn_db && !enrich_mmdb_lookup (s->asn_db, addr, NULL, TRUE, FALSE, s->strings, info, error))
        return FALSE;
      if (s->country_db && !enrich_mmdb_lookup (s->country_db, addr, NULL, FALSE, TRUE, s->strings, info, error))
        return FALSE;
      if (slot)
        *slot = (EnrichSlot) { addr, TRUE, *info };
    }
  s->with_asn += info->asn != 0;
  s->with_country += info->country != NULL;
  return TRUE;
}

/* Adds the N_ADDED columns for address column @addr_col of @t, named
 * PREFIX_asn … with @prefix (nullable: asn …); their first index. */
static gboolean
enrich_add_columns (DpTable *t, const char *prefix, guint *first, GError **error)
{
  for (guint k = 0; k < N_ADDED; k++)
    {
      g_autofree char *name = prefix ? g_strdup_printf ("%s_%s", prefix, enrich_added[k]) : g_strdup (enrich_added[k]);
      if (dp_table_find_column (t, name) >= 0)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                       "table '%s' already has a column '%s' (enriched twice? option column_prefix names "
                       "the added columns after their address column)", t->name, name);
          return FALSE;
        }
      guint c = dp_table_add_column (t, name, k == COL_ASN ? DP_COL_INT64 : DP_COL_STRING);
      if (k == 0)
        *first = c;
    }
  return TRUE;
}

static gboolean
enrich_fill (Enrich *s, DpTable *t, guint first, guint row, guint32 addr, GError **error)
{
  EnrichInfo info;
  if (!enrich_lookup (s, t->names, addr, &info, error))
    return FALSE;
  dp_table_set_i64 (t, first + COL_ASN, row, info.asn);
  dp_table_set_str (t, first + COL_AS_ORG, row, info.as_org);
  dp_table_set_str (t, first + COL_COUNTRY, row, info.country);
  dp_table_set_str (t, first + COL_AS_ORIGINS, row, info.as_origins);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Tables */

/* The address columns of @in to enrich: option columns, else src, else ip. */
static GArray *
enrich_pick_columns (Enrich *s, const DpTable *in, GError **error)
{
  GArray *cols = g_array_new (FALSE, FALSE, sizeof (guint));
  static const char *const fallback[] = { "src", "ip", NULL };
  const char *const *names = s->cfg->columns ? (const char *const *) s->cfg->columns : fallback;
  for (guint i = 0; names[i]; i++)
    {
      gint c = dp_table_find_column (in, names[i]);
      if (c >= 0 && in->cols[c].type == DP_COL_IPV4)
        {
          guint u = (guint) c;
          g_array_append_val (cols, u);
          if (s->cfg->columns == NULL)
            break;
          continue;
        }
      if (s->cfg->columns == NULL)
        continue;
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "table '%s' has no address (ipv4) column '%s' (option 'columns')", in->name, names[i]);
      g_array_unref (cols);
      return NULL;
    }
  if (cols->len == 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "table '%s' has no address (ipv4) column src or ip: name one with option 'columns'", in->name);
      g_array_unref (cols);
      return NULL;
    }
  return cols;
}

/* A copy of @in with the added columns of each address column. */
static DpTable *
enrich_table (Enrich *s, const DpTable *in, GError **error)
{
  g_autoptr (GArray) cols = enrich_pick_columns (s, in, error);
  if (cols == NULL)
    return NULL;
  g_autoptr (DpTable) out = dp_table_new (in->name);
  for (guint c = 0; c < in->n_cols; c++)
    dp_table_add_column_flags (out, in->cols[c].name, in->cols[c].type, in->cols[c].flags);
  for (guint r = 0; r < in->n_rows; r++)
    dp_table_append_row (out);
  if (in->names)
    dp_table_set_names (out, in->names);
  for (guint c = 0; c < in->n_cols; c++)
    {
      const DpColumn *ic = &in->cols[c];
      if (ic->type == DP_COL_STRING)
        for (guint r = 0; r < in->n_rows; r++)
          dp_table_set_str (out, c, r, ic->str[r]);
      else if (in->n_rows)
        memcpy (out->cols[c].data, ic->data,
                in->n_rows * (ic->type == DP_COL_IPV4 ? sizeof (guint32) : sizeof (gint64)));
      dp_table_copy_nulls (out, c, in, c);
    }
  gboolean prefixed = cols->len > 1 || s->cfg->column_prefix;
  for (guint k = 0; k < cols->len; k++)
    {
      const DpColumn *ac = &in->cols[g_array_index (cols, guint, k)];
      guint first = 0;
      if (!enrich_add_columns (out, prefixed ? ac->name : NULL, &first, error))
        return NULL;
      for (guint r = 0; r < in->n_rows; r++)
        if (!enrich_fill (s, out, first, r, ac->ip[r], error))
          return NULL;
    }
  return g_steal_pointer (&out);
}

/* ------------------------------------------------------------------ */
/* Packets: counted per source, a table at finish */

static void
enrich_packets (Enrich *s, const DpPackets *p)
{
  s->saw_packets = TRUE;
  if (s->names == NULL && p->names)
    s->names = dp_name_map_ref (p->names);
  for (guint i = 0; i < p->n_rows; i++)
    (*dp_hash_upsert (&s->sources, p->src[i], NULL))++;
}

typedef struct {
  guint32 src;
  guint64 packets;
} EnrichSource;

static gint
enrich_source_cmp (gconstpointer a, gconstpointer b)
{
  const EnrichSource *x = a, *y = b;
  if (x->packets != y->packets)
    return x->packets > y->packets ? -1 : 1;
  return x->src < y->src ? -1 : x->src > y->src;
}

/* Sources by packets (most first), then address. */
static DpTable *
enrich_sources_table (Enrich *s, GError **error)
{
  g_autoptr (GArray) rows = g_array_sized_new (FALSE, FALSE, sizeof (EnrichSource), (guint) s->sources.n);
  for (gsize i = 0; s->sources.keys && i <= s->sources.mask; i++)
    if (s->sources.keys[i] != DP_HASH_EMPTY)
      {
        EnrichSource e = { (guint32) s->sources.keys[i], s->sources.vals[i] };
        g_array_append_val (rows, e);
      }
  g_array_sort (rows, enrich_source_cmp);
  g_autoptr (DpTable) t = dp_table_new ("sources");
  guint c_src = dp_table_add_column (t, "src", DP_COL_IPV4);
  guint c_packets = dp_table_add_column (t, "packets", DP_COL_INT64);
  guint first = 0;
  if (!enrich_add_columns (t, NULL, &first, error))
    return NULL;
  if (s->names)
    dp_table_set_names (t, s->names);
  for (guint i = 0; i < rows->len; i++)
    {
      const EnrichSource *e = &g_array_index (rows, EnrichSource, i);
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, c_src, r, e->src);
      dp_table_set_i64 (t, c_packets, r, (gint64) e->packets);
      if (!enrich_fill (s, t, first, r, e->src, error))
        return NULL;
    }
  return g_steal_pointer (&t);
}

/* ------------------------------------------------------------------ */
/* Life cycle */

static DpFlow
enrich_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch, GError **error)
{
  Enrich *s = state;
  if (batch->type == DP_TYPE_PACKETS)
    {
      enrich_packets (s, (const DpPackets *) batch);
      return DP_FLOW_OK;
    }
  if (batch->type == DP_TYPE_TABLE)
    {
      DpTable *t = enrich_table (s, (const DpTable *) batch, error);
      if (t == NULL)
        return DP_FLOW_ERROR;
      return dp_stage_push (stage, 0, t);
    }
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "enrich takes tables and packets, not %s",
               dp_batch_type_name (batch->type));
  return DP_FLOW_ERROR;
}

/* A database that answered no address: most likely the wrong file for
 * its option (a country database given as asn_db). */
static void
enrich_warn_empty (DpStage *stage, Enrich *s, const char *option, const char *path, guint64 found,
                   const char *what)
{
  if (path && s->addresses > 0 && found == 0)
    dp_stage_info (stage, "warning: %s %s gave no %s for any of %" G_GUINT64_FORMAT " addresses (is it the "
                   "right kind of database?)", option, path, what, s->addresses);
}

static gboolean
enrich_finish (DpStage *stage, void *state, GError **error)
{
  Enrich *s = state;
  if (s->saw_packets)
    {
      DpTable *t = enrich_sources_table (s, error);
      if (t == NULL)
        return FALSE;
      dp_stage_push (stage, 1, t);   /* a failure downstream is that stage's */
    }
  dp_stage_count (stage, "addresses", s->addresses);
  dp_stage_count (stage, "lookups", s->lookups);
  dp_stage_count (stage, "with-asn", s->with_asn);
  dp_stage_count (stage, "with-country", s->with_country);
  if (s->pseudonyms)
    dp_stage_count (stage, "pseudonyms", s->pseudonyms);
  if (s->have_pfx && s->pfx.duplicates)
    dp_stage_count (stage, "pfx2as-duplicates", s->pfx.duplicates);
  enrich_warn_empty (stage, s, "pfx2as", s->cfg->pfx2as, s->with_asn, "origin AS");
  enrich_warn_empty (stage, s, "asn_db", s->cfg->asn_db, s->with_asn, "AS number");
  enrich_warn_empty (stage, s, "country_db", s->cfg->country_db, s->with_country, "country");
  return TRUE;
}

static gboolean
enrich_check_mmdb (DpStage *stage, const char *option, const char *path, GError **error)
{
  if (path == NULL)
    return TRUE;
  if (!enrich_mmdb_available ())
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, option,
                                  "option '%s': this darkpipe was built without libmaxminddb, so it cannot read "
                                  "MaxMind DB files (apt-get install libmaxminddb-dev, then configure "
                                  "--with-maxminddb); pfx2as files work without it", option);
  EnrichMmdb *db = enrich_mmdb_open (path, error);
  if (db == NULL)
    {
      dp_stage_check_option (stage, option);
      return FALSE;
    }
  enrich_mmdb_close (db);
  return TRUE;
}

/* Before any data: a database at all, not two for the ASN, and every file
 * readable and whole (a pfx2as file is read through once here). */
static gboolean
enrich_check (DpStage *stage, const void *config, GError **error)
{
  const EnrichConfig *cfg = config;
  if (cfg->pfx2as == NULL && cfg->asn_db == NULL && cfg->country_db == NULL)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_REQUIRED, NULL,
                                  "enrich needs a database: set pfx2as (CAIDA prefix-to-AS), asn_db or "
                                  "country_db (MaxMind DB files)");
  if (cfg->pfx2as && cfg->asn_db)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_CHOICE, "asn_db",
                                  "options 'pfx2as' and 'asn_db' both give the AS number: use one (pfx2as: the "
                                  "origin AS in BGP; asn_db: the database's AS and its organisation)");
  for (guint i = 0; cfg->columns && cfg->columns[i]; i++)
    for (guint j = 0; j < i; j++)
      if (strcmp (cfg->columns[i], cfg->columns[j]) == 0)
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "columns",
                                      "option 'columns': '%s' is listed twice", cfg->columns[i]);
  if (cfg->pfx2as && !enrich_pfx2as_read (NULL, cfg->pfx2as, NULL, error))
    {
      dp_stage_check_option (stage, "pfx2as");
      return FALSE;
    }
  return enrich_check_mmdb (stage, "asn_db", cfg->asn_db, error)
         && enrich_check_mmdb (stage, "country_db", cfg->country_db, error);
}

static void
enrich_finalize (void *state)
{
  Enrich *s = state;
  if (s->have_pfx)
    enrich_pfx2as_clear (&s->pfx);
  enrich_mmdb_close (s->asn_db);
  enrich_mmdb_close (s->country_db);
  g_free (s->cache);
  dp_hash_clear (&s->sources);
  g_clear_pointer (&s->names, dp_name_map_unref);
  g_clear_pointer (&s->strings, g_string_chunk_free);
  g_free (s);
}

static gboolean
enrich_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const EnrichConfig *cfg = config;
  Enrich *s = g_new0 (Enrich, 1);
  *state = s;
  s->cfg = cfg;
  s->strings = g_string_chunk_new (4096);
  dp_hash_init (&s->sources, 1024);
  if (cfg->pfx2as)
    {
      s->have_pfx = TRUE;
      if (!enrich_pfx2as_read (&s->pfx, cfg->pfx2as, s->strings, error))
        return FALSE;
      dp_stage_info (stage, "%s: %" G_GUINT64_FORMAT " IPv4 prefixes (%" G_GUINT64_FORMAT " IPv6 lines skipped)",
                     cfg->pfx2as, s->pfx.v4, s->pfx.v6);
    }
  if (cfg->asn_db && (s->asn_db = enrich_mmdb_open (cfg->asn_db, error)) == NULL)
    return FALSE;
  if (cfg->country_db && (s->country_db = enrich_mmdb_open (cfg->country_db, error)) == NULL)
    return FALSE;
  if (cfg->cache_size > 0)
    {
      guint32 n = 1;
      while (n < cfg->cache_size)
        n <<= 1;
      s->cache = g_new0 (EnrichSlot, n);
      s->cache_mask = n - 1;
    }
  return TRUE;
}

static const DpOptionDesc enrich_options[] = {
  DP_OPTION_FLAGS ("pfx2as", DP_OPT_PATH, NULL, EnrichConfig, pfx2as, DP_OPT_INPUT,
                   "CAIDA routeviews prefix-to-AS file (prefix, length, origin AS per line; plain or gzip): the origin AS by longest-prefix match."),
  DP_OPTION_FLAGS ("asn_db", DP_OPT_PATH, NULL, EnrichConfig, asn_db, DP_OPT_INPUT,
                   "MaxMind DB file with autonomous_system_number/_organization (GeoLite2-ASN, DB-IP ASN lite): AS number and organisation."),
  DP_OPTION_FLAGS ("country_db", DP_OPT_PATH, NULL, EnrichConfig, country_db, DP_OPT_INPUT,
                   "MaxMind DB file with country.iso_code (GeoLite2-Country or -City, DB-IP country or city lite): the country."),
  DP_OPTION ("columns", DP_OPT_STRLIST, NULL, EnrichConfig, columns,
             "Address (ipv4) columns of tables to enrich (default: src, else ip)."),
  DP_OPTION ("column_prefix", DP_OPT_BOOL, "false", EnrichConfig, column_prefix,
             "Name the added columns after their address column (src_asn, …) also when one column is enriched (always so with several)."),
  DP_OPTION_RANGE ("cache_size", DP_OPT_UINT, "65536", EnrichConfig, cache_size, 0, 1 << 26,
                   "Entries of the per-address lookup cache (40 bytes each, rounded up to a power of two; 0: no cache)."),
};

static const DpPortDesc enrich_inputs[] = {
  { "input", DP_TYPE_ANY, DP_PORT_MULTI, "Tables with an address (ipv4) column, and packets (counted per source)." },
};

static const DpColumnDesc enrich_source_columns[] = {
  { "src", DP_COL_IPV4, 0 },
  { "packets", DP_COL_INT64, 0 },
  { "asn", DP_COL_INT64, 0 },
  { "as_org", DP_COL_STRING, 0 },
  { "country", DP_COL_STRING, 0 },
  { "as_origins", DP_COL_STRING, 0 },
};

static const DpPortDesc enrich_outputs[] = {
  { "tables", DP_TYPE_TABLE, 0, "Each input table with asn, as_org, country and as_origins added per address column." },
  { "sources", DP_TYPE_TABLE, 0, "Table 'sources' of the packets (at the end): one row per source, most packets first.",
    DP_PORT_COLUMNS (enrich_source_columns) },
};

DP_PLUGIN_DEFINE (enrich,
  .kind = DP_KIND_TRANSFORM,
  .summary = "Origin AS, AS organisation and country of addresses (CAIDA pfx2as, MaxMind DB files)",
  .version = "1.0",
  .doc = "Adds four columns per address column to each table it gets: `asn` (int64), `as_org`, `country` "
         "and `as_origins` (strings). With one address column (`src`, else `ip`, or the one `columns` "
         "names) they are named so; with several (`columns: [src, dst]`), or with `column_prefix: true`, "
         "after their column: `src_asn`, `dst_country`, …. Packets (optional) are counted per source, and "
         "at the end the table `sources` (`src`, `packets` and the four columns, most packets first) goes "
         "out on `sources`.\n\n"
         "Databases (at least one):\n"
         "- `pfx2as`: CAIDA's routeviews prefix-to-AS file (`prefix<TAB>length<TAB>origins`, plain or "
         "gzip), longest-prefix match over its IPv4 prefixes (`/0` to `/32`) and IPv6 ones (routeviews-rv2 "
         "and -rv6 files, or both in one). The "
         "origin field may list several origins of the prefix (MOAS, joined by `_`: `64500_64501`) or an "
         "AS set (joined by `,`: `64500,64501`): `asn` is then the first AS written and `as_origins` the "
         "field as the file writes it (it is filled on every pfx2as match, `64500` for one origin), so a "
         "report can tell the ambiguous rows (`_` or `,` in `as_origins`). A prefix given twice keeps its "
         "first line (counted as `pfx2as-duplicates`).\n"
         "- `asn_db`: a MaxMind DB with `autonomous_system_number` and `autonomous_system_organization` "
         "(GeoLite2-ASN, DB-IP's ASN lite): `asn` and `as_org`.\n"
         "- `country_db`: a MaxMind DB with `country.iso_code` (GeoLite2-Country or -City, DB-IP's "
         "country or city lite): `country`, the ISO 3166-1 code; where a network has no `country`, its "
         "`registered_country`.\n\n"
         "`pfx2as` and `asn_db` both give the AS and are not used together. MaxMind DB files are read "
         "through libmaxminddb; a darkpipe built without it (configure `--with-maxminddb=no`, or no "
         "libmaxminddb-dev) has the same options and refuses `asn_db`/`country_db` at `darkpipe check`, "
         "saying so.\n\n"
         "What is not known stays empty: `asn` 0 (AS 0 is reserved, RFC 7607) and null strings (empty in "
         "CSV). IPv6 addresses (keys of the table's name map) are looked up by their 128 bits, an "
         "IPv6 prefix (the taxonomy's `ipv6_prefix`) by its network address; an IPv4-only MaxMind DB "
         "has nothing for them. Pseudonyms (the other keys in 240.0.0.0/4) are never looked up and get "
         "nothing (counted as `pseudonyms`). IPv4 lookups are cached per address (`cache_size`).\n\n"
         "At `darkpipe check` every database must open and be whole: a missing or unreadable file, a "
         "pfx2as line that does not parse (the message names file and line; a routing table read in "
         "part would enrich silently wrong), a pfx2as file without any prefix, a file that is no "
         "MaxMind DB or is truncated, an IPv6 MaxMind DB without IPv4 networks are errors. The pfx2as "
         "file is read once there and again when the run starts. A corrupt record met during the run "
         "stops it with a message naming the file, the address and the data offset. Counters: "
         "`addresses` (cells looked up), `lookups` (cache misses), `with-asn`, `with-country`; a "
         "database that answered none of the addresses is named in a warning at the end.",
  .inputs = enrich_inputs, .n_inputs = DP_N_ELEMENTS (enrich_inputs),
  .outputs = enrich_outputs, .n_outputs = DP_N_ELEMENTS (enrich_outputs),
  .options = enrich_options, .n_options = DP_N_ELEMENTS (enrich_options),
  .config_size = sizeof (EnrichConfig),
  .check = enrich_check,
  .init = enrich_init,
  .process = enrich_process,
  .finish = enrich_finish,
  .finalize = enrich_finalize)
