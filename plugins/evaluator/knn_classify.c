/* knn_classify.c — leave-one-out cosine k-NN classification of embedded
 * sources against ground-truth labels, with scikit-learn's
 * classification_report numbers (darkvec-method.md §7).
 *
 * The point itself is left out by identity (its own row), never by
 * position: two tokens with the same vector remain each other's
 * neighbours, where the authors' `[:, 1:]` could drop the other one. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "darkpipe.h"
#include "../common/eval.h"
#include "../common/knn.h"

typedef struct {
  guint64 k;
  int query;
  int vote;
  gboolean unknown_neighbours;
  int tokens;
  char *unknown_label;
  char *na_label;
  int loo;
  guint64 block_rows;
} KnnClassifyConfig;

enum { QUERY_LABELLED, QUERY_ALL };
enum { VOTE_MAJORITY, VOTE_PAPER };
enum { TOKENS_IP, TOKENS_ALL };
enum { LOO_IDENTITY, LOO_FIRST };

typedef struct {
  const KnnClassifyConfig *cfg;
  DpEmbedding *emb;
  DpTable *labels;
} KnnClassify;

/* Class names and ids; id 0 is unknown, id 1 is n.a. */
typedef struct {
  GPtrArray *names;
  GHashTable *ids;
} KnnClasses;

static guint
knn_classify_class_id (KnnClasses *c, const char *name)
{
  gpointer v;
  if (g_hash_table_lookup_extended (c->ids, name, NULL, &v))
    return GPOINTER_TO_UINT (v);
  char *copy = g_strdup (name);
  g_ptr_array_add (c->names, copy);
  g_hash_table_insert (c->ids, copy, GUINT_TO_POINTER (c->names->len - 1));
  return c->names->len - 1;
}

static void
knn_classify_classes_clear (KnnClasses *c)
{
  g_clear_pointer (&c->ids, g_hash_table_destroy);
  g_clear_pointer (&c->names, g_ptr_array_unref);
}

static void
knn_classify_finalize (void *state)
{
  KnnClassify *s = state;
  dp_batch_unref (s->emb);
  dp_batch_unref (s->labels);
  g_free (s);
}

static gboolean
knn_classify_init (DpStage *stage, const void *config, void **state, GError **error)
{
  KnnClassify *s = g_new0 (KnnClassify, 1);
  s->cfg = config;
  *state = s;
  return TRUE;
}

static DpFlow
knn_classify_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  KnnClassify *s = state;
  if (port == 0)
    {
      dp_batch_unref (s->emb);
      s->emb = dp_batch_ref (batch);
    }
  else
    {
      dp_batch_unref (s->labels);
      s->labels = dp_batch_ref (batch);
    }
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */
/* votes */

static guint
knn_classify_majority (const guint *labs, guint n, guint na)
{
  guint best = na, best_count = 0;
  /* scanning nearest first with a strict > breaks ties by the nearest */
  for (guint i = 0; i < n; i++)
    {
      guint c = 0;
      for (guint j = 0; j < n; j++)
        c += labs[j] == labs[i];
      if (c > best_count)
        {
          best = labs[i];
          best_count = c;
        }
    }
  return best;
}

/* The authors' get_freqs(): np.unique sorts the labels; one label wins
 * alone; equal counts of the first two sorted labels give n.a.; otherwise
 * the lexicographically smallest label wins whatever its count. */
static guint
knn_classify_paper (const guint *labs, guint n, guint na, const KnnClasses *cls)
{
  guint first = G_MAXUINT, second = G_MAXUINT;
  for (guint i = 0; i < n; i++)
    {
      const char *name = g_ptr_array_index (cls->names, labs[i]);
      if (first == G_MAXUINT || strcmp (name, g_ptr_array_index (cls->names, first)) < 0)
        {
          if (first != labs[i])
            second = first;
          first = labs[i];
        }
      else if (labs[i] != first && (second == G_MAXUINT || strcmp (name, g_ptr_array_index (cls->names, second)) < 0))
        second = labs[i];
    }
  if (first == G_MAXUINT)
    return na;
  if (second == G_MAXUINT)
    return first;
  guint c1 = 0, c2 = 0;
  for (guint i = 0; i < n; i++)
    {
      c1 += labs[i] == first;
      c2 += labs[i] == second;
    }
  return c1 == c2 ? na : first;
}

