/* world.c — the simulated Internet: populations, their senders' addresses
 * and port sets, and their episode rates.
 *
 * Organisations and victim groups own whole /24s; every other sender is a
 * scattered address.  No address is reserved (RFC 6890 special ranges, the
 * 240/4 space the name maps use), in the dark block, or shared between two
 * senders, and no scattered address falls in an owned /24, so every
 * population is distinct in address space. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dp-error.h"
#include "synth.h"

static gboolean
synth_telescope_reserved (guint32 a)
{
  static const struct { guint32 net; guint8 len; } special[] = {
    { 0x00000000u, 8 }, { 0x0a000000u, 8 }, { 0x64400000u, 10 }, { 0x7f000000u, 8 },
    { 0xa9fe0000u, 16 }, { 0xac100000u, 12 }, { 0xc0000000u, 24 }, { 0xc0000200u, 24 },
    { 0xc0586300u, 24 }, { 0xc0a80000u, 16 }, { 0xc6120000u, 15 }, { 0xc6336400u, 24 },
    { 0xcb007100u, 24 }, { 0xe0000000u, 3 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (special); i++)
    if ((a >> (32 - special[i].len)) == (special[i].net >> (32 - special[i].len)))
      return TRUE;
  return FALSE;
}

static gboolean
synth_telescope_in_block (const SynthWorld *w, guint32 a)
{
  return (a & w->p.block.mask) == w->p.block.addr;
}

/* A /24 (as a >> 8) that is neither special, nor overlapping the block, nor taken. */
static guint32
synth_telescope_new_24 (SynthWorld *w, SynthRng *r, DpHash *owned)
{
  for (;;)
    {
      guint32 net = synth_below (r, 1u << 24);
      guint32 a = net << 8;
      guint32 m = w->p.block.mask & 0xffffff00u;
      if (synth_telescope_reserved (a) || (a & m) == (w->p.block.addr & m))
        continue;
      gboolean fresh;
      dp_hash_upsert (owned, net, &fresh);
      if (fresh)
        return net;
    }
}

static guint32
synth_telescope_new_addr (SynthWorld *w, SynthRng *r, const DpHash *owned, DpHash *used)
{
  for (;;)
    {
      guint32 a = (guint32) synth_next (r);
      guint8 host = a & 0xff;
      if (host == 0 || host == 255 || synth_telescope_reserved (a) || synth_telescope_in_block (w, a)
          || dp_hash_find (owned, a >> 8))
        continue;
      gboolean fresh;
      dp_hash_upsert (used, a, &fresh);
      if (fresh)
        return a;
    }
}

guint32
synth_telescope_coprime (SynthRng *r, guint64 n)
{
  if (n <= 2)
    return 1;
  for (;;)
    {
      guint64 a = 1 + synth_below (r, (guint32) MIN (n - 1, G_MAXUINT32));
      /* binary gcd: episodes start by the million, and 64-bit divisions
       * made this a seventh of the generator's time */
      guint64 x = a, y = n;
      int shift = __builtin_ctzll (x | y);
      x >>= __builtin_ctzll (x);
      while (y)
        {
          y >>= __builtin_ctzll (y);
          if (x > y)
            {
              guint64 t = x;
              x = y;
              y = t;
            }
          y -= x;
        }
      if ((x << shift) == 1)
        return (guint32) a;
    }
}

/* Grouped senders: @group addresses per /24, distinct hosts in 1..254. */
static void
synth_telescope_place_group (SynthWorld *w, SynthPop *pop, SynthRng *r, DpHash *owned)
{
  guint per = CLAMP (pop->def->group, 1u, 254u);
  guint32 net = 0, off = 0, stride = 1;
  for (guint j = 0; j < pop->n; j++)
    {
      if (j % per == 0)
        {
          net = synth_telescope_new_24 (w, r, owned);
          off = synth_below (r, 254);
          stride = synth_telescope_coprime (r, 254);
        }
      guint32 host = 1 + (off + (j % per) * stride) % 254;
      w->senders[pop->first + j].ip = (net << 8) | host;
    }
}

