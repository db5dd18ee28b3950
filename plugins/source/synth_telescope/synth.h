/* synth.h — internals of the synth_telescope source (not installed).
 *
 * The simulator is a set of populations (catalog.c), each a range of
 * senders with addresses (world.c), that start episodes — a scan round, a
 * bot burst, a DoS attack, a port scan — as a Poisson process whose rate
 * follows the population's share of the packet budget (generate.c).  An
 * episode's packets are a pure function of (episode key, packet index), so
 * an episode can be cut at any slice boundary and resumed in the next slice
 * without buffering its packets: memory is bounded by one time slice. */
#pragma once

#include <glib.h>
#include "dp-batch.h"
#include "dp-hash.h"
#include "dp-plugin.h"

G_BEGIN_DECLS

/* A (protocol, port) pair: (proto << 16) | port.  ICMP echo has port 0. */
#define SYNTH_TCP(p) ((6u << 16) | (guint32) (p))
#define SYNTH_UDP(p) ((17u << 16) | (guint32) (p))
#define SYNTH_ICMP_ECHO (1u << 16)
#define SYNTH_PROTO(k) ((guint8) ((k) >> 16))
#define SYNTH_PORT(k) ((guint16) ((k) & 0xffffu))

#define SYNTH_ROUND_PORTS_MAX 16
#define SYNTH_ROUND_DSTS_MAX 1024u
#define SYNTH_ROUNDS_MIN 16
#define SYNTH_US G_GINT64_CONSTANT (1000000)
#define SYNTH_HOUR_US (3600 * SYNTH_US)

typedef enum {
  SYNTH_GEN_MIRAI,       /* one bot, a burst of 1-4 SYNs, seq == dst */
  SYNTH_GEN_ROUND,       /* an org's team sweeps its ports across the block */
  SYNTH_GEN_BOTNET,      /* a botnet's team probes one service, K targets x r tries */
  SYNTH_GEN_BACKSCATTER, /* a victim group answers spoofed packets */
  SYNTH_GEN_PORTSCAN,    /* one sender, 1-3 targets, many ports */
  SYNTH_GEN_NETSCAN,     /* one sender, one port, many targets */
  SYNTH_GEN_ONEFLOW,     /* one sender, one target, one port, > 15 packets */
  SYNTH_GEN_FRAGMENT,    /* one sender, fragmented datagrams */
  SYNTH_GEN_TAIL,        /* every sender once, 1-4 packets */
} SynthGen;

typedef enum {
  SYNTH_STYLE_OS,        /* random IP id, SYN with options */
  SYNTH_STYLE_ZMAP,      /* IP id 54321 */
  SYNTH_STYLE_MASSCAN,   /* IP id = (dst ^ dport ^ seq) & 0xffff */
} SynthStyle;

typedef struct {
  guint32 key;      /* SYNTH_TCP (p), ... */
  guint32 weight;
} SynthPortW;

/* One population as written in the catalog; counts are at scale 1. */
typedef struct {
  const char *name;
  const char *label;
  const char *pattern;
  SynthGen gen;
  guint senders;
  guint group;           /* addresses per /24 (orgs, victims); 0: scattered */
  double share;          /* per mille of the packet budget; 0 for the tail */
  guint8 proto;          /* scans, tail: 6, 17 or 1 */
  guint8 style;
  guint16 k_lo, k_hi;    /* ports per round, targets per bot, ports or targets per scan, packets */
  guint8 m_lo, m_hi;     /* targets per port scan, fragments per datagram */
  guint8 r_lo, r_hi;     /* tries per target */
  guint8 team_lo, team_hi; /* percent of members in one round or burst */
  guint16 dur_lo, dur_hi;  /* episode length, seconds */
  const SynthPortW *ports;
  guint n_ports;
  guint extra_ports;     /* random ports added to the set */
  guint8 extra_pct;      /* share of the set's weight that goes to them */
} SynthPopDef;

extern const SynthPopDef synth_telescope_catalog[];
extern const guint synth_telescope_catalog_size;

