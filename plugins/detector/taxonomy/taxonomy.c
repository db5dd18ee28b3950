/* taxonomy.c — the darknet traffic taxonomy of Liu & Fukuda as a streaming
 * detector: the plugin descriptor, per-packet aggregation and windowing.
 *
 * One pass: each packet updates one entry of its window's table of distinct
 * (src, dst, class|port) triples; everything else (pairs, ports, per-source
 * categories, the rules) is derived from that table when the window closes
 * (taxonomy-close.c), and the window's three tables are pushed at once
 * (taxonomy-emit.c).  The decisions on the reference notebook's quirks are
 * in docs/taxonomy.md. */
#define _GNU_SOURCE   /* mremap */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <glib/gstdio.h>

#include "taxonomy.h"
#include "../../common/tz.h"

typedef struct {
  TaxonomyConfig cfg;
  guint8 flag_attr[256];   /* TCP flag byte -> TAX_A_SCAN|SYN|BS for this mode */
  GPtrArray *open;         /* TaxWindow *, by increasing index */
  /* Memory kept from window to window: a closed window's base table becomes
   * the next one's, and the derived tables are reused (already mapped). */
  TaxTable spare;
  TaxTable pairs, ports;
  TaxScratch scratch;
  gint64 closed_below;     /* windows with a lower index are closed */
  gint64 next_close_ts;    /* max_ts at which closed_below must move */
  gint64 max_ts;
  gboolean any_ts;
  guint64 n_late;
  guint pushed;            /* windows pushed so far */
  guint stopped;           /* bit per output port: its consumers want no more */
  DpFlow fatal;            /* an ending flow value a push returned, else OK */
  DpNameMap *names;
  TzZone zone;             /* tz: the wall clock the windows are aligned on */
  /* per-batch scratch, grown with the batches, never per packet */
  guint32 *key_b;
  guint64 *hash;
  guint8 *attr;
  guint32 *src6;           /* ipv6_prefix < 128 or state_path: the source key of each row */
  guint32 *dst6;           /* state_path: the destination key of each row */
  guint scratch_rows;
  GHashTable *prefix_of;   /* IPv6 address key -> its prefix key */
  /* state_path: name keys of the batches' map (xlat_map) -> keys of the
   * taxonomy's own map (names), which the state restores in the saved
   * order; one table for sources (by prefix), one for destinations */
  DpNameMap *xlat_map;
  GHashTable *xlat_src, *xlat_dst;
} Taxonomy;

const char *const taxonomy_pattern_names[TAX_N_PATTERNS] = {
  "port_scan_tcp_heavy", "port_scan_tcp_light", "port_scan_udp_heavy", "port_scan_udp_light",
  "net_scan_tcp_heavy", "net_scan_tcp_light", "net_scan_udp_heavy", "net_scan_udp_light",
  "net_scan_icmp_heavy", "net_scan_icmp_light", "one_flow_tcp", "one_flow_udp",
  "backscatter_tcp", "backscatter_udp", "backscatter_icmp", "ip_fragment",
  "small_syn", "small_udp", "small_ping", "other_tcp", "other_udp", "other_icmp", "other",
};

/* ------------------------------------------------------------------ */
/* the base table */

#define TAXONOMY_HUGE ((gsize) 2 << 20)

/* Large tables are hit at random: on 4 KiB pages nearly every access also
 * misses the TLB (and prefetches that miss it may be dropped), so they ask
 * for transparent huge pages where the kernel gives them on request. */
static gsize
taxonomy_huge_round (gsize bytes)
{
  return (bytes + TAXONOMY_HUGE - 1) & ~(TAXONOMY_HUGE - 1);
}

