/* taxonomy-close.c — what a window derives when it closes.
 *
 * The base table holds distinct (src, dst, class|port) triples.  Ordered by
 * source, the triples of one source at a time yield its (src, dst, class)
 * pairs (distinct ports = triples per pair) and its (src, class|port) keys
 * (distinct destinations = triples per key) in small tables that stay in
 * cache; those decide the scans and complete the source's categories, which
 * decide its per-source patterns.  Every table is keyed by integers. */
#include "config.h"

#include <string.h>

#include "taxonomy.h"

void
taxonomy_scratch_init (TaxScratch *k)
{
  memset (k, 0, sizeof *k);
  dp_hash_init (&k->src_index, 1024);
  k->sources = g_array_new (FALSE, TRUE, sizeof (TaxSource));
  k->events = g_array_new (FALSE, FALSE, sizeof (TaxEvent));
}

void
taxonomy_scratch_clear (TaxScratch *k)
{
  if (k->src_index.keys)
    dp_hash_clear (&k->src_index);
  g_clear_pointer (&k->sources, g_array_unref);
  g_clear_pointer (&k->events, g_array_unref);
  g_clear_pointer (&k->sidx, g_aligned_free);
  g_clear_pointer (&k->order, g_aligned_free);
  g_clear_pointer (&k->start, g_free);
}

void
taxonomy_close_init (TaxClose *c, const TaxonomyConfig *cfg, gint64 window_start_ns,
                     TaxTable *pairs, TaxTable *ports, TaxScratch *scratch)
{
  memset (c, 0, sizeof *c);
  c->cfg = cfg;
  c->window_start_ns = window_start_ns;
  c->pairs = pairs;
  c->ports = ports;
  c->k = scratch;
  c->src_index = &scratch->src_index;
  if (c->src_index->n)
    dp_hash_reset (c->src_index);   /* stale: the last close sorted its sources */
  c->sources = scratch->sources;
  c->events = scratch->events;
  g_array_set_size (c->sources, 0);
  g_array_set_size (c->events, 0);
}

static TaxSource *
taxonomy_source (TaxClose *c, guint32 src)
{
  /* triples come in packet order: runs of one source are common */
  if (c->sources->len > 0 && src == c->last_src)
    return &g_array_index (c->sources, TaxSource, c->last_index);
  gboolean inserted;
  guint64 *idx = dp_hash_upsert (c->src_index, src, &inserted);
  if (inserted)
    {
      *idx = c->sources->len;
      g_array_set_size (c->sources, c->sources->len + 1);
      g_array_index (c->sources, TaxSource, *idx).src = src;
    }
  c->last_src = src;
  c->last_index = *idx;
  return &g_array_index (c->sources, TaxSource, *idx);
}

static void
taxonomy_cat_add (TaxCat *cat, const TaxAgg *e, guint32 n, gboolean probes)
{
  if (cat->n_pkt == 0 || e->first < cat->first)
    cat->first = e->first;
  if (cat->n_pkt == 0 || e->last > cat->last)
    cat->last = e->last;
  cat->n_pkt += n;
  if (probes)
    for (guint k = 0; k < TAX_N_FP; k++)
      cat->fp[k] += e->fp[k];
}

static void
taxonomy_event_push (TaxClose *c, TaxSource *s, TaxPattern pattern, guint8 proto, guint32 dst,
                     gint32 dport, guint32 n_dst, guint32 n_dport, guint32 n_pkt,
                     const guint32 *fp, gint64 first, gint64 last)
{
  TaxEvent ev = {
    .src = s->src, .dst = dst, .dport = dport, .pattern = pattern, .proto = proto,
    .n_pkt = n_pkt, .n_dst = n_dst, .n_dport = n_dport, .first = first, .last = last,
  };
  memcpy (ev.fp, fp, sizeof ev.fp);
  g_array_append_val (c->events, ev);
  s->count[pattern]++;
}

static void
taxonomy_event_from_agg (TaxClose *c, TaxSource *s, TaxPattern pattern, guint8 proto, const TaxAgg *e,
                         guint32 dst, gint32 dport, guint32 n_dst, guint32 n_dport)
{
  taxonomy_event_push (c, s, pattern, proto, dst, dport, n_dst, n_dport, e->n_pkt, e->fp, e->first, e->last);
}

static void
taxonomy_event_from_cat (TaxClose *c, TaxSource *s, TaxPattern pattern, guint8 proto, const TaxCat *cat)
{
  taxonomy_event_push (c, s, pattern, proto, 0, -1, cat->n_dst, cat->n_dport, cat->n_pkt, cat->fp,
                       cat->first, cat->last);
}

