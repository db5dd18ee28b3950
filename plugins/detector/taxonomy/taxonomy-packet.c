/* taxonomy-packet.c — the taxonomy's per-packet work: each packet is
 * classified once (class|port key, attribute bits) and appended to its
 * source's partition of its window (taxonomy-parts.c). */
#include "config.h"

#include <string.h>

#include "taxonomy.h"

/* ------------------------------------------------------------------ */
/* flags */

static gboolean
taxonomy_flag_in (guint f, const guint8 *set, guint n)
{
  for (guint i = 0; i < n; i++)
    if (f == set[i])
      return TRUE;
  return FALSE;
}

/* Paper mode compares the masked byte (default: the six classic bits, so a
 * SYN with ECE/CWR is a SYN); reference mode compares the whole byte as the
 * notebook's string match does, and never sees a NULL scan (its '' entry
 * cannot equal a printed flag field). */
void
taxonomy_build_flag_attr (Taxonomy *self)
{
  static const guint8 scan[] = { 0x02, 0x01, 0x11, 0x00 };
  static const guint8 bs[] = { 0x12, 0x10, 0x04, 0x14 };
  gboolean ref = self->cfg.compat == TAXONOMY_COMPAT_REFERENCE;
  guint mask = ref ? 0xff : (guint) self->cfg.flag_mask;
  for (guint f = 0; f < 256; f++)
    {
      guint g = f & mask;
      guint8 a = 0;
      if (taxonomy_flag_in (g, scan, ref ? 3 : 4))
        a |= TAX_A_SCAN;
      if (g == 0x02)
        a |= TAX_A_SYN;
      if (taxonomy_flag_in (g, bs, G_N_ELEMENTS (bs)))
        a |= TAX_A_BS;
      self->flag_attr[f] = a;
    }
}

/* ------------------------------------------------------------------ */
/* per packet */

static void
taxonomy_scratch_reserve (Taxonomy *self, guint n)
{
  if (n <= self->scratch_rows)
    return;
  if (self->cfg.ipv6_prefix < 128 || self->cfg.state_path)
    self->src6 = g_renew (guint32, self->src6, n);
  if (self->cfg.state_path)
    self->dst6 = g_renew (guint32, self->dst6, n);
  self->scratch_rows = n;
}

static inline gboolean
taxonomy_bs_udp_port (guint16 sport)
{
  return sport == 53 || sport == 123 || sport == 137 || sport == 161;
}

static inline gboolean
taxonomy_bs_icmp (guint type, guint code)
{
  return (type == 0 && code == 0) || type == 3 || (type == 11 && code == 0);
}

/* The ICMPv6 counterparts (RFC 4443): echo reply, destination unreachable,
 * packet too big (IPv4's "fragmentation needed" is a type 3 code) and hop
 * limit exceeded in transit. */
static inline gboolean
taxonomy_bs_icmp6 (guint type, guint code)
{
  return (type == 129 && code == 0) || type == 1 || type == 2 || (type == 3 && code == 0);
}

/* ZMap 4.1 and later, by what its TCP SYN probes keep (docs/taxonomy.md):
 * no DF (ZMap's IP header leaves the flags 0; the BSD and macOS stacks
 * whose SYNs look alike set it); window 65535; the option set of one of its OS styles, 4 (MSS only,
 * smallest-probes), 12 (windows, the default since 4.1.1), 20 (linux, the
 * 4.1.0 default) or 24 bytes (bsd); TTL 64 (4.1.1 on) or 255 (4.1.0) less
 * the hops, so not in 65-128, where Windows stacks (TTL 128) are. */
static inline gboolean
taxonomy_zmap41 (guint16 frag, guint16 win, guint8 optlen, guint8 ttl)
{
  return !(frag & DP_FRAG_DF) && win == 65535 && (optlen == 4 || optlen == 12 || optlen == 20 || optlen == 24)
         && (ttl <= 64 || ttl > 128);
}