void *
taxonomy_big_alloc (gsize bytes)
{
  if (bytes < TAXONOMY_HUGE)
    {
      void *p = g_aligned_alloc (1, MAX (bytes, 1u), 64);
      memset (p, 0, bytes);
      return p;
    }
  /* a mapping of its own, 2 MiB aligned: the slack either side goes back */
  bytes = taxonomy_huge_round (bytes);
  guint8 *m = mmap (NULL, bytes + TAXONOMY_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    g_error ("taxonomy: out of memory (%" G_GSIZE_FORMAT " bytes)", bytes);
  gsize head = (TAXONOMY_HUGE - ((guintptr) m & (TAXONOMY_HUGE - 1))) & (TAXONOMY_HUGE - 1);
  if (head)
    munmap (m, head);
  if (TAXONOMY_HUGE - head)
    munmap (m + head + bytes, TAXONOMY_HUGE - head);
#ifdef MADV_HUGEPAGE
  madvise (m + head, bytes, MADV_HUGEPAGE);
#endif
  return m + head;
}

void
taxonomy_big_free (void *p, gsize bytes)
{
  if (p == NULL)
    return;
  if (bytes < TAXONOMY_HUGE)
    g_aligned_free (p);
  else
    munmap (p, taxonomy_huge_round (bytes));
}

void
taxonomy_table_init (TaxTable *t, gsize capacity_hint)
{
  gsize cap = 1024;
  while (cap < capacity_hint * 2)
    cap <<= 1;
  t->slots = taxonomy_big_alloc (cap * sizeof (guint64));
  t->slots_cap = cap;
  t->mask = cap - 1;
  t->cap = cap / 2;
  t->entries = taxonomy_big_alloc (t->cap * sizeof (TaxAgg));
  t->n = 0;
  t->gen = (guint64) 1 << 48;
}

void
taxonomy_table_clear (TaxTable *t)
{
  taxonomy_big_free (t->slots, t->slots_cap * sizeof (guint64));
  taxonomy_big_free (t->entries, t->cap * sizeof (TaxAgg));
  memset (t, 0, sizeof *t);
}

/* The next generation: every slot empty at once. */
static void
taxonomy_table_next_gen (TaxTable *t)
{
  t->gen += (guint64) 1 << 48;
  if (t->gen == 0)
    {
      memset (t->slots, 0, t->slots_cap * sizeof (guint64));
      t->gen = (guint64) 1 << 48;
    }
}

void
taxonomy_table_reset (TaxTable *t)
{
  taxonomy_table_next_gen (t);
  t->n = 0;
}

void
taxonomy_table_reset_for (TaxTable *t, gsize n_keys)
{
  gsize cap = 16;
  while (cap < n_keys * 2)
    cap <<= 1;
  if (cap > t->slots_cap)
    {
      taxonomy_big_free (t->slots, t->slots_cap * sizeof (guint64));
      t->slots = taxonomy_big_alloc (cap * sizeof (guint64));
      t->slots_cap = cap;
    }
  taxonomy_table_next_gen (t);
  t->mask = cap - 1;
  t->n = 0;
  while (t->cap < n_keys)
    taxonomy_table_grow_entries (t);
}

void
taxonomy_table_grow_entries (TaxTable *t)
{
  gsize cap = MAX (t->cap * 2, 512u), had = t->cap * sizeof (TaxAgg);
#ifdef MREMAP_MAYMOVE
  if (had >= TAXONOMY_HUGE)
    {
      /* a mapping of its own: its pages move, nothing is copied, and
       * only the new half is fresh */
      void *e = mremap (t->entries, taxonomy_huge_round (had), taxonomy_huge_round (cap * sizeof (TaxAgg)),
                        MREMAP_MAYMOVE);
      if (e == MAP_FAILED)
        g_error ("taxonomy: out of memory (%" G_GSIZE_FORMAT " bytes)", cap * sizeof (TaxAgg));
#ifdef MADV_HUGEPAGE
      madvise (e, taxonomy_huge_round (cap * sizeof (TaxAgg)), MADV_HUGEPAGE);
#endif
      t->entries = e;
      t->cap = cap;
      return;
    }
#endif
  TaxAgg *e = taxonomy_big_alloc (cap * sizeof (TaxAgg));
  memcpy (e, t->entries, t->n * sizeof (TaxAgg));
  taxonomy_big_free (t->entries, had);
  t->entries = e;
  t->cap = cap;
}

/* Doubles the index; the entries stay where they are. */
void
taxonomy_table_grow_index (TaxTable *t)
{
  gsize cap = (t->mask + 1) * 2;
  if (cap > t->slots_cap)
    {
      /* fresh pages: zero, empty in any generation */
      taxonomy_big_free (t->slots, t->slots_cap * sizeof (guint64));
      t->slots = taxonomy_big_alloc (cap * sizeof (guint64));
      t->slots_cap = cap;
    }
  else
    taxonomy_table_next_gen (t);
  t->mask = cap - 1;
  for (gsize k = 0; k < t->n; k++)
    {
      const TaxAgg *e = &t->entries[k];
      guint64 h = taxonomy_hash (e->src, e->dst, e->b);
      gsize i = h & t->mask;
      while (TAX_SLOT_GEN (t->slots[i]) == t->gen)
        i = (i + 1) & t->mask;
      t->slots[i] = t->gen | TAX_SLOT_TAG (h) | (k + 1);
    }
}

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
static void
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
/* windows */

static gint64
taxonomy_sat_add (gint64 a, gint64 b)
{
  gint64 r;
  return __builtin_add_overflow (a, b, &r) ? G_MAXINT64 : r;
}

static gint64
taxonomy_sat_mul (gint64 a, gint64 b)
{
  gint64 r;
  if (__builtin_mul_overflow (a, b, &r))
    return (a < 0) != (b < 0) ? G_MININT64 : G_MAXINT64;
  return r;
}

/* The window of @ts: multiples of window on the wall clock of tz (UTC:
 * since the epoch). */
static gint64
taxonomy_index_of (Taxonomy *self, gint64 ts)
{
  return dp_floor_div (tz_zone_local (&self->zone, ts), self->cfg.window_ns);
}

/* Where window @index starts (ns since the epoch, saturated). */
static gint64
taxonomy_start_of (Taxonomy *self, gint64 index)
{
  return tz_zone_utc (&self->zone, taxonomy_sat_mul (index, self->cfg.window_ns));
}

static void
taxonomy_window_free (gpointer data)
{
  TaxWindow *w = data;
  taxonomy_table_clear (&w->t);
  g_free (w);
}

/* Keeps the larger of @w's table and the spare one for the next window. */
static void
taxonomy_window_recycle (Taxonomy *self, TaxWindow *w)
{
  if (self->spare.slots == NULL || self->spare.mask < w->t.mask)
    {
      taxonomy_table_clear (&self->spare);
      self->spare = w->t;
      memset (&w->t, 0, sizeof w->t);
      taxonomy_table_reset (&self->spare);
    }
  taxonomy_window_free (w);
}

static void
taxonomy_window_emit (DpStage *stage, Taxonomy *self, const TaxTable *t, gint64 start_ns)
{
  TaxClose c;
  taxonomy_close_init (&c, &self->cfg, start_ns, stage, self->names, &self->pairs, &self->ports,
                       &self->scratch);
  taxonomy_close_run (&c, t);
  self->stopped |= c.stopped;
  if (self->fatal == DP_FLOW_OK)
    self->fatal = c.fatal;
  dp_stage_count (stage, "windows", 1);
  dp_stage_count (stage, "sources", c.n_sources);
  dp_stage_count (stage, "events", c.n_events);
  self->pushed++;
}

/* Closes (and pushes) every open window with an index below @below. */
static void
taxonomy_close_below (DpStage *stage, Taxonomy *self, gint64 below)
{
  while (self->open->len > 0)
    {
      TaxWindow *w = g_ptr_array_index (self->open, 0);
      if (w->index >= below)
        break;
      g_ptr_array_steal_index (self->open, 0);
      taxonomy_window_emit (stage, self, &w->t, taxonomy_start_of (self, w->index));
      taxonomy_window_recycle (self, w);
    }
  if (below > self->closed_below)
    self->closed_below = below;
}

/* The watermark moved to @ts: windows whose end + slack it passed close. */
static void
taxonomy_advance (DpStage *stage, Taxonomy *self, gint64 ts)
{
  const TaxonomyConfig *cfg = &self->cfg;
  gint64 lag;
  if (__builtin_sub_overflow (ts, cfg->slack_ns, &lag))
    lag = G_MININT64;
  gint64 below = taxonomy_index_of (self, lag);
  taxonomy_close_below (stage, self, below);
  self->next_close_ts = taxonomy_sat_add (taxonomy_start_of (self, self->closed_below + 1), cfg->slack_ns);
}

/* The open window of @index (created when new), or NULL when it closed. */
static TaxWindow *
taxonomy_window_get (Taxonomy *self, gint64 index)
{
  if (index < self->closed_below)
    return NULL;
  guint k = 0;
  for (; k < self->open->len; k++)
    {
      TaxWindow *w = g_ptr_array_index (self->open, k);
      if (w->index == index)
        return w;
      if (w->index > index)
        break;
    }
  TaxWindow *w = g_new0 (TaxWindow, 1);
  w->index = index;
  if (self->spare.slots)
    {
      w->t = self->spare;
      memset (&self->spare, 0, sizeof self->spare);
    }
  else
    {
      /* a new window is probably as busy as the open ones: skip the doublings */
      gsize hint = 4096;
      for (guint j = 0; j < self->open->len; j++)
        hint = MAX (hint, ((TaxWindow *) g_ptr_array_index (self->open, j))->t.n);
      taxonomy_table_init (&w->t, hint);
    }
  g_ptr_array_insert (self->open, (gint) k, w);
  return w;
}

/* ------------------------------------------------------------------ */
/* per packet */

static void
taxonomy_scratch_reserve (Taxonomy *self, guint n)
{
  if (n <= self->scratch_rows)
    return;
  self->key_b = g_renew (guint32, self->key_b, n);
  self->hash = g_renew (guint64, self->hash, n);
  self->attr = g_renew (guint8, self->attr, n);
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

static inline void
taxonomy_update (TaxAgg *e, gint64 ts, guint8 a)
{
  if (e->n_pkt == 0)
    e->first = e->last = ts;
  else if (ts < e->first)
    e->first = ts;
  else if (ts > e->last)
    e->last = ts;
  e->n_pkt++;
  e->n_scan += (a & TAX_A_SCAN) != 0;
  e->n_syn += (a & TAX_A_SYN) != 0;
  e->n_bs += (a & TAX_A_BS) != 0;
  e->n_frag += (a & TAX_A_FRAG) != 0;
  e->fp[TAX_FP_MIRAI] += (a & TAX_A_MIRAI) != 0;
  e->fp[TAX_FP_ZMAP] += (a & TAX_A_ZMAP) != 0;
  e->fp[TAX_FP_MASSCAN] += (a & TAX_A_MASSCAN) != 0;
  e->fp[TAX_FP_ZMAP41] += (a & TAX_A_ZMAP41) != 0;
}

#define TAXONOMY_PREFETCH 16

/* Rows in time order mostly share one window: the loop keeps its bounds and
 * prefetches in two steps in that window: the index slot of the row
 * TAXONOMY_PREFETCH ahead, the entry of the row half as far ahead. */
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
      if (G_LIKELY (i + TAXONOMY_PREFETCH < p->n_rows))
        {
          taxonomy_table_prefetch_slot (&w->t, self->hash[i + TAXONOMY_PREFETCH]);
          taxonomy_table_prefetch_entry (&w->t, self->hash[i + TAXONOMY_PREFETCH / 2]);
        }
      TaxAgg *e = taxonomy_table_upsert (&w->t, src[i], dst[i], self->key_b[i], self->hash[i]);
      taxonomy_update (e, ts, self->attr[i]);
      w->n_pkt++;
    }
}

