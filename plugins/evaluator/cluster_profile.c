/* cluster_profile.c — what the sources of each cluster sent, as in the
 * authors' cluster inspection (darkvec-method.md §10, src/utils.py
 * cluster_report): senders, packets, distinct port/protocol pairs and
 * protocols, and the top ports with their share of the cluster's packets.
 * When wired, also what the taxonomy said of its members (patterns and
 * scanner fingerprints, from taxonomy.sources) and who they are (AS and
 * country, from enrich.sources or enriched tables): the profile of a new
 * campaign (track.new_campaigns). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "darkpipe.h"
#include "../common/eval.h"

typedef struct {
  guint64 top_ports;
  guint64 top_patterns;
  guint64 top_networks;
  char **carry;
} ClusterProfileConfig;

enum { CP_IN_CLUSTERS, CP_IN_PACKETS, CP_IN_TAXONOMY, CP_IN_ENRICHED };

#define CP_MAX_PATTERNS 64
#define CP_MAX_FP 16

/* What the taxonomy said of one source over all its windows. */
typedef struct {
  guint64 patterns;            /* bit per pattern column: a window matched it */
  guint64 probes;
  guint64 fp[CP_MAX_FP];       /* fingerprinted probes per fingerprint column */
} CpTax;

/* Who one source is (the first enriched row of it wins). */
typedef struct {
  gint64 asn;                  /* 0: unknown */
  const char *country;         /* in the state's string chunk; NULL: unknown */
} CpNet;

typedef struct {
  const ClusterProfileConfig *cfg;
  DpTable *clusters;
  EvalPortCounts counts;
  DpNameMap *keys;             /* pseudonyms and IPv6 addresses of the side tables, by text */
  DpHash tax_of;               /* source key -> index into tax */
  GArray *tax;                 /* CpTax */
  GPtrArray *pat_names, *fp_names;   /* of the first taxonomy table; NULL: none arrived */
  DpHash net_of;               /* source key -> index into net */
  GArray *net;                 /* CpNet */
  gboolean net_seen, have_asn, have_country;
  GStringChunk *strings;
} ClusterProfile;

static void
cluster_profile_finalize (void *state)
{
  ClusterProfile *s = state;
  dp_batch_unref (s->clusters);
  eval_ports_clear (&s->counts);
  dp_name_map_unref (s->keys);
  dp_hash_clear (&s->tax_of);
  dp_hash_clear (&s->net_of);
  g_array_unref (s->tax);
  g_array_unref (s->net);
  if (s->pat_names)
    g_ptr_array_unref (s->pat_names);
  if (s->fp_names)
    g_ptr_array_unref (s->fp_names);
  g_string_chunk_free (s->strings);
  g_free (s);
}

static gboolean
cluster_profile_init (DpStage *stage, const void *config, void **state, GError **error)
{
  ClusterProfile *s = g_new0 (ClusterProfile, 1);
  s->cfg = config;
  eval_ports_init (&s->counts);
  s->keys = dp_name_map_new ();
  dp_hash_init (&s->tax_of, 1024);
  dp_hash_init (&s->net_of, 1024);
  s->tax = g_array_new (FALSE, TRUE, sizeof (CpTax));
  s->net = g_array_new (FALSE, TRUE, sizeof (CpNet));
  s->strings = g_string_chunk_new (4096);
  *state = s;
  return TRUE;
}

/* The key of address @addr of table @t that means the same source in
 * every side table: itself below 240.0.0.0, else the key of its text (a
 * pseudonym, an IPv6 address) in s->keys. */
static guint32
cluster_profile_key (ClusterProfile *s, const DpTable *t, guint32 addr)
{
  if (addr < DP_NAME_BASE)
    return addr;
  char buf[64];
  const char *text = t->names ? dp_name_map_lookup (t->names, addr) : NULL;
  return dp_name_map_intern (s->keys, text ? text : dp_ipv4_format (addr, NULL, buf));
}

/* The ipv4 `src` (else `ip`) column of @t, or -1. */
static gint
cluster_profile_addr_column (const DpTable *t)
{
  const char *names[] = { "src", "ip" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gint c = dp_table_find_column (t, names[i]);
      if (c >= 0 && t->cols[c].type == DP_COL_IPV4)
        return c;
    }
  return -1;
}

