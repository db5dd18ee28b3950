/* eval.c — helpers shared by the classification and clustering plugins. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dp-error.h"
#include "eval.h"

gint
eval_key_column (const DpTable *t)
{
  gint c = dp_table_find_column (t, "ip");
  if (c >= 0 && (t->cols[c].type == DP_COL_IPV4 || t->cols[c].type == DP_COL_STRING))
    return c;
  c = dp_table_find_column (t, "token");
  if (c >= 0 && t->cols[c].type == DP_COL_STRING)
    return c;
  return -1;
}

static void
index_add_text (EvalIndex *ix, const char *text, guint row)
{
  if (!g_hash_table_contains (ix->by_text, text))
    g_hash_table_insert (ix->by_text, g_strdup (text), GUINT_TO_POINTER (row + 1));
}

static void
index_add_addr (EvalIndex *ix, guint32 addr, guint row)
{
  gboolean inserted;
  guint64 *v = dp_hash_upsert (&ix->by_addr, addr, &inserted);
  if (inserted)
    *v = row;
}

gboolean
eval_index_init (EvalIndex *ix, const DpTable *t)
{
  memset (ix, 0, sizeof *ix);
  ix->key_col = eval_key_column (t);
  dp_hash_init (&ix->by_addr, MAX (t->n_rows, 16u));
  ix->by_text = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  prefix_init (&ix->ranges);
  prefix_init (&ix->ranges6);
  if (ix->key_col < 0)
    return FALSE;
  const DpColumn *c = &t->cols[ix->key_col];
  gint pc = dp_table_find_column (t, "prefix");
  const gint64 *prefix = pc >= 0 && t->cols[pc].type == DP_COL_INT64 ? t->cols[pc].i64 : NULL;
  for (guint r = 0; r < t->n_rows; r++)
    {
      guint32 addr;
      if (c->type == DP_COL_IPV4)
        {
          const char *name = dp_name_map_lookup (t->names, c->ip[r]);
          guint plen = 128;
          const guint8 *a6 = dp_name_map_lookup_ip6 (t->names, c->ip[r], &plen);
          if (a6 && plen < 128)
            prefix6_insert (&ix->ranges6, a6, plen, r);   /* the first row of a range wins */
          else if (name)
            index_add_text (ix, name, r);
          else if (prefix && prefix[r] >= 0 && prefix[r] < 32)
            prefix_insert (&ix->ranges, c->ip[r], (guint) prefix[r], r);   /* the first row of a range wins */
          else
            index_add_addr (ix, c->ip[r], r);
        }
      else if (c->str[r] == NULL)
        continue;
      else if (dp_ipv4_parse (c->str[r], &addr))
        index_add_addr (ix, addr, r);
      else
        index_add_text (ix, c->str[r], r);
    }
  return TRUE;
}

void
eval_index_clear (EvalIndex *ix)
{
  dp_hash_clear (&ix->by_addr);
  prefix_clear (&ix->ranges);
  prefix_clear (&ix->ranges6);
  g_clear_pointer (&ix->by_text, g_hash_table_destroy);
}

static gint64
index_lookup_text (const EvalIndex *ix, const char *text)
{
  gpointer v = g_hash_table_lookup (ix->by_text, text);
  return v ? (gint64) GPOINTER_TO_UINT (v) - 1 : -1;
}

gint64
eval_index_addr (const EvalIndex *ix, guint32 addr, const DpNameMap *names)
{
  const char *name = dp_name_map_lookup (names, addr);
  if (name)
    {
      /* an address's own entry wins over the ranges holding it */
      gint64 row = index_lookup_text (ix, name);
      const guint8 *a6;
      guint plen;
      if (row < 0 && ix->ranges6.n_prefixes > 0
          && (a6 = dp_name_map_lookup_ip6 (names, addr, &plen)) != NULL && plen == 128)
        row = prefix6_lookup (&ix->ranges6, a6);
      return row;
    }
  const guint64 *v = dp_hash_find (&ix->by_addr, addr);
  return v ? (gint64) *v : prefix_lookup (&ix->ranges, addr);
}

gint64
eval_index_token (const EvalIndex *ix, const DpVocab *v, guint id, GString *scratch)
{
  guint64 key = v->keys[id];
  if (DP_TOKEN_KIND (key) == DP_TOK_IP)
    return eval_index_addr (ix, (guint32) DP_TOKEN_VALUE (key), v->names);
  if (g_hash_table_size (ix->by_text) == 0)
    return -1;
  g_string_truncate (scratch, 0);
  dp_vocab_format (v, id, scratch);
  return index_lookup_text (ix, scratch->str);
}

/* Column @name of @type in a @kind table that also has a key column, or -1
 * with @error set ("@kind table 'x' needs … and @what column"). */
static gint
value_column (const DpTable *t, const char *name, DpColType type, const char *kind,
                   const char *what, GError **error)
{
  gint c = dp_table_find_column (t, name);
  if (c < 0 || t->cols[c].type != type || eval_key_column (t) < 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s table '%s' needs an ip (or token) column and %s column", kind, t->name, what);
      return -1;
    }
  return c;
}

gint
eval_label_column (const DpTable *t, GError **error)
{
  return value_column (t, "label", DP_COL_STRING, "labels", "a text label", error);
}

gint
eval_cluster_column (const DpTable *t, GError **error)
{
  return value_column (t, "cluster", DP_COL_INT64, "clusters", "an integer cluster", error);
}

