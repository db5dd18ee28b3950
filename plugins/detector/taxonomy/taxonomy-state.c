/* taxonomy-state.c — the open windows saved at the end of a run and read
 * back by the next one (option state), so that a capture processed piece by
 * piece in separate runs gives the tables of one run over all of it.
 *
 * The file (little-endian, written atomically):
 *   "DPTAXST\n", u32 version, the configuration the base tables depend on
 *   (window, compat, flag_mask, ipv6_prefix), the clock (closed_below,
 *   next_close_ts, max_ts, any_ts), the name keys (addresses from
 *   240.0.0.0/4) the tables use, by their text or 16 bytes + prefix length,
 *   in key order, then each open window: index, packets, its entries in
 *   insertion order; last the zlib crc32 of everything before it.
 * Name keys are per run: they are interned again, in the same order, into
 * the taxonomy's own map of the next run. */
#include "config.h"

#include <string.h>
#include <zlib.h>

#include "taxonomy.h"

#define TAX_STATE_MAGIC "DPTAXST\n"
#define TAX_STATE_VERSION 1u

static void
put32 (GByteArray *b, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &le, 4);
}

static void
put64 (GByteArray *b, guint64 v)
{
  guint64 le = GUINT64_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &le, 8);
}

static void
put_agg (GByteArray *b, const TaxAgg *e)
{
  put32 (b, e->src);
  put32 (b, e->dst);
  put32 (b, e->b);
  put32 (b, e->n_pkt);
  put32 (b, e->n_scan);
  put32 (b, e->n_syn);
  put32 (b, e->n_bs);
  put32 (b, e->n_frag);
  for (guint k = 0; k < TAX_N_FP; k++)
    put32 (b, e->fp[k]);
  put64 (b, (guint64) e->first);
  put64 (b, (guint64) e->last);
}

static int
cmp_u32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return (x > y) - (x < y);
}

/* The name keys of the open windows' triples (@tables), sorted. */
static GArray *
taxonomy_state_keys (const TaxTable *tables, guint n_tables)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  GArray *keys = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint w = 0; w < n_tables; w++)
    {
      const TaxTable *t = &tables[w];
      for (gsize i = 0; i < t->n; i++)
        {
          guint32 ab[2] = { t->entries[i].src, t->entries[i].dst };
          for (guint j = 0; j < 2; j++)
            if (ab[j] >= DP_NAME_BASE && g_hash_table_add (seen, GUINT_TO_POINTER (ab[j])))
              g_array_append_val (keys, ab[j]);
        }
    }
  g_array_sort (keys, cmp_u32);
  return keys;
}

static gboolean taxonomy_state_write (const char *path, const TaxonomyConfig *cfg, const TaxClock *clock,
                                      GPtrArray *open, const TaxTable *tables, DpNameMap *names,
                                      GError **error);

gboolean
taxonomy_state_save (const char *path, const TaxonomyConfig *cfg, const TaxClock *clock,
                     GPtrArray *open, const TaxPool *pool, DpNameMap *names, GError **error)
{
  /* each window's triples, partition by partition: the order of each
   * source's triples is the order their first packets came */
  TaxTable *tables = g_new0 (TaxTable, MAX (open->len, 1u)), part;
  taxonomy_table_init (&part, 4096);
  for (guint w = 0; w < open->len; w++)
    {
      taxonomy_table_init (&tables[w], 4096);
      taxonomy_window_triples (pool, g_ptr_array_index (open, w), &tables[w], &part);
    }
  taxonomy_table_clear (&part);
  gboolean ok = taxonomy_state_write (path, cfg, clock, open, tables, names, error);
  for (guint w = 0; w < open->len; w++)
    taxonomy_table_clear (&tables[w]);
  g_free (tables);
  return ok;
}