/* The int64 columns strictly between columns @from and @to (-1: the end). */
static GArray *
cluster_profile_span (const DpTable *t, gint from, gint to)
{
  GArray *cols = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint c = (guint) from + 1; c < (to < 0 ? t->n_cols : (guint) to); c++)
    if (t->cols[c].type == DP_COL_INT64)
      g_array_append_val (cols, c);
  return cols;
}

static GPtrArray *
cluster_profile_names (const DpTable *t, const GArray *cols)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < cols->len; i++)
    g_ptr_array_add (names, g_strdup (t->cols[g_array_index (cols, guint, i)].name));
  return names;
}

/* taxonomy.sources: the pattern columns are the int64 columns between
 * `packets` and `probes`, the fingerprint columns those after `probes`
 * (up to `tool`), as the taxonomy writes them. */
static DpFlow
cluster_profile_add_taxonomy (DpStage *stage, ClusterProfile *s, const DpTable *t, GError **error)
{
  gint cs = cluster_profile_addr_column (t), cpk = dp_table_find_column (t, "packets");
  gint cpr = dp_table_find_column (t, "probes"), ctool = dp_table_find_column (t, "tool");
  if (cs < 0 || cpk < 0 || cpr <= cpk || t->cols[cpr].type != DP_COL_INT64)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: input 'taxonomy': table '%s' is not a taxonomy.sources table (src, packets, the "
                   "pattern columns, probes, the fingerprint columns)", dp_stage_name (stage), t->name);
      return DP_FLOW_ERROR;
    }
  g_autoptr (GArray) pat = cluster_profile_span (t, cpk, cpr);
  g_autoptr (GArray) fp = cluster_profile_span (t, cpr, ctool > cpr ? ctool : -1);
  if (pat->len > CP_MAX_PATTERNS || fp->len > CP_MAX_FP)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: input 'taxonomy': table '%s' has %u pattern and %u fingerprint columns (at most %d and %d)",
                   dp_stage_name (stage), t->name, pat->len, fp->len, CP_MAX_PATTERNS, CP_MAX_FP);
      return DP_FLOW_ERROR;
    }
  if (s->pat_names == NULL)
    {
      s->pat_names = cluster_profile_names (t, pat);
      s->fp_names = cluster_profile_names (t, fp);
    }
  else if (s->pat_names->len != pat->len || s->fp_names->len != fp->len)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: input 'taxonomy': table '%s' has %u pattern and %u fingerprint columns, an earlier one %u and %u",
                   dp_stage_name (stage), t->name, pat->len, fp->len, s->pat_names->len, s->fp_names->len);
      return DP_FLOW_ERROR;
    }
  for (guint r = 0; r < t->n_rows; r++)
    {
      gboolean fresh;
      guint64 *v = dp_hash_upsert (&s->tax_of, cluster_profile_key (s, t, t->cols[cs].ip[r]), &fresh);
      if (fresh)
        {
          *v = s->tax->len;
          g_array_set_size (s->tax, s->tax->len + 1);
        }
      CpTax *x = &g_array_index (s->tax, CpTax, *v);
      for (guint k = 0; k < pat->len; k++)
        if (t->cols[g_array_index (pat, guint, k)].i64[r] > 0)
          x->patterns |= G_GUINT64_CONSTANT (1) << k;
      x->probes += (guint64) MAX (t->cols[cpr].i64[r], 0);
      for (guint k = 0; k < fp->len; k++)
        x->fp[k] += (guint64) MAX (t->cols[g_array_index (fp, guint, k)].i64[r], 0);
    }
  return DP_FLOW_OK;
}

