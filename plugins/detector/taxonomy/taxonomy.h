/* taxonomy.h — shared types of the taxonomy detector (Liu & Fukuda darknet
 * traffic taxonomy).  Private to the plugin: nothing here is exported. */
#pragma once

#include "darkpipe.h"
#include <string.h>

#include "dp-hash.h"
#include "../../common/tz.h"

typedef enum { TAXONOMY_COMPAT_PAPER = 0, TAXONOMY_COMPAT_REFERENCE } TaxonomyCompat;

typedef struct {
  gint64 window_ns;
  gint64 slack_ns;
  gint64 n1, n2, n3;
  double m, r;
  guint64 flag_mask;
  int compat;
  double tool_share;
  gint64 ipv6_prefix;
  char *state_path;     /* the open windows across runs, or NULL */
  gboolean state_final;
  guint64 event_ports;  /* ports listed per port-scan event (0: none) */
  guint64 event_dsts;   /* destinations listed per net-scan event (0: none) */
  char *tz;             /* time zone the windows are aligned in */
} TaxonomyConfig;

/* The patterns, in the column order of the reference notebook's matrix. */
typedef enum {
  TAX_PS_TCP_HEAVY, TAX_PS_TCP_LIGHT, TAX_PS_UDP_HEAVY, TAX_PS_UDP_LIGHT,
  TAX_NS_TCP_HEAVY, TAX_NS_TCP_LIGHT, TAX_NS_UDP_HEAVY, TAX_NS_UDP_LIGHT,
  TAX_NS_ICMP_HEAVY, TAX_NS_ICMP_LIGHT, TAX_ONE_FLOW_TCP, TAX_ONE_FLOW_UDP,
  TAX_BS_TCP, TAX_BS_UDP, TAX_BS_ICMP, TAX_FRAGMENT,
  TAX_SMALL_SYN, TAX_SMALL_UDP, TAX_SMALL_PING,
  TAX_OTHER_TCP, TAX_OTHER_UDP, TAX_OTHER_ICMP, TAX_OTHER,
  TAX_N_PATTERNS
} TaxPattern;

extern const char *const taxonomy_pattern_names[TAX_N_PATTERNS];

/* Traffic classes of the base key.  NONE holds what no rule but
 * ip_fragment/other looks at: other protocols and, in paper mode, packets
 * without their L4 header (non-first fragments); its "port" is the protocol. */
enum { TAX_CLS_TCP = 0, TAX_CLS_UDP, TAX_CLS_ICMP, TAX_CLS_NONE };
#define TAX_PORT_NULL 0x10000u          /* reference mode: port field missing */
#define TAX_KEY_B(cls, port) (((guint32) (cls) << 17) | (guint32) (port))
#define TAX_KEY_CLS(b) ((b) >> 17)
#define TAX_KEY_PORT(b) ((b) & 0x1ffffu)
#define TAX_ICMP_ECHO 0x0800u          /* type 8, code 0 as type << 8 | code */
#define TAX_ICMP6 0x10000u             /* ICMPv6 but echo: type << 8 | code | TAX_ICMP6 */

/* Per-packet attribute bits, decided once per packet. */
enum {
  TAX_A_SCAN = 1u << 0,    /* TCP scan flags (S, F, FA, NULL) */
  TAX_A_SYN = 1u << 1,     /* TCP SYN alone */
  TAX_A_BS = 1u << 2,      /* backscatter: TCP SA/A/R/RA, UDP sport, ICMP reply/error */
  TAX_A_FRAG = 1u << 3,
  /* scanner fingerprints (docs/taxonomy.md has the tools' rules and versions) */
  TAX_A_MIRAI = 1u << 4,
  TAX_A_ZMAP = 1u << 5,     /* ZMap before 4.1: IP id 54321 */
  TAX_A_MASSCAN = 1u << 6,
  TAX_A_ZMAP41 = 1u << 7,   /* ZMap 4.1 and later: window, options, TTL of its SYNs */
};
enum { TAX_FP_MIRAI = 0, TAX_FP_ZMAP, TAX_FP_MASSCAN, TAX_FP_ZMAP41, TAX_N_FP };