static gint32
taxonomy_dport (guint32 port)
{
  return port == TAX_PORT_NULL ? -1 : (gint32) port;
}

/* Scan-flag share: paper: matches / packets >= R.  Reference: packets /
 * matches >= R, undefined (never true) without a match. */
static gboolean
taxonomy_ratio_ok (const TaxonomyConfig *cfg, const TaxAgg *e)
{
  if (cfg->compat == TAXONOMY_COMPAT_REFERENCE)
    return e->n_scan > 0 && (double) e->n_pkt / (double) e->n_scan >= cfg->r;
  return e->n_pkt > 0 && (double) e->n_scan / (double) e->n_pkt >= cfg->r;
}

static gboolean
taxonomy_heavy (const TaxonomyConfig *cfg, guint32 n_pkt, guint32 n_targets)
{
  return (double) n_pkt / (double) n_targets > cfg->m;
}

static void
taxonomy_merge_into (TaxTable *t, const TaxAgg *e, guint32 dst, guint32 b, guint64 h, gboolean distinct)
{
  TaxAgg *d = taxonomy_table_upsert (t, e->src, dst, b, h);
  taxonomy_agg_merge (d, e);
  d->n_distinct += distinct;
}

/* Grows the per-triple arrays of @k to @n triples. */
static void
taxonomy_scratch_reserve (TaxScratch *k, gsize n)
{
  if (n <= k->order_cap)
    return;
  gsize cap = MAX (n, k->order_cap + k->order_cap / 2);
  g_aligned_free (k->sidx);
  g_aligned_free (k->order);
  k->sidx = taxonomy_big_alloc (cap * sizeof (guint32));
  k->order = taxonomy_big_alloc (cap * sizeof (guint32));
  k->order_cap = cap;
}

/* Orders the triples by source (a stable counting sort over the source
 * indices, numbered in order of appearance).  Returns the order; k->start[j]
 * is then where source j's run ends in it. */
static const guint32 *
taxonomy_order_by_source (TaxClose *c, const TaxTable *triples)
{
  const gsize n = triples->n;
  TaxScratch *k = c->k;
  taxonomy_scratch_reserve (k, MAX (n, 1u));
  guint32 *sidx = k->sidx;
  for (gsize i = 0; i < n; i++)
    {
      taxonomy_source (c, triples->entries[i].src);
      sidx[i] = (guint32) c->last_index;
    }
  gsize n_src = c->sources->len;
  if (n_src + 1 > k->start_cap)
    {
      k->start_cap = MAX (n_src + 1, k->start_cap * 2);
      k->start = g_renew (guint32, k->start, k->start_cap);
    }
  guint32 *start = k->start;
  memset (start, 0, (n_src + 1) * sizeof *start);
  for (gsize i = 0; i < n; i++)
    start[sidx[i] + 1]++;
  for (gsize j = 0; j < n_src; j++)
    start[j + 1] += start[j];
  guint32 *order = k->order;
  for (gsize i = 0; i < n; i++)
    order[start[sidx[i]]++] = (guint32) i;
  return order;
}

/* Adds triple @e to its (src, class|port) key.  A source's triples come in
 * packet order, and a scanner sweeps one port over many addresses: the key
 * of the previous triple is the likely one. */
static void
taxonomy_port_merge (TaxClose *c, const TaxAgg *e)
{
  TaxAgg *d;
  if (c->last_port && e->b == c->last_port_b)
    d = &c->ports->entries[c->last_port - 1];
  else
    {
      d = taxonomy_table_upsert (c->ports, e->src, 0, e->b, taxonomy_hash (e->src, 0, e->b));
      c->last_port_b = e->b;
      c->last_port = (gsize) (d - c->ports->entries) + 1;
    }
  taxonomy_agg_merge (d, e);
  d->n_distinct++;
}

/* Adds triple @e to its (src, dst, class) pair. */
static void
taxonomy_pair_add (TaxClose *c, const TaxAgg *e, guint cls, gboolean distinct)
{
  guint32 b = TAX_KEY_B (cls, 0);
  taxonomy_merge_into (c->pairs, e, e->dst, b, taxonomy_hash (e->src, e->dst, b), distinct);
}

