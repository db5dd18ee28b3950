/* taxonomy-close.c — what a window derives when it closes.
 *
 * A partition of the window (taxonomy-parts.c) is made into its distinct
 * (src, dst, class|port) triples, the base table.  Sorted by source
 * address, the triples of one source at a time yield its (src, dst,
 * class) pairs (distinct ports = triples per pair) and its (src,
 * class|port) keys (distinct destinations = triples per key) in small
 * tables that stay in cache; those decide the scans and complete the
 * source's categories, which decide its per-source patterns.  Each source's
 * row and events are appended to the output tables as soon as it is
 * decided.  Every table is keyed by integers. */
#include "config.h"

#include <string.h>

#include "taxonomy.h"

void
taxonomy_scratch_init (TaxScratch *k)
{
  memset (k, 0, sizeof *k);
  k->events = g_array_new (FALSE, FALSE, sizeof (TaxEvent));
  taxonomy_table_init (&k->srcs, 64);
  k->text = g_string_new (NULL);
}

void
taxonomy_scratch_clear (TaxScratch *k)
{
  g_clear_pointer (&k->events, g_array_unref);
  taxonomy_table_clear (&k->srcs);
  g_clear_pointer (&k->src_keys, g_free);
  taxonomy_big_free (k->keys, k->keys_cap * sizeof (guint64));
  taxonomy_big_free (k->keys_tmp, k->keys_cap * sizeof (guint64));
  k->keys = k->keys_tmp = NULL;
  g_clear_pointer (&k->pair_of, g_free);
  g_clear_pointer (&k->port_of, g_free);
  g_clear_pointer (&k->b_of, g_free);
  g_clear_pointer (&k->dst_of, g_free);
  g_clear_pointer (&k->pair_ev, g_free);
  g_clear_pointer (&k->pairs, g_free);
  g_clear_pointer (&k->pair_scan, g_free);
  g_clear_pointer (&k->ports, g_free);
  g_clear_pointer (&k->pair_index.slots, g_free);
  g_clear_pointer (&k->port_index.slots, g_free);
  g_clear_pointer (&k->port_ev, g_free);
  g_clear_pointer (&k->vals, g_free);
  g_clear_pointer (&k->start, g_free);
  if (k->text)
    g_string_free (g_steal_pointer (&k->text), TRUE);
}

/* Room in @x for @n keys. */
static void
taxonomy_index_reserve (TaxIndex *x, gsize n)
{
  gsize slots = 16;
  while (slots < 2 * n)
    slots <<= 1;
  if (slots > x->cap)
    {
      x->slots = g_renew (guint32, x->slots, slots);
      x->cap = slots;
    }
}

/* Empties @x for at most @n keys (reserved). */
static void
taxonomy_index_reset (TaxIndex *x, gsize n)
{
  guint bits = 4;
  while (((gsize) 1 << bits) < 2 * n)
    bits++;
  x->mask = ((gsize) 1 << bits) - 1;
  x->shift = 32 - bits;
  memset (x->slots, 0, (x->mask + 1) * sizeof (guint32));
}

/* Room for the per-triple and per-entry arrays of a source of @n triples. */
static void
taxonomy_scratch_reserve_source (TaxScratch *k, gsize n)
{
  if (n <= k->of_cap)
    return;
  gsize cap = MAX (n, k->of_cap * 2);
  k->pair_of = g_renew (guint32, k->pair_of, cap);
  k->port_of = g_renew (guint32, k->port_of, cap);
  k->b_of = g_renew (guint32, k->b_of, cap);
  k->dst_of = g_renew (guint32, k->dst_of, cap);
  k->pair_ev = g_renew (guint32, k->pair_ev, cap);
  k->pairs = g_renew (TaxPair, k->pairs, cap);
  k->pair_scan = g_renew (guint32, k->pair_scan, cap);
  k->ports = g_renew (TaxAgg, k->ports, cap);
  taxonomy_index_reserve (&k->pair_index, cap);
  taxonomy_index_reserve (&k->port_index, cap);
  k->port_ev = g_renew (guint32, k->port_ev, cap);
  k->of_cap = cap;
}

void
taxonomy_close_init (TaxClose *c, const TaxonomyConfig *cfg, gint64 window_start_ns,
                     DpStage *stage, DpNameMap *names,
                     TaxScratch *scratch)
{
  memset (c, 0, sizeof *c);
  c->cfg = cfg;
  c->win = window_start_ns;
  c->stage = stage;
  c->names = names;
  c->k = scratch;
}