/* One aggregate: a cache line.  The same layout serves the base table of
 * distinct (src, dst, class|port) triples (of a partition of the window)
 * and the (src, dst, class) and (src, class|port) tables derived from it
 * when a window closes. */
typedef struct {
  guint32 src, dst, b, n_pkt;
  union {
    struct {
      guint32 n_scan, n_syn, n_bs;
      union {
        guint32 n_frag;       /* base table: fragments (read from the triples only) */
        guint32 n_distinct;   /* derived tables: distinct ports (pairs) or destinations */
      };
      guint32 fp[TAX_N_FP];
    };
    guint32 counts[8];        /* the same: one per attribute bit, in the bits' order */
  };
  gint64 first, last;
} TaxAgg;

G_STATIC_ASSERT (sizeof (TaxAgg) == 64);
G_STATIC_ASSERT (TAX_A_SCAN == 1 && TAX_A_SYN == 2 && TAX_A_BS == 4 && TAX_A_FRAG == 8 && TAX_A_MIRAI == 16
                 && TAX_A_ZMAP == 32 && TAX_A_MASSCAN == 64 && TAX_A_ZMAP41 == 128);
G_STATIC_ASSERT (TAX_FP_MIRAI == 0 && TAX_FP_ZMAP == 1 && TAX_FP_MASSCAN == 2 && TAX_FP_ZMAP41 == 3);

/* The counts one packet of attribute bits a adds: taxonomy_attr_counts[a]. */
typedef struct {
  guint32 v[8];
} TaxCounts;

extern const TaxCounts taxonomy_attr_counts[256];

/* Open addressing over a compact index (8 bytes a slot: the table's
 * generation, 16 bits of hash as a tag, entry number + 1) into a dense
 * array of entries in insertion order.  The triple key is 81 bits, too wide
 * for DpHash's 64-bit keys; the index stays small enough to be mostly
 * cached, the close reads the entries front to back with no empty slots.
 * A slot of another generation is empty, so a reset clears nothing: it
 * moves to the next generation (the index is zeroed once in 65535 resets),
 * and tables reused window after window, source after source, are never
 * written twice over. */
typedef struct {
  guint64 *slots;      /* gen << 48 | tag << 32 | (entry + 1); another gen: empty */
  gsize slots_cap;     /* allocated; the index in use is mask + 1 of them */
  gsize mask;
  TaxAgg *entries;     /* 64-byte aligned */
  gsize n, cap;
  guint64 gen;         /* 1 to 65535, already shifted: gen << 48 */
} TaxTable;

