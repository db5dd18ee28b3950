/* generate.c — episodes and their packets, one time slice at a time.
 *
 * Episodes start in the slice whose stream (seed, slice, population) draws
 * them and stay in w->active until their last packet is out.  Packet i of an
 * episode lies in [t0 + i dt, t0 + (i+1) dt) and all its fields come from
 * the stream (episode key, i), so the output depends on the seed and the
 * options only, never on how the work is cut. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "synth.h"

#define SYN 0x02u
#define ACK 0x10u
#define RST 0x04u

static guint32
synth_telescope_poisson (SynthRng *r, double lambda)
{
  if (lambda <= 0)
    return 0;
  if (lambda < 30)
    {
      double limit = exp (-lambda), p = synth_unit (r);
      guint32 k = 0;
      while (p > limit)
        {
          p *= synth_unit (r);
          k++;
        }
      return k;
    }
  /* normal approximation, Box-Muller */
  double u1 = MAX (synth_unit (r), 1e-300), u2 = synth_unit (r);
  double z = sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
  double k = round (lambda + sqrt (lambda) * z);
  return k < 0 ? 0 : (guint32) k;
}

static gboolean
synth_telescope_hourly (SynthGen gen)
{
  /* the taxonomy counts per hour: keep these episodes inside one */
  return gen == SYNTH_GEN_BOTNET || gen == SYNTH_GEN_PORTSCAN || gen == SYNTH_GEN_NETSCAN
         || gen == SYNTH_GEN_ONEFLOW;
}

/* Places the episode's n packets over @dur from @t0; FALSE drops it. */
static gboolean
synth_telescope_schedule (const SynthWorld *w, SynthEpisode *ep, SynthRng *r, gint64 t0, gint64 dur)
{
  gint64 limit = w->p.end;
  if (synth_telescope_hourly (ep->gen))
    {
      gint64 hour_end = (t0 / SYNTH_HOUR_US + 1) * SYNTH_HOUR_US;
      if (hour_end - t0 < MIN (dur, 20 * SYNTH_US))
        {
          t0 = hour_end + synth_below (r, 60 * SYNTH_US);
          hour_end += SYNTH_HOUR_US;
        }
      limit = MIN (limit, hour_end);
    }
  dur = MIN (dur, limit - t0);
  if (ep->n == 0 || dur < (gint64) ep->n)
    return FALSE;
  ep->t0 = t0;
  ep->dt = dur / ep->n;
  return TRUE;
}

/* A team of @pct percent of the population: members in arithmetic
 * progression (mod n) from a random one, so no list is stored. */
static void
synth_telescope_team (const SynthPop *pop, SynthEpisode *ep, SynthRng *r, guint pct_lo, guint pct_hi)
{
  guint pct = synth_range (r, pct_lo, pct_hi);
  ep->sender = pop->first;
  ep->team_n = synth_telescope_team_size (pop->n, pct);
  ep->team_off = synth_below (r, pop->n);
  ep->team_stride = synth_telescope_coprime (r, pop->n);
}

static inline guint32
synth_telescope_member (const SynthPop *pop, const SynthEpisode *ep, guint32 j)
{
  return ep->sender + (guint32) ((ep->team_off + (guint64) j * ep->team_stride) % pop->n);
}

static void
synth_telescope_new_round (SynthWorld *w, const SynthPop *pop, SynthEpisode *ep, SynthRng *r)
{
  const SynthPopDef *d = pop->def;
  synth_telescope_team (pop, ep, r, d->team_lo, d->team_hi);
  guint want = MIN (synth_range (r, d->k_lo, d->k_hi), MIN (pop->n_ports, SYNTH_ROUND_PORTS_MAX));
  /* weighted draws without repeats (bounded tries: small sets may give fewer) */
  for (guint tries = 0; ep->n_ports < want && tries < 8 * want; tries++)
    {
      guint32 k = synth_telescope_pick_port (pop, r);
      gboolean dup = FALSE;
      for (guint i = 0; i < ep->n_ports; i++)
        dup |= ep->ports[i] == k;
      if (!dup)
        ep->ports[ep->n_ports++] = k;
    }
  guint64 dsts = MIN ((guint64) w->block_mask + 1, pop->round_dsts);
  ep->perm_m = ep->n_ports * dsts;
  ep->perm_a = synth_telescope_coprime (r, ep->perm_m);
  ep->perm_b = synth_below (r, (guint32) ep->perm_m);
  ep->dst_off = (guint32) synth_next (r);
  ep->dst_step = synth_telescope_coprime (r, 1u << 16);
  ep->n = (guint32) ep->perm_m;
}