/* enrich.sources, or any table enrich added asn/country to. */
static DpFlow
cluster_profile_add_enriched (DpStage *stage, ClusterProfile *s, const DpTable *t, GError **error)
{
  gint cs = cluster_profile_addr_column (t);
  gint ca = dp_table_find_column (t, "asn"), cc = dp_table_find_column (t, "country");
  if (ca >= 0 && t->cols[ca].type != DP_COL_INT64)
    ca = -1;
  if (cc >= 0 && t->cols[cc].type != DP_COL_STRING)
    cc = -1;
  if (cs < 0 || (ca < 0 && cc < 0))
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: input 'enriched': table '%s' needs an ipv4 src (or ip) column and an int64 asn or a "
                   "text country column (enrich.sources, or a table through enrich)", dp_stage_name (stage), t->name);
      return DP_FLOW_ERROR;
    }
  s->net_seen = TRUE;
  s->have_asn |= ca >= 0;
  s->have_country |= cc >= 0;
  for (guint r = 0; r < t->n_rows; r++)
    {
      gboolean fresh;
      guint64 *v = dp_hash_upsert (&s->net_of, cluster_profile_key (s, t, t->cols[cs].ip[r]), &fresh);
      if (!fresh)
        continue;
      *v = s->net->len;
      const char *country = cc >= 0 ? t->cols[cc].str[r] : NULL;
      CpNet n = { ca >= 0 ? t->cols[ca].i64[r] : 0,
                  country && *country ? g_string_chunk_insert_const (s->strings, country) : NULL };
      g_array_append_val (s->net, n);
    }
  return DP_FLOW_OK;
}

static DpFlow
cluster_profile_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  ClusterProfile *s = state;
  switch (port)
    {
    case CP_IN_PACKETS:
      eval_ports_add (&s->counts, (const DpPackets *) batch);
      break;
    case CP_IN_TAXONOMY:
      return cluster_profile_add_taxonomy (stage, s, (const DpTable *) batch, error);
    case CP_IN_ENRICHED:
      return cluster_profile_add_enriched (stage, s, (const DpTable *) batch, error);
    default:
      dp_batch_unref (s->clusters);
      s->clusters = dp_batch_ref (batch);
    }
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */

typedef struct {
  gint64 value;
  guint first_row;     /* of the clusters table: where carried columns are read */
  guint64 members, senders, packets, ports;
  guint64 protos[4];   /* bit set of the 256 protocol numbers */
  GArray *pp;          /* CpPort */
  guint32 pat[CP_MAX_PATTERNS];   /* members that matched each pattern */
  guint64 probes, fp[CP_MAX_FP];
  GHashTable *asn, *country;      /* text -> members (NULL until one is known) */
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
          CpCluster c = { .value = *v, .first_row = r, .pp = g_array_new (FALSE, FALSE, sizeof (CpPort)) };
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

/* The patterns, fingerprints, ASes and countries of each cluster's
 * members, from the side tables. */
static void
cluster_profile_side (ClusterProfile *s, const EvalIndex *ix, const guint32 *dense, GArray *cl)
{
  for (gsize i = 0; i <= s->tax_of.mask; i++)
    {
      if (s->tax_of.keys[i] == DP_HASH_EMPTY)
        continue;
      gint64 r = eval_index_addr (ix, (guint32) s->tax_of.keys[i], s->keys);
      if (r < 0)
        continue;
      CpCluster *c = &g_array_index (cl, CpCluster, dense[r]);
      const CpTax *x = &g_array_index (s->tax, CpTax, s->tax_of.vals[i]);
      for (guint k = 0; k < s->pat_names->len; k++)
        c->pat[k] += (x->patterns >> k) & 1;
      c->probes += x->probes;
      for (guint k = 0; k < s->fp_names->len; k++)
        c->fp[k] += x->fp[k];
    }
  char buf[32];
  for (gsize i = 0; i <= s->net_of.mask; i++)
    {
      if (s->net_of.keys[i] == DP_HASH_EMPTY)
        continue;
      gint64 r = eval_index_addr (ix, (guint32) s->net_of.keys[i], s->keys);
      if (r < 0)
        continue;
      CpCluster *c = &g_array_index (cl, CpCluster, dense[r]);
      const CpNet *n = &g_array_index (s->net, CpNet, s->net_of.vals[i]);
      if (c->asn == NULL)
        {
          c->asn = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          c->country = g_hash_table_new (g_str_hash, g_str_equal);
        }
      if (n->asn != 0)
        {
          g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, n->asn);
          gpointer old = g_hash_table_lookup (c->asn, buf);
          g_hash_table_replace (c->asn, g_strdup (buf), GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
        }
      if (n->country)
        {
          gpointer old = g_hash_table_lookup (c->country, n->country);
          g_hash_table_replace (c->country, (gpointer) n->country, GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
        }
    }
}

/* A ranked list "name:share;…": the @n largest of @counts (ties by
 * order), each as a share of @total, zero counts left out. */
typedef struct { const char *name; guint64 count; guint order; } CpRank;

static int
cluster_profile_cmp_rank (const void *a, const void *b)
{
  const CpRank *x = a, *y = b;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static gint
cluster_profile_cmp_text (gconstpointer a, gconstpointer b)
{
  return strcmp (((const CpRank *) a)->name, ((const CpRank *) b)->name);
}

static void
cluster_profile_ranked (GArray *ranks, guint64 n, double total, GString *out)
{
  g_string_truncate (out, 0);
  g_array_sort (ranks, cluster_profile_cmp_rank);
  char share[G_ASCII_DTOSTR_BUF_SIZE];
  for (guint i = 0, shown = 0; i < ranks->len && shown < n; i++)
    {
      const CpRank *k = &g_array_index (ranks, CpRank, i);
      if (k->count == 0)
        continue;
      if (shown++)
        g_string_append_c (out, ';');
      g_string_append_printf (out, "%s:%s", k->name,
                              g_ascii_formatd (share, sizeof share, "%.2g", total > 0 ? (double) k->count / total : 0));
    }
}

/* @h: text -> members, ranked by members then text. */
static void
cluster_profile_ranked_hash (GHashTable *h, guint64 n, double total, GString *out)
{
  g_autoptr (GArray) ranks = g_array_new (FALSE, FALSE, sizeof (CpRank));
  g_string_truncate (out, 0);
  if (h == NULL)
    return;
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, h);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      CpRank x = { k, GPOINTER_TO_UINT (v), 0 };
      g_array_append_val (ranks, x);
    }
  /* ties by text: order them first, then rank stably by count */
  g_array_sort (ranks, (GCompareFunc) cluster_profile_cmp_text);
  for (guint i = 0; i < ranks->len; i++)
    g_array_index (ranks, CpRank, i).order = i;
  cluster_profile_ranked (ranks, n, total, out);
}

static void
cluster_profile_carry (DpTable *out, const DpTable *in, gint col, guint row, guint to)
{
  guint r = out->n_rows - 1;
  switch (in->cols[col].type)
    {
    case DP_COL_INT64:
      dp_table_set_i64 (out, to, r, in->cols[col].i64[row]);
      break;
    case DP_COL_DOUBLE:
      dp_table_set_f64 (out, to, r, in->cols[col].f64[row]);
      break;
    case DP_COL_IPV4:
      dp_table_set_ip (out, to, r, in->cols[col].ip[row]);
      break;
    default:
      {
        g_autoptr (GString) text = g_string_new (NULL);
        dp_table_format_cell (in, (guint) col, row, text);
        dp_table_set_str (out, to, r, text->str);
      }
    }
}

static DpTable *
cluster_profile_table (ClusterProfile *s, GArray *cl, const DpTable *in, const gint *carry)
{
  const ClusterProfileConfig *cfg = s->cfg;
  guint64 top = cfg->top_ports;
  DpTable *t = dp_table_new ("profile");
  const char *ints[] = { "cluster", "members", "senders", "packets", "ports", "protos" };
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    dp_table_add_column (t, ints[i], DP_COL_INT64);
  guint ct = dp_table_add_column (t, "top_ports", DP_COL_STRING);
  const char *texts[] = { "patterns", "fingerprints", "asns", "countries" };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    dp_table_add_column (t, texts[i], DP_COL_STRING);
  guint cc0 = t->n_cols;
  for (guint i = 0; cfg->carry && cfg->carry[i]; i++)
    {
      dp_table_add_column (t, cfg->carry[i], in->cols[carry[i]].type);
      if (in->cols[carry[i]].type == DP_COL_IPV4 && in->names && t->names == NULL)
        dp_table_set_names (t, in->names);
    }
  g_array_sort (cl, cluster_profile_cmp_cluster);
  g_autoptr (GString) str = g_string_new (NULL);
  g_autoptr (GArray) ranks = g_array_new (FALSE, FALSE, sizeof (CpRank));
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
      cluster_profile_top (c, top, str);
      dp_table_set_str (t, ct, r, str->str);
      /* patterns: share of the members that matched each */
      g_array_set_size (ranks, 0);
      for (guint k = 0; s->pat_names && k < s->pat_names->len; k++)
        {
          CpRank x = { g_ptr_array_index (s->pat_names, k), c->pat[k], k };
          g_array_append_val (ranks, x);
        }
      cluster_profile_ranked (ranks, cfg->top_patterns, (double) c->members, str);
      dp_table_set_str (t, ct + 1, r, str->str);
      /* fingerprints: share of the members' probes that carry each */
      g_array_set_size (ranks, 0);
      for (guint k = 0; s->fp_names && k < s->fp_names->len; k++)
        {
          CpRank x = { g_ptr_array_index (s->fp_names, k), c->fp[k], k };
          g_array_append_val (ranks, x);
        }
      cluster_profile_ranked (ranks, s->fp_names ? s->fp_names->len : 0, (double) c->probes, str);
      dp_table_set_str (t, ct + 2, r, str->str);
      cluster_profile_ranked_hash (c->asn, cfg->top_networks, (double) c->members, str);
      dp_table_set_str (t, ct + 3, r, str->str);
      cluster_profile_ranked_hash (c->country, cfg->top_networks, (double) c->members, str);
      dp_table_set_str (t, ct + 4, r, str->str);
      for (guint k = 0; cfg->carry && cfg->carry[k]; k++)
        cluster_profile_carry (t, in, carry[k], c->first_row, cc0 + k);
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
  guint n_carry = s->cfg->carry ? g_strv_length (s->cfg->carry) : 0;
  g_autofree gint *carry = g_new (gint, MAX (n_carry, 1u));
  for (guint i = 0; i < n_carry; i++)
    if ((carry[i] = dp_table_find_column (t, s->cfg->carry[i])) < 0 || carry[i] == cc)
      {
        g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                     "%s: carry: the clusters table '%s' has no column '%s' (besides cluster) to carry",
                     dp_stage_name (stage), t->name, s->cfg->carry[i]);
        return FALSE;
      }
  g_autofree guint32 *dense = g_new (guint32, MAX (t->n_rows, 1u));
  GArray *cl = cluster_profile_clusters (t, cc, dense);
  EvalIndex ix;
  eval_index_init (&ix, t);
  cluster_profile_count (s, &ix, dense, cl);
  cluster_profile_side (s, &ix, dense, cl);
  eval_index_clear (&ix);
  dp_stage_count (stage, "clusters", cl->len);
  dp_stage_push (stage, 0, cluster_profile_table (s, cl, t, carry));
  for (guint i = 0; i < cl->len; i++)
    {
      CpCluster *c = &g_array_index (cl, CpCluster, i);
      g_array_unref (c->pp);
      if (c->asn)
        g_hash_table_unref (c->asn);
      if (c->country)
        g_hash_table_unref (c->country);
    }
  g_array_unref (cl);
  return TRUE;
}