static const DpPortDesc taxonomy_outputs[3];

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

static DpFlow
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
  for (guint i = 0; i < p->n_rows; i++)
    {
      self->key_b[i] = taxonomy_classify (self, p, i, &self->attr[i]);
      self->hash[i] = taxonomy_hash (src[i], dst[i], self->key_b[i]);
    }
  guint64 late_before = self->n_late;
  taxonomy_aggregate (stage, self, p, src, dst);
  if (self->n_late > late_before)
    dp_stage_count (stage, "late-dropped", self->n_late - late_before);
  if (self->fatal != DP_FLOW_OK)
    return self->fatal;
  /* every output's consumers have had enough: so has the taxonomy */
  return self->stopped == (1u << DP_N_ELEMENTS (taxonomy_outputs)) - 1 ? DP_FLOW_STOP : DP_FLOW_OK;
}

static gboolean
taxonomy_finish (DpStage *stage, void *state, GError **error)
{
  Taxonomy *self = state;
  const char *path = self->cfg.state_path;
  if (path && !self->cfg.state_final)
    {
      /* the open windows may still get packets from the next run: saved,
       * not emitted */
      TaxClock clock = { self->closed_below, self->next_close_ts, self->max_ts, self->any_ts };
      if (!taxonomy_state_save (path, &self->cfg, &clock, self->open, self->names, error))
        return FALSE;
      dp_stage_count (stage, "windows-saved", self->open->len);
    }
  else
    {
      taxonomy_close_below (stage, self, G_MAXINT64);
      /* the series ends here: the next run starts afresh */
      if (path && g_unlink (path) != 0 && errno != ENOENT)
        dp_stage_warning (stage, "%s: could not remove the state file: %s", path, g_strerror (errno));
    }
  /* packets lost for the tables: said even with --quiet */
  if (self->n_late > 0)
    dp_stage_warning (stage, "%" G_GUINT64_FORMAT " packets came more than the slack (%g s) after a newer one, "
                      "when their window was already written, and were dropped (late-dropped): give "
                      "captures that overlap in time to one pcap source, which merges them by time, or "
                      "raise slack", self->n_late, (double) self->cfg.slack_ns / 1e9);
  if (self->pushed == 0)
    {
      /* no packet: one empty table per port, so consumers see the columns */
      TaxTable none = { 0 };
      TaxClose c;
      taxonomy_close_init (&c, &self->cfg, 0, stage, self->names, &self->pairs, &self->ports,
                           &self->scratch);
      taxonomy_close_run (&c, &none);
    }
  return TRUE;
}