static void
synth_telescope_new_botnet (SynthWorld *w, const SynthPop *pop, SynthEpisode *ep, SynthRng *r)
{
  const SynthPopDef *d = pop->def;
  synth_telescope_team (pop, ep, r, d->team_lo, d->team_hi);
  ep->k = MIN (synth_range (r, d->k_lo, d->k_hi), w->block_mask + 1);
  ep->r = synth_range (r, d->r_lo, d->r_hi);
  ep->ports[0] = synth_telescope_pick_port (pop, r);
  ep->dst_step = synth_telescope_coprime (r, 1u << 16);
  ep->n = ep->team_n * ep->k * ep->r;
}

static void
synth_telescope_new_backscatter (const SynthPop *pop, SynthEpisode *ep, SynthRng *r)
{
  static const guint16 tcp_services[] = { 80, 443, 443, 22, 25, 53, 8080, 3074, 27015, 6667 };
  static const guint16 udp_services[] = { 53, 123, 137, 161 };
  guint group = MAX (pop->def->group, 1u);
  guint n_groups = (pop->n + group - 1) / group;
  guint g = synth_below (r, n_groups);
  ep->sender = pop->first + g * group;
  ep->team_n = MIN (group, pop->n - g * group);
  ep->n = synth_range (r, pop->def->k_lo, pop->def->k_hi);
  if (pop->def->proto == 6)
    ep->sport = tcp_services[synth_below (r, G_N_ELEMENTS (tcp_services))];
  else
    ep->sport = udp_services[synth_below (r, G_N_ELEMENTS (udp_services))];
}

static void
synth_telescope_new_single (SynthWorld *w, const SynthPop *pop, SynthEpisode *ep, SynthRng *r)
{
  const SynthPopDef *d = pop->def;
  guint32 dsts = w->block_mask + 1;
  ep->sender = pop->first + synth_below (r, pop->n);
  ep->dst_off = (guint32) synth_next (r);
  ep->dst_step = synth_telescope_coprime (r, 1u << 16);
  ep->k = synth_range (r, d->k_lo, d->k_hi);
  ep->m = synth_range (r, d->m_lo, d->m_hi);
  ep->r = synth_range (r, d->r_lo, d->r_hi);
  ep->ports[0] = synth_telescope_pick_port (pop, r);
  ep->sport = (guint16) synth_range (r, 32768, 60999);
  switch (d->gen)
    {
    case SYNTH_GEN_MIRAI:
      /* a tenth of the bots are twice as busy: the table's heavy hitters */
      if (synth_below (r, 10) == 0)
        ep->sender = pop->first + synth_below (r, MAX (pop->n / 10, 1u));
      ep->n = ep->k;
      break;
    case SYNTH_GEN_PORTSCAN:
      {
        guint pool_n = d->proto == 6 ? w->n_pool_tcp : w->n_pool_udp;
        ep->k = MIN (ep->k, pool_n);
        ep->m = MIN (ep->m, dsts);
        ep->perm_a = synth_telescope_coprime (r, pool_n);
        ep->perm_b = synth_below (r, pool_n);
        ep->n = ep->k * ep->m * ep->r;
        break;
      }
    case SYNTH_GEN_NETSCAN:
      ep->k = MIN (ep->k, dsts);
      ep->n = ep->k * ep->r;
      break;
    case SYNTH_GEN_FRAGMENT:
      ep->n = ep->k * ep->m;
      break;
    default:
      ep->n = ep->k;
      break;
    }
}

