/* cluster_profile.c — what the sources of each cluster sent, as in the
 * authors' cluster inspection (darkvec-method.md §10, src/utils.py
 * cluster_report): senders, packets, distinct port/protocol pairs and
 * protocols, and the top ports with their share of the cluster's packets. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "darkpipe.h"
#include "../common/eval.h"

typedef struct {
  guint64 top_ports;
} ClusterProfileConfig;

typedef struct {
  const ClusterProfileConfig *cfg;
  DpTable *clusters;
  EvalPortCounts counts;
} ClusterProfile;

static void
cluster_profile_finalize (void *state)
{
  ClusterProfile *s = state;
  dp_batch_unref (s->clusters);
  eval_ports_clear (&s->counts);
  g_free (s);
}

static gboolean
cluster_profile_init (DpStage *stage, const void *config, void **state, GError **error)
{
  ClusterProfile *s = g_new0 (ClusterProfile, 1);
  s->cfg = config;
  eval_ports_init (&s->counts);
  *state = s;
  return TRUE;
}

static DpFlow
cluster_profile_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  ClusterProfile *s = state;
  if (port == 1)
    eval_ports_add (&s->counts, (const DpPackets *) batch);
  else
    {
      dp_batch_unref (s->clusters);
      s->clusters = dp_batch_ref (batch);
    }
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */

typedef struct {
  gint64 value;
  guint64 members, senders, packets, ports;
  guint64 protos[4];   /* bit set of the 256 protocol numbers */
  GArray *pp;          /* CpPort */
} CpCluster;

typedef struct { guint32 pp; guint64 packets; } CpPort;

static int
cluster_profile_cmp_port (const void *a, const void *b)
{
  const CpPort *x = a, *y = b;
  if (x->packets != y->packets)
    return x->packets > y->packets ? -1 : 1;
  return x->pp < y->pp ? -1 : x->pp > y->pp;
}

static int
cluster_profile_cmp_cluster (const void *a, const void *b)
{
  const CpCluster *x = a, *y = b;
  return x->value < y->value ? -1 : x->value > y->value;
}

/* Dense cluster index of every table row, and one CpCluster per value. */
static GArray *
cluster_profile_clusters (const DpTable *t, gint cc, guint32 *dense)
{
  GArray *cl = g_array_new (FALSE, TRUE, sizeof (CpCluster));
  g_autoptr (GHashTable) ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint r = 0; r < t->n_rows; r++)
    {
      gint64 *v = &t->cols[cc].i64[r];
      gpointer id;
      if (!g_hash_table_lookup_extended (ids, v, NULL, &id))
        {
          id = GUINT_TO_POINTER (cl->len);
          g_hash_table_insert (ids, v, id);
          CpCluster c = { .value = *v, .pp = g_array_new (FALSE, FALSE, sizeof (CpPort)) };
          g_array_append_val (cl, c);
        }
      dense[r] = GPOINTER_TO_UINT (id);
      g_array_index (cl, CpCluster, dense[r]).members++;
    }
  return cl;
}

/* Packets of the clustered sources, per cluster and port/protocol pair. */
static void
cluster_profile_count (ClusterProfile *s, const EvalIndex *ix, const guint32 *dense, GArray *cl)
{
  const EvalPortCounts *pc = &s->counts;
  DpHash src_cluster, per;
  dp_hash_init (&src_cluster, pc->sources.n + 1);
  for (gsize i = 0; i <= pc->sources.mask; i++)
    {
      if (pc->sources.keys[i] == DP_HASH_EMPTY)
        continue;
      gint64 r = eval_index_addr (ix, (guint32) pc->sources.keys[i], pc->names);
      if (r < 0)
        continue;
      CpCluster *c = &g_array_index (cl, CpCluster, dense[r]);
      c->senders++;
      c->packets += pc->sources.vals[i];
      *dp_hash_upsert (&src_cluster, pc->sources.keys[i], NULL) = dense[r];
    }
  eval_ports_by_group (pc, &src_cluster, &per);
  for (gsize i = 0; i <= per.mask; i++)
    {
      if (per.keys[i] == DP_HASH_EMPTY)
        continue;
      CpCluster *c = &g_array_index (cl, CpCluster, per.keys[i] >> 25);
      CpPort p = { (guint32) (per.keys[i] & 0x1ffffffu), per.vals[i] };
      g_array_append_val (c->pp, p);
      c->ports++;
      guint proto = p.pp >> 17;
      c->protos[proto / 64] |= G_GUINT64_CONSTANT (1) << (proto % 64);
    }
  dp_hash_clear (&src_cluster);
  dp_hash_clear (&per);
}

static void
cluster_profile_top (CpCluster *c, guint64 n, GString *out)
{
  g_string_truncate (out, 0);
  g_array_sort (c->pp, cluster_profile_cmp_port);
  for (guint i = 0; i < c->pp->len && i < n; i++)
    {
      const CpPort *p = &g_array_index (c->pp, CpPort, i);
      char share[G_ASCII_DTOSTR_BUF_SIZE];
      if (i)
        g_string_append_c (out, ';');
      eval_pp_format (p->pp, out);
      g_string_append_c (out, ':');
      g_string_append (out, g_ascii_formatd (share, sizeof share, "%.2g", (double) p->packets / (double) c->packets));
    }
}

