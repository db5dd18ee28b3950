/* fuzz-enrich.c — the enrich plugin's pfx2as parser (plugins/transform/
 * enrich/pfx2as.c, read at check and at init), then addresses through the
 * prefixes it found.  A bad file is a whole-file error whose message names
 * the file; a good one must answer every address, the same with a cache
 * too small for the addresses (collisions) as without one, with an origin
 * field that the file holds and whose first AS is the asn; 240.0.0.0/4
 * (pseudonyms) gets nothing. */
#define _GNU_SOURCE 1   /* memmem */
#include "config.h"

#include <string.h>

#include "fuzz.h"

DP_FUZZ_DECLARE_PLUGIN (enrich);

#define FUZZ_PFX2AS_MAX 8192
#define FUZZ_ADDRS 64

/* Addresses from the input's bytes and its dotted quads' neighbourhood,
 * the extremes and a pseudonym. */
static DpTable *
fuzz_enrich_table (const guint8 *data, size_t size)
{
  DpTable *t = dp_table_new ("t");
  guint c = dp_table_add_column (t, "src", DP_COL_IPV4);
  for (guint i = 0; i < FUZZ_ADDRS; i++)
    {
      guint32 x;
      switch (i)
        {
        case 0: x = 0; break;
        case 1: x = G_MAXUINT32; break;
        case 2: x = 0xf0000001u; break;   /* a pseudonym */
        default:
          x = 0x9e3779b9u * (i + 1);
          for (size_t k = 0; k < 4 && size > 0; k++)
            x ^= (guint32) data[(i * 5 + k) % size] << (8 * k);
          /* half of them near the input's first bytes read as an address */
          if (i % 2 && size >= 4)
            x = ((guint32) data[0] << 24 | (guint32) data[1] << 16 | (guint32) data[2] << 8 | data[3]) + i;
        }
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, c, r, x);
    }
  return t;
}

/* The table enrich makes of @in with @opts, or NULL when the file is
 * refused (then @error is set). */
static DpTable *
fuzz_enrich_run (const char *opts, DpTable *in, GError **error)
{
  DpHarness *h = DP_FUZZ_HARNESS (enrich, opts, error);
  if (h == NULL)
    return NULL;
  GError *e = NULL;
  DP_FUZZ_CHECK (dp_harness_push (h, 0, in, &e));
  DP_FUZZ_CHECK (dp_harness_finish (h, &e));
  DpTable *out = dp_harness_output (h, "tables");
  DP_FUZZ_CHECK (out != NULL && out->n_rows == in->n_rows);
  dp_batch_ref (out);
  dp_harness_free (h);
  return out;
}

static gboolean
fuzz_enrich_origins_ok (const char *o, gint64 asn)
{
  for (const char *p = o; *p; p++)
    if (!g_ascii_isdigit (*p) && *p != '_' && *p != ',')
      return FALSE;
  return g_ascii_strtoll (o, NULL, 10) == asn;
}

int
dp_fuzz_enrich (const guint8 *data, size_t size)
{
  if (size > FUZZ_PFX2AS_MAX)
    return 0;
  const char *path = dp_fuzz_write_temp ("enrich.pfx2as", data, size);
  g_autofree char *opts0 = g_strdup_printf ("pfx2as: '%s'\ncache_size: 0\n", path);
  g_autofree char *opts4 = g_strdup_printf ("pfx2as: '%s'\ncache_size: 4\n", path);
  g_autoptr (DpTable) in = fuzz_enrich_table (data, size);
  GError *error = NULL;
  g_autoptr (DpTable) plain = fuzz_enrich_run (opts0, in, &error);
  if (plain == NULL)
    {
      dp_fuzz_file_refused (error, path);
      return 0;
    }
  g_autoptr (DpTable) cached = fuzz_enrich_run (opts4, in, &error);
  DP_FUZZ_CHECK (cached != NULL);
  gint ca = dp_table_find_column (plain, "asn"), co = dp_table_find_column (plain, "as_origins");
  DP_FUZZ_CHECK (ca >= 0 && co >= 0);
  for (guint i = 0; i < in->n_rows; i++)
    {
      gint64 asn = plain->cols[ca].i64[i];
      const char *o = plain->cols[co].str[i];
      DP_FUZZ_CHECK (cached->cols[ca].i64[i] == asn);
      DP_FUZZ_CHECK (g_strcmp0 (cached->cols[co].str[i], o) == 0);
      DP_FUZZ_CHECK (asn >= 0 && asn <= G_MAXUINT32);
      if ((in->cols[0].ip[i] >> 28) == 0xf || o == NULL)
        {
          DP_FUZZ_CHECK (asn == 0 && o == NULL);
          continue;
        }
      DP_FUZZ_CHECK (fuzz_enrich_origins_ok (o, asn));
      /* the origin field comes from the file (a gzip file: not checked) */
      if (!(size >= 2 && data[0] == 0x1f && data[1] == 0x8b))
        DP_FUZZ_CHECK (memmem (data, size, o, strlen (o)) != NULL);
    }
  return 0;
}