static void
synth_telescope_add (SynthWorld *w, guint pop_index, guint64 key, gint64 t0)
{
  const SynthPop *pop = &w->pops[pop_index];
  const SynthPopDef *d = pop->def;
  SynthEpisode ep = { 0 };
  SynthRng r = { key };
  ep.key = dp_hash_mix (key ^ G_GUINT64_CONSTANT (0x6570697364));
  ep.pop = (guint16) pop_index;
  ep.gen = (guint8) d->gen;
  if (d->gen == SYNTH_GEN_ROUND)
    synth_telescope_new_round (w, pop, &ep, &r);
  else if (d->gen == SYNTH_GEN_BOTNET)
    synth_telescope_new_botnet (w, pop, &ep, &r);
  else if (d->gen == SYNTH_GEN_BACKSCATTER)
    synth_telescope_new_backscatter (pop, &ep, &r);
  else
    synth_telescope_new_single (w, pop, &ep, &r);
  gint64 dur = (gint64) synth_range (&r, d->dur_lo * 1000u, d->dur_hi * 1000u) * 1000;
  if (synth_telescope_schedule (w, &ep, &r, t0, dur))
    g_array_append_val (w->active, ep);
}

/* Tail senders go in address-independent time order: sender j of the
 * population starts in [start + j step, start + (j+1) step). */
static void
synth_telescope_add_tail (SynthWorld *w, guint pop_index, gint64 a, gint64 b)
{
  const SynthPop *pop = &w->pops[pop_index];
  gint64 step = pop->tail_step;
  guint64 j0 = (guint64) ((a - w->p.start) / step);
  for (guint64 j = j0; j < pop->n; j++)
    {
      SynthRng r = synth_rng_at (w->p.seed ^ G_GUINT64_CONSTANT (0x7461696c), ((guint64) pop_index << 32) | j);
      gint64 t0 = w->p.start + (gint64) j * step + (gint64) (synth_next (&r) % (guint64) step);
      if (t0 >= b)
        break;
      if (t0 < a)
        continue;
      SynthEpisode ep = { 0 };
      ep.key = synth_next (&r);
      ep.pop = (guint16) pop_index;
      ep.gen = SYNTH_GEN_TAIL;
      ep.sender = pop->first + (guint32) j;
      ep.n = synth_below (&r, 2) ? 1 : synth_range (&r, 2, pop->def->k_hi);
      ep.m = synth_range (&r, pop->def->m_lo, pop->def->m_hi);
      ep.dst_off = (guint32) synth_next (&r);
      ep.dst_step = 1 + 2 * synth_below (&r, 1u << 15);
      ep.ports[0] = synth_telescope_pick_port (pop, &r);
      ep.sport = (guint16) synth_range (&r, 32768, 60999);
      gint64 dur = (gint64) synth_range (&r, pop->def->dur_lo * 1000u, pop->def->dur_hi * 1000u) * 1000;
      if (synth_telescope_schedule (w, &ep, &r, t0, dur))
        g_array_append_val (w->active, ep);
    }
}

/* ---- packet fields ---- */

static inline void
synth_telescope_probe (SynthRow *row, guint32 key, SynthStyle style, SynthRng *r)
{
  row->proto = SYNTH_PROTO (key);
  row->dport = SYNTH_PORT (key);
  row->ip_id = (guint16) synth_next (r);
  if (row->proto == 6)
    {
      row->l4 = DP_L4_PORTS | DP_L4_TCP;
      row->flags = SYN;
      /* seq == dst is Mirai's fingerprint: nobody else may show it */
      row->seq = (guint32) synth_next (r);
      row->seq ^= row->seq == row->dst ? 1u : 0u;
      row->ip_len = style == SYNTH_STYLE_OS ? 60 : 44;
      /* an OS stack (Linux: MSS, SACK, timestamps, NOP, window scale),
       * ZMap 3.0-4.0 (window 65535, MSS only), masscan 1.3 (window 1024,
       * MSS only); docs/taxonomy.md has the sources */
      row->win = style == SYNTH_STYLE_OS ? 64240 : style == SYNTH_STYLE_ZMAP ? 65535 : 1024;
      row->optlen = style == SYNTH_STYLE_OS ? 20 : 4;
    }
  else if (row->proto == 17)
    {
      row->l4 = DP_L4_PORTS;
      row->ip_len = (guint16) (28 + synth_range (r, 8, 120));
    }
  else
    {
      row->l4 = DP_L4_ICMP;
      row->sport = row->dport = 0;
      row->icmp_type = 8;
      row->ip_len = (guint16) (28 + synth_range (r, 0, 56));
    }
  if (style == SYNTH_STYLE_ZMAP)
    row->ip_id = 54321;
  else if (style == SYNTH_STYLE_MASSCAN)
    row->ip_id = (guint16) ((row->dst ^ row->dport ^ row->seq) & 0xffffu);
}

