/* dp-ranks-merge.c — the per-source stages' tables to rank 0: the names
 * every rank met, in one process's order, then each port's tables merged
 * (ordered by key, or summed) and pushed to the stages reading them. */
#include "config.h"

#include <string.h>

#include "dp-ranks-private.h"

typedef struct { guint64 round; guint32 rank, row; guint8 col; const guint8 *name; } Sighting;

static int
sighting_cmp (gconstpointer a, gconstpointer b)
{
  const Sighting *x = a, *y = b;
  if (x->round != y->round)
    return x->round < y->round ? -1 : 1;
  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  if (x->row != y->row)
    return x->row < y->row ? -1 : 1;
  return (int) x->col - (int) y->col;
}

/* The names every rank's sources met, in one process's order: interned
 * into @names first, so that keys compare as that process's would.  FALSE
 * when interrupted. */
static gboolean
merged_names (Ranks *k, DpNameMap *names)
{
  GByteArray *mine = g_byte_array_new ();
  for (guint i = 0; i < k->exchanges->len; i++)
    {
      Exchange *x = g_ptr_array_index (k->exchanges, i);
      put (mine, x->name_log->data, x->name_log->len);
    }
  g_autofree GByteArray **all = g_new0 (GByteArray *, k->comm->size);
  gboolean met = dp_comm_gather (k->comm, mine->data, mine->len, all);
  g_byte_array_unref (mine);
  if (!met || k->comm->rank != 0)
    return met;
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (Sighting));
  for (guint s = 0; s < k->comm->size; s++)
    {
      Reader r = { all[s]->data, all[s]->data + all[s]->len, FALSE };
      while (r.p < r.end && !r.bad)
        {
          Sighting v;
          v.round = TAKE (&r, guint64, 0);
          v.rank = TAKE (&r, guint32, 0);
          v.row = TAKE (&r, guint32, 0);
          v.col = TAKE (&r, guint8, 0);
          v.name = r.p;
          take (&r, 4);
          guint16 len = 0;
          if (!r.bad)
            memcpy (&len, v.name + 2, 2);
          take (&r, len);
          if (!r.bad)
            g_array_append_val (seen, v);
        }
    }
  g_array_sort (seen, sighting_cmp);
  for (guint i = 0; i < seen->len; i++)
    {
      const Sighting *v = &g_array_index (seen, Sighting, i);
      guint16 len;
      memcpy (&len, v->name + 2, 2);
      Reader r = { v->name, v->name + 4 + len, FALSE };
      ranks_take_name (&r, names, 0);
    }
  g_array_unref (seen);
  for (guint s = 0; s < k->comm->size; s++)
    g_byte_array_unref (all[s]);
  return TRUE;
}

/* Rows of several tables (same columns) to be merged: table and row. */
typedef struct {
  const DpTable *t;
  guint row;
  guint order;     /* position in the concatenation: ties keep it */
} RowRef;