static void
taxonomy_pass_triple_l4 (TaxClose *c, TaxSource *s, const TaxAgg *e, guint cls, guint32 port)
{
  const TaxonomyConfig *cfg = c->cfg;
  gboolean tcp = cls == TAX_CLS_TCP;
  taxonomy_cat_add (&s->cat[tcp ? TAX_CAT_ALL_TCP : TAX_CAT_ALL_UDP], e, e->n_pkt, FALSE);
  taxonomy_pair_add (c, e, cls, port != TAX_PORT_NULL);
  taxonomy_port_merge (c, e);
  if (e->n_pkt > (guint64) cfg->n3)
    taxonomy_event_from_agg (c, s, tcp ? TAX_ONE_FLOW_TCP : TAX_ONE_FLOW_UDP, tcp ? 6 : 17, e,
                             e->dst, taxonomy_dport (port), 1, port != TAX_PORT_NULL);
  guint32 n_probe = tcp ? e->n_syn : e->n_pkt;
  if (n_probe)
    taxonomy_cat_add (&s->cat[tcp ? TAX_CAT_SYN : TAX_CAT_UDP], e, n_probe, TRUE);
  if (e->n_bs)
    taxonomy_cat_add (&s->cat[tcp ? TAX_CAT_BS_TCP : TAX_CAT_BS_UDP], e, e->n_bs, FALSE);
  s->probes += n_probe;
}

static void
taxonomy_pass_triple (TaxClose *c, TaxSource *s, const TaxAgg *e)
{
  guint cls = TAX_KEY_CLS (e->b);
  guint32 port = TAX_KEY_PORT (e->b);
  s->n_pkt += e->n_pkt;
  for (guint k = 0; k < TAX_N_FP; k++)
    s->fp[k] += e->fp[k];
  if (e->n_frag)
    taxonomy_cat_add (&s->cat[TAX_CAT_FRAG], e, e->n_frag, FALSE);
  if (cls == TAX_CLS_TCP || cls == TAX_CLS_UDP)
    taxonomy_pass_triple_l4 (c, s, e, cls, port);
  else if (cls == TAX_CLS_ICMP)
    {
      taxonomy_cat_add (&s->cat[TAX_CAT_ALL_ICMP], e, e->n_pkt, FALSE);
      taxonomy_pair_add (c, e, cls, FALSE);
      if (port == TAX_ICMP_ECHO)
        {
          /* one triple per destination: the echo destinations are distinct */
          taxonomy_cat_add (&s->cat[TAX_CAT_ECHO], e, e->n_pkt, TRUE);
          s->cat[TAX_CAT_ECHO].n_dst++;
          s->probes += e->n_pkt;
        }
      if (e->n_bs)
        taxonomy_cat_add (&s->cat[TAX_CAT_BS_ICMP], e, e->n_bs, FALSE);
    }
  else
    {
      guint cat = port == 6 ? TAX_CAT_ALL_TCP : port == 17 ? TAX_CAT_ALL_UDP
                  : port == 1 ? TAX_CAT_ALL_ICMP : TAX_CAT_ALL_OTHER;
      taxonomy_cat_add (&s->cat[cat], e, e->n_pkt, FALSE);
    }
}

static void
taxonomy_pair_decide (TaxClose *c, TaxSource *s, const TaxAgg *p)
{
  const TaxonomyConfig *cfg = c->cfg;
  guint cls = TAX_KEY_CLS (p->b);
  if (cls == TAX_CLS_ICMP)
    {
      s->cat[TAX_CAT_BS_ICMP].n_dst += p->n_bs > 0;
      return;
    }
  gboolean tcp = cls == TAX_CLS_TCP;
  if (tcp)
    s->cat[TAX_CAT_SYN].n_dst += p->n_syn > 0;
  else
    s->cat[TAX_CAT_UDP].n_dst++;
  s->cat[tcp ? TAX_CAT_BS_TCP : TAX_CAT_BS_UDP].n_dst += p->n_bs > 0;
  guint32 n_dport = p->n_distinct;
  if (n_dport < (guint64) cfg->n2 || (tcp && !taxonomy_ratio_ok (cfg, p)))
    return;
  gboolean heavy = taxonomy_heavy (cfg, p->n_pkt, n_dport);
  TaxPattern pat = tcp ? (heavy ? TAX_PS_TCP_HEAVY : TAX_PS_TCP_LIGHT)
                       : (heavy ? TAX_PS_UDP_HEAVY : TAX_PS_UDP_LIGHT);
  taxonomy_event_from_agg (c, s, pat, tcp ? 6 : 17, p, p->dst, -1, 1, n_dport);
}