DpTable *
eval_clusters_empty (void)
{
  DpTable *t = dp_table_new ("clusters");
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "cluster", DP_COL_INT64);
  return t;
}

/* ------------------------------------------------------------------ */

guint32 *
eval_select_rows (const DpVocab *v, guint n, gboolean ip_only, guint *n_out)
{
  guint32 *rows = g_new (guint32, MAX (n, 1u));
  guint m = 0;
  for (guint i = 0; i < n && i < v->n; i++)
    if (!ip_only || DP_TOKEN_KIND (v->keys[i]) == DP_TOK_IP)
      rows[m++] = i;
  *n_out = m;
  return rows;
}

gboolean
eval_rows_all_ip (const DpVocab *v, const guint32 *rows, guint n)
{
  for (guint i = 0; i < n; i++)
    if (DP_TOKEN_KIND (v->keys[rows ? rows[i] : i]) != DP_TOK_IP)
      return FALSE;
  return TRUE;
}

guint
eval_add_key_column (DpTable *t, const DpVocab *v, gboolean as_ip)
{
  if (!as_ip)
    return dp_table_add_column (t, "token", DP_COL_STRING);
  if (v->names)
    dp_table_set_names (t, v->names);
  return dp_table_add_column (t, "ip", DP_COL_IPV4);
}

void
eval_set_key (DpTable *t, guint col, guint row, const DpVocab *v, guint id, GString *scratch)
{
  if (t->cols[col].type == DP_COL_IPV4)
    {
      dp_table_set_ip (t, col, row, (guint32) DP_TOKEN_VALUE (v->keys[id]));
      return;
    }
  g_string_truncate (scratch, 0);
  dp_vocab_format (v, id, scratch);
  dp_table_set_str (t, col, row, scratch->str);
}

DpVocab *
eval_subvocab (const DpVocab *v, const guint32 *rows, guint n)
{
  DpVocab *s = dp_vocab_new ();
  dp_vocab_set_names (s, v->names);
  for (guint i = 0; i < n; i++)
    {
      guint64 key = v->keys[rows[i]];
      if (DP_TOKEN_KIND (key) == DP_TOK_WORD && v->words && DP_TOKEN_VALUE (key) < v->words->len)
        key = dp_vocab_word_key (s, g_ptr_array_index (v->words, DP_TOKEN_VALUE (key)));
      guint id = dp_vocab_add (s, key);
      s->counts[id] = v->counts[rows[i]];
    }
  return s;
}

typedef struct { guint64 size; guint32 first; guint32 id; } EvalCluster;

static int
eval_cmp_cluster (const void *a, const void *b)
{
  const EvalCluster *x = a, *y = b;
  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

void
eval_order_clusters (guint32 *part, guint n, guint nc)
{
  /* every id set, empty clusters included, so rank[] is a permutation */
  g_autofree EvalCluster *c = g_new (EvalCluster, MAX (nc, 1u));
  for (guint i = 0; i < nc; i++)
    c[i] = (EvalCluster) { 0, G_MAXUINT32, i };
  for (guint i = 0; i < n; i++)
    {
      c[part[i]].size++;
      c[part[i]].first = MIN (c[part[i]].first, i);
    }
  qsort (c, nc, sizeof *c, eval_cmp_cluster);
  g_autofree guint32 *rank = g_new (guint32, MAX (nc, 1u));
  for (guint r = 0; r < nc; r++)
    rank[c[r].id] = r;
  for (guint i = 0; i < n; i++)
    part[i] = rank[part[i]];
}

/* ------------------------------------------------------------------ */

void
eval_pp_format (guint32 pp, GString *out)
{
  guint proto = pp >> 17;
  if (pp & (1u << 16))
    g_string_append_printf (out, "%u/", pp & 0xffffu);
  else
    g_string_append (out, "-/");
  const char *name = dp_proto_name ((guint8) proto);
  if (name)
    g_string_append (out, name);
  else
    g_string_append_printf (out, "proto%u", proto);
}

void
eval_ports_init (EvalPortCounts *pc)
{
  memset (pc, 0, sizeof *pc);
  dp_hash_init (&pc->pairs, 1024);
  dp_hash_init (&pc->sources, 1024);
}

void
eval_ports_add (EvalPortCounts *pc, const DpPackets *p)
{
  if (pc->names == NULL && p->names)
    pc->names = dp_name_map_ref (p->names);
  for (guint i = 0; i < p->n_rows; i++)
    {
      guint64 src = p->src[i];
      (*dp_hash_upsert (&pc->pairs, (src << 25) | eval_pp (p, i), NULL))++;
      (*dp_hash_upsert (&pc->sources, src, NULL))++;
    }
  pc->packets += p->n_rows;
}

void
eval_ports_by_group (const EvalPortCounts *pc, const DpHash *src_group, DpHash *out)
{
  dp_hash_init (out, 1024);
  for (gsize i = 0; i <= pc->pairs.mask; i++)
    {
      if (pc->pairs.keys[i] == DP_HASH_EMPTY)
        continue;
      const guint64 *g = dp_hash_find (src_group, EVAL_PAIR_SRC (pc->pairs.keys[i]));
      if (g)
        *dp_hash_upsert (out, (*g << 25) | EVAL_PAIR_PP (pc->pairs.keys[i]), NULL) += pc->pairs.vals[i];
    }
}

void
eval_ports_clear (EvalPortCounts *pc)
{
  dp_hash_clear (&pc->pairs);
  dp_hash_clear (&pc->sources);
  g_clear_pointer (&pc->names, dp_name_map_unref);
}