static gboolean
cluster_profile_check (DpStage *stage, const void *config, GError **error)
{
  const ClusterProfileConfig *c = config;
  static const char *const taken[] = { "cluster", "members", "senders", "packets", "ports", "protos", "top_ports",
                                       "patterns", "fingerprints", "asns", "countries" };
  for (guint i = 0; c->carry && c->carry[i]; i++)
    {
      for (guint k = 0; k < G_N_ELEMENTS (taken); k++)
        if (strcmp (c->carry[i], taken[k]) == 0)
          return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, "carry",
                                        "'%s' is a column of the profile itself", c->carry[i]);
      for (guint k = 0; k < i; k++)
        if (strcmp (c->carry[i], c->carry[k]) == 0)
          return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, "carry", "'%s' is listed twice",
                                        c->carry[i]);
    }
  return TRUE;
}

static const DpOptionDesc cluster_profile_options[] = {
  DP_OPTION_RANGE ("top_ports", DP_OPT_UINT, "3", ClusterProfileConfig, top_ports, 0, 1000,
                   "Port/protocol pairs listed per cluster with their share of its packets (the authors showed 3)."),
  DP_OPTION_RANGE ("top_patterns", DP_OPT_UINT, "3", ClusterProfileConfig, top_patterns, 0, 64,
                   "Taxonomy patterns listed per cluster with the share of its members that matched each (taxonomy wired)."),
  DP_OPTION_RANGE ("top_networks", DP_OPT_UINT, "3", ClusterProfileConfig, top_networks, 0, 1000,
                   "Autonomous systems and countries listed per cluster with the share of its members in each (enriched wired)."),
  DP_OPTION ("carry", DP_OPT_STRLIST, NULL, ClusterProfileConfig, carry,
             "Columns of the clusters table copied to the profile, from each cluster's first row (track.new_campaigns: day, track, flag)."),
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
  { "patterns", DP_COL_STRING, 0 },
  { "fingerprints", DP_COL_STRING, 0 },
  { "asns", DP_COL_STRING, 0 },
  { "countries", DP_COL_STRING, 0 },
};
static const DpColumnDesc profile_taxonomy_columns[] = {
  { "src", DP_COL_IPV4, 0 },
  { "packets", DP_COL_INT64, 0 },
  { "probes", DP_COL_INT64, 0 },
};
static const DpColumnDesc profile_enriched_columns[] = {
  { "asn", DP_COL_INT64, DP_COLUMN_OPTIONAL },
  { "country", DP_COL_STRING, DP_COLUMN_OPTIONAL },
};