static void
synth_telescope_place (SynthWorld *w)
{
  SynthRng r = { dp_hash_mix (w->p.seed ^ G_GUINT64_CONSTANT (0x61646472)) };
  DpHash owned, used;
  dp_hash_init (&owned, 256);
  dp_hash_init (&used, w->n_senders);
  /* owned /24s first, so that no scattered address lands in one */
  for (guint i = 0; i < w->n_pops; i++)
    if (w->pops[i].def->group)
      synth_telescope_place_group (w, &w->pops[i], &r, &owned);
  for (guint i = 0; i < w->n_pops; i++)
    if (!w->pops[i].def->group)
      for (guint j = 0; j < w->pops[i].n; j++)
        w->senders[w->pops[i].first + j].ip = synth_telescope_new_addr (w, &r, &owned, &used);
  for (guint s = 0; s < w->n_senders; s++)
    {
      /* initial TTL of the sender's OS minus its distance */
      static const guint8 initial[] = { 64, 64, 128, 255 };
      SynthRng t = synth_rng_at (w->p.seed ^ 0x74746cu, w->senders[s].ip);
      w->senders[s].ttl = (guint8) (initial[synth_below (&t, 4)] - synth_range (&t, 4, 28));
    }
  dp_hash_clear (&owned);
  dp_hash_clear (&used);
}

/* The catalog's ports plus @extra_ports random ones sharing @extra_pct of the weight. */
static void
synth_telescope_port_set (SynthWorld *w, SynthPop *pop, guint index)
{
  const SynthPopDef *d = pop->def;
  SynthRng r = synth_rng_at (w->p.seed ^ G_GUINT64_CONSTANT (0x706f727473), index);
  pop->n_ports = d->n_ports + d->extra_ports;
  pop->ports = g_new (guint32, MAX (pop->n_ports, 1u));
  pop->cum = g_new (guint64, MAX (pop->n_ports, 1u));
  guint64 base = 0;
  for (guint i = 0; i < d->n_ports; i++)
    base += d->ports[i].weight;
  /* weights scaled so that the extras carry extra_pct percent in total */
  guint64 unit = 1000, extra_each = 0;
  if (d->extra_ports && d->extra_pct)
    extra_each = MAX (1, (guint64) ((double) base * unit * d->extra_pct
                                    / (100.0 - d->extra_pct) / d->extra_ports));
  guint64 acc = 0;
  for (guint i = 0; i < pop->n_ports; i++)
    {
      if (i < d->n_ports)
        {
          pop->ports[i] = d->ports[i].key;
          acc += d->ports[i].weight * unit;
        }
      else
        {
          guint32 port = synth_range (&r, 1, 65535);
          /* organisations mix in some UDP; the others keep their protocol */
          gboolean tcp = d->proto == 6 && (d->gen != SYNTH_GEN_ROUND || synth_below (&r, 10) != 0);
          pop->ports[i] = tcp ? SYNTH_TCP (port) : SYNTH_UDP (port);
          acc += extra_each;
        }
      pop->cum[i] = acc;
    }
}

guint32
synth_telescope_pick_port (const SynthPop *pop, SynthRng *r)
{
  if (pop->n_ports <= 1)
    return pop->n_ports ? pop->ports[0] : 0;
  guint64 x = (synth_next (r) >> 11) % pop->cum[pop->n_ports - 1];
  guint lo = 0, hi = pop->n_ports - 1;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (pop->cum[mid] > x)
        hi = mid;
      else
        lo = mid + 1;
    }
  return pop->ports[lo];
}