static void taxonomy_finalize (void *state);

static gboolean
taxonomy_check (DpStage *stage, const void *config, GError **error)
{
  const TaxonomyConfig *c = config;
  if (c->state_final && !c->state_path)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE, "state_final",
                                  "state_final needs state_path");
  if (!tz_zone_check (stage, "tz", c->tz, error))
    return FALSE;
  /* the state file holds window numbers, which a zone would change unseen */
  if (c->state_path && c->tz && g_ascii_strcasecmp (c->tz, "UTC") != 0)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE, "tz",
                                  "tz '%s' cannot be combined with state_path yet (the state keeps UTC "
                                  "windows); use tz: UTC or no state_path", c->tz);
  /* under MPI: the state file is one process's; a prefix's key order
   * depends on the batches one process saw */
  if (dp_stage_n_ranks (stage) > 1 && (c->state_path || c->ipv6_prefix < 128))
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE,
                                  c->state_path ? "state_path" : "ipv6_prefix",
                                  "%s does not work under MPI yet (%u ranks): run in one process",
                                  c->state_path ? "state_path" : "ipv6_prefix below 128", dp_stage_n_ranks (stage));
  return TRUE;
}

static gboolean
taxonomy_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Taxonomy *self = g_new0 (Taxonomy, 1);
  self->cfg = *(const TaxonomyConfig *) config;
  self->open = g_ptr_array_new_with_free_func (taxonomy_window_free);
  taxonomy_table_init (&self->pairs, 4096);
  taxonomy_table_init (&self->ports, 4096);
  taxonomy_scratch_init (&self->scratch);
  self->closed_below = G_MININT64;
  self->next_close_ts = G_MININT64;
  taxonomy_build_flag_attr (self);
  if (!tz_zone_open (&self->zone, "tz", self->cfg.tz, error))
    {
      taxonomy_finalize (self);
      return FALSE;
    }
  if (self->cfg.state_path)
    {
      self->names = dp_name_map_new ();
      self->xlat_src = g_hash_table_new (g_direct_hash, g_direct_equal);
      self->xlat_dst = g_hash_table_new (g_direct_hash, g_direct_equal);
      TaxClock clock = { 0 };
      gboolean found;
      if (!taxonomy_state_load (self->cfg.state_path, &self->cfg, &clock, self->open, self->names,
                                &found, error))
        {
          taxonomy_finalize (self);
          return FALSE;
        }
      if (found)
        {
          self->closed_below = clock.closed_below;
          self->next_close_ts = clock.next_close_ts;
          self->max_ts = clock.max_ts;
          self->any_ts = clock.any_ts;
          /* slack may change between runs: the next close as this run's
           * slack puts it (the saved value when it did not change) */
          if (clock.any_ts)
            self->next_close_ts = taxonomy_sat_add (taxonomy_start_of (self, self->closed_below + 1),
                                                    self->cfg.slack_ns);
          dp_stage_count (stage, "windows-restored", self->open->len);
        }
    }
  *state = self;
  return TRUE;
}