/* Class|port key and attribute bits of row @i. */
static inline guint32
taxonomy_classify (const Taxonomy *self, const DpPackets *p, guint i, guint8 *attr)
{
  guint8 proto = p->proto[i], l4 = p->l4[i];
  guint8 a = DP_FRAG_IS_FRAGMENT (p->frag[i]) ? TAX_A_FRAG : 0;
  guint32 b;
  if (proto == 6 && (l4 & DP_L4_PORTS))
    {
      guint8 fa = (l4 & DP_L4_TCP) ? self->flag_attr[p->tcp_flags[i]] : 0;
      a |= fa;
      /* the fingerprints read IPv4 fields: not for IPv6 or pseudonyms */
      if ((fa & TAX_A_SYN) && p->dst[i] < DP_NAME_BASE)
        {
          guint32 seq = p->tcp_seq[i], dst = p->dst[i];
          guint16 id = p->ip_id[i];
          a |= (seq == dst ? TAX_A_MIRAI : 0) | (id == 54321 ? TAX_A_ZMAP : 0)
               | (id == ((dst ^ p->dport[i] ^ seq) & 0xffffu) ? TAX_A_MASSCAN : 0)
               | (id != 54321 && taxonomy_zmap41 (p->frag[i], p->tcp_win[i], p->tcp_optlen[i], p->ttl[i])
                  ? TAX_A_ZMAP41 : 0);
        }
      b = TAX_KEY_B (TAX_CLS_TCP, p->dport[i]);
    }
  else if (proto == 17 && (l4 & DP_L4_PORTS))
    {
      a |= (taxonomy_bs_udp_port (p->sport[i]) ? TAX_A_BS : 0)
           | (p->ip_id[i] == 54321 && p->dst[i] < DP_NAME_BASE ? TAX_A_ZMAP : 0);
      b = TAX_KEY_B (TAX_CLS_UDP, p->dport[i]);
    }
  else if (proto == 1 && (l4 & DP_L4_ICMP))
    {
      guint t = p->icmp_type[i], c = p->icmp_code[i];
      a |= taxonomy_bs_icmp (t, c) ? TAX_A_BS : 0;
      if (t == 8 && c == 0 && p->ip_id[i] == 54321)
        a |= TAX_A_ZMAP;
      b = TAX_KEY_B (TAX_CLS_ICMP, (t << 8) | c);
    }
  else if (proto == 58 && (l4 & DP_L4_ICMP))
    {
      /* ICMPv6: echo request is the ping of the network-scan and small-ping
       * rules; other types keep their own keys */
      guint t = p->icmp_type[i], c = p->icmp_code[i];
      a |= taxonomy_bs_icmp6 (t, c) ? TAX_A_BS : 0;
      b = TAX_KEY_B (TAX_CLS_ICMP, t == 128 && c == 0 ? TAX_ICMP_ECHO : TAX_ICMP6 | (t << 8) | c);
    }
  else if ((proto == 6 || proto == 17) && self->cfg.compat == TAXONOMY_COMPAT_REFERENCE)
    b = TAX_KEY_B (proto == 6 ? TAX_CLS_TCP : TAX_CLS_UDP, TAX_PORT_NULL);
  else
    b = TAX_KEY_B (TAX_CLS_NONE, proto);
  *attr = a;
  return b;
}

#define TAXONOMY_PREFETCH 8

/* Rows in time order mostly share one window: the loop keeps its bounds,
 * and appends each row to its source's partition of that window. */
static void
taxonomy_aggregate (DpStage *stage, Taxonomy *self, const DpPackets *p, const guint32 *src,
                    const guint32 *dst)
{
  TaxWindow *w = NULL;
  gint64 w_start = 0, w_end = 0;
  for (guint i = 0; i < p->n_rows; i++)
    {
      gint64 ts = p->ts[i];
      if (G_UNLIKELY (!self->any_ts || ts > self->max_ts))
        {
          self->max_ts = ts;
          self->any_ts = TRUE;
          if (ts >= self->next_close_ts)
            {
              taxonomy_advance (stage, self, ts);
              w = NULL;
            }
        }
      if (G_UNLIKELY (w == NULL || ts < w_start || ts >= w_end))
        {
          w = taxonomy_window_get (self, taxonomy_index_of (self, ts));
          if (w == NULL)
            {
              self->n_late++;
              continue;
            }
          w_start = taxonomy_start_of (self, w->index);
          w_end = taxonomy_start_of (self, w->index + 1);
        }
      /* the partitions' headers do not fit the first-level cache */
      if (G_LIKELY (i + TAXONOMY_PREFETCH < p->n_rows))
        __builtin_prefetch (&w->part[taxonomy_part_of (src[i + TAXONOMY_PREFETCH])], 1, 3);
      guint8 a;
      guint32 b = taxonomy_classify (self, p, i, &a);
      guint part = taxonomy_part_of (src[i]);
      TaxPart *pt = &w->part[part];
      guint32 n = pt->n_raw;
      if (G_UNLIKELY ((n & (TAX_CHUNK_RECS - 1)) == 0))
        {
          taxonomy_part_grow (&self->pool, w, part, &self->triples);
          n = pt->n_raw;
        }
      TaxRec *r = &self->pool.recs[((gsize) pt->tail << TAX_CHUNK_BITS) + (n & (TAX_CHUNK_RECS - 1))];
      /* the partition's next record is thousands of packets away: its line
       * is asked for now (written at random, thousands of lines are being
       * filled at once, too many for the hardware to follow) */
      __builtin_prefetch (r + 4, 1, 3);
      r->src = src[i];
      r->dst = dst[i];
      r->b_attr = b | (guint32) a << 24;
      r->ts_lo = (guint32) ts;
      r->ts_hi = (guint32) ((guint64) ts >> 32);
      pt->n_raw = n + 1;
      w->n_pkt++;
    }
}