static int
rowref_cmp (gconstpointer a, gconstpointer b, gpointer data)
{
  const RowRef *x = a, *y = b;
  guint ip = GPOINTER_TO_UINT (data);
  gint64 u = x->t->cols[0].i64[x->row], v = y->t->cols[0].i64[y->row];
  if (u != v)
    return u < v ? -1 : 1;
  guint32 p = x->t->cols[ip].ip[x->row], q = y->t->cols[ip].ip[y->row];
  if (p != q)
    return p < q ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* A new empty table with @like's name, columns and names. */
static DpTable *
table_like (const DpTable *like)
{
  DpTable *t = dp_table_new (like->name);
  dp_table_set_names (t, like->names);
  for (guint c = 0; c < like->n_cols; c++)
    dp_table_add_column_flags (t, like->cols[c].name, like->cols[c].type, like->cols[c].flags);
  return t;
}

static void
copy_row (DpTable *to, const DpTable *from, guint row)
{
  guint i = dp_table_append_row (to);
  for (guint c = 0; c < from->n_cols; c++)
    switch (from->cols[c].type)
      {
      case DP_COL_INT64: to->cols[c].i64[i] = from->cols[c].i64[row]; break;
      case DP_COL_DOUBLE: to->cols[c].f64[i] = from->cols[c].f64[row]; break;
      case DP_COL_IPV4: to->cols[c].ip[i] = from->cols[c].ip[row]; break;
      case DP_COL_STRING: dp_table_set_str (to, c, i, from->cols[c].str[row]); break;
      }
  for (guint c = 0; c < from->n_cols; c++)
    if (from->cols[c].nulls && dp_table_is_null (from, c, row))
      dp_table_set_null (to, c, i);
}

static gboolean
same_columns (const DpTable *a, const DpTable *b)
{
  if (a->n_cols != b->n_cols)
    return FALSE;
  for (guint c = 0; c < a->n_cols; c++)
    /* (nullable may come with a rank's first null cell: not compared) */
    if (a->cols[c].type != b->cols[c].type
        || (a->cols[c].flags & DP_COLUMN_TIME) != (b->cols[c].flags & DP_COLUMN_TIME)
        || strcmp (a->cols[c].name, b->cols[c].name) != 0)
      return FALSE;
  return TRUE;
}

#define MERGE_CHUNK 65536u

static int
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

/* The tables of every rank for one port (@in, in rank order) as one
 * process would push them, into @out (DpTable *). */
static gboolean
merge_tables (GPtrArray *in, guint flags, GPtrArray *out, const char *what, GError **error)
{
  const DpTable *first = NULL;
  guint64 rows = 0;
  for (guint i = 0; i < in->len; i++)
    {
      const DpTable *t = g_ptr_array_index (in, i);
      if (first == NULL)
        first = t;
      else if (!same_columns (first, t))
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "%s: the ranks' tables have other columns", what);
          return FALSE;
        }
      rows += t->n_rows;
    }
  if (first == NULL)
    return TRUE;
  guint ip = 0;
  for (guint c = 1; c < first->n_cols && !ip; c++)
    if (first->cols[c].type == DP_COL_IPV4)
      ip = c;
  if (first->n_cols < 2 || first->cols[0].type != DP_COL_INT64 || ((flags & DP_PORT_MERGE_ORDERED) && !ip))
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                   "%s: a mergeable table starts with an int64 column and has %s", what,
                   (flags & DP_PORT_MERGE_ORDERED) ? "an ipv4 column" : "a second column");
      return FALSE;
    }
  if (rows == 0)
    {
      g_ptr_array_add (out, table_like (first));
      return TRUE;
    }
  if (flags & DP_PORT_MERGE_ORDERED)
    {
      GArray *refs = g_array_sized_new (FALSE, FALSE, sizeof (RowRef), (guint) rows);
      for (guint i = 0; i < in->len; i++)
        {
          const DpTable *t = g_ptr_array_index (in, i);
          for (guint r = 0; r < t->n_rows; r++)
            {
              RowRef ref = { t, r, refs->len };
              g_array_append_val (refs, ref);
            }
        }
      g_array_sort_with_data (refs, rowref_cmp, GUINT_TO_POINTER (ip));
      DpTable *cur = NULL;
      for (guint i = 0; i < refs->len; i++)
        {
          const RowRef *ref = &g_array_index (refs, RowRef, i);
          if (cur == NULL)
            cur = table_like (first);
          copy_row (cur, ref->t, ref->row);
          if (cur->n_rows == MERGE_CHUNK)
            g_ptr_array_add (out, g_steal_pointer (&cur));
        }
      if (cur)
        g_ptr_array_add (out, cur);
      g_array_unref (refs);
      return TRUE;
    }
  /* sums: one table per first-column value, in increasing order */
  GArray *firsts = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < in->len; i++)
    {
      const DpTable *t = g_ptr_array_index (in, i);
      for (guint r = 0; r < t->n_rows; r++)
        g_array_append_val (firsts, t->cols[0].i64[r]);
    }
  g_array_sort (firsts, cmp_i64);
  for (guint f = 0; f < firsts->len; f++)
    {
      gint64 w = g_array_index (firsts, gint64, f);
      if (f > 0 && w == g_array_index (firsts, gint64, f - 1))
        continue;
      DpTable *t = table_like (first);
      GHashTable *row_of = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < in->len; i++)
        {
          const DpTable *s = g_ptr_array_index (in, i);
          for (guint r = 0; r < s->n_rows; r++)
            {
              if (s->cols[0].i64[r] != w)
                continue;
              char buf[64];
              const char *key = s->cols[1].type == DP_COL_STRING ? (s->cols[1].str[r] ? s->cols[1].str[r] : "")
                : (g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT,
                               s->cols[1].type == DP_COL_IPV4 ? (gint64) s->cols[1].ip[r] : s->cols[1].i64[r]), buf);
              gpointer hit;
              if (!g_hash_table_lookup_extended (row_of, key, NULL, &hit))
                {
                  copy_row (t, s, r);
                  const char *kept = s->cols[1].type == DP_COL_STRING ? t->cols[1].str[t->n_rows - 1]
                                                                       : g_string_chunk_insert_const (t->strings, key);
                  g_hash_table_insert (row_of, (gpointer) (kept ? kept : ""), GUINT_TO_POINTER (t->n_rows));
                  continue;
                }
              guint to = GPOINTER_TO_UINT (hit) - 1;
              for (guint c = 2; c < t->n_cols; c++)
                if (t->cols[c].type == DP_COL_INT64)
                  t->cols[c].i64[to] += s->cols[c].i64[r];
                else if (t->cols[c].type == DP_COL_DOUBLE)
                  t->cols[c].f64[to] += s->cols[c].f64[r];
            }
        }
      g_hash_table_destroy (row_of);
      g_ptr_array_add (out, t);
    }
  g_array_unref (firsts);
  return TRUE;
}