/* ------------------------------------------------------------------ */
/* labels of the embedding rows */

/* Class id of every row in @rows (unknown when unlabelled). */
static gboolean
knn_classify_join (DpStage *stage, KnnClassify *s, const guint32 *rows, guint n, KnnClasses *cls,
                   guint *lab, GError **error)
{
  for (guint i = 0; i < n; i++)
    lab[i] = 0;
  if (s->labels == NULL)
    return TRUE;
  gint lc = eval_label_column (s->labels, error);
  if (lc < 0)
    return FALSE;
  EvalIndex ix;
  eval_index_init (&ix, s->labels);
  g_autoptr (GString) scratch = g_string_new (NULL);
  guint matched = 0;
  for (guint i = 0; i < n; i++)
    {
      gint64 r = eval_index_token (&ix, s->emb->vocab, rows[i], scratch);
      const char *l = r >= 0 ? s->labels->cols[lc].str[r] : NULL;
      if (l && *l)
        {
          lab[i] = knn_classify_class_id (cls, l);
          matched++;
        }
    }
  eval_index_clear (&ix);
  /* a join that matched nothing gives an accuracy of nothing: no result */
  if (matched == 0 && n > 0 && s->labels->n_rows > 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_EMPTY,
                   "none of the %u labelled rows of table '%s' names one of the embedding's %u sources: "
                   "the labels and the embedding do not name the same sources (addresses, or the "
                   "pseudonyms of the same trace)", s->labels->n_rows, s->labels->name ? s->labels->name : "?", n);
      return FALSE;
    }
  dp_stage_count (stage, "sources-labelled", matched);
  dp_stage_info (stage, "%u of the embedding's %u sources have a label (table '%s', %u rows)", matched, n,
                 s->labels->name ? s->labels->name : "?", s->labels->n_rows);
  return TRUE;
}

/* Positions in the selection: all, or only the labelled ones. */
static guint32 *
knn_classify_subset (const guint *lab, guint n, gboolean labelled_only, guint *m)
{
  guint32 *out = g_new (guint32, MAX (n, 1u));
  *m = 0;
  for (guint i = 0; i < n; i++)
    if (!labelled_only || lab[i] != 0)
      out[(*m)++] = i;
  return out;
}

typedef struct {
  guint nq, k;
  guint32 *qpos;          /* query -> position in the selection */
  guint32 *bpos;          /* base index -> position in the selection */
  guint32 *idx;           /* nq × k base indices */
  float *sim;
} KnnResult;

static void
knn_classify_result_clear (KnnResult *r)
{
  g_free (r->qpos);
  g_free (r->bpos);
  g_free (r->idx);
  g_free (r->sim);
}

static gboolean
knn_classify_search (KnnClassify *s, DpStage *stage, const guint32 *rows, const guint *lab,
                     guint n, KnnResult *res)
{
  const KnnClassifyConfig *c = s->cfg;
  guint nb, nq;
  res->bpos = knn_classify_subset (lab, n, !c->unknown_neighbours, &nb);
  res->qpos = knn_classify_subset (lab, n, c->query == QUERY_LABELLED, &nq);
  res->nq = nq;
  res->k = (guint) c->k;
  g_autofree guint32 *brows = g_new (guint32, MAX (nb, 1u));
  g_autofree guint32 *qrows = g_new (guint32, MAX (nq, 1u));
  g_autofree guint32 *where = g_new (guint32, MAX (n, 1u));
  for (guint i = 0; i < n; i++)
    where[i] = KNN_NONE;
  for (guint b = 0; b < nb; b++)
    {
      brows[b] = rows[res->bpos[b]];
      where[res->bpos[b]] = b;
    }
  g_autofree guint32 *self = g_new (guint32, MAX (nq, 1u));
  for (guint q = 0; q < nq; q++)
    {
      qrows[q] = rows[res->qpos[q]];
      self[q] = where[res->qpos[q]];
    }
  guint zero = 0;
  float *base = knn_prepare (s->emb->vectors, s->emb->dim, brows, nb, FALSE, &zero);
  gboolean same = nb == nq && memcmp (brows, qrows, nb * sizeof (guint32)) == 0;
  float *query = same ? base : knn_prepare (s->emb->vectors, s->emb->dim, qrows, nq, FALSE, NULL);
  if (zero)
    dp_stage_count (stage, "zero-vectors", zero);
  /* loo: first asks for k + 1 neighbours, the point itself included, and
   * drops the first whatever it is, as the authors' kneighbors()[:, 1:] */
  guint kk = res->k + (c->loo == LOO_FIRST);
  res->idx = g_new (guint32, (gsize) MAX (nq, 1u) * kk);
  res->sim = g_new (float, (gsize) MAX (nq, 1u) * kk);
  KnnParams p = { kk, (guint) c->block_rows, dp_stage_threads (stage), stage };
  gboolean ok = knn_search_ranks (stage, base, nb, query, nq, c->loo == LOO_FIRST ? NULL : self, s->emb->dim,
                                  &p, res->idx, res->sim);
  for (guint q = 0; q < nq && kk > res->k; q++)
    {
      memmove (res->idx + (gsize) q * res->k, res->idx + (gsize) q * kk + 1, res->k * sizeof (guint32));
      memmove (res->sim + (gsize) q * res->k, res->sim + (gsize) q * kk + 1, res->k * sizeof (float));
    }
  if (query != base)
    free (query);
  free (base);
  return ok;
}