static inline guint64
taxonomy_hash (guint32 src, guint32 dst, guint32 b)
{
  return dp_hash_mix ((((guint64) src << 32) | dst)
                      + (guint64) b * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
}

/** Zeroed memory for a large array hit at random: 64-byte aligned, from
 * 2 MiB up fresh pages of its own (zero already: not written here) on
 * transparent huge pages.  Free with taxonomy_big_free() and the same size. */
void *taxonomy_big_alloc (gsize bytes);
void taxonomy_big_free (void *p, gsize bytes);
/** @p (of @had bytes, from taxonomy_big_alloc()) grown to @want bytes,
 * its contents kept, the rest zero; it may move. */
void *taxonomy_big_grow (void *p, gsize had, gsize want);
void taxonomy_table_init (TaxTable *t, gsize capacity_hint);
void taxonomy_table_clear (TaxTable *t);
void taxonomy_table_grow_index (TaxTable *t);
void taxonomy_table_grow_entries (TaxTable *t);
/** Empties @t, keeping its memory (already mapped: no page faults next time). */
void taxonomy_table_reset (TaxTable *t);
/** Empties @t for at most @n_keys keys, clearing only as much index as
 * that needs: per-source tables are reset once per source. */
void taxonomy_table_reset_for (TaxTable *t, gsize n_keys);

#define TAX_SLOT_GEN(s) ((s) & G_GUINT64_CONSTANT (0xffff000000000000))
#define TAX_SLOT_TAG(h) ((h) & G_GUINT64_CONSTANT (0x0000ffff00000000))

/** The entry of the key (hash @h), or NULL when absent, *@slot then the
 * empty slot where it goes (taxonomy_table_append()).  Call
 * taxonomy_table_reserve() first. */
G_ALWAYS_INLINE static inline TaxAgg *
taxonomy_table_find (const TaxTable *t, guint32 src, guint32 dst, guint32 b, guint64 h, gsize *slot)
{
  gsize i = h & t->mask;
  guint64 tag = t->gen | TAX_SLOT_TAG (h);
  for (;;)
    {
      guint64 s = t->slots[i];
      if (TAX_SLOT_GEN (s) != t->gen)
        {
          *slot = i;
          return NULL;
        }
      if ((s & G_GUINT64_CONSTANT (0xffffffff00000000)) == tag)
        {
          TaxAgg *e = &t->entries[(guint32) s - 1];
          if (e->src == src && e->dst == dst && e->b == b)
            return e;
        }
      i = (i + 1) & t->mask;
    }
}

/** Room in the index for one more key. */
G_ALWAYS_INLINE static inline void
taxonomy_table_reserve (TaxTable *t)
{
  if (G_UNLIKELY ((t->n + 1) * 2 > t->mask + 1))
    taxonomy_table_grow_index (t);
}

/** A new entry for the key of hash @h at empty @slot (from
 * taxonomy_table_find()), its contents for the caller to write. */
G_ALWAYS_INLINE static inline TaxAgg *
taxonomy_table_append (TaxTable *t, gsize slot, guint64 h)
{
  if (G_UNLIKELY (t->n == t->cap))
    taxonomy_table_grow_entries (t);
  /* appends run ahead of the hardware prefetcher at one line each */
  if (G_LIKELY (t->n + 8 < t->cap))
    __builtin_prefetch (&t->entries[t->n + 8], 1, 3);
  TaxAgg *e = &t->entries[t->n];
  t->slots[slot] = t->gen | TAX_SLOT_TAG (h) | ++t->n;
  return e;
}

/** The entry of the key (hash @h), a zeroed one holding the key when
 * absent.  Valid until the next upsert. */
G_ALWAYS_INLINE static inline TaxAgg *
taxonomy_table_upsert (TaxTable *t, guint32 src, guint32 dst, guint32 b, guint64 h)
{
  taxonomy_table_reserve (t);
  gsize slot;
  TaxAgg *e = taxonomy_table_find (t, src, dst, b, h, &slot);
  if (G_LIKELY (e != NULL))
    return e;
  e = taxonomy_table_append (t, slot, h);
  *e = (TaxAgg) { .src = src, .dst = dst, .b = b };   /* two stores, not a memset call */
  return e;
}

/** Adds the counts of @from into @to (a derived aggregate). */
static inline void
taxonomy_agg_merge (TaxAgg *to, const TaxAgg *from)
{
  if (to->n_pkt == 0 || from->first < to->first)
    to->first = from->first;
  if (to->n_pkt == 0 || from->last > to->last)
    to->last = from->last;
  to->n_pkt += from->n_pkt;
  to->n_scan += from->n_scan;
  to->n_syn += from->n_syn;
  to->n_bs += from->n_bs;
  /* not n_frag: in a derived table its place holds n_distinct */
  for (guint k = 0; k < TAX_N_FP; k++)
    to->fp[k] += from->fp[k];
}

/** Adds every count of @from into @to (triples of one key). */
static inline void
taxonomy_agg_merge_all (TaxAgg *to, const TaxAgg *from)
{
  taxonomy_agg_merge (to, from);
  to->n_frag += from->n_frag;
}

/** @e (uninitialised) made the aggregate of one packet of key (@src,
 * @dst, @b), time @ts and attribute bits @a. */
static inline void
taxonomy_agg_of_packet (TaxAgg *e, guint32 src, guint32 dst, guint32 b, gint64 ts, guint8 a)
{
  e->src = src;
  e->dst = dst;
  e->b = b;
  e->n_pkt = 1;
  memcpy (e->counts, taxonomy_attr_counts[a].v, sizeof e->counts);
  e->first = e->last = ts;
}

/** Counts a packet of time @ts and attribute bits @a into @e. */
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
  for (guint k = 0; k < 8; k++)
    e->counts[k] += taxonomy_attr_counts[a].v[k];
}

