/* dp-ranks-wire.c — what the ranks send each other as bytes: the names of
 * a name map (IPv6 addresses and pseudonyms, which every rank keys
 * differently) and whole tables with the names their ipv4 columns use. */
#include "config.h"

#include <string.h>

#include "dp-ranks-private.h"

/* ------------------------------------------------------------------ */
/* names */

/* A name of map @m as bytes: kind (0 token, 1 IPv6), prefix, length, text
 * or the 16 bytes.  FALSE when @key is no name of @m. */
gboolean
ranks_put_name (GByteArray *b, const DpNameMap *m, guint32 key)
{
  guint plen = 128;
  const guint8 *a6 = dp_name_map_lookup_ip6 (m, key, &plen);
  if (a6)
    {
      PUT (b, guint8, 1);
      PUT (b, guint8, (guint8) plen);
      PUT (b, guint16, 16);
      put (b, a6, 16);
      return TRUE;
    }
  const char *tok = dp_name_map_lookup (m, key);
  if (tok == NULL)
    return FALSE;
  gsize len = MIN (strlen (tok), (gsize) G_MAXUINT16);
  PUT (b, guint8, 0);
  PUT (b, guint8, 0);
  PUT (b, guint16, (guint16) len);
  put (b, tok, len);
  return TRUE;
}

/* The names of @keys (a set of keys of @m, nullable) as a count and
 * entries (key, then ranks_put_name's bytes); keys that are no names of @m are
 * left out. */
void
ranks_put_names (GByteArray *b, const DpNameMap *m, GHashTable *keys)
{
  GByteArray *names = g_byte_array_new ();
  guint32 n_names = 0;
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, keys);
  while (m && g_hash_table_iter_next (&it, &key, NULL))
    {
      guint pos = names->len;
      PUT (names, guint32, GPOINTER_TO_UINT (key));
      if (ranks_put_name (names, m, GPOINTER_TO_UINT (key)))
        n_names++;
      else
        g_byte_array_set_size (names, pos);
    }
  PUT (b, guint32, n_names);
  put (b, names->data, names->len);
  g_byte_array_unref (names);
}

/* Reads a name written by ranks_put_name and interns it into @m: its key there,
 * or @fallback when the map is full or the bytes are damaged. */
guint32
ranks_take_name (Reader *r, DpNameMap *m, guint32 fallback)
{
  guint8 kind = TAKE (r, guint8, 0), plen = TAKE (r, guint8, 0);
  guint16 len = TAKE (r, guint16, 0);
  const guint8 *bytes = take (r, len);
  if (bytes == NULL)
    return fallback;
  guint32 key = fallback;
  if (kind == 1 && len == 16)
    {
      if (!dp_name_map_intern_ip6 (m, bytes, plen, &key))
        key = fallback;
      return key;
    }
  g_autofree char *tok = g_strndup ((const char *) bytes, len);
  return dp_name_map_intern (m, tok);
}

/* ------------------------------------------------------------------ */
/* tables to rank 0 */

void
ranks_pack_table (GByteArray *b, const DpTable *t)
{
  const char *name = t->name ? t->name : "table";
  PUT (b, guint32, (guint32) strlen (name));
  put (b, name, strlen (name));
  PUT (b, guint32, t->n_cols);
  PUT (b, guint32, t->n_rows);
  GHashTable *named = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint c = 0; c < t->n_cols; c++)
    {
      const DpColumn *col = &t->cols[c];
      PUT (b, guint32, (guint32) strlen (col->name));
      put (b, col->name, strlen (col->name));
      PUT (b, guint8, (guint8) col->type);
      /* the column's flags (time, nullable) and its null cells */
      PUT (b, guint32, col->flags);
      PUT (b, guint8, (guint8) (col->nulls != NULL));
      if (col->nulls)
        put (b, col->nulls, ((gsize) t->n_rows + 7) / 8);
      switch (col->type)
        {
        case DP_COL_INT64: put (b, col->i64, (gsize) t->n_rows * 8); break;
        case DP_COL_DOUBLE: put (b, col->f64, (gsize) t->n_rows * 8); break;
        case DP_COL_IPV4:
          put (b, col->ip, (gsize) t->n_rows * 4);
          for (guint i = 0; i < t->n_rows; i++)
            if (col->ip[i] >= DP_NAME_BASE)
              g_hash_table_add (named, GUINT_TO_POINTER (col->ip[i]));
          break;
        case DP_COL_STRING:
          for (guint i = 0; i < t->n_rows; i++)
            {
              const char *s = col->str[i];
              PUT (b, guint32, s ? (guint32) strlen (s) : G_MAXUINT32);
              if (s)
                put (b, s, strlen (s));
            }
          break;
        }
    }
  ranks_put_names (b, t->names, named);
  g_hash_table_destroy (named);
}