static gboolean
taxonomy_state_write (const char *path, const TaxonomyConfig *cfg, const TaxClock *clock,
                      GPtrArray *open, const TaxTable *tables, DpNameMap *names, GError **error)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) TAX_STATE_MAGIC, 8);
  put32 (b, TAX_STATE_VERSION);
  put64 (b, (guint64) cfg->window_ns);
  put32 (b, (guint32) cfg->compat);
  put64 (b, cfg->flag_mask);
  put64 (b, (guint64) cfg->ipv6_prefix);
  put64 (b, (guint64) clock->closed_below);
  put64 (b, (guint64) clock->next_close_ts);
  put64 (b, (guint64) clock->max_ts);
  put32 (b, clock->any_ts ? 1 : 0);
  g_autoptr (GArray) keys = taxonomy_state_keys (tables, open->len);
  put32 (b, keys->len);
  for (guint i = 0; i < keys->len; i++)
    {
      guint32 k = g_array_index (keys, guint32, i);
      guint plen = 0;
      const guint8 *a6 = names ? dp_name_map_lookup_ip6 (names, k, &plen) : NULL;
      const char *tok = names && !a6 ? dp_name_map_lookup (names, k) : NULL;
      put32 (b, k);
      if (a6)
        {
          put32 (b, 1u << 16 | plen);
          g_byte_array_append (b, a6, 16);
        }
      else if (tok)
        {
          gsize len = strlen (tok);
          put32 (b, 2u << 16);
          put32 (b, (guint32) len);
          g_byte_array_append (b, (const guint8 *) tok, (guint) len);
        }
      else
        put32 (b, 0);   /* an address in 240.0.0.0/4 that is no name: kept as it is */
    }
  put32 (b, open->len);
  for (guint w = 0; w < open->len; w++)
    {
      const TaxWindow *win = g_ptr_array_index (open, w);
      put64 (b, (guint64) win->index);
      put64 (b, win->n_pkt);
      put64 (b, tables[w].n);
      for (gsize i = 0; i < tables[w].n; i++)
        put_agg (b, &tables[w].entries[i]);
    }
  put32 (b, (guint32) crc32 (0, b->data, b->len));
  g_autoptr (DpOutFile) f = dp_outfile_open (path, FALSE, error);
  if (!f)
    return FALSE;
  dp_outfile_write (f, b->data, b->len);
  return dp_outfile_commit (g_steal_pointer (&f), error);
}

typedef struct {
  const guint8 *p, *end;
  gboolean bad;
} Reader;

static const guint8 *
take (Reader *r, gsize n)
{
  if (r->bad || (gsize) (r->end - r->p) < n)
    {
      r->bad = TRUE;
      return NULL;
    }
  const guint8 *at = r->p;
  r->p += n;
  return at;
}

/* A little-endian integer of @n bytes; 0 past the end (r->bad set). */
static guint64
get_le (Reader *r, guint n)
{
  guint64 v = 0;
  const guint8 *at = take (r, n);
  if (at)
    for (guint i = n; i-- > 0;)
      v = v << 8 | at[i];
  return v;
}

#define get32(r) ((guint32) get_le ((r), 4))
#define get64(r) get_le ((r), 8)

static gboolean
state_error (GError **error, const char *path, const char *what)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               "%s: not a taxonomy state file this version can read: %s "
               "(remove it to start afresh, or give another state path)", path, what);
  return FALSE;
}

static guint32
translate (GHashTable *xlat, guint32 k)
{
  if (k < DP_NAME_BASE)
    return k;
  gpointer v;
  return g_hash_table_lookup_extended (xlat, GUINT_TO_POINTER (k), NULL, &v) ? GPOINTER_TO_UINT (v) : k;
}