static inline void
synth_telescope_backscatter (SynthRow *row, const SynthEpisode *ep, guint8 proto, SynthRng *r)
{
  static const guint8 icmp[][2] = { { 3, 1 }, { 3, 3 }, { 3, 3 }, { 3, 10 }, { 3, 13 },
                                    { 11, 0 }, { 11, 0 }, { 0, 0 } };
  row->proto = proto;
  row->ip_id = (guint16) synth_next (r);
  if (proto == 6)
    {
      guint x = synth_below (r, 10);
      row->flags = x < 7 ? (SYN | ACK) : x < 9 ? (RST | ACK) : RST;
      row->l4 = DP_L4_PORTS | DP_L4_TCP;
      row->seq = (guint32) synth_next (r);
      row->seq ^= row->seq == row->dst ? 1u : 0u;
      row->sport = ep->sport;
      row->dport = (guint16) synth_range (r, 1024, 65535);
      row->ip_len = row->flags == RST ? 40 : 44;
      row->win = row->flags == RST ? 0 : 29200;
      row->optlen = row->flags == RST ? 0 : 4;
    }
  else if (proto == 17)
    {
      row->l4 = DP_L4_PORTS;
      row->sport = ep->sport;
      row->dport = (guint16) synth_range (r, 1024, 65535);
      row->ip_len = (guint16) (28 + synth_range (r, 40, 480));
    }
  else
    {
      guint x = synth_below (r, G_N_ELEMENTS (icmp));
      row->l4 = DP_L4_ICMP;
      row->icmp_type = icmp[x][0];
      row->icmp_code = icmp[x][1];
      row->ip_len = row->icmp_type == 0 ? 84 : 56;
    }
}

static inline void
synth_telescope_fragment (SynthRow *row, const SynthEpisode *ep, guint32 i)
{
  guint32 datagram = i / ep->m, f = i % ep->m;
  SynthRng d = synth_rng_at (ep->key ^ 0x66726167u, datagram);
  row->proto = 17;
  row->ip_id = (guint16) synth_next (&d);
  row->dst = (guint32) synth_next (&d);  /* masked by the caller */
  row->frag = (guint16) (f * 185u) | (f + 1 < ep->m ? DP_FRAG_MF : 0u);
  row->ip_len = f + 1 < ep->m ? 1500 : (guint16) (20 + synth_range (&d, 8, 1480));
  if (f == 0)
    {
      row->l4 = DP_L4_PORTS;
      row->sport = (guint16) synth_range (&d, 1024, 65535);
      row->dport = SYNTH_PORT (ep->ports[0]);
    }
}

static inline guint32
synth_telescope_spread (const SynthWorld *w, guint32 off, guint32 step, guint32 d)
{
  return w->block_base | ((off + d * step) & w->block_mask);
}

/* Packet i of a round: the i-th (port, address) pair of a random
 * permutation, sent by a random member of the team. */
static inline guint32
synth_telescope_fill_round (const SynthWorld *w, const SynthPop *pop, const SynthEpisode *ep,
                            guint32 i, SynthRng *r, SynthRow *row)
{
  guint64 k = ((guint64) i * ep->perm_a + ep->perm_b) % ep->perm_m;
  row->dst = synth_telescope_spread (w, ep->dst_off, ep->dst_step, (guint32) (k / ep->n_ports));
  row->sport = (guint16) synth_range (r, 32768, 60999);
  synth_telescope_probe (row, ep->ports[k % ep->n_ports], pop->def->style, r);
  return synth_telescope_member (pop, ep, synth_below (r, ep->team_n));
}

/* Packet i of a bot burst: bots take turns; each tries its targets r times,
 * and a retry reuses the port and sequence number of the first try. */