static void
taxonomy_finalize (void *state)
{
  Taxonomy *self = state;
  if (!self)
    return;
  if (self->open)
    g_ptr_array_unref (self->open);
  taxonomy_table_clear (&self->spare);
  taxonomy_table_clear (&self->pairs);
  taxonomy_table_clear (&self->ports);
  taxonomy_scratch_clear (&self->scratch);
  if (self->names)
    dp_name_map_unref (self->names);
  g_free (self->key_b);
  g_free (self->hash);
  g_free (self->attr);
  g_free (self->src6);
  g_free (self->dst6);
  g_clear_pointer (&self->xlat_map, dp_name_map_unref);
  g_clear_pointer (&self->xlat_src, g_hash_table_destroy);
  g_clear_pointer (&self->xlat_dst, g_hash_table_destroy);
  if (self->prefix_of)
    g_hash_table_destroy (self->prefix_of);
  tz_zone_clear (&self->zone);
  g_free (self);
}

/* ------------------------------------------------------------------ */

static const char *const taxonomy_compat_choices[] = { "paper", "reference", NULL };

static const DpOptionDesc taxonomy_options[] = {
  DP_OPTION_RANGE ("window", DP_OPT_DURATION, "1h", TaxonomyConfig, window_ns, 1, 1e8,
                   "Length of the time windows, multiples of it from 1970-01-01 00:00 on the wall clock of tz (UTC by default; the paper's time bin; the reference used 1 hour)."),
  DP_OPTION_RANGE ("slack", DP_OPT_DURATION, "60s", TaxonomyConfig, slack_ns, 0, 1e8,
                   "How long after its end a window still accepts late packets before it is emitted; later packets are counted as late-dropped."),
  DP_OPTION_RANGE ("n1", DP_OPT_INT, "5", TaxonomyConfig, n1, 1, 1e9,
                   "N1: distinct destinations that make a network scan (>=) and bound a small event (<)."),
  DP_OPTION_RANGE ("n2", DP_OPT_INT, "5", TaxonomyConfig, n2, 1, 1e9,
                   "N2: distinct destination ports that make a port scan (>=) and bound a small event (<)."),
  DP_OPTION_RANGE ("n3", DP_OPT_INT, "15", TaxonomyConfig, n3, 0, 1e9,
                   "N3: packets above which a (src, dst, dport) key is a one-flow event, and the most a small event may have."),
  DP_OPTION_RANGE ("m", DP_OPT_DOUBLE, "3", TaxonomyConfig, m, 0, 1e9,
                   "M: average packets per target above which a scan is heavy (at most M: light)."),
  DP_OPTION_RANGE ("r", DP_OPT_DOUBLE, "0.5", TaxonomyConfig, r, 0, 1,
                   "R as a fraction: least share of a TCP key's packets with scan flags (SYN, FIN, FIN+ACK or none)."),
  DP_OPTION_RANGE ("flag_mask", DP_OPT_UINT, "63", TaxonomyConfig, flag_mask, 0, 255,
                   "TCP flag bits compared in paper mode (decimal; 63 = 0x3f, the six classic bits, so SYNs with ECN bits are SYNs)."),
  DP_OPTION_ENUM ("compat", "paper", TaxonomyConfig, compat, taxonomy_compat_choices,
                  "paper: the rules as the paper states them; reference: reproduce the reference notebook where it differs (docs/taxonomy.md)."),
  DP_OPTION_RANGE ("tool_share", DP_OPT_DOUBLE, "0.9", TaxonomyConfig, tool_share, 0, 1,
                   "Least share of a source's probes matching a scanner fingerprint for its tool column to name the tool."),
  DP_OPTION_RANGE ("ipv6_prefix", DP_OPT_INT, "128", TaxonomyConfig, ipv6_prefix, 1, 128,
                   "IPv6 sources are aggregated by this prefix length (64 or 48: scanners rotate addresses "
                   "within a prefix); 128 keeps addresses. Tables then name the prefix (2001:db8:1:2::/64)."),
  DP_OPTION_FLAGS ("state_path", DP_OPT_PATH, NULL, TaxonomyConfig, state_path, DP_OPT_OUTPUT,
                   "A file holding the windows still open at the end of a run, read at the start of the next "
                   "one and written back (atomically), so hourly captures in hourly runs give the tables of "
                   "one run over all of them; a missing file starts afresh."),
  DP_OPTION ("state_final", DP_OPT_BOOL, "false", TaxonomyConfig, state_final,
             "With state_path: the last run of a series: emits every open window at the end and removes the state file."),
  DP_OPTION_RANGE ("event_ports", DP_OPT_UINT, "64", TaxonomyConfig, event_ports, 0, 65536,
                   "The events' targets column lists the ports of each port-scan key, the smallest this many "
                   "(\"22,23,80,443,+12\": 12 more not listed); 0: none."),
  DP_OPTION_RANGE ("event_dsts", DP_OPT_UINT, "64", TaxonomyConfig, event_dsts, 0, 1e9,
                   "The events' targets column lists the destinations of each net-scan key (TCP, UDP and "
                   "ICMP echo), the lowest this many in address order, \",+N\" for the rest; 0: none."),
  DP_OPTION ("tz", DP_OPT_STRING, "UTC", TaxonomyConfig, tz,
             "Time zone the windows are aligned in (UTC, Europe/Rome, +02:00): windows start at multiples "
             "of window on that zone's wall clock, so 1d windows are its local days (23 or 25 hours at a "
             "daylight-saving change)."),
};