/* ------------------------------------------------------------------ */
/* outputs */

typedef struct {
  guint64 *tp, *pred, *truth;
} KnnTally;

static guint
knn_classify_vote (const KnnClassify *s, const KnnResult *res, const guint *lab, guint q,
                   const KnnClasses *cls, guint *labs)
{
  guint n = 0;
  for (guint r = 0; r < res->k; r++)
    {
      guint32 b = res->idx[(gsize) q * res->k + r];
      if (b != KNN_NONE)
        labs[n++] = lab[res->bpos[b]];
    }
  return s->cfg->vote == VOTE_PAPER ? knn_classify_paper (labs, n, 1, cls)
                                    : knn_classify_majority (labs, n, 1);
}

static void
knn_classify_neighbours (const KnnClassify *s, const KnnResult *res, const guint32 *rows,
                         const guint *lab, guint q, const KnnClasses *cls, GString *toks,
                         GString *labels, GString *dists)
{
  g_string_truncate (toks, 0);
  g_string_truncate (labels, 0);
  g_string_truncate (dists, 0);
  for (guint r = 0; r < res->k; r++)
    {
      guint32 b = res->idx[(gsize) q * res->k + r];
      if (b == KNN_NONE)
        break;
      const char *sep = r ? ";" : "";
      g_string_append (toks, sep);
      dp_vocab_format (s->emb->vocab, rows[res->bpos[b]], toks);
      g_string_append (labels, sep);
      g_string_append (labels, g_ptr_array_index (cls->names, lab[res->bpos[b]]));
      g_string_append_printf (dists, "%s%.6f", sep, knn_distance (res->sim[(gsize) q * res->k + r]));
    }
}

static DpTable *
knn_classify_predictions (const KnnClassify *s, const KnnResult *res, const guint32 *rows,
                          guint n, const guint *lab, const KnnClasses *cls, KnnTally *t)
{
  DpTable *out = dp_table_new ("predictions");
  guint ck = eval_add_key_column (out, s->emb->vocab, eval_rows_all_ip (s->emb->vocab, rows, n));
  guint cl = dp_table_add_column (out, "label", DP_COL_STRING);
  guint cp = dp_table_add_column (out, "predicted", DP_COL_STRING);
  guint cn = dp_table_add_column (out, "neighbours", DP_COL_STRING);
  guint cnl = dp_table_add_column (out, "neighbour_labels", DP_COL_STRING);
  guint cnd = dp_table_add_column (out, "neighbour_distances", DP_COL_STRING);
  g_autoptr (GString) scratch = g_string_new (NULL);
  g_autoptr (GString) toks = g_string_new (NULL);
  g_autoptr (GString) labels = g_string_new (NULL);
  g_autoptr (GString) dists = g_string_new (NULL);
  g_autofree guint *labs = g_new (guint, res->k);
  for (guint q = 0; q < res->nq; q++)
    {
      guint pos = res->qpos[q];
      guint truth = lab[pos], pred = knn_classify_vote (s, res, lab, q, cls, labs);
      t->truth[truth]++;
      t->pred[pred]++;
      t->tp[truth] += truth == pred;
      knn_classify_neighbours (s, res, rows, lab, q, cls, toks, labels, dists);
      guint r = dp_table_append_row (out);
      eval_set_key (out, ck, r, s->emb->vocab, rows[pos], scratch);
      dp_table_set_str (out, cl, r, g_ptr_array_index (cls->names, truth));
      dp_table_set_str (out, cp, r, g_ptr_array_index (cls->names, pred));
      dp_table_set_str (out, cn, r, toks->str);
      dp_table_set_str (out, cnl, r, labels->str);
      dp_table_set_str (out, cnd, r, dists->str);
    }
  return out;
}