static inline guint32
synth_telescope_fill_botnet (const SynthWorld *w, const SynthPop *pop, const SynthEpisode *ep,
                             guint32 i, SynthRng *r, SynthRow *row)
{
  guint32 b = i % ep->team_n, target = (i / ep->team_n) / ep->r;
  SynthRng t = synth_rng_at (ep->key ^ G_GUINT64_CONSTANT (0x626f74), ((guint64) b << 32) | target);
  guint32 off = (guint32) dp_hash_mix (ep->key + b);
  row->dst = synth_telescope_spread (w, off, ep->dst_step, target);
  row->sport = (guint16) synth_range (&t, 32768, 60999);
  synth_telescope_probe (row, ep->ports[0], pop->def->style, r);
  row->seq = (guint32) synth_next (&t) | 1u;
  row->seq ^= row->seq == row->dst ? 2u : 0u;
  return synth_telescope_member (pop, ep, b);
}

/* Fills one row (dst first: probes derive fingerprints from it) and returns its sender. */
static inline guint32
synth_telescope_fill (const SynthWorld *w, const SynthPop *pop, const SynthEpisode *ep,
                      guint32 i, SynthRng *r, SynthRow *row)
{
  const SynthPopDef *d = pop->def;
  guint32 s = ep->sender;
  row->sport = ep->sport;
  switch (ep->gen)
    {
    case SYNTH_GEN_MIRAI:
      row->dst = w->block_base | ((guint32) synth_next (r) & w->block_mask);
      row->sport = (guint16) synth_range (r, 1024, 65535);
      synth_telescope_probe (row, synth_telescope_pick_port (pop, r), SYNTH_STYLE_OS, r);
      row->seq = row->dst;
      row->ip_len = 40;
      /* Mirai: no options, a window drawn once per bot (here from the
       * source port, so the random stream stays as it was) */
      row->optlen = 0;
      row->win = (guint16) ((row->sport * 2654435761u) >> 16);
      break;
    case SYNTH_GEN_ROUND:
      s = synth_telescope_fill_round (w, pop, ep, i, r, row);
      break;
    case SYNTH_GEN_BOTNET:
      s = synth_telescope_fill_botnet (w, pop, ep, i, r, row);
      break;
    case SYNTH_GEN_BACKSCATTER:
      s = ep->sender + synth_below (r, ep->team_n);
      row->dst = w->block_base | ((guint32) synth_next (r) & w->block_mask);
      synth_telescope_backscatter (row, ep, d->proto, r);
      break;
    case SYNTH_GEN_PORTSCAN:
      {
        const guint32 *pool = d->proto == 6 ? w->pool_tcp : w->pool_udp;
        guint32 pool_n = d->proto == 6 ? w->n_pool_tcp : w->n_pool_udp;
        guint32 port_i = i % ep->k, target = (i / ep->k) % ep->m;
        row->dst = synth_telescope_spread (w, ep->dst_off, ep->dst_step, target);
        synth_telescope_probe (row, pool[(ep->perm_b + (guint64) port_i * ep->perm_a) % pool_n], d->style, r);
        break;
      }
    case SYNTH_GEN_NETSCAN:
    case SYNTH_GEN_TAIL:
      row->dst = synth_telescope_spread (w, ep->dst_off, ep->dst_step, i % (ep->gen == SYNTH_GEN_TAIL ? ep->m : ep->k));
      synth_telescope_probe (row, ep->ports[0], d->style, r);
      break;
    case SYNTH_GEN_ONEFLOW:
      row->dst = w->block_base | (ep->dst_off & w->block_mask);
      if (d->proto == 6)
        row->sport = (guint16) synth_range (r, 32768, 60999);
      synth_telescope_probe (row, ep->ports[0], d->style, r);
      break;
    case SYNTH_GEN_FRAGMENT:
    default:
      synth_telescope_fragment (row, ep, i);
      row->dst = w->block_base | (row->dst & w->block_mask);
      break;
    }
  return s;
}

static inline SynthRow *
synth_telescope_row (SynthWorld *w)
{
  if (G_UNLIKELY (w->n_rows == w->cap_rows))
    {
      w->cap_rows = MAX (4096, w->cap_rows * 2);
      w->rows = g_renew (SynthRow, w->rows, w->cap_rows);
    }
  SynthRow *row = &w->rows[w->n_rows++];
  memset (row, 0, sizeof *row);
  return row;
}