static const DpPortDesc taxonomy_inputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "Packets to classify (any order within the slack)." },
};

static const DpColumnDesc taxonomy_source_columns[] = {
  { "window_start", DP_COL_INT64, DP_COLUMN_TIME },
  { "src", DP_COL_IPV4, 0 },
  { "packets", DP_COL_INT64, 0 },
  { "probes", DP_COL_INT64, 0 },
  { "tool", DP_COL_STRING, 0 },
};
static const DpColumnDesc taxonomy_event_columns[] = {
  { "window_start", DP_COL_INT64, DP_COLUMN_TIME },
  { "pattern", DP_COL_STRING, 0 },
  { "src", DP_COL_IPV4, 0 },
  { "proto", DP_COL_INT64, DP_COLUMN_NULLABLE },
  { "proto_name", DP_COL_STRING, DP_COLUMN_NULLABLE },
  { "dst", DP_COL_IPV4, DP_COLUMN_NULLABLE },
  { "dport", DP_COL_INT64, DP_COLUMN_NULLABLE },
  { "first_ts", DP_COL_INT64, DP_COLUMN_TIME },
  { "last_ts", DP_COL_INT64, DP_COLUMN_TIME },
  { "duration", DP_COL_DOUBLE, 0 },
  { "targets", DP_COL_STRING, DP_COLUMN_NULLABLE },
};
static const DpColumnDesc taxonomy_summary_columns[] = {
  { "window_start", DP_COL_INT64, DP_COLUMN_TIME },
  { "pattern", DP_COL_STRING, 0 },
  { "sources", DP_COL_INT64, 0 },
  { "keys", DP_COL_INT64, 0 },
  { "packets", DP_COL_INT64, 0 },
};

