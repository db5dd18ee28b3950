/* dp-ranks-private.h — what the modules of the MPI run share (not
 * installed): dp-ranks.c (the plan, the links, the stream, the run),
 * dp-ranks-exchange.c (the rounds of the exchange), dp-ranks-wire.c (names
 * and tables as bytes), dp-ranks-merge.c (the tables on rank 0) and
 * dp-ranks-summary.c (the job's figures on rank 0). */
#pragma once

#include <string.h>

#include "dp-pipeline-private.h"

G_BEGIN_DECLS

/* What a stage is across ranks: a source (on every rank when it splits
 * its input, else on rank 0, the other ranks taking part in its rounds
 * with nothing), a per-source stage (every rank, its owned sources), a
 * rank-0 stage (fed with every packet, in one process's order, or with
 * merged tables and rank-0 results), or a collective stage (finish on
 * every rank, inputs on rank 0). */
typedef enum { ROLE_SOURCE, ROLE_PER_SOURCE, ROLE_ROOT, ROLE_COLLECTIVE } Role;

/* A round's state of one rank, as the all-gather carries it. */
enum { XS_ACTIVE = 0, XS_DONE = 1, XS_FAILED = 2 };
/* What each rank says in a round's all-gather: its state, its block's
 * newest timestamp. */
enum { RS_STATE, RS_NEWEST, RS_N };

typedef struct {
  DpStage *stage;            /* the internal stage between source and consumer */
  DpStage *source, *to;
  guint source_port;
  const DpComm *comm;
  gboolean gather;           /* every packet to rank 0 (else to its source's owner) */
  gboolean event_time;
  gint64 window_ns, slack_ns;
  gint64 newest;             /* newest timestamp of all rounds so far (G_MININT64: none) */
  guint64 round;
  gboolean over;             /* the ranks agreed that this exchange ended */
  gint failed_rank;          /* the first rank that failed, or -1 */
  DpNameMap *names;          /* received packets' names */
  GHashTable *seen;          /* names of the source's map logged already */
  GByteArray *name_log;      /* first sightings: round, rank, row, column, name */
  guint64 bytes_sent, late;
  guint64 routed_out, routed_in;   /* packets to and from other ranks */
  guint32 columns;           /* the packet columns sent: bit c is DP_PACKET_COLUMNS's c-th */
} Exchange;

typedef struct {
  DpPipeline *p;
  const DpComm *comm;
  DpStage **stages;
  Role *roles;
  guint n;
  GPtrArray *exchanges;      /* Exchange *, in link order */
  GArray *sink_wires;        /* SinkWire: per-source stage ports into rank-0 stages (linked on rank 0) */
  gboolean *root_source;     /* per stage: a source that runs on rank 0 only */
} Ranks;

typedef struct {
  DpStage *from, *to;
  guint out_port, in_port;
} SinkWire;

/* ------------------------------------------------------------------ */
/* byte buffers */

static inline void
put (GByteArray *b, const void *v, gsize n)
{
  g_byte_array_append (b, v, (guint) n);
}

#define PUT(b, type, v) G_STMT_START { type v_ = (v); put ((b), &v_, sizeof v_); } G_STMT_END

typedef struct {
  const guint8 *p, *end;
  gboolean bad;
} Reader;

static inline const void *
take (Reader *r, gsize n)
{
  if (r->bad || (gsize) (r->end - r->p) < n)
    {
      r->bad = TRUE;
      return NULL;
    }
  const void *v = r->p;
  r->p += n;
  return v;
}

#define TAKE(r, type, dflt) ({ type v_ = (dflt); take_into ((r), &v_, sizeof v_); v_; })

/* Copies the next @n bytes into @v (left alone when there are not so many). */
static inline void
take_into (Reader *r, void *v, gsize n)
{
  const void *t = take (r, n);
  if (t)
    memcpy (v, t, n);
}

/* dp-ranks.c */
gboolean ranks_agree (const DpComm *c, gboolean ok, GError **error);
/* A wait for the other ranks that a signal ended: FALSE, with @error the
 * interruption (on rank 0 naming the ranks it waited for). */
gboolean ranks_interrupted (const DpComm *c, GError **error);
gboolean ranks_own_error (Ranks *k, GError **error);

/* dp-ranks-wire.c */
gboolean ranks_put_name (GByteArray *b, const DpNameMap *m, guint32 key);
void ranks_put_names (GByteArray *b, const DpNameMap *m, GHashTable *keys);
guint32 ranks_take_name (Reader *r, DpNameMap *m, guint32 fallback);
void ranks_pack_table (GByteArray *b, const DpTable *t);
DpTable *ranks_unpack_table (Reader *r, DpNameMap *names);

/* dp-ranks-exchange.c */
gint64 ranks_option_ns (DpStage *st, const char *name);
Exchange *ranks_exchange_new (Ranks *k, DpStage *up, guint port, DpStage *to, guint in_port, gboolean gather);
/* The packet columns stage @st reads on input @port (its port's columns),
 * as a mask of DP_PACKET_COLUMNS's order: all when it does not say, names
 * one the core does not know, or passes packets on. */
guint32 ranks_packet_columns (const DpStage *st, guint port);
DpFlow ranks_exchange_round (Exchange *x, const DpPackets *p, gboolean failed, GError **error);
void ranks_exchange_free (gpointer data);

/* dp-ranks-merge.c */
gboolean ranks_merge (Ranks *k, GError **error);

/* dp-ranks-summary.c: the stages' figures and each rank's (into
 * k->p->ranks) on rank 0; after a failure, rank 0's own figures only */
void ranks_reduce (Ranks *k);
void ranks_figures_unreduced (Ranks *k);

G_END_DECLS