static void
taxonomy_pass_port (TaxClose *c, TaxSource *s, const TaxAgg *q)
{
  const TaxonomyConfig *cfg = c->cfg;
  gboolean tcp = TAX_KEY_CLS (q->b) == TAX_CLS_TCP;
  guint32 port = TAX_KEY_PORT (q->b);
  if (port != TAX_PORT_NULL)
    {
      if (tcp)
        s->cat[TAX_CAT_SYN].n_dport += q->n_syn > 0;
      else
        s->cat[TAX_CAT_UDP].n_dport++;
      s->cat[tcp ? TAX_CAT_BS_TCP : TAX_CAT_BS_UDP].n_dport += q->n_bs > 0;
    }
  guint32 n_dst = q->n_distinct;
  if (n_dst < (guint64) cfg->n1 || (tcp && !taxonomy_ratio_ok (cfg, q)))
    return;
  gboolean heavy = taxonomy_heavy (cfg, q->n_pkt, n_dst);
  TaxPattern pat = tcp ? (heavy ? TAX_NS_TCP_HEAVY : TAX_NS_TCP_LIGHT)
                       : (heavy ? TAX_NS_UDP_HEAVY : TAX_NS_UDP_LIGHT);
  taxonomy_event_from_agg (c, s, pat, tcp ? 6 : 17, q, 0, taxonomy_dport (port), n_dst,
                           port != TAX_PORT_NULL);
}

static gboolean
taxonomy_small (const TaxonomyConfig *cfg, const TaxCat *cat, gboolean check_ports)
{
  return cat->n_pkt > 0 && cat->n_dst < (guint64) cfg->n1 && cat->n_pkt <= (guint64) cfg->n3
         && (!check_ports || cat->n_dport < (guint64) cfg->n2);
}

/* The reference sums these 15 before deciding other_*. */
static gboolean
taxonomy_has_main_label (const TaxSource *s)
{
  for (guint p = TAX_PS_TCP_HEAVY; p <= TAX_SMALL_PING; p++)
    if (s->count[p] && (p <= TAX_ONE_FLOW_UDP || p >= TAX_SMALL_SYN))
      return TRUE;
  return FALSE;
}

static gboolean
taxonomy_any (const TaxSource *s, const TaxPattern *pats, guint n)
{
  for (guint i = 0; i < n; i++)
    if (s->count[pats[i]])
      return TRUE;
  return FALSE;
}

static void
taxonomy_decide_other (TaxClose *c, TaxSource *s)
{
  static const TaxPattern tcp[] = { TAX_PS_TCP_HEAVY, TAX_PS_TCP_LIGHT, TAX_NS_TCP_HEAVY, TAX_NS_TCP_LIGHT,
                                    TAX_ONE_FLOW_TCP, TAX_BS_TCP, TAX_SMALL_SYN };
  static const TaxPattern udp[] = { TAX_PS_UDP_HEAVY, TAX_PS_UDP_LIGHT, TAX_NS_UDP_HEAVY, TAX_NS_UDP_LIGHT,
                                    TAX_ONE_FLOW_UDP, TAX_BS_UDP, TAX_SMALL_UDP };
  static const TaxPattern icmp[] = { TAX_NS_ICMP_HEAVY, TAX_NS_ICMP_LIGHT, TAX_BS_ICMP, TAX_SMALL_PING };
  const TaxCat *all_tcp = &s->cat[TAX_CAT_ALL_TCP], *all_udp = &s->cat[TAX_CAT_ALL_UDP];
  const TaxCat *all_icmp = &s->cat[TAX_CAT_ALL_ICMP], *all_other = &s->cat[TAX_CAT_ALL_OTHER];
  gboolean ot, ou, oi, oo;
  if (c->cfg->compat == TAXONOMY_COMPAT_REFERENCE)
    {
      gboolean none = !taxonomy_has_main_label (s);
      ot = none && all_tcp->n_pkt;
      ou = none && all_udp->n_pkt;
      oi = none && all_icmp->n_pkt;
      oo = none && !ot && !ou && !oi;
    }
  else
    {
      ot = all_tcp->n_pkt && !taxonomy_any (s, tcp, G_N_ELEMENTS (tcp));
      ou = all_udp->n_pkt && !taxonomy_any (s, udp, G_N_ELEMENTS (udp));
      oi = all_icmp->n_pkt && !taxonomy_any (s, icmp, G_N_ELEMENTS (icmp));
      oo = all_other->n_pkt > 0;
    }
  if (ot)
    taxonomy_event_from_cat (c, s, TAX_OTHER_TCP, 6, all_tcp);
  if (ou)
    taxonomy_event_from_cat (c, s, TAX_OTHER_UDP, 17, all_udp);
  if (oi)
    taxonomy_event_from_cat (c, s, TAX_OTHER_ICMP, 1, all_icmp);
  if (oo)
    taxonomy_event_from_cat (c, s, TAX_OTHER, 0, all_other);
}