static const DpPortDesc taxonomy_outputs[] = {
  { "sources", DP_TYPE_TABLE, DP_PORT_MERGE_ORDERED, "One row per (window, source): matched keys per pattern, fingerprint counts.", DP_PORT_COLUMNS (taxonomy_source_columns) },
  { "events", DP_TYPE_TABLE, DP_PORT_MERGE_ORDERED, "One row per matching key: pattern, source, key, packets, spread and times.", DP_PORT_COLUMNS (taxonomy_event_columns) },
  { "summary", DP_TYPE_TABLE, DP_PORT_MERGE_SUM, "Per window and pattern: sources, keys and packets.", DP_PORT_COLUMNS (taxonomy_summary_columns) },
};

static const char taxonomy_doc[] =
  "Labels every source of every time window with the patterns of Liu & Fukuda's darknet traffic "
  "taxonomy (J. Inf. Process. 26, 2018): port scans, network scans, one-flow, backscatter, IP "
  "fragments, small events and other, multi-label.  Thresholds N1, N2, N3, M, R default to the "
  "paper's values (R as a fraction).\n\n"
  "Decisions where the reference notebook departs from the paper (compat: paper, the default):\n"
  "- the scan-flag ratio is scan-flag packets / packets (the notebook inverts it, so any key with "
  "one scan-flag packet passed);\n"
  "- TCP flags are compared as integers under flag_mask (default 0x3f: a SYN with ECE/CWR is a SYN; "
  "the notebook compared whole hex strings);\n"
  "- small_syn counts the source's TCP SYN packets only;\n"
  "- backscatter needs one packet (the notebook: more than one);\n"
  "- boundaries as in the paper's tables: >= N1/N2, > M heavy, <= M light, > N3 one-flow, "
  "< N1/N2 and <= N3 small;\n"
  "- TCP/UDP packets without their L4 header (non-first fragments) only feed ip_fragment and other;\n"
  "- other_tcp/other_udp/other_icmp: the source sent that protocol and got no label from it; "
  "other: it sent another protocol.\n\n"
  "compat: reference reproduces the notebook instead: inverted ratio, exact flag bytes (no NULL "
  "scan), backscatter > 1 packet, missing ports counted as packets but not as ports, and "
  "other_* only for sources without any of the 15 scan/flow/small labels.\n\n"
  "Scanner fingerprints are counted on probes (TCP SYN, UDP, ICMP echo request), each named for "
  "the tool versions it matches (docs/taxonomy.md has the sources): mirai, Mirai 2016 and the "
  "variants that kept its scanner (TCP seq = destination); zmap, ZMap 1.0 to 4.0 (IP id 54321, "
  "any probe); masscan, every version to 1.3 (IP id = (dst ^ dport ^ seq) & 0xffff, TCP); "
  "zmap41, ZMap 4.1 and later, whose IP id is random (TCP SYN without DF, window 65535, 4, 12, "
  "20 or 24 option bytes, TTL up to 64 or above 128, IP id not 54321; or any SYNs of a source "
  "whose first destinations in the window walk ZMap's cyclic-group order).  "
  "The tool column names the tool matched by at least tool_share of the source's probes.\n\n"
  "IPv6 sources get every pattern: ICMPv6 echo request (128) is the ping of net_scan_icmp and "
  "small_ping; ICMPv6 echo reply, destination unreachable, packet too big and hop limit exceeded "
  "in transit are backscatter (the IPv4 rule's counterparts); ICMP events of IPv6 sources carry "
  "protocol 58. The fingerprints read IPv4 fields (IP id, the destination as a number) and are "
  "not counted for IPv6. ipv6_prefix aggregates IPv6 sources by prefix. Addresses print as RFC "
  "5952 text; \"address order\" below puts IPv6 sources after the IPv4 ones, in the order the "
  "source first met them.\n\n"
  "Streaming: one table of distinct (src, dst, class, port) keys per open window; a window is "
  "emitted once a packet later than its end + slack arrives, the rest at the end: sources and "
  "events in address order, as tables of at most 65536 rows (a window of spoofed traffic can "
  "hold millions of sources), then one summary table.  Per-source times of small_syn, "
  "backscatter and ip_fragment events span the keys holding those packets.\n\n"
  "State across runs: with state_path a run ends without emitting the windows still open, "
  "saving them to that file, and the next run with the same state_path resumes them, so "
  "captures processed piece by piece in separate runs give the tables of one run over all "
  "of them; state_final: true in the last run of a series emits everything and removes the "
  "file.  IPv6 addresses and pseudonyms are then kept in the taxonomy's own name map "
  "(docs/taxonomy.md has the file format and the limits).";

DP_PLUGIN_DEFINE (taxonomy,
  .kind = DP_KIND_DETECTOR,
  .summary = "Liu & Fukuda darknet traffic taxonomy per time window and source",
  .version = "1.0",
  .doc = taxonomy_doc,
  .inputs = taxonomy_inputs,
  .n_inputs = DP_N_ELEMENTS (taxonomy_inputs),
  .outputs = taxonomy_outputs,
  .n_outputs = DP_N_ELEMENTS (taxonomy_outputs),
  .options = taxonomy_options,
  .n_options = DP_N_ELEMENTS (taxonomy_options),
  .config_size = sizeof (TaxonomyConfig),
  .check = taxonomy_check,
  .init = taxonomy_init,
  .process = taxonomy_process,
  .finish = taxonomy_finish,
  .finalize = taxonomy_finalize,
  .flags = DP_PLUGIN_PER_SOURCE | DP_PLUGIN_EVENT_TIME)