/* ---- an open window: packets kept by source partition (taxonomy-parts.c) ----
 *
 * A packet is kept as it came, a 20-byte record, appended to the partition
 * of its source: no lookup per packet, and the window's memory is written
 * in a few thousand sequential streams, not read at random.  The triples
 * are made when the window closes, one partition at a time, in a table
 * small enough for the cache.  Partitions are ranges of source keys in
 * increasing order (IPv4 /12s, then runs of 1024 name keys), so closing
 * them in turn decides the sources in address order.  A partition whose
 * records repeat triples (a flood) is compacted into triples as it grows,
 * so memory stays proportional to distinct triples, not packets. */

#define TAX_N_PARTS 4096u
#define TAX_PARTS_V4 (DP_NAME_BASE >> 20)       /* 3840 IPv4 /12s, then name keys */
#define TAX_CHUNK_BITS 6
#define TAX_CHUNK_RECS (1u << TAX_CHUNK_BITS)   /* records per chunk (1280 bytes) */
#define TAX_COMPACT_MIN 65536u                  /* records before a first compaction */

static inline guint
taxonomy_part_of (guint32 src)
{
  if (G_LIKELY (src < DP_NAME_BASE))
    return src >> 20;
  return TAX_PARTS_V4 + MIN ((src - DP_NAME_BASE) >> 10, TAX_N_PARTS - TAX_PARTS_V4 - 1);
}

/* A packet: its source, destination, class|port key with the attribute
 * bits above it, and time (two halves: 20 bytes, 4-byte aligned). */
typedef struct {
  guint32 src, dst, b_attr;
  guint32 ts_lo, ts_hi;
} TaxRec;

#define TAX_REC_B(r) ((r)->b_attr & 0xffffffu)
#define TAX_REC_ATTR(r) ((guint8) ((r)->b_attr >> 24))
#define TAX_REC_TS(r) ((gint64) (((guint64) (r)->ts_hi << 32) | (r)->ts_lo))

/* The chunks of records of every window: chunk c is recs[c << TAX_CHUNK_BITS
 * ...], next[c] the partition's chunk after it + 1 (or the next free one's
 * + 1); freed chunks are reused by the windows that follow (memory already
 * mapped). */
typedef struct {
  TaxRec *recs;
  guint32 *next;
  guint32 n, cap;      /* chunks handed out (free or not), allocated */
  guint32 free;        /* first free chunk + 1, 0: none (chained by next) */
  guint64 n_compacted; /* partitions compacted so far */
} TaxPool;

typedef struct {
  guint32 head, tail;  /* its first and last chunk (when n_raw > 0) */
  guint32 n_raw;       /* records in its chunks */
  guint32 check_at;    /* a compaction is tried when n_raw reaches it (0: TAX_COMPACT_MIN) */
} TaxPart;

/* Triples a partition was compacted to (or restored from a state file). */
typedef struct {
  TaxAgg *e;
  gsize n, cap;
} TaxAggs;

/* One window's state while it is open: its partitions. */
typedef struct {
  gint64 index;        /* start = index * window_ns */
  guint64 n_pkt;
  guint64 used[TAX_N_PARTS / 64];   /* bit per partition holding anything */
  TaxAggs *aggs;       /* NULL, or per partition */
  TaxPart part[TAX_N_PARTS];
} TaxWindow;

void taxonomy_pool_init (TaxPool *pool);
void taxonomy_pool_clear (TaxPool *pool);
TaxWindow *taxonomy_window_new (gint64 index);
void taxonomy_window_free (gpointer w);
/** Room for record n_raw of partition @p of @w: a chunk when the tail is
 * full (trying a compaction first when due).  Out of line: once in 64. */