/* Emits the episode's packets before @b; TRUE when it has no more. */
static gboolean
synth_telescope_emit (SynthWorld *w, SynthEpisode *ep, gint64 b)
{
  const SynthPop *pop = &w->pops[ep->pop];
  guint64 dt = (guint64) ep->dt;
  while (ep->next < ep->n)
    {
      guint32 i = ep->next;
      SynthRng r = synth_rng_at (ep->key, i);
      guint64 jitter = dt <= G_MAXUINT32 ? synth_below (&r, (guint32) dt) : synth_next (&r) % dt;
      gint64 t = ep->t0 + (gint64) i * ep->dt + (gint64) jitter;
      if (t >= b)
        return FALSE;
      SynthRow *row = synth_telescope_row (w);
      row->ts = t;
      guint32 s = synth_telescope_fill (w, pop, ep, i, &r, row);
      row->src = w->senders[s].ip;
      row->ttl = w->senders[s].ttl;
      w->senders[s].packets++;
      ep->next++;
    }
  return TRUE;
}

/* Stable LSD radix sort of (offset << 32 | row) keys on the offset bits,
 * offsets from @base: every row of the slice [base, base + span) lies in
 * it (an episode's rows rise and the one at or past the slice's end waits
 * for the next), so the offsets fit in the bits sorted. */
static void
synth_telescope_sort (SynthWorld *w, gint64 base, gint64 span)
{
  gsize n = w->n_rows;
  if (w->cap_keys < n)
    {
      w->cap_keys = MAX (n, w->cap_keys * 2);
      w->keys = g_renew (guint64, w->keys, w->cap_keys);
      w->tmp = g_renew (guint64, w->tmp, w->cap_keys);
    }
  for (gsize i = 0; i < n; i++)
    w->keys[i] = ((guint64) (w->rows[i].ts - base) << 32) | i;
  guint bits = 0;
  while (bits < 32 && (G_GUINT64_CONSTANT (1) << bits) <= (guint64) span)
    bits++;
  enum { DIGIT = 13 };
  guint32 count[1u << DIGIT];
  for (guint shift = 32; shift < 32 + bits; shift += DIGIT)
    {
      memset (count, 0, sizeof count);
      for (gsize i = 0; i < n; i++)
        count[(w->keys[i] >> shift) & ((1u << DIGIT) - 1)]++;
      guint32 sum = 0;
      for (guint d = 0; d < (1u << DIGIT); d++)
        {
          guint32 c = count[d];
          count[d] = sum;
          sum += c;
        }
      for (gsize i = 0; i < n; i++)
        w->tmp[count[(w->keys[i] >> shift) & ((1u << DIGIT) - 1)]++] = w->keys[i];
      guint64 *t = w->keys;
      w->keys = w->tmp;
      w->tmp = t;
    }
}

void
synth_telescope_slice (SynthWorld *w, guint64 slice, gint64 a, gint64 b)
{
  w->n_rows = 0;
  for (guint p = 0; p < w->n_pops; p++)
    {
      const SynthPop *pop = &w->pops[p];
      if (pop->def->gen == SYNTH_GEN_TAIL)
        {
          synth_telescope_add_tail (w, p, a, b);
          continue;
        }
      guint64 id = (guint64) (pop->def - synth_telescope_catalog);
      SynthRng r = synth_rng_at (w->p.seed ^ G_GUINT64_CONSTANT (0x736c696365), (slice << 8) | id);
      guint32 n_new = synth_telescope_poisson (&r, pop->rate * (double) (b - a));
      for (guint32 j = 0; j < n_new; j++)
        {
          gint64 t0 = a + (gint64) synth_below (&r, (guint32) (b - a));
          synth_telescope_add (w, p, synth_next (&r), t0);
        }
    }
  guint kept = 0;
  for (guint e = 0; e < w->active->len; e++)
    {
      SynthEpisode *ep = &g_array_index (w->active, SynthEpisode, e);
      if (synth_telescope_emit (w, ep, b))
        continue;
      if (kept != e)
        g_array_index (w->active, SynthEpisode, kept) = *ep;
      kept++;
    }
  g_array_set_size (w->active, kept);
  synth_telescope_sort (w, a, b - a);
}