/* (the categories' times start at the far ends: taxonomy_source_start()) */
G_ALWAYS_INLINE static inline void
taxonomy_cat_add (TaxCat *cat, const TaxAgg *e, guint32 n, gboolean probes)
{
  cat->first = MIN (cat->first, e->first);
  cat->last = MAX (cat->last, e->last);
  cat->n_pkt += n;
  if (probes)
    for (guint k = 0; k < TAX_N_FP; k++)
      cat->fp[k] += e->fp[k];
}

/* @s emptied for source @src: no packet yet in any category. */
static void
taxonomy_source_start (TaxSource *s, guint32 src)
{
  memset (s, 0, sizeof *s);
  s->src = src;
  for (guint k = 0; k < TAX_N_CATS; k++)
    {
      s->cat[k].first = G_MAXINT64;
      s->cat[k].last = G_MININT64;
    }
}

/* @dst < 0 and @dport < 0: not part of the key, nor @proto 0 */
static void
taxonomy_event_push (TaxClose *c, TaxSource *s, TaxPattern pattern, guint8 proto, gint64 dst,
                     gint32 dport, guint32 n_dst, guint32 n_dport, guint32 n_pkt,
                     const guint32 *fp, gint64 first, gint64 last)
{
  /* an IPv6 source's ICMP is ICMPv6 */
  if (proto == 1 && dp_name_map_lookup_ip6 (c->names, s->src, NULL))
    proto = 58;
  TaxEvent ev = {
    .src = s->src, .dst = dst < 0 ? 0 : (guint32) dst, .dport = dport, .pattern = pattern, .proto = proto,
    .key = (dst >= 0 ? TAX_EV_DST : 0) | (proto != 0 ? TAX_EV_PROTO : 0),
    .n_pkt = n_pkt, .n_dst = n_dst, .n_dport = n_dport, .first = first, .last = last,
  };
  memcpy (ev.fp, fp, sizeof ev.fp);
  g_array_append_val (c->k->events, ev);
  s->count[pattern]++;
}

static void
taxonomy_event_from_agg (TaxClose *c, TaxSource *s, TaxPattern pattern, guint8 proto, const TaxAgg *e,
                         gint64 dst, gint32 dport, guint32 n_dst, guint32 n_dport)
{
  taxonomy_event_push (c, s, pattern, proto, dst, dport, n_dst, n_dport, e->n_pkt, e->fp, e->first, e->last);
}