void taxonomy_part_grow (TaxPool *pool, TaxWindow *w, guint p, TaxTable *scratch);
/** The triples of partition @p into @t (emptied first), in the order
 * their first packets came: compacted ones, then the records. */
void taxonomy_part_triples (const TaxPool *pool, const TaxWindow *w, guint p, TaxTable *t);
/** Empties partition @p, its chunks back to the pool. */
void taxonomy_part_release (TaxPool *pool, TaxWindow *w, guint p);
/** Adds the triples of @t (distinct) to @w, as compacted triples. */
void taxonomy_window_adopt (TaxWindow *w, const TaxTable *t);
/** Every triple of @w into @t (emptied first), partition by partition. */
void taxonomy_window_triples (const TaxPool *pool, const TaxWindow *w, TaxTable *t, TaxTable *scratch);
/** The next partition of @w in use from @p on, or TAX_N_PARTS. */
guint taxonomy_window_next_part (const TaxWindow *w, guint p);

/* ---- state across runs (taxonomy-state.c) ---- */

/* Where the stream is: what decides which windows are open. */
typedef struct {
  gint64 closed_below, next_close_ts, max_ts;
  gboolean any_ts;
} TaxClock;

/** Writes the open windows (TaxWindow *, by index, their records in
 * @pool), @clock and the texts of the name keys they use (from @names)
 * to @path, atomically. */
gboolean taxonomy_state_save (const char *path, const TaxonomyConfig *cfg, const TaxClock *clock,
                              GPtrArray *open, const TaxPool *pool, DpNameMap *names, GError **error);
/** Reads @path into @clock and @open (empty, freeing TaxWindow * on its
 * own), interning its name keys into @names in their saved order.  A
 * missing file: TRUE with *@found FALSE.  An unreadable, damaged, other
 * version or other configuration file: FALSE with @error naming it. */
gboolean taxonomy_state_load (const char *path, const TaxonomyConfig *cfg, TaxClock *clock,
                              GPtrArray *open, DpNameMap *names, gboolean *found, GError **error);

/* ---- window close (taxonomy-close.c) ---- */

/* Per-source aggregate of one category of packets. */
typedef struct {
  guint32 n_pkt, n_dst, n_dport;
  guint32 fp[TAX_N_FP];
  gint64 first, last;
} TaxCat;

/* SYN, UDP and ECHO feed the small events (UDP: the UDP class, i.e. with
 * ports in paper mode); ALL_* are every packet of a protocol, for other_*. */
/* Ordered so a triple touches neighbouring categories: SYN next to ALL_TCP
 * right after the header, and so on. */
enum {
  TAX_CAT_SYN, TAX_CAT_ALL_TCP, TAX_CAT_UDP, TAX_CAT_ALL_UDP, TAX_CAT_ECHO, TAX_CAT_ALL_ICMP,
  TAX_CAT_BS_TCP, TAX_CAT_BS_UDP, TAX_CAT_BS_ICMP, TAX_CAT_FRAG, TAX_CAT_ALL_OTHER, TAX_N_CATS
};

typedef struct {
  guint32 src;
  guint64 n_pkt;
  guint64 probes;               /* SYN + UDP + ICMP echo packets */
  guint64 fp[TAX_N_FP];         /* fingerprinted probes */
  TaxCat cat[TAX_N_CATS];
  guint32 count[TAX_N_PATTERNS];  /* matching keys per pattern */
} TaxSource;

/* bits of TaxEvent.key: the parts of the key besides the source */
enum { TAX_EV_DST = 1u, TAX_EV_PROTO = 2u };

typedef struct {
  guint32 src, dst;    /* dst 0 when not part of the key */
  gint32 dport;        /* -1 when the port is not part of the key */
  guint8 pattern, proto, key;
  guint32 n_pkt, n_dst, n_dport;
  guint32 fp[TAX_N_FP];
  gint64 first, last;
  const char *list;    /* event_ports / event_dsts: the key's ports or destinations (in
                        * TaxScratch.text, until the next source), or NULL */
} TaxEvent;

