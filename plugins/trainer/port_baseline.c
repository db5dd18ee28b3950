/* port_baseline.c — the authors' port baseline (darkvec-method.md §9):
 * every class (unknown included) contributes its top ports by packets, and
 * each source is described by the fractions of its packets sent to those
 * ports.  The result is an embedding over address tokens, so the baseline
 * runs through the same knn_classify as DarkVec.
 *
 * Many sources have identical vectors (every Mirai-like sender that only
 * hit 23/tcp), and knn_classify breaks ties between equal similarities by
 * row.  Rows in address order would let the address decide, and
 * addresses go with labels (a scanner's hosts share a prefix), so rows
 * are ordered by a seeded hash of the address instead: which of several
 * identical vectors wins a tie is then independent of labels and
 * prefixes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "darkpipe.h"
#include "../common/eval.h"

typedef struct {
  guint64 top_ports;
  guint64 min_packets;
  gboolean include_unknown;
  char *unknown_label;
  int order;
  guint64 seed;
} PortBaselineConfig;

enum { ORDER_HASH, ORDER_ADDRESS };

typedef struct {
  const PortBaselineConfig *cfg;
  EvalPortCounts counts;
  DpTable *labels;
} PortBaseline;

static void
port_baseline_finalize (void *state)
{
  PortBaseline *s = state;
  eval_ports_clear (&s->counts);
  dp_batch_unref (s->labels);
  g_free (s);
}

static gboolean
port_baseline_init (DpStage *stage, const void *config, void **state, GError **error)
{
  PortBaseline *s = g_new0 (PortBaseline, 1);
  s->cfg = config;
  eval_ports_init (&s->counts);
  *state = s;
  return TRUE;
}

static DpFlow
port_baseline_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  PortBaseline *s = state;
  if (port == 0)
    eval_ports_add (&s->counts, (const DpPackets *) batch);
  else
    {
      dp_batch_unref (s->labels);
      s->labels = dp_batch_ref (batch);
    }
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */

typedef struct {
  GPtrArray *names;          /* class names, sorted; unknown included */
  DpHash src_class;          /* source -> class index */
  guint unknown;
} PbClasses;

static gint
port_baseline_cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The class of every source that sent packets. */
static gboolean
port_baseline_classes (PortBaseline *s, PbClasses *pc, GError **error)
{
  const DpTable *t = s->labels;
  gint lc = t ? eval_label_column (t, error) : -1;
  if (t && lc < 0)
    return FALSE;
  EvalIndex ix = { 0 };
  if (t)
    eval_index_init (&ix, t);
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) of_src = g_ptr_array_new ();
  const DpHash *src = &s->counts.sources;
  dp_hash_init (&pc->src_class, src->n + 1);
  g_hash_table_add (ids, s->cfg->unknown_label);
  for (gsize i = 0; i <= src->mask; i++)
    {
      if (src->keys[i] == DP_HASH_EMPTY)
        continue;
      gint64 r = t ? eval_index_addr (&ix, (guint32) src->keys[i], s->counts.names) : -1;
      const char *l = r >= 0 && t->cols[lc].str[r] ? t->cols[lc].str[r] : s->cfg->unknown_label;
      g_hash_table_add (ids, (gpointer) l);
      g_ptr_array_add (of_src, (gpointer) l);
    }
  pc->names = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, ids);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (pc->names, g_strdup (key));
  g_ptr_array_sort (pc->names, port_baseline_cmp_str);
  g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint c = 0; c < pc->names->len; c++)
    g_hash_table_insert (index, g_ptr_array_index (pc->names, c), GUINT_TO_POINTER (c));
  pc->unknown = GPOINTER_TO_UINT (g_hash_table_lookup (index, s->cfg->unknown_label));
  guint k = 0;
  for (gsize i = 0; i <= src->mask; i++)
    if (src->keys[i] != DP_HASH_EMPTY)
      *dp_hash_upsert (&pc->src_class, src->keys[i], NULL) =
        GPOINTER_TO_UINT (g_hash_table_lookup (index, g_ptr_array_index (of_src, k++)));
  if (t)
    eval_index_clear (&ix);
  return TRUE;
}

typedef struct { guint32 cls; guint32 pp; guint64 packets; } PbPort;

static int
port_baseline_cmp_port (const void *a, const void *b)
{
  const PbPort *x = a, *y = b;
  if (x->cls != y->cls)
    return x->cls < y->cls ? -1 : 1;
  if (x->packets != y->packets)
    return x->packets > y->packets ? -1 : 1;
  return x->pp < y->pp ? -1 : x->pp > y->pp;
}

/* The top ports of each class by packets (ties: lower port key), in
 * class order, each port once.  Fills @features (pp -> column). */