typedef struct {
  guint32 ip;
  guint16 pop;
  guint8 ttl;
  guint64 packets;       /* sent so far */
} SynthSender;

typedef struct {
  const SynthPopDef *def;
  guint32 first, n;      /* senders [first, first + n) */
  guint32 *ports;        /* the weighted port set */
  guint64 *cum;          /* cumulative weights */
  guint n_ports;
  double rate;           /* expected episodes per microsecond */
  guint32 round_dsts;    /* addresses one round covers */
  gint64 tail_step;      /* tail: microseconds between senders */
} SynthPop;

typedef struct {
  gint64 t0, dt;         /* microseconds */
  guint64 key;
  guint32 n, next;       /* packets; next one to emit */
  guint16 pop;
  guint8 gen;
  guint8 n_ports;
  guint32 sender;        /* single sender, or the team's first member */
  guint32 team_n, team_off, team_stride;
  guint32 k, m, r;
  guint64 perm_a, perm_b, perm_m;
  guint32 dst_off, dst_step;
  guint16 sport;
  guint32 ports[SYNTH_ROUND_PORTS_MAX];
} SynthEpisode;

typedef struct {
  gint64 ts;             /* microseconds */
  guint32 src, dst, seq;
  guint16 sport, dport, ip_id, ip_len, frag, win;
  guint8 proto, flags, icmp_type, icmp_code, ttl, l4, optlen;
} SynthRow;

typedef struct {
  guint64 seed;
  DpCidr block;
  gint64 start, end;     /* microseconds */
  guint64 budget;        /* packets, apart from the tail */
  double scale;
  const char *const *only;  /* population names, or NULL for all */
} SynthParams;

typedef struct {
  SynthParams p;
  guint32 block_base, block_mask;  /* dst = base | (x & mask) */
  SynthSender *senders;
  guint n_senders;
  SynthPop *pops;
  guint n_pops;
  guint32 *pool_tcp, *pool_udp;    /* port-scan pools */
  guint n_pool_tcp, n_pool_udp;
  GArray *active;                  /* SynthEpisode */
  SynthRow *rows;
  gsize n_rows, cap_rows;
  guint64 *keys, *tmp;
  gsize cap_keys;
} SynthWorld;

/* ---- random numbers: splitmix64 streams and counter-based draws ---- */

typedef struct {
  guint64 s;
} SynthRng;

static inline guint64
synth_next (SynthRng *r)
{
  r->s += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  return dp_hash_mix (r->s);
}

/* A stream for item @i of @key: independent of every other item. */
static inline SynthRng
synth_rng_at (guint64 key, guint64 i)
{
  SynthRng r = { dp_hash_mix (key ^ (i * G_GUINT64_CONSTANT (0xd1b54a32d192ed03))) };
  return r;
}

/* Uniform in [0, n), n < 2^32 (multiply-shift; the bias is below 2^-32). */
static inline guint32
synth_below (SynthRng *r, guint32 n)
{
  return (guint32) (((synth_next (r) >> 32) * (guint64) n) >> 32);
}

static inline guint32
synth_range (SynthRng *r, guint32 lo, guint32 hi)
{
  return hi > lo ? lo + synth_below (r, hi - lo + 1) : lo;
}

static inline double
synth_unit (SynthRng *r)
{
  return (double) (synth_next (r) >> 11) * 0x1.0p-53;
}

/* world.c */
SynthWorld *synth_telescope_world_new (const SynthParams *p, GError **error);
void synth_telescope_world_free (SynthWorld *w);
guint32 synth_telescope_pick_port (const SynthPop *pop, SynthRng *r);
guint32 synth_telescope_coprime (SynthRng *r, guint64 n);
double synth_telescope_mean_packets (const SynthWorld *w, const SynthPop *pop);
guint32 synth_telescope_team_size (guint32 n, guint pct);

/* generate.c */
/** Generates slice [a, b) (microseconds) into w->rows, sorted by time. */
void synth_telescope_slice (SynthWorld *w, guint64 slice, gint64 a, gint64 b);

G_END_DECLS