/* Port-scan pools: the usual suspects, then random ports up to 256. */
static guint32 *
synth_telescope_pool (SynthWorld *w, guint8 proto, guint *n)
{
  static const guint16 tcp[] = { 21, 22, 23, 25, 53, 80, 81, 88, 110, 111, 135, 139, 143, 443,
    445, 465, 587, 993, 995, 1025, 1433, 1521, 1723, 2049, 2121, 3306, 3389, 5060, 5432, 5900,
    5985, 6379, 8000, 8008, 8080, 8081, 8443, 8888, 9090, 9100, 9200, 10000, 27017 };
  static const guint16 udp[] = { 53, 67, 69, 111, 123, 137, 138, 161, 162, 500, 514, 520, 623,
    1194, 1434, 1900, 4500, 5060, 5353, 11211, 17185, 3702, 5683, 47808 };
  const guint16 *known = proto == 6 ? tcp : udp;
  guint n_known = proto == 6 ? G_N_ELEMENTS (tcp) : G_N_ELEMENTS (udp);
  guint32 *pool = g_new (guint32, 256);
  DpHash seen;
  dp_hash_init (&seen, 256);
  SynthRng r = { dp_hash_mix (w->p.seed ^ (G_GUINT64_CONSTANT (0x706f6f6c) + proto)) };
  for (guint i = 0; i < 256; i++)
    {
      guint32 port;
      gboolean fresh;
      do
        {
          port = i < n_known ? known[i] : synth_range (&r, 1, 65535);
          dp_hash_upsert (&seen, port, &fresh);
        }
      while (!fresh);
      pool[i] = ((guint32) proto << 16) | port;
    }
  dp_hash_clear (&seen);
  *n = 256;
  return pool;
}