static GArray *
port_baseline_select (PortBaseline *s, const PbClasses *pc, DpHash *features)
{
  DpHash per;
  eval_ports_by_group (&s->counts, &pc->src_class, &per);
  g_autofree PbPort *all = g_new (PbPort, MAX (per.n, 1u));
  gsize m = 0;
  for (gsize i = 0; i <= per.mask; i++)
    if (per.keys[i] != DP_HASH_EMPTY)
      all[m++] = (PbPort) { (guint32) (per.keys[i] >> 25), (guint32) (per.keys[i] & 0x1ffffffu), per.vals[i] };
  dp_hash_clear (&per);
  qsort (all, m, sizeof *all, port_baseline_cmp_port);
  GArray *chosen = g_array_new (FALSE, FALSE, sizeof (PbPort));
  dp_hash_init (features, 64);
  guint64 rank = 0;
  for (gsize i = 0; i < m; i++)
    {
      rank = i > 0 && all[i].cls == all[i - 1].cls ? rank + 1 : 0;
      if (rank >= s->cfg->top_ports || (all[i].cls == pc->unknown && !s->cfg->include_unknown))
        continue;
      gboolean fresh;
      guint64 *col = dp_hash_upsert (features, all[i].pp, &fresh);
      if (!fresh)
        continue;
      *col = chosen->len;
      g_array_append_val (chosen, all[i]);
    }
  return chosen;
}

/* A row's place: the hash of its address under the seed (or 0 for
 * `order: address`), then the address, so the order is total. */
typedef struct { guint64 rank; guint32 addr; } PbRow;

static int
port_baseline_cmp_row (const void *a, const void *b)
{
  const PbRow *x = a, *y = b;
  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static DpEmbedding *
port_baseline_embedding (PortBaseline *s, DpHash *features, guint dim)
{
  const DpHash *src = &s->counts.sources;
  g_autofree PbRow *rows = g_new (PbRow, MAX (src->n, 1u));
  guint n = 0;
  guint64 key = dp_hash_mix (s->cfg->seed);
  for (gsize i = 0; i <= src->mask; i++)
    if (src->keys[i] != DP_HASH_EMPTY && src->vals[i] >= s->cfg->min_packets)
      {
        guint32 a = (guint32) src->keys[i];
        rows[n++] = (PbRow) { s->cfg->order == ORDER_HASH ? dp_hash_mix (key ^ a) : 0, a };
      }
  qsort (rows, n, sizeof *rows, port_baseline_cmp_row);
  g_autofree guint32 *addrs = g_new (guint32, MAX (n, 1u));
  for (guint i = 0; i < n; i++)
    addrs[i] = rows[i].addr;
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  if (s->counts.names)
    dp_vocab_set_names (vocab, s->counts.names);
  for (guint i = 0; i < n; i++)
    {
      guint id = dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, addrs[i]));
      vocab->counts[id] = *dp_hash_find (src, addrs[i]);
    }
  DpEmbedding *e = dp_embedding_new (vocab, n, dim);
  const DpHash *pairs = &s->counts.pairs;
  for (gsize i = 0; i <= pairs->mask && dim > 0; i++)
    {
      if (pairs->keys[i] == DP_HASH_EMPTY)
        continue;
      guint64 *col = dp_hash_find (features, EVAL_PAIR_PP (pairs->keys[i]));
      gint64 row = col ? dp_vocab_lookup (vocab, DP_TOKEN (DP_TOK_IP, EVAL_PAIR_SRC (pairs->keys[i]))) : -1;
      if (row >= 0)
        e->vectors[(gsize) row * dim + *col] = (float) ((double) pairs->vals[i] / (double) vocab->counts[row]);
    }
  return e;
}

static DpTable *
port_baseline_ports (const GArray *chosen, const PbClasses *pc)
{
  DpTable *t = dp_table_new ("ports");
  dp_table_add_column (t, "feature", DP_COL_INT64);
  dp_table_add_column (t, "port", DP_COL_STRING);
  dp_table_add_column (t, "class", DP_COL_STRING);
  dp_table_add_column (t, "packets", DP_COL_INT64);
  g_autoptr (GString) pp = g_string_new (NULL);
  for (guint f = 0; f < chosen->len; f++)
    {
      const PbPort *p = &g_array_index (chosen, PbPort, f);
      g_string_truncate (pp, 0);
      eval_pp_format (p->pp, pp);
      guint r = dp_table_append_row (t);
      dp_table_set_i64 (t, 0, r, f);
      dp_table_set_str (t, 1, r, pp->str);
      dp_table_set_str (t, 2, r, g_ptr_array_index (pc->names, p->cls));
      dp_table_set_i64 (t, 3, r, (gint64) p->packets);
    }
  return t;
}