static void
taxonomy_event_from_cat (TaxClose *c, TaxSource *s, TaxPattern pattern, guint8 proto, const TaxCat *cat)
{
  taxonomy_event_push (c, s, pattern, proto, -1, -1, cat->n_dst, cat->n_dport, cat->n_pkt, cat->fp,
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
taxonomy_ratio_ok (const TaxonomyConfig *cfg, guint32 n_scan, guint32 n_pkt)
{
  if (cfg->compat == TAXONOMY_COMPAT_REFERENCE)
    return n_scan > 0 && (double) n_pkt / (double) n_scan >= cfg->r;
  return n_pkt > 0 && (double) n_scan / (double) n_pkt >= cfg->r;
}

static gboolean
taxonomy_heavy (const TaxonomyConfig *cfg, guint32 n_pkt, guint32 n_targets)
{
  return (double) n_pkt / (double) n_targets > cfg->m;
}

#define TAXONOMY_RADIX_BITS 8
#define TAX_SRC_CACHE 64

/* Sorts @a[0..n) (src << 32 | anything) by source, stably, with @b as
 * room: a few by insertion, more by an LSD radix sort (8-bit digits) over
 * the bits where the sources differ only.  Returns @a or @b, whichever
 * holds the result. */
static guint64 *
taxonomy_radix_by_source (guint64 *a, guint64 *b, gsize n)
{
  const gsize R = 1u << TAXONOMY_RADIX_BITS;
  guint32 all = ~0u, any = 0;
  for (gsize i = 0; i < n; i++)
    {
      all &= (guint32) (a[i] >> 32);
      any |= (guint32) (a[i] >> 32);
    }
  guint32 differ = all ^ any;
  if (n < 2 || differ == 0)
    return a;
  if (n <= 32)
    {
      /* a few: by insertion (stable) */
      for (gsize i = 1; i < n; i++)
        {
          guint64 x = a[i];
          gsize j = i;
          for (; j > 0 && (a[j - 1] >> 32) > (x >> 32); j--)
            a[j] = a[j - 1];
          a[j] = x;
        }
      return a;
    }
  guint lo = (guint) __builtin_ctz (differ), hi = 32 - (guint) __builtin_clz (differ);
  guint32 pos[4][1u << TAXONOMY_RADIX_BITS];
  guint n_digits = (hi - lo + TAXONOMY_RADIX_BITS - 1) / TAXONOMY_RADIX_BITS;
  memset (pos, 0, n_digits * sizeof pos[0]);
  for (gsize i = 0; i < n; i++)
    for (guint d = 0; d < n_digits; d++)
      pos[d][(a[i] >> (32 + lo + d * TAXONOMY_RADIX_BITS)) & (R - 1)]++;
  for (guint d = 0; d < n_digits; d++)
    {
      guint32 sum = 0;
      for (gsize v = 0; v < R; v++)
        {
          guint32 count = pos[d][v];
          pos[d][v] = sum;
          sum += count;
        }
      guint shift = 32 + lo + d * TAXONOMY_RADIX_BITS;
      for (gsize i = 0; i < n; i++)
        b[pos[d][(a[i] >> shift) & (R - 1)]++] = a[i];
      guint64 *t = a;
      a = b;
      b = t;
    }
  return a;
}

/* The triples as src << 32 | entry number, sorted by source, stable, so
 * each source's triples keep their packet order.  A partition holds few
 * sources, in runs: they are counted in a small table, sorted, and the
 * triples placed after them (a counting sort by source). */
static const guint64 *
taxonomy_sort_by_source (TaxScratch *k, const TaxTable *triples)
{
  const gsize n = triples->n;
  if (n == 0)
    return k->keys;
  if (n > k->keys_cap)
    {
      taxonomy_big_free (k->keys, k->keys_cap * sizeof (guint64));
      taxonomy_big_free (k->keys_tmp, k->keys_cap * sizeof (guint64));
      k->keys_cap = MAX (n, k->keys_cap + k->keys_cap / 2);
      k->keys = taxonomy_big_alloc (k->keys_cap * sizeof (guint64));
      k->keys_tmp = taxonomy_big_alloc (k->keys_cap * sizeof (guint64));
    }
  const TaxAgg *e = triples->entries;
  guint64 *key = k->keys;
  guint32 *src_of = (guint32 *) k->keys_tmp;   /* per triple: its source's entry in k->srcs */
  TaxTable *srcs = &k->srcs;
  taxonomy_table_reset_for (srcs, n);
  /* a source's entry is looked up in the table once, then found in a
   * small direct-mapped cache of them (sources come interleaved) */
  guint32 cache_src[TAX_SRC_CACHE], cache_at[TAX_SRC_CACHE];
  memset (cache_at, 0, sizeof cache_at);
  for (gsize i = 0; i < n; i++)
    {
      guint32 src = e[i].src, c = (src ^ src >> 7) & (TAX_SRC_CACHE - 1);
      if (cache_at[c] == 0 || cache_src[c] != src)
        {
          TaxAgg *d = taxonomy_table_upsert (srcs, src, 0, 0, taxonomy_hash (src, 0, 0));
          cache_src[c] = src;
          cache_at[c] = (guint32) (d - srcs->entries) + 1;
        }
      srcs->entries[cache_at[c] - 1].n_pkt++;   /* here: triples */
      src_of[i] = cache_at[c] - 1;
    }
  const gsize m = srcs->n;
  if (m == 1)
    {
      for (gsize i = 0; i < n; i++)
        key[i] = (guint64) e[i].src << 32 | i;
      return key;
    }
  /* the sources in address order: where each one's triples start */
  if (m > k->src_cap)
    {
      k->src_cap = MAX (m, k->src_cap * 2);
      k->src_keys = g_renew (guint64, k->src_keys, 2 * k->src_cap);
    }
  for (gsize j = 0; j < m; j++)
    k->src_keys[j] = (guint64) srcs->entries[j].src << 32 | j;
  const guint64 *order = taxonomy_radix_by_source (k->src_keys, k->src_keys + k->src_cap, m);
  guint32 at = 0;
  for (gsize r = 0; r < m; r++)
    {
      TaxAgg *s = &srcs->entries[(guint32) order[r]];
      guint32 count = s->n_pkt;
      s->dst = at;   /* here: the next place of its triples */
      at += count;
    }
  for (gsize i = 0; i < n; i++)
    key[srcs->entries[src_of[i]].dst++] = (guint64) e[i].src << 32 | i;
  return key;
}

/* Adds triple @e to its (src, class|port) key.  A source's triples come in
 * packet order, and a scanner sweeps one port over many addresses: the key
 * of the previous triple is the likely one. */
static guint32
taxonomy_port_merge (TaxClose *c, const TaxAgg *e)
{
  TaxScratch *k = c->k;
  if (!c->last_port || e->b != c->last_port_b)
    {
      guint32 b = e->b;
      gsize i = (guint32) (b * 0x9e3779b1u) >> k->port_index.shift;
      guint32 s;
      for (;; i = (i + 1) & k->port_index.mask)
        {
          s = k->port_index.slots[i];
          if (s == 0)
            {
              k->ports[k->n_ports] = (TaxAgg) { .src = e->src, .b = b };
              s = k->port_index.slots[i] = ++k->n_ports;
              break;
            }
          if (k->ports[s - 1].b == b)
            break;
        }
      c->last_port_b = b;
      c->last_port = s;
    }
  TaxAgg *d = &k->ports[c->last_port - 1];
  taxonomy_agg_merge (d, e);
  d->n_distinct++;
  return (guint32) c->last_port - 1;
}

/* Adds triple @e to its (src, dst, class) pair; returns the pair's entry number. */
static inline guint32
taxonomy_pair_add (TaxScratch *k, const TaxAgg *e, guint cls, guint32 distinct)
{
  guint32 dst = e->dst;
  gsize i = (guint32) ((dst ^ cls << 30) * 0x9e3779b1u) >> k->pair_index.shift;
  for (;;)
    {
      guint32 s = k->pair_index.slots[i];
      if (s == 0)
        {
          TaxPair *p = &k->pairs[k->n_pairs];
          *p = (TaxPair) { .dst = dst, .cls = cls };
          k->pair_index.slots[i] = ++k->n_pairs;
          s = k->n_pairs;
        }
      TaxPair *p = &k->pairs[s - 1];
      if (p->dst == dst && p->cls == cls)
        {
          p->n_distinct += distinct;
          p->n_pkt += e->n_pkt;
          p->n_scan += e->n_scan;
          p->flags |= (e->n_syn ? TAX_PAIR_SYN : 0) | (e->n_bs ? TAX_PAIR_BS : 0);
          return s - 1;
        }
      i = (i + 1) & k->pair_index.mask;
    }
}

/* @j: the triple's number in the source (its pair and port are noted there). */
static void
taxonomy_pass_triple_l4 (TaxClose *c, TaxSource *s, const TaxAgg *e, guint cls, guint32 port, gsize j)
{
  const TaxonomyConfig *cfg = c->cfg;
  gboolean tcp = cls == TAX_CLS_TCP;
  taxonomy_cat_add (&s->cat[tcp ? TAX_CAT_ALL_TCP : TAX_CAT_ALL_UDP], e, e->n_pkt, FALSE);
  c->k->pair_of[j] = taxonomy_pair_add (c->k, e, cls, port != TAX_PORT_NULL);
  c->k->port_of[j] = taxonomy_port_merge (c, e);
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
taxonomy_pass_triple (TaxClose *c, TaxSource *s, const TaxAgg *e, gsize j)
{
  guint cls = TAX_KEY_CLS (e->b);
  guint32 port = TAX_KEY_PORT (e->b);
  c->k->b_of[j] = e->b;
  c->k->dst_of[j] = e->dst;
  s->n_pkt += e->n_pkt;
  for (guint k = 0; k < TAX_N_FP; k++)
    s->fp[k] += e->fp[k];
  if (e->n_frag)
    taxonomy_cat_add (&s->cat[TAX_CAT_FRAG], e, e->n_frag, FALSE);
  if (cls == TAX_CLS_TCP || cls == TAX_CLS_UDP)
    {
      taxonomy_pass_triple_l4 (c, s, e, cls, port, j);
      return;
    }
  c->k->port_of[j] = TAX_NO_EVENT;
  if (cls == TAX_CLS_ICMP)
    {
      taxonomy_cat_add (&s->cat[TAX_CAT_ALL_ICMP], e, e->n_pkt, FALSE);
      c->k->pair_of[j] = taxonomy_pair_add (c->k, e, cls, FALSE);
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
      c->k->pair_of[j] = TAX_NO_EVENT;
      guint cat = port == 6 ? TAX_CAT_ALL_TCP : port == 17 ? TAX_CAT_ALL_UDP
                  : port == 1 ? TAX_CAT_ALL_ICMP : TAX_CAT_ALL_OTHER;
      taxonomy_cat_add (&s->cat[cat], e, e->n_pkt, FALSE);
    }
}

/* Pair entry @i: a port scan?  Its event number is noted for the lists
 * and for its times and fingerprints (taxonomy_pair_events()); returns
 * whether it is one. */
static gboolean
taxonomy_pair_decide (TaxClose *c, TaxSource *s, gsize i)
{
  const TaxonomyConfig *cfg = c->cfg;
  const TaxPair *p = &c->k->pairs[i];
  c->k->pair_ev[i] = c->k->pair_scan[i] = TAX_NO_EVENT;
  guint cls = p->cls;
  if (cls == TAX_CLS_ICMP)
    {
      s->cat[TAX_CAT_BS_ICMP].n_dst += (p->flags & TAX_PAIR_BS) != 0;
      return FALSE;
    }
  gboolean tcp = cls == TAX_CLS_TCP;
  if (tcp)
    s->cat[TAX_CAT_SYN].n_dst += (p->flags & TAX_PAIR_SYN) != 0;
  else
    s->cat[TAX_CAT_UDP].n_dst++;
  s->cat[tcp ? TAX_CAT_BS_TCP : TAX_CAT_BS_UDP].n_dst += (p->flags & TAX_PAIR_BS) != 0;
  guint32 n_dport = p->n_distinct;
  if (n_dport < (guint64) cfg->n2 || (tcp && !taxonomy_ratio_ok (cfg, p->n_scan, p->n_pkt)))
    return FALSE;
  gboolean heavy = taxonomy_heavy (cfg, p->n_pkt, n_dport);
  TaxPattern pat = tcp ? (heavy ? TAX_PS_TCP_HEAVY : TAX_PS_TCP_LIGHT)
                       : (heavy ? TAX_PS_UDP_HEAVY : TAX_PS_UDP_LIGHT);
  c->k->pair_scan[i] = c->k->events->len;
  if (cfg->event_ports > 0)
    c->k->pair_ev[i] = c->k->events->len;
  static const guint32 no_fp[TAX_N_FP];
  /* the times: from the triples, as the fingerprints */
  taxonomy_event_push (c, s, pat, tcp ? 6 : 17, p->dst, -1, 1, n_dport, p->n_pkt, no_fp, G_MAXINT64, G_MININT64);
  return TRUE;
}

/* The times and fingerprints of the port-scan events of the source's
 * pairs: summed over its triples (@key[from..to) into @e). */
static void
taxonomy_pair_events (TaxClose *c, const TaxAgg *e, const guint64 *key, gsize from, gsize to)
{
  TaxScratch *k = c->k;
  for (gsize j = from; j < to; j++)
    {
      guint32 i = k->pair_of[j - from];
      if (i == TAX_NO_EVENT || k->pair_scan[i] == TAX_NO_EVENT)
        continue;
      const TaxAgg *t = &e[(guint32) key[j]];
      TaxEvent *ev = &g_array_index (k->events, TaxEvent, k->pair_scan[i]);
      ev->first = MIN (ev->first, t->first);
      ev->last = MAX (ev->last, t->last);
      for (guint f = 0; f < TAX_N_FP; f++)
        ev->fp[f] += t->fp[f];
    }
}

/* Port entry @i: a net scan?  Its event number is noted for the lists. */
static void
taxonomy_pass_port (TaxClose *c, TaxSource *s, gsize i)
{
  const TaxonomyConfig *cfg = c->cfg;
  const TaxAgg *q = &c->k->ports[i];
  c->k->port_ev[i] = TAX_NO_EVENT;
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
  if (n_dst < (guint64) cfg->n1 || (tcp && !taxonomy_ratio_ok (cfg, q->n_scan, q->n_pkt)))
    return;
  gboolean heavy = taxonomy_heavy (cfg, q->n_pkt, n_dst);
  TaxPattern pat = tcp ? (heavy ? TAX_NS_TCP_HEAVY : TAX_NS_TCP_LIGHT)
                       : (heavy ? TAX_NS_UDP_HEAVY : TAX_NS_UDP_LIGHT);
  if (cfg->event_dsts > 0)
    c->k->port_ev[i] = c->k->events->len;
  taxonomy_event_from_agg (c, s, pat, tcp ? 6 : 17, q, -1, taxonomy_dport (port), n_dst,
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
  c->k->echo_ev = TAX_NO_EVENT;
  if (echo->n_dst >= (guint64) cfg->n1 && cfg->event_dsts > 0)
    c->k->echo_ev = c->k->events->len;
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

#define TAXONOMY_CLOSE_PREFETCH 16

/* Pushes @batch and keeps what the consumers said. */
static void
taxonomy_push (TaxClose *c, guint port, gpointer batch)
{
  DpFlow f = dp_stage_push (c->stage, port, batch);
  if (f == DP_FLOW_STOP)
    c->stopped |= 1u << port;
  else if (f < 0 && c->fatal == DP_FLOW_OK)
    c->fatal = f;
}

/* The rows a table of the window will likely get: as many as the last
 * window had and a quarter more, less the @done ones of this window's,
 * up to a chunk. */
static guint
taxonomy_expected_rows (guint64 last_window, guint64 done)
{
  guint64 want = last_window + last_window / 4;
  return (guint) MIN (want > done ? want - done : 0, (guint64) TAX_CHUNK_ROWS);
}

/* Pushes the table of @o to output @port and, unless @last, starts the
 * next chunk; at the window's end an empty table goes out only when the
 * window pushed nothing else, so consumers always see its columns. */
static void
taxonomy_out_push (TaxClose *c, TaxOut *o, guint port, gboolean last)
{
  if (o->t->n_rows > 0 || !o->pushed)
    {
      taxonomy_push (c, port, o->t);
      o->pushed = TRUE;
    }
  else
    dp_batch_unref (o->t);
  o->t = NULL;
  if (last)
    return;
  if (port == 0)
    taxonomy_out_sources (o, c->names, taxonomy_expected_rows (c->k->last_sources, c->n_sources));
  else
    taxonomy_out_events (o, c->names, taxonomy_expected_rows (c->k->last_events, c->n_events));
}

/* The source's events, sorted, into the events table; the source's row;
 * the summary's counts. */
static void
taxonomy_source_done (TaxClose *c, const TaxSource *s)
{
  GArray *ev = c->k->events;
  g_array_sort (ev, taxonomy_event_cmp);
  for (guint i = 0; i < ev->len; i++)
    {
      const TaxEvent *e = &g_array_index (ev, TaxEvent, i);
      taxonomy_out_add_event (&c->events, c->win, e);
      c->pat_keys[e->pattern]++;
      c->pat_pkt[e->pattern] += e->n_pkt;
    }
  c->n_events += ev->len;
  g_array_set_size (ev, 0);
  taxonomy_out_add_source (&c->sources, c->cfg, c->win, s);
  c->n_sources++;
  c->n_pkt += s->n_pkt;
  for (guint p = 0; p < TAX_N_PATTERNS; p++)
    c->pat_sources[p] += s->count[p] > 0;
  if (c->sources.t->n_rows >= TAX_CHUNK_ROWS)
    taxonomy_out_push (c, &c->sources, 0, FALSE);
  if (c->events.t->n_rows >= TAX_CHUNK_ROWS)
    taxonomy_out_push (c, &c->events, 1, FALSE);
}

/* One source: its triples (read out of order, so prefetched ahead, across
 * sources), then its pairs and ports, from tables holding only this
 * source's keys (sized to its run, so they stay in cache), then its own
 * patterns. */
static void
taxonomy_pass_source (TaxClose *c, TaxSource *s, const TaxTable *triples, const guint64 *key,
                      gsize from, gsize to)
{
  const TaxAgg *e = triples->entries;
  const gsize n = triples->n, D = TAXONOMY_CLOSE_PREFETCH;
  taxonomy_scratch_reserve_source (c->k, to - from);
  taxonomy_index_reset (&c->k->pair_index, to - from);
  taxonomy_index_reset (&c->k->port_index, to - from);
  c->k->n_pairs = c->k->n_ports = 0;
  c->last_port = 0;
  guint32 walk[TAX_CYCLIC_MAX];
  guint n_walk = 0;
  for (gsize k = from; k < to; k++)
    {
      if (k + D < n)
        __builtin_prefetch (&e[(guint32) key[k + D]], 0, 1);
      const TaxAgg *t = &e[(guint32) key[k]];
      taxonomy_pass_triple (c, s, t, k - from);
      /* the first SYN destinations, in packet order (one per destination
       * when the source probes several ports of each) */
      if (n_walk < TAX_CYCLIC_MAX && t->n_syn && t->dst < DP_NAME_BASE && TAX_KEY_CLS (t->b) == TAX_CLS_TCP
          && (n_walk == 0 || walk[n_walk - 1] != t->dst))
        walk[n_walk++] = t->dst;
    }
  /* a source that walks ZMap's permutation: its SYN probes are ZMap 4.1's
   * (the versions whose IP id no longer tells) unless they carry the
   * older fingerprint */
  /* (not for a source whose SYNs another fingerprint explains already:
   * Mirai's and masscan's are exact, and they are most of a telescope's
   * SYN senders; the test costs a few microseconds a source) */
  const TaxCat *syn_cat = &s->cat[TAX_CAT_SYN];
  gboolean explained = syn_cat->fp[TAX_FP_MIRAI] + syn_cat->fp[TAX_FP_MASSCAN] + syn_cat->fp[TAX_FP_ZMAP41]
                       >= syn_cat->n_pkt;
  if (n_walk >= TAX_CYCLIC_MIN + 1 && s->fp[TAX_FP_ZMAP] == 0 && !explained && taxonomy_cyclic (walk, n_walk))
    {
      TaxCat *syn = &s->cat[TAX_CAT_SYN];
      s->fp[TAX_FP_ZMAP41] += syn->n_pkt - syn->fp[TAX_FP_ZMAP41];
      syn->fp[TAX_FP_ZMAP41] = syn->n_pkt;
    }
  gboolean scans = FALSE;
  for (gsize i = 0; i < c->k->n_pairs; i++)
    scans |= taxonomy_pair_decide (c, s, i);
  if (scans)
    taxonomy_pair_events (c, e, key, from, to);
  for (gsize i = 0; i < c->k->n_ports; i++)
    taxonomy_pass_port (c, s, i);
  taxonomy_decide_source (c, s);
  if (c->cfg->event_ports > 0 || c->cfg->event_dsts > 0)
    taxonomy_event_lists (c, to - from);
}

void
taxonomy_close_begin (TaxClose *c)
{
  taxonomy_out_sources (&c->sources, c->names, taxonomy_expected_rows (c->k->last_sources, 0));
  taxonomy_out_events (&c->events, c->names, taxonomy_expected_rows (c->k->last_events, 0));
}

void
taxonomy_close_part (TaxClose *c, const TaxTable *triples)
{
  const gsize n = triples->n;
  const guint64 *key = taxonomy_sort_by_source (c->k, triples);
  for (gsize k = 0; k < MIN (n, TAXONOMY_CLOSE_PREFETCH); k++)
    __builtin_prefetch (&triples->entries[(guint32) key[k]], 0, 1);
  /* sources in address order, each with its events: the rows come out
   * sorted (stable across runs, easy to read) without sorting them */
  for (gsize from = 0, to; from < n; from = to)
    {
      guint32 src = (guint32) (key[from] >> 32);
      for (to = from + 1; to < n && (guint32) (key[to] >> 32) == src; to++)
        ;
      taxonomy_source_start (&c->s, src);
      taxonomy_pass_source (c, &c->s, triples, key, from, to);
      taxonomy_source_done (c, &c->s);
    }
}

void
taxonomy_close_end (TaxClose *c)
{
  c->k->last_sources = c->n_sources;
  c->k->last_events = c->n_events;
  taxonomy_out_push (c, &c->sources, 0, TRUE);
  taxonomy_out_push (c, &c->events, 1, TRUE);
  taxonomy_push (c, 2, taxonomy_emit_summary (c));
}

void
taxonomy_close_run (TaxClose *c, const TaxTable *triples)
{
  taxonomy_close_begin (c);
  taxonomy_close_part (c, triples);
  taxonomy_close_end (c);
}