static DpTable *
cluster_profile_table (GArray *cl, guint64 top)
{
  DpTable *t = dp_table_new ("profile");
  const char *ints[] = { "cluster", "members", "senders", "packets", "ports", "protos" };
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    dp_table_add_column (t, ints[i], DP_COL_INT64);
  guint ct = dp_table_add_column (t, "top_ports", DP_COL_STRING);
  g_array_sort (cl, cluster_profile_cmp_cluster);
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < cl->len; i++)
    {
      CpCluster *c = &g_array_index (cl, CpCluster, i);
      guint r = dp_table_append_row (t);
      guint64 protos = 0;
      for (guint w = 0; w < 4; w++)
        protos += (guint64) __builtin_popcountll (c->protos[w]);
      const gint64 v[] = { c->value, (gint64) c->members, (gint64) c->senders, (gint64) c->packets,
                           (gint64) c->ports, (gint64) protos };
      for (guint k = 0; k < G_N_ELEMENTS (v); k++)
        dp_table_set_i64 (t, k, r, v[k]);
      cluster_profile_top (c, top, s);
      dp_table_set_str (t, ct, r, s->str);
    }
  return t;
}

static gboolean
cluster_profile_finish (DpStage *stage, void *state, GError **error)
{
  ClusterProfile *s = state;
  if (s->clusters == NULL)
    s->clusters = eval_clusters_empty ();
  const DpTable *t = s->clusters;
  gint cc = eval_cluster_column (t, error);
  if (cc < 0)
    return FALSE;
  g_autofree guint32 *dense = g_new (guint32, MAX (t->n_rows, 1u));
  GArray *cl = cluster_profile_clusters (t, cc, dense);
  EvalIndex ix;
  eval_index_init (&ix, t);
  cluster_profile_count (s, &ix, dense, cl);
  eval_index_clear (&ix);
  dp_stage_count (stage, "clusters", cl->len);
  dp_stage_push (stage, 0, cluster_profile_table (cl, s->cfg->top_ports));
  for (guint i = 0; i < cl->len; i++)
    g_array_unref (g_array_index (cl, CpCluster, i).pp);
  g_array_unref (cl);
  return TRUE;
}

static const DpOptionDesc cluster_profile_options[] = {
  DP_OPTION_RANGE ("top_ports", DP_OPT_UINT, "3", ClusterProfileConfig, top_ports, 0, 1000,
                   "Port/protocol pairs listed per cluster with their share of its packets (the authors showed 3)."),
};

static const DpColumnDesc profile_in_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
};
static const DpColumnDesc profile_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
  { "members", DP_COL_INT64, 0 },
  { "senders", DP_COL_INT64, 0 },
  { "packets", DP_COL_INT64, 0 },
  { "ports", DP_COL_INT64, 0 },
  { "protos", DP_COL_INT64, 0 },
  { "top_ports", DP_COL_STRING, 0 },
};

static const DpPortDesc cluster_profile_inputs[] = {
  { "clusters", DP_TYPE_TABLE, 0, "ip (or token) and an integer cluster column (louvain, kmeans).", DP_PORT_COLUMNS (profile_in_columns) },
  { "packets", DP_TYPE_PACKETS, 0, "Traffic of the sources (streamed)." },
};
static const DpPortDesc cluster_profile_outputs[] = {
  { "profile", DP_TYPE_TABLE, 0, "Per cluster: cluster, members, senders, packets, ports, protos, top_ports ('23/tcp:0.61;2323/tcp:0.2').", DP_PORT_COLUMNS (profile_columns) },
};

DP_PLUGIN_DEFINE (cluster_profile,
  .kind = DP_KIND_EVALUATOR,
  .summary = "Per-cluster traffic profile: senders, packets, ports, top ports",
  .version = "1.0",
  .doc = "Counts packets per (source, destination port/protocol) while the packets stream, "
         "then for each cluster of the clusters table reports its members, the members that "
         "sent packets (`senders`), their packets, the distinct port/protocol pairs "
         "(`ports`) and protocols (`protos`) they reached, and the `top_ports` pairs by "
         "packets with their share of the cluster's packets (two significant digits), "
         "ties going to the lower port key. Clusters are listed by cluster value.",
  .inputs = cluster_profile_inputs, .n_inputs = DP_N_ELEMENTS (cluster_profile_inputs),
  .outputs = cluster_profile_outputs, .n_outputs = DP_N_ELEMENTS (cluster_profile_outputs),
  .options = cluster_profile_options, .n_options = DP_N_ELEMENTS (cluster_profile_options),
  .config_size = sizeof (ClusterProfileConfig),
  .init = cluster_profile_init,
  .process = cluster_profile_process,
  .finish = cluster_profile_finish,
  .finalize = cluster_profile_finalize)