static void
taxonomy_decide_source (TaxClose *c, TaxSource *s)
{
  const TaxonomyConfig *cfg = c->cfg;
  const TaxCat *echo = &s->cat[TAX_CAT_ECHO];
  if (echo->n_dst >= (guint64) cfg->n1)
    taxonomy_event_from_cat (c, s, taxonomy_heavy (cfg, echo->n_pkt, echo->n_dst)
                             ? TAX_NS_ICMP_HEAVY : TAX_NS_ICMP_LIGHT, 1, echo);
  guint32 bs_min = cfg->compat == TAXONOMY_COMPAT_REFERENCE ? 2 : 1;
  static const struct { guint cat; TaxPattern pat; guint8 proto; } bs[] = {
    { TAX_CAT_BS_TCP, TAX_BS_TCP, 6 }, { TAX_CAT_BS_UDP, TAX_BS_UDP, 17 }, { TAX_CAT_BS_ICMP, TAX_BS_ICMP, 1 },
  };
  for (guint k = 0; k < G_N_ELEMENTS (bs); k++)
    if (s->cat[bs[k].cat].n_pkt >= bs_min)
      taxonomy_event_from_cat (c, s, bs[k].pat, bs[k].proto, &s->cat[bs[k].cat]);
  if (s->cat[TAX_CAT_FRAG].n_pkt > 0)
    taxonomy_event_from_cat (c, s, TAX_FRAGMENT, 0, &s->cat[TAX_CAT_FRAG]);
  if (taxonomy_small (cfg, &s->cat[TAX_CAT_SYN], TRUE))
    taxonomy_event_from_cat (c, s, TAX_SMALL_SYN, 6, &s->cat[TAX_CAT_SYN]);
  if (taxonomy_small (cfg, &s->cat[TAX_CAT_UDP], TRUE))
    taxonomy_event_from_cat (c, s, TAX_SMALL_UDP, 17, &s->cat[TAX_CAT_UDP]);
  if (taxonomy_small (cfg, echo, FALSE))
    taxonomy_event_from_cat (c, s, TAX_SMALL_PING, 1, echo);
  taxonomy_decide_other (c, s);
}

static int
taxonomy_event_cmp (gconstpointer a, gconstpointer b)
{
  const TaxEvent *x = a, *y = b;
  if (x->src != y->src)
    return x->src < y->src ? -1 : 1;
  if (x->pattern != y->pattern)
    return x->pattern < y->pattern ? -1 : 1;
  if (x->dst != y->dst)
    return x->dst < y->dst ? -1 : 1;
  return (x->dport > y->dport) - (x->dport < y->dport);
}

static int
taxonomy_source_cmp (gconstpointer a, gconstpointer b)
{
  guint32 x = ((const TaxSource *) a)->src, y = ((const TaxSource *) b)->src;
  return (x > y) - (x < y);
}

#define TAXONOMY_CLOSE_PREFETCH 16

/* Source by source: its triples (read out of order, so prefetched ahead),
 * then its pairs and ports, from tables holding only this source's keys
 * (sized to its run, so they stay in cache), then its own patterns. */
static void
taxonomy_pass_sources (TaxClose *c, const TaxTable *triples)
{
  const TaxAgg *e = triples->entries;
  const gsize n = triples->n, D = TAXONOMY_CLOSE_PREFETCH;
  const guint32 *order = taxonomy_order_by_source (c, triples);
  const guint32 *end = c->k->start;
  for (gsize k = 0; k < MIN (n, D); k++)
    __builtin_prefetch (&e[order[k]], 0, 1);
  gsize k = 0;
  for (guint j = 0; j < c->sources->len; j++)
    {
      TaxSource *s = &g_array_index (c->sources, TaxSource, j);
      taxonomy_table_reset_for (c->pairs, end[j] - k);
      taxonomy_table_reset_for (c->ports, end[j] - k);
      c->last_port = 0;
      for (; k < end[j]; k++)
        {
          if (k + D < n)
            __builtin_prefetch (&e[order[k + D]], 0, 1);
          taxonomy_pass_triple (c, s, &e[order[k]]);
        }
      for (gsize i = 0; i < c->pairs->n; i++)
        taxonomy_pair_decide (c, s, &c->pairs->entries[i]);
      for (gsize i = 0; i < c->ports->n; i++)
        taxonomy_pass_port (c, s, &c->ports->entries[i]);
      taxonomy_decide_source (c, s);
    }
}

void
taxonomy_close_run (TaxClose *c, const TaxTable *triples)
{
  taxonomy_pass_sources (c, triples);
  /* sorted output: stable across runs and easy to read */
  g_array_sort (c->sources, taxonomy_source_cmp);
  g_array_sort (c->events, taxonomy_event_cmp);
}