static const DpPortDesc cluster_profile_inputs[] = {
  { "clusters", DP_TYPE_TABLE, 0, "ip (or token) and an integer cluster column (louvain, kmeans, track.new_campaigns).", DP_PORT_COLUMNS (profile_in_columns) },
  { "packets", DP_TYPE_PACKETS, 0, "Traffic of the sources (streamed)." },
  { "taxonomy", DP_TYPE_TABLE, DP_PORT_OPTIONAL,
    "taxonomy.sources tables (every window): the patterns and fingerprints of each source.",
    DP_PORT_COLUMNS (profile_taxonomy_columns) },
  { "enriched", DP_TYPE_TABLE, DP_PORT_OPTIONAL | DP_PORT_MULTI,
    "Tables with an ipv4 src (or ip) column and enrich's asn and country (enrich.sources): who each source is.",
    DP_PORT_COLUMNS (profile_enriched_columns) },
};
static const DpPortDesc cluster_profile_outputs[] = {
  { "profile", DP_TYPE_TABLE, 0, "Per cluster: cluster, members, senders, packets, ports, protos, top_ports ('23/tcp:0.61;2323/tcp:0.2'), "
    "patterns ('net_scan_tcp_light:0.9': share of members), fingerprints ('mirai:0.98': share of probes), asns and countries "
    "('64500:0.5': share of members; empty when the input is not wired), then the carried columns.", DP_PORT_COLUMNS (profile_columns) },
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
         "ties going to the lower port key. Clusters are listed by cluster value.\n\n"
         "With `taxonomy` wired to a taxonomy stage's `sources` table on the same packets, `patterns` "
         "lists the `top_patterns` taxonomy patterns by the share of the cluster's members that matched "
         "each in at least one window (the pattern columns are the int64 columns between `packets` and "
         "`probes`), and `fingerprints` each scanner fingerprint by its share of the members' probes "
         "(the columns after `probes`). With `enriched` wired to `enrich.sources` (or to tables that went "
         "through `enrich`), `asns` and `countries` list the `top_networks` autonomous systems and "
         "countries by the share of members (AS 0 and no country are left out). `carry` copies columns "
         "of the clusters table (each cluster's first row) to the profile: on `track.new_campaigns` "
         "`carry: [day, track, flag]` gives one 'new campaign' row per emerged cluster.",
  .inputs = cluster_profile_inputs, .n_inputs = DP_N_ELEMENTS (cluster_profile_inputs),
  .outputs = cluster_profile_outputs, .n_outputs = DP_N_ELEMENTS (cluster_profile_outputs),
  .options = cluster_profile_options, .n_options = DP_N_ELEMENTS (cluster_profile_options),
  .config_size = sizeof (ClusterProfileConfig),
  .check = cluster_profile_check,
  .init = cluster_profile_init,
  .process = cluster_profile_process,
  .finish = cluster_profile_finish,
  .finalize = cluster_profile_finalize)