DpTable *
ranks_unpack_table (Reader *r, DpNameMap *names)
{
  guint32 len = TAKE (r, guint32, 0);
  const char *nm = take (r, len);
  g_autofree char *name = nm ? g_strndup (nm, len) : NULL;
  guint32 n_cols = TAKE (r, guint32, 0), n_rows = TAKE (r, guint32, 0);
  if (r->bad)
    return NULL;
  DpTable *t = dp_table_new (name);
  dp_table_set_names (t, names);
  for (guint i = 0; i < n_rows; i++)
    dp_table_append_row (t);
  for (guint c = 0; c < n_cols && !r->bad; c++)
    {
      guint32 cl = TAKE (r, guint32, 0);
      const char *cn = take (r, cl);
      guint8 type = TAKE (r, guint8, 0);
      if (r->bad || type > DP_COL_STRING)
        {
          r->bad = TRUE;
          break;
        }
      guint32 cflags = TAKE (r, guint32, 0);
      guint8 has_nulls = TAKE (r, guint8, 0);
      const guint8 *nulls = has_nulls ? take (r, ((gsize) n_rows + 7) / 8) : NULL;
      if (r->bad)
        break;
      g_autofree char *cname = g_strndup (cn, cl);
      guint k = dp_table_add_column_flags (t, cname, (DpColType) type, cflags);
      DpColumn *col = &t->cols[k];
      for (guint i = 0; nulls && i < n_rows; i++)
        if (nulls[i >> 3] & (1u << (i & 7)))
          dp_table_set_null (t, k, i);
      if (type == DP_COL_STRING)
        for (guint i = 0; i < n_rows && !r->bad; i++)
          {
            guint32 sl = TAKE (r, guint32, 0);
            if (sl == G_MAXUINT32)
              continue;
            const char *s = take (r, sl);
            if (s)
              {
                g_autofree char *v = g_strndup (s, sl);
                dp_table_set_str (t, k, i, v);
              }
          }
      else
        {
          gsize w = type == DP_COL_IPV4 ? 4 : 8;
          const void *v = take (r, (gsize) n_rows * w);
          if (v && n_rows)
            memcpy (col->data, v, (gsize) n_rows * w);
        }
    }
  guint32 n_names = TAKE (r, guint32, 0);
  GHashTable *xlat = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint32 i = 0; i < n_names && !r->bad; i++)
    {
      guint32 key = TAKE (r, guint32, 0);
      g_hash_table_insert (xlat, GUINT_TO_POINTER (key), GUINT_TO_POINTER (ranks_take_name (r, names, key)));
    }
  for (guint c = 0; c < t->n_cols; c++)
    if (t->cols[c].type == DP_COL_IPV4)
      for (guint i = 0; i < t->n_rows; i++)
        {
          gpointer v;
          guint32 a = t->cols[c].ip[i];
          if (a >= DP_NAME_BASE && g_hash_table_lookup_extended (xlat, GUINT_TO_POINTER (a), NULL, &v))
            t->cols[c].ip[i] = GPOINTER_TO_UINT (v);
        }
  g_hash_table_destroy (xlat);
  if (r->bad)
    {
      dp_batch_unref (t);
      return NULL;
    }
  return t;
}