/* Every rank's captured tables to rank 0, merged there and pushed to the
 * sinks (linked now); other ranks only send. */
gboolean
ranks_merge (Ranks *k, GError **error)
{
  const DpComm *c = k->comm;
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  if (!merged_names (k, names))
    return ranks_interrupted (c, error);
  GByteArray *mine = g_byte_array_new ();
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      if (k->roles[r] != ROLE_PER_SOURCE)
        continue;
      for (guint o = 0; o < st->desc->n_outputs; o++)
        {
          GPtrArray *cap = st->captured[o];
          PUT (mine, guint32, cap->len);
          for (guint i = 0; i < cap->len; i++)
            {
              const DpBatch *b = g_ptr_array_index (cap, i);
              if (b->type == DP_TYPE_TABLE)
                ranks_pack_table (mine, (const DpTable *) b);
              else
                {
                  /* only tables merge: an empty one keeps the count right */
                  DpTable *none = dp_table_new ("none");
                  ranks_pack_table (mine, none);
                  dp_batch_unref (none);
                }
            }
          g_ptr_array_set_size (cap, 0);
        }
    }
  g_autofree GByteArray **all = g_new0 (GByteArray *, c->size);
  gboolean met = dp_comm_gather (c, mine->data, mine->len, all);
  g_byte_array_unref (mine);
  if (!met)
    return ranks_interrupted (c, error);
  if (c->rank != 0)
    return TRUE;
  g_autofree Reader *rd = g_new (Reader, c->size);
  for (guint s = 0; s < c->size; s++)
    rd[s] = (Reader) { all[s]->data, all[s]->data + all[s]->len, FALSE };
  gboolean ok = TRUE;
  for (guint i = 0; i < k->sink_wires->len; i++)
    {
      SinkWire *w = &g_array_index (k->sink_wires, SinkWire, i);
      dp_stage_link (w->from, w->out_port, w->to, w->in_port);
    }
  for (guint r = 0; r < k->n && ok; r++)
    {
      DpStage *st = k->stages[r];
      if (k->roles[r] != ROLE_PER_SOURCE)
        continue;
      GPtrArray **cap = g_steal_pointer (&st->captured);
      guint64 rows_out = st->rows_out;
      gint64 time_us = st->time_us;
      for (guint o = 0; o < st->desc->n_outputs && ok; o++)
        {
          g_autoptr (GPtrArray) in = g_ptr_array_new_with_free_func (dp_batch_unref);
          for (guint s = 0; s < c->size && ok; s++)
            {
              guint32 n = TAKE (&rd[s], guint32, 0);
              for (guint32 t = 0; t < n && ok; t++)
                {
                  DpTable *tab = ranks_unpack_table (&rd[s], names);
                  if (tab == NULL)
                    {
                      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                                   "stage '%s': rank %u sent a damaged table (a bug)", st->name, s);
                      ok = FALSE;
                    }
                  else
                    g_ptr_array_add (in, tab);
                }
            }
          g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (dp_batch_unref);
          g_autofree char *what = g_strdup_printf ("stage '%s', output '%s'", st->name, st->desc->outputs[o].name);
          if (ok && st->consumers[o]->len > 0)
            ok = merge_tables (in, st->desc->outputs[o].flags, out, what, error);
          for (guint t = 0; ok && t < out->len; t++)
            if (dp_stage_push (st, o, dp_batch_ref (g_ptr_array_index (out, t))) < 0)
              {
                ranks_own_error (k, error);
                ok = FALSE;
              }
        }
      st->rows_out = rows_out;
      st->time_us = time_us;
      for (guint o = 0; o < st->desc->n_outputs; o++)
        g_ptr_array_unref (cap[o]);
      g_free (cap);
    }
  for (guint s = 0; s < c->size; s++)
    g_byte_array_unref (all[s]);
  return ok;
}