gboolean
taxonomy_state_load (const char *path, const TaxonomyConfig *cfg, TaxClock *clock,
                     GPtrArray *open, DpNameMap *names, gboolean *found, GError **error)
{
  g_autofree gchar *data = NULL;
  gsize len = 0;
  g_autoptr (GError) e = NULL;
  *found = FALSE;
  if (!g_file_get_contents (path, &data, &len, &e))
    {
      if (g_error_matches (e, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&e));
      return FALSE;
    }
  *found = TRUE;
  const guint8 *d = (const guint8 *) data;
  if (len < 16 || memcmp (d, TAX_STATE_MAGIC, 8) != 0)
    return state_error (error, path, "no taxonomy state header");
  guint32 version, crc;
  memcpy (&version, d + 8, 4);
  memcpy (&crc, d + len - 4, 4);
  if (GUINT32_FROM_LE (version) != TAX_STATE_VERSION)
    {
      g_autofree char *what = g_strdup_printf ("version %u, this darkpipe reads version %u",
                                               GUINT32_FROM_LE (version), TAX_STATE_VERSION);
      return state_error (error, path, what);
    }
  if (GUINT32_FROM_LE (crc) != (guint32) crc32 (0, d, (uInt) (len - 4)))
    return state_error (error, path, "checksum mismatch (truncated or damaged)");
  Reader r = { d + 12, d + len - 4, FALSE };
  gint64 window_ns = (gint64) get64 (&r);
  guint32 compat = get32 (&r);
  guint64 flag_mask = get64 (&r);
  gint64 ipv6_prefix = (gint64) get64 (&r);
  if (!r.bad && (window_ns != cfg->window_ns || (int) compat != cfg->compat || flag_mask != cfg->flag_mask
                 || ipv6_prefix != cfg->ipv6_prefix))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: saved by a taxonomy with other window, compat, flag_mask or ipv6_prefix "
                   "(window %" G_GINT64_FORMAT " ns, compat %u, flag_mask %" G_GUINT64_FORMAT
                   ", ipv6_prefix %" G_GINT64_FORMAT "): give the same options, or remove the file",
                   path, window_ns, compat, flag_mask, ipv6_prefix);
      return FALSE;
    }
  clock->closed_below = (gint64) get64 (&r);
  clock->next_close_ts = (gint64) get64 (&r);
  clock->max_ts = (gint64) get64 (&r);
  clock->any_ts = get32 (&r) != 0;
  g_autoptr (GHashTable) xlat = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint32 n_keys = get32 (&r);
  for (guint32 i = 0; i < n_keys && !r.bad; i++)
    {
      guint32 k = get32 (&r), kind = get32 (&r), to = k;
      if ((kind >> 16) == 1)
        {
          const guint8 *a6 = take (&r, 16);
          guint plen = kind & 0xffff;
          if (a6 && (plen < 1 || plen > 128))
            r.bad = TRUE;
          else if (a6 && !dp_name_map_intern_ip6 (names, a6, plen, &to))
            to = k;
        }
      else if ((kind >> 16) == 2)
        {
          guint32 n = get32 (&r);
          const guint8 *s = take (&r, n);
          if (s)
            {
              g_autofree char *tok = g_strndup ((const char *) s, n);
              to = dp_name_map_intern (names, tok);
            }
        }
      else if (kind != 0)
        r.bad = TRUE;
      g_hash_table_insert (xlat, GUINT_TO_POINTER (k), GUINT_TO_POINTER (to));
    }
  guint32 n_win = get32 (&r);
  for (guint32 w = 0; w < n_win && !r.bad; w++)
    {
      gint64 index = (gint64) get64 (&r);
      guint64 n_pkt = get64 (&r);
      guint64 n = get64 (&r);
      /* 64 bytes an entry: the count cannot exceed what is left */
      if (r.bad || n > (guint64) (r.end - r.p) / 64
          || (open->len > 0 && ((TaxWindow *) g_ptr_array_index (open, open->len - 1))->index >= index))
        {
          r.bad = TRUE;
          break;
        }
      TaxWindow *win = taxonomy_window_new (index);
      win->n_pkt = n_pkt;
      g_ptr_array_add (open, win);
      TaxTable t;
      taxonomy_table_init (&t, n);
      for (guint64 i = 0; i < n; i++)
        {
          guint32 src = translate (xlat, get32 (&r)), dst = translate (xlat, get32 (&r)), b = get32 (&r);
          TaxAgg *e = taxonomy_table_upsert (&t, src, dst, b, taxonomy_hash (src, dst, b));
          if (e->n_pkt != 0)
            r.bad = TRUE;   /* a key twice */
          e->n_pkt = get32 (&r);
          if (e->n_pkt == 0)
            r.bad = TRUE;   /* an entry counts a packet at least */
          e->n_scan = get32 (&r);
          e->n_syn = get32 (&r);
          e->n_bs = get32 (&r);
          e->n_frag = get32 (&r);
          for (guint k = 0; k < TAX_N_FP; k++)
            e->fp[k] = get32 (&r);
          e->first = (gint64) get64 (&r);
          e->last = (gint64) get64 (&r);
        }
      taxonomy_window_adopt (win, &t);
      taxonomy_table_clear (&t);
    }
  if (r.bad || r.p != r.end)
    {
      g_autofree char *what = g_strdup_printf ("malformed contents at byte %" G_GSIZE_FORMAT,
                                               (gsize) (r.p - d));
      return state_error (error, path, what);
    }
  return TRUE;
}