static void
knn_classify_report_row (DpTable *t, const char *name, double p, double r, double f, guint64 support)
{
  guint row = dp_table_append_row (t);
  dp_table_set_str (t, 0, row, name);
  dp_table_set_f64 (t, 1, row, p);
  dp_table_set_f64 (t, 2, row, r);
  dp_table_set_f64 (t, 3, row, f);
  dp_table_set_i64 (t, 4, row, (gint64) support);
}

static gint
knn_classify_cmp_names (gconstpointer a, gconstpointer b, gpointer names)
{
  return strcmp (g_ptr_array_index ((GPtrArray *) names, *(const guint *) a),
                 g_ptr_array_index ((GPtrArray *) names, *(const guint *) b));
}

/* scikit-learn's classification_report (zero_division=0): the classes are
 * the sorted union of true and predicted labels, so n.a. and unknown rows
 * appear (and weigh in the macro average) whenever they are predicted.
 * A last row, EVAL_ROW_MACRO_TRUTH, averages over the ground-truth classes only
 * (support > 0, unknown excluded): scikit-learn's
 * precision_recall_fscore_support (labels=those classes, average='macro'). */
static DpTable *
knn_classify_report (const KnnClasses *cls, const KnnTally *t)
{
  DpTable *out = dp_table_new ("report");
  dp_table_add_column (out, "class", DP_COL_STRING);
  dp_table_add_column (out, "precision", DP_COL_DOUBLE);
  dp_table_add_column (out, "recall", DP_COL_DOUBLE);
  dp_table_add_column (out, "f1", DP_COL_DOUBLE);
  dp_table_add_column (out, "support", DP_COL_INT64);
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint c = 0; c < cls->names->len; c++)
    if (t->truth[c] || t->pred[c])
      g_array_append_val (order, c);
  g_array_sort_with_data (order, knn_classify_cmp_names, cls->names);
  double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0, tp = 0, tr = 0, tf = 0;
  guint64 total = 0, correct = 0, truth_support = 0;
  guint n_truth = 0;
  for (guint i = 0; i < order->len; i++)
    {
      guint c = g_array_index (order, guint, i);
      double p = t->pred[c] ? (double) t->tp[c] / t->pred[c] : 0;
      double r = t->truth[c] ? (double) t->tp[c] / t->truth[c] : 0;
      double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
      knn_classify_report_row (out, g_ptr_array_index (cls->names, c), p, r, f, t->truth[c]);
      mp += p; mr += r; mf += f;
      wp += p * t->truth[c]; wr += r * t->truth[c]; wf += f * t->truth[c];
      total += t->truth[c];
      correct += t->tp[c];
      /* id 0 is the unknown label: sources without ground truth */
      if (c != 0 && t->truth[c] > 0)
        {
          tp += p; tr += r; tf += f;
          truth_support += t->truth[c];
          n_truth++;
        }
    }
  double nc = MAX (order->len, 1u), nt = MAX (total, 1u), ng = MAX (n_truth, 1u);
  knn_classify_report_row (out, EVAL_ROW_ACCURACY, NAN, NAN, total ? (double) correct / total : 0, total);
  knn_classify_report_row (out, EVAL_ROW_MACRO, mp / nc, mr / nc, mf / nc, total);
  knn_classify_report_row (out, EVAL_ROW_WEIGHTED, wp / nt, wr / nt, wf / nt, total);
  knn_classify_report_row (out, EVAL_ROW_MACRO_TRUTH, tp / ng, tr / ng, tf / ng, truth_support);
  return out;
}