/* ipv6_prefix: each IPv6 source stands for its prefix, an entry of the
 * batches' name map found once per address. */
static void
taxonomy_prefix_sources (Taxonomy *self, const DpPackets *p)
{
  if (self->prefix_of == NULL)
    self->prefix_of = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < p->n_rows; i++)
    {
      guint32 a = p->src[i];
      self->src6[i] = a;
      if (a < DP_NAME_BASE)
        continue;
      gpointer hit;
      if (g_hash_table_lookup_extended (self->prefix_of, GUINT_TO_POINTER (a), NULL, &hit))
        {
          self->src6[i] = GPOINTER_TO_UINT (hit);
          continue;
        }
      const guint8 *a6 = dp_name_map_lookup_ip6 (p->names, a, NULL);
      guint32 k = a;
      /* a full map keeps the address: counted by the decoder already */
      if (a6 && !dp_name_map_intern_ip6 (p->names, a6, (guint) self->cfg.ipv6_prefix, &k))
        k = a;
      g_hash_table_insert (self->prefix_of, GUINT_TO_POINTER (a), GUINT_TO_POINTER (k));
      self->src6[i] = k;
    }
}

/* The own map's key of batch key @a (of map @from): the same address (an
 * IPv6 source by its prefix) or token; @a itself when the own map is full
 * or @a is no name. */
static guint32
taxonomy_xlat (Taxonomy *self, GHashTable *cache, const DpNameMap *from, guint32 a, guint prefix)
{
  if (a < DP_NAME_BASE)
    return a;
  gpointer hit;
  if (g_hash_table_lookup_extended (cache, GUINT_TO_POINTER (a), NULL, &hit))
    return GPOINTER_TO_UINT (hit);
  guint plen = 128;
  const guint8 *a6 = dp_name_map_lookup_ip6 (from, a, &plen);
  const char *tok = a6 ? NULL : dp_name_map_lookup (from, a);
  guint32 k = a;
  if (a6 && !dp_name_map_intern_ip6 (self->names, a6, MIN (plen, prefix), &k))
    k = a;
  else if (tok)
    k = dp_name_map_intern (self->names, tok);
  g_hash_table_insert (cache, GUINT_TO_POINTER (a), GUINT_TO_POINTER (k));
  return k;
}

/* state_path: every name key of the batch as a key of the own map, rows
 * in order, the source before the destination: the keys come in the order
 * the taxonomy first met the names, run after run. */
static void
taxonomy_xlat_batch (Taxonomy *self, const DpPackets *p)
{
  if (self->xlat_map != p->names)
    {
      /* another map (another source's, or the next run's): other keys */
      g_clear_pointer (&self->xlat_map, dp_name_map_unref);
      self->xlat_map = dp_name_map_ref (p->names);
      g_hash_table_remove_all (self->xlat_src);
      g_hash_table_remove_all (self->xlat_dst);
    }
  for (guint i = 0; i < p->n_rows; i++)
    {
      self->src6[i] = taxonomy_xlat (self, self->xlat_src, p->names, p->src[i], (guint) self->cfg.ipv6_prefix);
      self->dst6[i] = taxonomy_xlat (self, self->xlat_dst, p->names, p->dst[i], 128);
    }
}

DpFlow
taxonomy_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch, GError **error)
{
  Taxonomy *self = state;
  const DpPackets *p = (const DpPackets *) batch;
  if (p->names && !self->names)
    self->names = dp_name_map_ref (p->names);
  taxonomy_scratch_reserve (self, p->n_rows);
  const guint32 *src = p->src, *dst = p->dst;
  if (self->cfg.state_path && p->names)
    {
      taxonomy_xlat_batch (self, p);
      src = self->src6;
      dst = self->dst6;
    }
  else if (self->src6 && p->names)
    {
      taxonomy_prefix_sources (self, p);
      src = self->src6;
    }
  guint64 late_before = self->n_late;
  taxonomy_aggregate (stage, self, p, src, dst);
  if (self->n_late > late_before)
    dp_stage_count (stage, "late-dropped", self->n_late - late_before);
  if (self->fatal != DP_FLOW_OK)
    return self->fatal;
  /* every output's consumers have had enough: so has the taxonomy */
  return self->stopped == (1u << TAX_N_OUTPUTS) - 1 ? DP_FLOW_STOP : DP_FLOW_OK;
}