static gboolean
synth_telescope_selected (const SynthParams *p, const char *name)
{
  if (p->only == NULL || p->only[0] == NULL)
    return TRUE;
  for (const char *const *o = p->only; *o; o++)
    if (strcmp (*o, name) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
synth_telescope_check_only (const SynthParams *p, GError **error)
{
  for (const char *const *o = p->only; o && *o; o++)
    {
      guint i = 0;
      while (i < synth_telescope_catalog_size && strcmp (synth_telescope_catalog[i].name, *o) != 0)
        i++;
      if (i == synth_telescope_catalog_size)
        {
          g_autoptr (GString) all = g_string_new (NULL);
          for (guint j = 0; j < synth_telescope_catalog_size; j++)
            g_string_append_printf (all, "%s%s", j ? ", " : "", synth_telescope_catalog[j].name);
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_CHOICE,
                       "option 'populations': '%s' is not a population; allowed: %s", *o, all->str);
          return FALSE;
        }
    }
  return TRUE;
}

/* A round or burst takes @pct percent of @n members, and at least two. */
guint32
synth_telescope_team_size (guint32 n, guint pct)
{
  return CLAMP ((guint32) lround (n * pct / 100.0), MIN (2u, n), n);
}

/* Mean packets of one episode (the rate is budget / mean / duration). */
double
synth_telescope_mean_packets (const SynthWorld *w, const SynthPop *pop)
{
  const SynthPopDef *d = pop->def;
  double k = (d->k_lo + d->k_hi) / 2.0, m = (d->m_lo + d->m_hi) / 2.0;
  double r = (d->r_lo + d->r_hi) / 2.0;
  double team = 0;
  for (guint pct = d->team_lo; pct <= d->team_hi; pct++)
    team += synth_telescope_team_size (pop->n, pct);
  team /= d->team_hi - d->team_lo + 1;
  switch (d->gen)
    {
    case SYNTH_GEN_ROUND:
      return MIN (k, (double) MIN (pop->n_ports, SYNTH_ROUND_PORTS_MAX)) * pop->round_dsts;
    case SYNTH_GEN_BOTNET:
      return team * MIN (k, (double) w->block_mask + 1) * r;
    case SYNTH_GEN_PORTSCAN:
      return MIN (k, 256.0) * m * r;
    case SYNTH_GEN_NETSCAN:
      return MIN (k, (double) w->block_mask + 1) * r;
    case SYNTH_GEN_FRAGMENT:
      return k * m;
    case SYNTH_GEN_TAIL:
      return 0.5 + 0.5 * 3.0;
    case SYNTH_GEN_MIRAI:
    case SYNTH_GEN_BACKSCATTER:
    case SYNTH_GEN_ONEFLOW:
    default:
      return k;
    }
}

static void
synth_telescope_rates (SynthWorld *w)
{
  double total_share = 0;
  for (guint i = 0; i < w->n_pops; i++)
    total_share += w->pops[i].def->share;
  double span = (double) (w->p.end - w->p.start);
  for (guint i = 0; i < w->n_pops; i++)
    {
      SynthPop *pop = &w->pops[i];
      if (pop->def->gen == SYNTH_GEN_TAIL)
        pop->tail_step = MAX (1, (w->p.end - w->p.start) / MAX (pop->n, 1u));
      else if (total_share > 0)
        {
          double budget = (double) w->p.budget * pop->def->share / total_share;
          /* a small budget would give an org only a round or two: cover
           * part of the block instead, so that it still has a few rounds */
          double ports = MIN ((pop->def->k_lo + pop->def->k_hi) / 2.0,
                              (double) MIN (pop->n_ports, SYNTH_ROUND_PORTS_MAX));
          double dsts = floor (budget / SYNTH_ROUNDS_MIN / MAX (ports, 1.0));
          pop->round_dsts = (guint32) MIN (MAX (dsts, 16.0), MIN ((double) w->block_mask + 1,
                                                                SYNTH_ROUND_DSTS_MAX));
          pop->rate = budget / synth_telescope_mean_packets (w, pop) / span;
        }
    }
}

SynthWorld *
synth_telescope_world_new (const SynthParams *p, GError **error)
{
  if (!synth_telescope_check_only (p, error))
    return NULL;
  SynthWorld *w = g_new0 (SynthWorld, 1);
  w->p = *p;
  w->block_base = p->block.addr;
  w->block_mask = ~p->block.mask;
  w->pops = g_new0 (SynthPop, synth_telescope_catalog_size);
  for (guint i = 0; i < synth_telescope_catalog_size; i++)
    {
      const SynthPopDef *d = &synth_telescope_catalog[i];
      if (!synth_telescope_selected (p, d->name))
        continue;
      SynthPop *pop = &w->pops[w->n_pops];
      pop->def = d;
      pop->first = w->n_senders;
      pop->n = (guint32) MAX (1.0, round (d->senders * p->scale));
      w->n_senders += pop->n;
      synth_telescope_port_set (w, pop, i);
      w->n_pops++;
    }
  w->senders = g_new0 (SynthSender, MAX (w->n_senders, 1u));
  for (guint i = 0; i < w->n_pops; i++)
    for (guint j = 0; j < w->pops[i].n; j++)
      w->senders[w->pops[i].first + j].pop = (guint16) i;
  synth_telescope_place (w);
  w->pool_tcp = synth_telescope_pool (w, 6, &w->n_pool_tcp);
  w->pool_udp = synth_telescope_pool (w, 17, &w->n_pool_udp);
  synth_telescope_rates (w);
  w->active = g_array_new (FALSE, FALSE, sizeof (SynthEpisode));
  return w;
}

void
synth_telescope_world_free (SynthWorld *w)
{
  if (w == NULL)
    return;
  for (guint i = 0; i < w->n_pops; i++)
    {
      g_free (w->pops[i].ports);
      g_free (w->pops[i].cum);
    }
  g_free (w->pops);
  g_free (w->senders);
  g_free (w->pool_tcp);
  g_free (w->pool_udp);
  if (w->active)
    g_array_unref (w->active);
  g_free (w->rows);
  g_free (w->keys);
  g_free (w->tmp);
  g_free (w);
}