static gboolean
knn_classify_finish (DpStage *stage, void *state, GError **error)
{
  KnnClassify *s = state;
  const KnnClassifyConfig *c = s->cfg;
  /* under MPI the other ranks search their share of rank 0's queries */
  if (dp_stage_rank (stage) != 0)
    return knn_search_follow (stage, dp_stage_threads (stage), error);
  g_autoptr (DpVocab) empty = dp_vocab_new ();
  if (s->emb == NULL)
    s->emb = dp_embedding_new (empty, 0, 1);
  KnnClasses cls = { g_ptr_array_new_with_free_func (g_free), g_hash_table_new (g_str_hash, g_str_equal) };
  knn_classify_class_id (&cls, c->unknown_label);
  knn_classify_class_id (&cls, c->na_label);
  guint n;
  g_autofree guint32 *rows = eval_select_rows (s->emb->vocab, s->emb->n, c->tokens == TOKENS_IP, &n);
  g_autofree guint *lab = g_new (guint, MAX (n, 1u));
  KnnResult res = { 0 };
  if (!knn_classify_join (stage, s, rows, n, &cls, lab, error))
    {
      knn_search_ranks_fail (stage);
      knn_classify_classes_clear (&cls);
      return FALSE;
    }
  /* a cancelled search pushes nothing */
  if (knn_classify_search (s, stage, rows, lab, n, &res))
    {
      KnnTally t = { g_new0 (guint64, cls.names->len), g_new0 (guint64, cls.names->len),
                     g_new0 (guint64, cls.names->len) };
      DpTable *pred = knn_classify_predictions (s, &res, rows, n, lab, &cls, &t);
      dp_stage_count (stage, "queries", res.nq);
      dp_stage_push (stage, 0, pred);
      dp_stage_push (stage, 1, knn_classify_report (&cls, &t));
      g_free (t.tp); g_free (t.pred); g_free (t.truth);
    }
  knn_classify_result_clear (&res);
  knn_classify_classes_clear (&cls);
  return TRUE;
}

static const char *const knn_classify_queries[] = { "labelled", "all", NULL };
static const char *const knn_classify_votes[] = { "majority", "paper", NULL };
static const char *const knn_classify_tokens[] = { "ip", "all", NULL };
static const char *const knn_classify_loo[] = { "identity", "first", NULL };

static const DpOptionDesc knn_classify_options[] = {
  DP_OPTION_RANGE ("k", DP_OPT_UINT, "7", KnnClassifyConfig, k, 1, 1000,
                   "Neighbours that vote (the point itself excluded)."),
  DP_OPTION_ENUM ("query", "labelled", KnnClassifyConfig, query, knn_classify_queries,
                  "Classify the labelled sources only (the paper's accuracy) or all sources (its with-unknown run)."),
  DP_OPTION_ENUM ("vote", "majority", KnnClassifyConfig, vote, knn_classify_votes,
                  "majority (ties to the nearest neighbour) or paper: the authors' lexicographic rule of darkvec-method.md §7."),
  DP_OPTION ("unknown_neighbours", DP_OPT_BOOL, "true", KnnClassifyConfig, unknown_neighbours,
             "Unlabelled sources are neighbours (voting unknown), as the authors fitted on all addresses."),
  DP_OPTION_ENUM ("tokens", "ip", KnnClassifyConfig, tokens, knn_classify_tokens,
                  "Which embedding rows take part: address tokens only, or every token."),
  DP_OPTION ("unknown_label", DP_OPT_STRING, "unknown", KnnClassifyConfig, unknown_label,
             "Label of sources without ground truth."),
  DP_OPTION ("na_label", DP_OPT_STRING, "n.a.", KnnClassifyConfig, na_label,
             "Prediction when the vote gives no answer (paper rule tie, or no neighbour)."),
  DP_OPTION_ENUM ("loo", "identity", KnnClassifyConfig, loo, knn_classify_loo,
                  "Leave-one-out: identity drops the point itself; first drops the first of k+1 neighbours whatever it is (the authors' quirk with duplicate vectors)."),
  DP_OPTION_RANGE ("block_rows", DP_OPT_UINT, "512", KnnClassifyConfig, block_rows, 16, 65536,
                   "Rows per block of the exact search; scratch memory is threads x block_rows^2 floats."),
};