static gboolean
port_baseline_finish (DpStage *stage, void *state, GError **error)
{
  PortBaseline *s = state;
  PbClasses pc = { 0 };
  if (!port_baseline_classes (s, &pc, error))
    return FALSE;
  DpHash features;
  g_autoptr (GArray) chosen = port_baseline_select (s, &pc, &features);
  DpEmbedding *e = port_baseline_embedding (s, &features, chosen->len);
  /* sources that sent nothing to any chosen port: all-zero vectors, at
   * cosine distance 1 from everything, whose neighbours are whatever rows
   * come first; say how many */
  guint zero = 0;
  for (guint i = 0; i < e->n; i++)
    {
      gboolean all_zero = TRUE;
      for (guint d = 0; d < e->dim && all_zero; d++)
        all_zero = e->vectors[(gsize) i * e->dim + d] == 0;
      zero += all_zero;
    }
  dp_stage_count (stage, "sources", e->n);
  dp_stage_count (stage, "features", chosen->len);
  dp_stage_count (stage, "zero-vectors", zero);
  dp_stage_info (stage, "%u of %u sources have an all-zero vector (no packet to any of the %u chosen ports): "
                 "cosine gives them no nearest neighbours, only ties", zero, e->n, chosen->len);
  dp_stage_push (stage, 0, e);
  dp_stage_push (stage, 1, port_baseline_ports (chosen, &pc));
  dp_hash_clear (&features);
  dp_hash_clear (&pc.src_class);
  g_ptr_array_unref (pc.names);
  return TRUE;
}

static const char *const port_baseline_orders[] = { "hash", "address", NULL };

static const DpOptionDesc port_baseline_options[] = {
  DP_OPTION_RANGE ("top_ports", DP_OPT_UINT, "4", PortBaselineConfig, top_ports, 1, 10000,
                   "Ports each class contributes (the authors' code took 4: ktop=5 sliced [:ktop-1])."),
  DP_OPTION_RANGE ("min_packets", DP_OPT_UINT, "1", PortBaselineConfig, min_packets, 1, 1e12,
                   "Sources with fewer packets get no vector."),
  DP_OPTION ("include_unknown", DP_OPT_BOOL, "true", PortBaselineConfig, include_unknown,
             "The unknown class contributes its top ports too, as in the paper."),
  DP_OPTION ("unknown_label", DP_OPT_STRING, "unknown", PortBaselineConfig, unknown_label,
             "Class of sources without a label."),
  DP_OPTION_ENUM ("order", "hash", PortBaselineConfig, order, port_baseline_orders,
                  "Row order, which decides ties between identical vectors in knn_classify: hash (a seeded hash of the address, independent of labels) or address (ascending; addresses go with labels)."),
  DP_OPTION ("seed", DP_OPT_UINT, "15", PortBaselineConfig, seed,
             "Seed of the hash order."),
};

static const DpColumnDesc port_baseline_label_columns[] = {
  { "label", DP_COL_STRING, 0 },
};
static const DpColumnDesc port_baseline_port_columns[] = {
  { "feature", DP_COL_INT64, 0 },
  { "port", DP_COL_STRING, 0 },
  { "class", DP_COL_STRING, 0 },
  { "packets", DP_COL_INT64, 0 },
};

static const DpPortDesc port_baseline_inputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "Traffic of the sources (streamed)." },
  { "labels", DP_TYPE_TABLE, DP_PORT_OPTIONAL, "ip (or token) and label columns; unlisted sources are unknown.", DP_PORT_COLUMNS (port_baseline_label_columns) },
};
static const DpPortDesc port_baseline_outputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0, "Per source (address tokens, by address): the fraction of its packets to each selected port." },
  { "ports", DP_TYPE_TABLE, 0, "The features: feature, port ('23/tcp', '-/icmp'), class that chose it, that class's packets to it.", DP_PORT_COLUMNS (port_baseline_port_columns) },
};

DP_PLUGIN_DEFINE (port_baseline,
  .kind = DP_KIND_TRAINER,
  .summary = "The DarkVec paper's port baseline: per-source fractions of the classes' top ports",
  .version = "1.0",
  .doc = "Counts packets per (source, destination port/protocol) while the packets stream, "
         "then takes the `top_ports` port/protocol pairs of every class by packets (the "
         "unknown class included unless `include_unknown: false`; ties go to the lower port "
         "key) in class-name order, each pair once, and emits for every source its "
         "fraction of packets to each of them: an embedding of dimension = number of pairs, "
         "ready for `knn_classify`. Packets without transport ports count as '-/proto'.\n\n"
         "Ties: many sources have identical vectors (every sender that only hit 23/tcp), and "
         "`knn_classify` orders equal similarities by row. The rows are therefore in the order "
         "of a seeded hash of the address (splitmix64 of the address xor the mixed `seed`, then "
         "the address), not by address: which of several identical vectors becomes a "
         "neighbour does not depend on labels or on prefixes, which go with labels. "
         "`order: address` gives the ascending order. The counter `zero-vectors` (and a line in "
         "the log) says how many sources sent nothing to any chosen port: their vectors are "
         "all zero, at cosine distance 1 from every source, so their neighbours are pure ties.",
  .inputs = port_baseline_inputs, .n_inputs = DP_N_ELEMENTS (port_baseline_inputs),
  .outputs = port_baseline_outputs, .n_outputs = DP_N_ELEMENTS (port_baseline_outputs),
  .options = port_baseline_options, .n_options = DP_N_ELEMENTS (port_baseline_options),
  .config_size = sizeof (PortBaselineConfig),
  .init = port_baseline_init,
  .process = port_baseline_process,
  .finish = port_baseline_finish,
  .finalize = port_baseline_finalize)