/* An output table being filled row by row, with the strings its rows share
 * already in the table's own string chunk (the table may outlive the plugin). */
typedef struct {
  DpTable *t;
  const char *str[TAX_N_PATTERNS];  /* events: pattern names; sources: tool names */
  gboolean pushed;     /* a chunk of this window went out already */
} TaxOut;

/* Windows with millions of sources (spoofed traffic) must not hold them all:
 * the sources and events tables go out in chunks of this many rows. */
#define TAX_CHUNK_ROWS 65536u

/* A (src, dst, class) pair of the source being decided: what its rules
 * read (its port-scan event's times and fingerprints are summed from the
 * triples afterwards, for the few pairs that make one). */
typedef struct {
  guint32 dst, cls;
  guint32 n_distinct;  /* distinct ports: triples with a port */
  guint32 n_pkt, n_scan;
  guint32 flags;       /* TAX_PAIR_SYN, TAX_PAIR_BS */
} TaxPair;

enum { TAX_PAIR_SYN = 1u, TAX_PAIR_BS = 2u };

/* An open-addressing index of one source's keys: entry number + 1 in
 * each slot (0: empty), a power of two of them at least twice the keys,
 * slots taken by the key's hash's top bits; cleared per source (a few
 * bytes a key). */
typedef struct {
  guint32 *slots;
  gsize cap, mask;
  guint shift;
} TaxIndex;

/* Close-time memory kept from window to window: fresh multi-megabyte
 * arrays every window cost a page fault and a zeroed page for every page
 * they touch. */
typedef struct {
  guint64 *keys, *keys_tmp;  /* per triple: src << 32 | its entry number, sorted */
  gsize keys_cap;
  TaxTable srcs;       /* the sources of the triples being sorted (n_pkt: triples) */
  guint64 *src_keys;   /* their src << 32 | entry number, and as much room to sort them */
  gsize src_cap;
  GArray *events;      /* TaxEvent: the events of the source being decided */
  /* the source's target lists (taxonomy-lists.c), without a lookup per
   * triple: the pair and port entry of each of its triples (in key order;
   * TAX_NO_EVENT: none), the listed event of each pair and port entry */
  guint32 *pair_of, *port_of;
  guint32 *b_of, *dst_of;  /* and its class|port and destination (read once, in cache) */
  gsize of_cap;
  guint32 *pair_ev, *port_ev;
  gsize ev_cap;
  /* the source's pairs and (src, class|port) keys, entries in insertion
   * order, with their indexes; each pair's port-scan event (TAX_NO_EVENT:
   * none) */
  TaxPair *pairs;
  guint32 *pair_scan;
  TaxAgg *ports;
  guint32 n_pairs, n_ports;
  TaxIndex pair_index, port_index;
  guint32 echo_ev;     /* the ICMP net-scan event of the source */
  guint32 *vals;       /* the lists' values, list after list */
  guint32 *start;      /* per event: where its values start in vals */
  gsize vals_cap, start_cap;
  GString *text;       /* the lists' texts, NUL after each */
  guint64 last_sources, last_events;  /* rows of the last window's tables */
} TaxScratch;

#define TAX_NO_EVENT G_MAXUINT32

void taxonomy_scratch_init (TaxScratch *k);
void taxonomy_scratch_clear (TaxScratch *k);

/* One window's close: sources are decided one at a time in address order,
 * and their rows appended to the output tables, pushed as they fill. */
typedef struct {
  const TaxonomyConfig *cfg;
  gint64 win;          /* window start, ns since the epoch (the tables' window_start) */
  DpStage *stage;
  DpNameMap *names;
  TaxScratch *k;
  TaxSource s;         /* the source being decided */
  guint32 last_port_b; /* the port key of this source merged last, at entry last_port - 1 */
  gsize last_port;     /* 0: none */
  TaxOut sources, events;
  guint stopped;       /* bit per output port: its consumers said DP_FLOW_STOP */
  DpFlow fatal;        /* DP_FLOW_ERROR or DP_FLOW_CANCELLED from a push, else OK */
  /* the summary */
  guint64 n_sources, n_events, n_pkt;
  guint64 pat_sources[TAX_N_PATTERNS], pat_keys[TAX_N_PATTERNS], pat_pkt[TAX_N_PATTERNS];
} TaxClose;