static const DpColumnDesc knn_label_columns[] = {
  { "label", DP_COL_STRING, 0 },
};
static const DpColumnDesc knn_prediction_columns[] = {
  { "label", DP_COL_STRING, 0 },
  { "predicted", DP_COL_STRING, 0 },
  { "neighbours", DP_COL_STRING, 0 },
  { "neighbour_labels", DP_COL_STRING, 0 },
  { "neighbour_distances", DP_COL_STRING, 0 },
};
static const DpColumnDesc knn_report_columns[] = {
  { "class", DP_COL_STRING, 0 },
  { "precision", DP_COL_DOUBLE, 0 },
  { "recall", DP_COL_DOUBLE, 0 },
  { "f1", DP_COL_DOUBLE, 0 },
  { "support", DP_COL_INT64, 0 },
};

static const DpPortDesc knn_classify_inputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0, "Vectors of the sources (rows joined by their address token)." },
  { "labels", DP_TYPE_TABLE, DP_PORT_OPTIONAL, "Any table with ip (or token) and label columns, e.g. from labels or a ground_truth table.", DP_PORT_COLUMNS (knn_label_columns) },
};

static const DpPortDesc knn_classify_outputs[] = {
  { "predictions", DP_TYPE_TABLE, 0, "Per query: ip (or token), label, predicted, neighbours, neighbour_labels, neighbour_distances (cosine).", DP_PORT_COLUMNS (knn_prediction_columns) },
  { "report", DP_TYPE_TABLE, 0, "class, precision, recall, f1, support per class, then accuracy, macro avg (scikit-learn: every class, unknown and n.a. included), weighted avg and macro avg (ground-truth classes) rows.", DP_PORT_COLUMNS (knn_report_columns) },
};

DP_PLUGIN_DEFINE (knn_classify,
  .kind = DP_KIND_EVALUATOR,
  .summary = "Leave-one-out cosine k-NN classification with a per-class report",
  .version = "1.0",
  .doc = "Exact cosine k-nearest neighbours (blocked matrix products, fused top-k, "
         "`threads` workers) of every query source among the embedded sources, the point "
         "itself left out by identity. Labels join the embedding by address token; "
         "pseudonymised labels (a table with a name map) and word tokens join by their text. "
         "Sources without a label are `unknown_label`. With `loo: first` the k+1 nearest, the "
         "point itself included, are found and the first is dropped, as the authors' "
         "`kneighbors(X)[1][:, 1:]`: with duplicate vectors (ties go to the lower row) "
         "the point may vote for itself.\n\n"
         "Votes: `majority` (ties go to the label of the nearest tied neighbour) or `paper`, "
         "the authors' rule: the neighbours' distinct labels sorted lexicographically; one "
         "label wins alone; equal counts of the first two give `n.a.`; otherwise the "
         "lexicographically first label wins, whatever its count.\n\n"
         "The report has scikit-learn's classification_report numbers (zero_division=0): "
         "the classes are the sorted union of true and predicted labels; the `accuracy` row "
         "carries the accuracy in `f1` (precision and recall are NaN). The paper's "
         "\"accuracy\" is the weighted-average recall of the `query: labelled` run.\n\n"
         "Two macro averages, not to be confused: `macro avg` is scikit-learn's, over every "
         "class that occurs as a truth or a prediction, so the `unknown` and `n.a.` rows "
         "(F1 0 when predicted for labelled sources) pull it down, as in the paper's tables; "
         "the last row, `macro avg (ground-truth classes)`, averages over the classes that "
         "have labelled sources only (support > 0, `unknown_label` excluded), as scikit-learn's "
         "`precision_recall_fscore_support(y_true, y_pred, labels=those classes, "
         "average='macro')`; its support is their labelled sources.",
  .inputs = knn_classify_inputs, .n_inputs = DP_N_ELEMENTS (knn_classify_inputs),
  .outputs = knn_classify_outputs, .n_outputs = DP_N_ELEMENTS (knn_classify_outputs),
  .options = knn_classify_options, .n_options = DP_N_ELEMENTS (knn_classify_options),
  .config_size = sizeof (KnnClassifyConfig),
  .flags = DP_PLUGIN_THREADED | DP_PLUGIN_COLLECTIVE,
  .init = knn_classify_init,
  .process = knn_classify_process,
  .finish = knn_classify_finish,
  .finalize = knn_classify_finalize)