void taxonomy_close_init (TaxClose *c, const TaxonomyConfig *cfg, gint64 window_start_ns,
                          DpStage *stage, DpNameMap *names,
                          TaxScratch *scratch);
/** Fills the list of each port-scan and net-scan event of the source just
 * decided (its @n triples as noted in the scratch), as event_ports and
 * event_dsts ask (taxonomy-lists.c). */
void taxonomy_event_lists (TaxClose *c, gsize n);
/* ZMap's cyclic order (taxonomy-cyclic.c): the test reads the first
 * TAX_CYCLIC_MAX destinations and needs TAX_CYCLIC_MIN steps. */
#define TAX_CYCLIC_MAX 24
#define TAX_CYCLIC_MIN 5

/** Whether destinations @dst[0..n) walk ZMap's group, over all of IPv4 or
 * within one /16 (FALSE for fewer than TAX_CYCLIC_MIN + 1 or more than
 * TAX_CYCLIC_MAX of them). */
gboolean taxonomy_cyclic (const guint32 *dst, guint n);

/** Starts the window's sources and events tables. */
void taxonomy_close_begin (TaxClose *c);
/** Decides every source of @triples (left as it is), which holds all the
 * triples of its sources, all above the sources of earlier calls; the
 * rows go to the tables, pushed as they fill. */
void taxonomy_close_part (TaxClose *c, const TaxTable *triples);
/** Pushes the rest of the sources and events tables, then the summary. */
void taxonomy_close_end (TaxClose *c);
/** The three of them for a window of @triples. */
void taxonomy_close_run (TaxClose *c, const TaxTable *triples);

/* ---- output tables (taxonomy-emit.c) ---- */

/** A sources (events) table, with room for @rows rows (dp_table_reserve()). */
void taxonomy_out_sources (TaxOut *o, DpNameMap *names, guint rows);
void taxonomy_out_events (TaxOut *o, DpNameMap *names, guint rows);
void taxonomy_out_add_source (TaxOut *o, const TaxonomyConfig *cfg, gint64 win, const TaxSource *s);
void taxonomy_out_add_event (TaxOut *o, gint64 win, const TaxEvent *e);
DpTable *taxonomy_emit_summary (const TaxClose *c);

/* ---- the plugin's state (taxonomy.c: windows; taxonomy-packet.c: per packet) ---- */

#define TAX_N_OUTPUTS 3   /* sources, events, summary */

typedef struct {
  TaxonomyConfig cfg;
  guint8 flag_attr[256];   /* TCP flag byte -> TAX_A_SCAN|SYN|BS for this mode */
  GPtrArray *open;         /* TaxWindow *, by increasing index */
  /* Memory kept from window to window (already mapped): the records'
   * chunks, a closed window's partitions, the close's tables. */
  TaxPool pool;
  TaxWindow *spare;
  TaxTable triples;        /* the partition being closed or compacted */
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

/** Fills the flag byte -> attribute table for the configured mode. */
void taxonomy_build_flag_attr (Taxonomy *self);
/** The window of @ts (its index). */
gint64 taxonomy_index_of (Taxonomy *self, gint64 ts);
/** Where window @index starts (ns since the epoch, saturated). */
gint64 taxonomy_start_of (Taxonomy *self, gint64 index);
/** The watermark moved to @ts: windows whose end + slack it passed close. */
void taxonomy_advance (DpStage *stage, Taxonomy *self, gint64 ts);
/** The open window of @index (created when new), or NULL when it closed. */
TaxWindow *taxonomy_window_get (Taxonomy *self, gint64 index);
/** The plugin's process callback: classifies and aggregates a batch. */
DpFlow taxonomy_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch,
                         GError **error);
