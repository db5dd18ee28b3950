/* dp-ranks.c — one pipeline across the ranks of an MPI job (`mpirun -np N
 * darkpipe run`, N > 1; docs/architecture.md, "Ranks", has the design).
 *
 * The shape that runs: sources that split their input (each rank decodes
 * every N-th block of records), per-source stages fed by them, sinks fed
 * by the per-source stages' mergeable ports.  Between each source and
 * each per-source stage sits an exchange: every block a source pushes is
 * one round, in which the ranks
 *   1. agree on their state (streaming, done, failed) and their blocks'
 *      newest timestamps (an all-gather), so each rank knows the newest
 *      timestamp of everything before its block in the one-process order;
 *   2. drop what one process would drop as late (DP_PLUGIN_EVENT_TIME);
 *   3. send each packet to the rank owning its source (a hash of the
 *      address: IPv4, the 16 bytes of IPv6, a pseudonym's text), in one
 *      all-to-all of column buffers;
 *   4. push what they got, in rank order: the one-process order of the
 *      owned sources' packets.
 * Then the per-source stages finish, their tables go to rank 0, which
 * merges them (DP_PORT_MERGE_*), pushes them to the sinks and finishes
 * those: outputs are written by rank 0 only, and only once every rank has
 * succeeded.  Failures are agreed on at round and phase boundaries; rank
 * 0 reports the first failing rank's message. */
#include "config.h"

#include <string.h>

#include "dp-hash.h"
#include "dp-options.h"
#include "dp-pipeline-private.h"

/* What a stage is across ranks: a source (on every rank when it splits
 * its input, else on rank 0, the other ranks taking part in its rounds
 * with nothing), a per-source stage (every rank, its owned sources), a
 * rank-0 stage (fed with every packet, in one process's order, or with
 * merged tables and rank-0 results), or a collective stage (finish on
 * every rank, inputs on rank 0). */
typedef enum { ROLE_SOURCE, ROLE_PER_SOURCE, ROLE_ROOT, ROLE_COLLECTIVE } Role;

/* A round's state of one rank, as the all-gather carries it. */
enum { XS_ACTIVE = 0, XS_DONE = 1, XS_FAILED = 2 };

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

static void
put (GByteArray *b, const void *v, gsize n)
{
  g_byte_array_append (b, v, (guint) n);
}

#define PUT(b, type, v) G_STMT_START { type v_ = (v); put ((b), &v_, sizeof v_); } G_STMT_END

typedef struct {
  const guint8 *p, *end;
  gboolean bad;
} Reader;

static const void *
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
static void
take_into (Reader *r, void *v, gsize n)
{
  const void *t = take (r, n);
  if (t)
    memcpy (v, t, n);
}

/* A name of map @m as bytes: kind (0 token, 1 IPv6), prefix, length, text
 * or the 16 bytes.  FALSE when @key is no name of @m. */
static gboolean
put_name (GByteArray *b, const DpNameMap *m, guint32 key)
{
  guint plen = 128;
  const guint8 *a6 = dp_name_map_lookup_ip6 (m, key, &plen);
  if (a6)
    {
      PUT (b, guint8, 1);
      PUT (b, guint8, (guint8) plen);
      PUT (b, guint16, 16);
      put (b, a6, 16);
      return TRUE;
    }
  const char *tok = dp_name_map_lookup (m, key);
  if (tok == NULL)
    return FALSE;
  gsize len = MIN (strlen (tok), (gsize) G_MAXUINT16);
  PUT (b, guint8, 0);
  PUT (b, guint8, 0);
  PUT (b, guint16, (guint16) len);
  put (b, tok, len);
  return TRUE;
}

/* The names of @keys (a set of keys of @m, nullable) as a count and
 * entries (key, then put_name's bytes); keys that are no names of @m are
 * left out. */
static void
put_names (GByteArray *b, const DpNameMap *m, GHashTable *keys)
{
  GByteArray *names = g_byte_array_new ();
  guint32 n_names = 0;
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, keys);
  while (m && g_hash_table_iter_next (&it, &key, NULL))
    {
      guint pos = names->len;
      PUT (names, guint32, GPOINTER_TO_UINT (key));
      if (put_name (names, m, GPOINTER_TO_UINT (key)))
        n_names++;
      else
        g_byte_array_set_size (names, pos);
    }
  PUT (b, guint32, n_names);
  put (b, names->data, names->len);
  g_byte_array_unref (names);
}

/* Reads a name written by put_name and interns it into @m: its key there,
 * or @fallback when the map is full or the bytes are damaged. */
static guint32
take_name (Reader *r, DpNameMap *m, guint32 fallback)
{
  guint8 kind = TAKE (r, guint8, 0), plen = TAKE (r, guint8, 0);
  guint16 len = TAKE (r, guint16, 0);
  const guint8 *bytes = take (r, len);
  if (bytes == NULL)
    return fallback;
  guint32 key = fallback;
  if (kind == 1 && len == 16)
    {
      if (!dp_name_map_intern_ip6 (m, bytes, plen, &key))
        key = fallback;
      return key;
    }
  g_autofree char *tok = g_strndup ((const char *) bytes, len);
  return dp_name_map_intern (m, tok);
}

/* ------------------------------------------------------------------ */
/* agreeing on failures */

/* Every rank says whether it is well (@ok, else @error set); when one is
 * not, all return FALSE: rank 0 with the first failing rank's message,
 * the others with a short error (rank 0 reports). */
static gboolean
ranks_agree (const DpComm *c, gboolean ok, GError **error)
{
  g_autofree gint64 *all = g_new (gint64, c->size);
  dp_comm_allgather_i64 (c, ok ? 0 : 1, all);
  gint first = -1;
  for (guint r = 0; r < c->size && first < 0; r++)
    if (all[r])
      first = (gint) r;
  if (first < 0)
    return TRUE;
  const char *mine = !ok && error && *error ? (*error)->message : "";
  g_autofree GByteArray **msgs = g_new0 (GByteArray *, c->size);
  dp_comm_gather (c, mine, strlen (mine) + 1, msgs);
  if (c->rank == 0)
    {
      g_autofree char *msg = g_strndup ((const char *) msgs[first]->data, msgs[first]->len);
      g_clear_error (error);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "rank %d of %u: %s", first, c->size,
                   *msg ? msg : "failed");
      for (guint r = 0; r < c->size; r++)
        g_byte_array_unref (msgs[r]);
    }
  else if (ok || (error && *error == NULL))
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "rank %d of %u failed (rank 0 reports)",
                 first, c->size);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* the exchange */

static guint64
hash_bytes (const guint8 *b, gsize n, guint64 h)
{
  for (gsize i = 0; i < n; i++)
    h = (h ^ b[i]) * G_GUINT64_CONSTANT (0x100000001b3);
  return h;
}

/* The rank owning source @src (a key of @m): the same on every rank, from
 * what the key stands for, never from the key (each rank's map differs). */
static guint
owner_of (const DpNameMap *m, guint32 src, guint n)
{
  guint64 h;
  if (src < DP_NAME_BASE)
    h = dp_hash_mix (src);
  else
    {
      guint plen = 128;
      const guint8 *a6 = dp_name_map_lookup_ip6 (m, src, &plen);
      const char *tok = a6 ? NULL : dp_name_map_lookup (m, src);
      h = G_GUINT64_CONSTANT (0xcbf29ce484222325);
      if (a6)
        h = dp_hash_mix (hash_bytes (a6, 16, h) ^ plen);
      else if (tok)
        h = dp_hash_mix (hash_bytes ((const guint8 *) tok, strlen (tok), h));
      else
        h = dp_hash_mix (src);
    }
  return (guint) (h % n);
}

static gint64
sat_sub (gint64 a, gint64 b)
{
  gint64 r;
  return __builtin_sub_overflow (a, b, &r) ? G_MININT64 : r;
}

/* Logs the names the reading rank meets first, for the merged map's order. */
static void
log_names (Exchange *x, const DpPackets *p)
{
  if (p->names == NULL)
    return;
  for (guint i = 0; i < p->n_rows; i++)
    for (guint col = 0; col < 2; col++)
      {
        guint32 k = col ? p->dst[i] : p->src[i];
        if (k < DP_NAME_BASE || g_hash_table_contains (x->seen, GUINT_TO_POINTER (k)))
          continue;
        g_hash_table_add (x->seen, GUINT_TO_POINTER (k));
        guint pos = x->name_log->len;
        PUT (x->name_log, guint64, x->round);
        PUT (x->name_log, guint32, x->comm->rank);
        PUT (x->name_log, guint32, i);
        PUT (x->name_log, guint8, (guint8) col);
        if (!put_name (x->name_log, p->names, k))
          g_byte_array_set_size (x->name_log, pos);
      }
}

/* The rows of @p for one rank, their columns one after the other, then the
 * names their addresses use. */
static void
pack_rows (GByteArray *b, const DpPackets *p, const GArray *rows)
{
  guint n = rows->len;
  const guint *idx = (const guint *) (gconstpointer) rows->data;
  PUT (b, guint32, n);
#define PACK(col) \
  for (guint k = 0; k < n; k++) put (b, &p->col[idx[k]], sizeof p->col[0]);
  DP_PACKET_COLUMNS (PACK)
#undef PACK
  GHashTable *named = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint k = 0; k < n && p->names; k++)
    for (guint col = 0; col < 2; col++)
      {
        guint32 a = col ? p->dst[idx[k]] : p->src[idx[k]];
        if (a >= DP_NAME_BASE)
          g_hash_table_add (named, GUINT_TO_POINTER (a));
      }
  put_names (b, p->names, named);
  g_hash_table_destroy (named);
}

/* Appends the rows packed by pack_rows to @out, their names as keys of
 * @out's map.  FALSE when the bytes are damaged. */
static gboolean
unpack_rows (DpPackets *out, const GByteArray *b)
{
  Reader r = { b->data, b->data + b->len, FALSE };
  guint32 n = TAKE (&r, guint32, 0);
  guint first = out->n_rows;
  for (guint k = 0; k < n; k++)
    dp_packets_append (out);
#define UNPACK(col) \
  { const void *v = take (&r, (gsize) n * sizeof out->col[0]); \
    if (v) memcpy (&out->col[first], v, (gsize) n * sizeof out->col[0]); }
  DP_PACKET_COLUMNS (UNPACK)
#undef UNPACK
  guint32 n_names = TAKE (&r, guint32, 0);
  if (r.bad)
    return FALSE;
  if (n_names == 0)
    return TRUE;
  GHashTable *xlat = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint32 k = 0; k < n_names && !r.bad; k++)
    {
      guint32 key = TAKE (&r, guint32, 0);
      guint32 mine = take_name (&r, out->names, key);
      g_hash_table_insert (xlat, GUINT_TO_POINTER (key), GUINT_TO_POINTER (mine));
    }
  for (guint i = first; i < out->n_rows; i++)
    {
      gpointer v;
      if (out->src[i] >= DP_NAME_BASE && g_hash_table_lookup_extended (xlat, GUINT_TO_POINTER (out->src[i]), NULL, &v))
        out->src[i] = GPOINTER_TO_UINT (v);
      if (out->dst[i] >= DP_NAME_BASE && g_hash_table_lookup_extended (xlat, GUINT_TO_POINTER (out->dst[i]), NULL, &v))
        out->dst[i] = GPOINTER_TO_UINT (v);
    }
  g_hash_table_destroy (xlat);
  return !r.bad;
}

/* One round (see the top of the file); @p is this rank's block, or NULL
 * when this rank's source ended (@failed: with a failure).  Returns the
 * consumer's flow, DP_FLOW_ERROR (with @error) when a rank failed, and
 * DP_FLOW_OK once every rank is done. */
static DpFlow
exchange_round (Exchange *x, const DpPackets *p, gboolean failed, GError **error)
{
  const DpComm *c = x->comm;
  guint n = c->size;
  if (x->over)
    return x->failed_rank >= 0 ? DP_FLOW_ERROR : DP_FLOW_OK;
  gint64 newest = G_MININT64;
  for (guint i = 0; p && i < p->n_rows; i++)
    newest = MAX (newest, p->ts[i]);
  g_autofree gint64 *state = g_new (gint64, n), *newest_of = g_new (gint64, n);
  dp_comm_allgather_i64 (c, p ? XS_ACTIVE : failed ? XS_FAILED : XS_DONE, state);
  dp_comm_allgather_i64 (c, newest, newest_of);
  gboolean any_active = FALSE;
  for (guint r = 0; r < n; r++)
    {
      if (state[r] == XS_FAILED && x->failed_rank < 0)
        x->failed_rank = (gint) r;
      any_active |= state[r] == XS_ACTIVE;
    }
  if (x->failed_rank >= 0 || !any_active)
    {
      x->over = TRUE;
      if (x->failed_rank < 0)
        return DP_FLOW_OK;
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "rank %d of %u failed", x->failed_rank, n);
      return DP_FLOW_ERROR;
    }
  /* the newest timestamp before this rank's block, in one process's order */
  gint64 before = x->newest;
  for (guint r = 0; r < c->rank; r++)
    before = MAX (before, newest_of[r]);
  for (guint r = 0; r < n; r++)
    x->newest = MAX (x->newest, newest_of[r]);
  g_autofree GArray **rows = g_new (GArray *, n);
  for (guint d = 0; d < n; d++)
    rows[d] = g_array_new (FALSE, FALSE, sizeof (guint));
  if (p)
    {
      log_names (x, p);
      gint64 mx = before;
      for (guint i = 0; i < p->n_rows; i++)
        {
          gint64 ts = p->ts[i];
          mx = MAX (mx, ts);
          if (x->event_time && mx != G_MININT64
              && dp_floor_div (ts, x->window_ns) < dp_floor_div (sat_sub (mx, x->slack_ns), x->window_ns))
            {
              x->late++;
              continue;
            }
          guint d = x->gather ? 0 : owner_of (p->names, p->src[i], n);
          g_array_append_val (rows[d], i);
        }
    }
  g_autofree GByteArray **send = g_new (GByteArray *, n), **recv = g_new (GByteArray *, n);
  for (guint d = 0; d < n; d++)
    {
      send[d] = g_byte_array_new ();
      if (p)
        pack_rows (send[d], p, rows[d]);
      else
        {
          PUT (send[d], guint32, 0);    /* no rows */
          PUT (send[d], guint32, 0);    /* no names */
        }
      if (d != c->rank)
        x->bytes_sent += send[d]->len;
      g_array_unref (rows[d]);
    }
  dp_comm_alltoallv (c, send, recv);
  guint64 total = 0;
  for (guint s = 0; s < n; s++)
    {
      guint32 k = 0;
      if (recv[s]->len >= 4)
        memcpy (&k, recv[s]->data, 4);
      total += k;
    }
  DpPackets *out = dp_packets_new ((guint) MAX (total, 16u));
  dp_packets_set_names (out, x->names);
  gboolean ok = TRUE;
  for (guint s = 0; s < n; s++)
    {
      ok = ok && unpack_rows (out, recv[s]);
      g_byte_array_unref (send[s]);
      g_byte_array_unref (recv[s]);
    }
  x->round++;
  if (!ok)
    {
      dp_batch_unref (out);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "round %" G_GUINT64_FORMAT ": a damaged exchange "
                   "buffer (a bug)", x->round);
      return DP_FLOW_ERROR;
    }
  if (out->n_rows == 0)
    {
      dp_batch_unref (out);
      return DP_FLOW_OK;
    }
  return dp_stage_push (x->stage, 0, out);
}

static DpFlow
exchange_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch, GError **error)
{
  return exchange_round (state, (const DpPackets *) batch, FALSE, error);
}

static const DpPortDesc exchange_in[] = { { "packets", DP_TYPE_PACKETS, 0, "a rank's block" } };
static const DpPortDesc exchange_out[] = { { "packets", DP_TYPE_PACKETS, 0, "the owned sources' packets" } };

static const DpPluginDesc exchange_desc = {
  .abi_version = DP_ABI_VERSION,
  .struct_size = sizeof (DpPluginDesc),
  .kind = DP_KIND_TRANSFORM,
  .name = "exchange",
  .summary = "routes packets to the rank owning their source (core, MPI only)",
  .inputs = exchange_in, .n_inputs = 1,
  .outputs = exchange_out, .n_outputs = 1,
  .process = exchange_process,
};

static void
exchange_free (gpointer data)
{
  Exchange *x = data;
  dp_name_map_unref (x->names);
  g_hash_table_destroy (x->seen);
  g_byte_array_unref (x->name_log);
  g_free (x);
}

static gint64
option_ns (DpStage *st, const char *name)
{
  const DpOptionDesc *o = dp_option_find (st->desc, name);
  if (o == NULL || o->type != DP_OPT_DURATION)
    return -1;
  gint64 v;
  memcpy (&v, (const guint8 *) st->config + o->offset, sizeof v);
  return v;
}

/* ------------------------------------------------------------------ */
/* the shape of the pipeline */

static gboolean
refuse (Ranks *k, DpStage *st, const char *why, GError **error)
{
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE,
               "stage '%s' (%s) does not run under MPI yet (%u ranks): %s; run this pipeline in one process",
               st->name, st->desc->name, k->comm->size, why);
  return FALSE;
}

static Role
role_of (Ranks *k, DpStage *st)
{
  for (guint r = 0; r < k->n; r++)
    if (k->stages[r] == st)
      return k->roles[r];
  g_assert_not_reached ();
}

static gboolean
mergeable (const DpStage *up, guint port)
{
  return (up->desc->outputs[port].flags & (DP_PORT_MERGE_ORDERED | DP_PORT_MERGE_SUM)) != 0;
}

static gboolean
ranks_plan (Ranks *k, GError **error)
{
  DpPipeline *p = k->p;
  k->roles = g_new0 (Role, MAX (k->n, 1u));
  k->root_source = g_new0 (gboolean, MAX (k->n, 1u));
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      Spec *s = spec_at (p, r);
      gsize flags = st->desc->flags;
      if (st->desc->kind == DP_KIND_SOURCE)
        {
          k->roles[r] = ROLE_SOURCE;
          k->root_source[r] = !(flags & DP_PLUGIN_SPLITS_INPUT);
          continue;
        }
      if (s->links->len == 0)
        return refuse (k, st, "it has no input", error);
      gboolean from_sources = TRUE;
      for (guint l = 0; l < s->links->len; l++)
        {
          Wire *w = &g_array_index (s->links, Wire, l);
          DpStage *up = ((Spec *) g_ptr_array_index (p->specs, w->from))->stage;
          from_sources &= role_of (k, up) == ROLE_SOURCE && up->desc->outputs[w->out_port].type == DP_TYPE_PACKETS;
        }
      if ((flags & DP_PLUGIN_PER_SOURCE) && from_sources)
        k->roles[r] = ROLE_PER_SOURCE;
      else if (flags & DP_PLUGIN_COLLECTIVE)
        k->roles[r] = ROLE_COLLECTIVE;
      else
        k->roles[r] = ROLE_ROOT;
      for (guint l = 0; l < s->links->len && k->roles[r] != ROLE_PER_SOURCE; l++)
        {
          Wire *w = &g_array_index (s->links, Wire, l);
          guint from = 0;
          for (guint u = 0; u < k->n; u++)
            if (g_array_index (p->order, guint, u) == w->from)
              from = u;
          DpStage *up = k->stages[from];
          Role ur = k->roles[from];
          if (ur == ROLE_PER_SOURCE && !mergeable (up, w->out_port))
            return refuse (k, st, "it reads an output of a per-source stage that the ranks do not know how to merge",
                           error);
          if (ur == ROLE_SOURCE && !k->root_source[from] && up->desc->outputs[w->out_port].type != DP_TYPE_PACKETS)
            return refuse (k, st, "it reads a split source's output that is no packets", error);
        }
      if (k->roles[r] == ROLE_PER_SOURCE && (flags & DP_PLUGIN_EVENT_TIME)
          && (option_ns (st, "window") <= 0 || option_ns (st, "slack") < 0))
        return refuse (k, st, "it says it is windowed but has no window and slack durations", error);
    }
  return TRUE;
}

static Exchange *
exchange_new (Ranks *k, DpStage *up, guint port, DpStage *to, gboolean gather)
{
  DpPipeline *p = k->p;
  Exchange *x = g_new0 (Exchange, 1);
  g_autofree char *name = g_strdup_printf ("%s>%s", up->name, gather ? "rank0" : to->name);
  x->stage = dp_stage_new_internal (p->ctx, name, &exchange_desc);
  x->stage->state = x;
  x->source = up;
  x->source_port = port;
  x->to = to;
  x->comm = k->comm;
  x->gather = gather;
  /* a rank-0 stage sees the stream one process would: its own clock */
  x->event_time = !gather && (to->desc->flags & DP_PLUGIN_EVENT_TIME) != 0;
  x->window_ns = option_ns (to, "window");
  x->slack_ns = option_ns (to, "slack");
  x->newest = G_MININT64;
  x->failed_rank = -1;
  x->names = dp_name_map_new ();
  x->seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  x->name_log = g_byte_array_new ();
  g_ptr_array_add (k->exchanges, x);
  dp_stage_link (up, port, x->stage, 0);
  return x;
}

/* Links the stages as the roles want: exchanges between sources and the
 * stages reading their packets (by source owner to per-source stages, all
 * to rank 0 for the others, one such per source port), per-source outputs
 * captured (their rank-0 readers are linked on rank 0 after the merge),
 * everything else on rank 0 only. */
static void
ranks_link (Ranks *k)
{
  DpPipeline *p = k->p;
  gboolean root = k->comm->rank == 0;
  k->exchanges = g_ptr_array_new_with_free_func (exchange_free);
  k->sink_wires = g_array_new (FALSE, FALSE, sizeof (SinkWire));
  for (guint r = 0; r < k->n; r++)
    {
      Spec *s = spec_at (p, r);
      DpStage *st = s->stage;
      if (k->roles[r] == ROLE_PER_SOURCE)
        {
          st->captured = g_new0 (GPtrArray *, MAX (st->desc->n_outputs, 1u));
          for (guint o = 0; o < st->desc->n_outputs; o++)
            st->captured[o] = g_ptr_array_new_with_free_func (dp_batch_unref);
        }
      for (guint l = 0; l < s->links->len; l++)
        {
          Wire *w = &g_array_index (s->links, Wire, l);
          DpStage *up = ((Spec *) g_ptr_array_index (p->specs, w->from))->stage;
          Role ur = role_of (k, up);
          if (ur == ROLE_PER_SOURCE)
            {
              SinkWire sw = { up, st, w->out_port, w->in_port };
              g_array_append_val (k->sink_wires, sw);
              continue;
            }
          if (ur != ROLE_SOURCE || up->desc->outputs[w->out_port].type != DP_TYPE_PACKETS)
            {
              if (root)
                dp_stage_link (up, w->out_port, st, w->in_port);
              continue;
            }
          if (k->roles[r] == ROLE_PER_SOURCE)
            {
              Exchange *x = exchange_new (k, up, w->out_port, st, FALSE);
              dp_stage_link (x->stage, 0, st, w->in_port);
              continue;
            }
          Exchange *x = NULL;
          for (guint i = 0; i < k->exchanges->len && x == NULL; i++)
            {
              Exchange *y = g_ptr_array_index (k->exchanges, i);
              if (y->gather && y->source == up && y->source_port == w->out_port)
                x = y;
            }
          if (x == NULL)
            x = exchange_new (k, up, w->out_port, st, TRUE);
          if (root)
            dp_stage_link (x->stage, 0, st, w->in_port);
        }
    }
}

/* ------------------------------------------------------------------ */
/* streaming */

/* Rounds with nothing to send until every rank's source of @src ended. */
static void
drain (Ranks *k, DpStage *src, gboolean failed)
{
  for (;;)
    {
      gboolean open = FALSE;
      for (guint i = 0; i < k->exchanges->len; i++)
        {
          Exchange *x = g_ptr_array_index (k->exchanges, i);
          if (x->source != src || x->over)
            continue;
          GError *e = NULL;
          exchange_round (x, NULL, failed, &e);
          g_clear_error (&e);
          open |= !x->over;
        }
      if (!open)
        return;
    }
}

/* The first error of a pipeline stage (not of an exchange, whose errors
 * only say that another rank failed). */
static gboolean
own_error (Ranks *k, GError **error)
{
  for (guint r = 0; r < k->n; r++)
    if (k->stages[r]->error)
      {
        g_propagate_error (error, g_steal_pointer (&k->stages[r]->error));
        return TRUE;
      }
  return FALSE;
}

/* The sources, one after the other, each to the end of its rounds on
 * every rank; then the ranks agree on how it went. */
static gboolean
ranks_stream (Ranks *k, GError **error)
{
  GError *own = NULL;
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      if (k->roles[r] != ROLE_SOURCE)
        continue;
      if (k->root_source[r] && k->comm->rank != 0)
        ;   /* rank 0 reads it; this rank takes part in its rounds */
      else if (own == NULL && dp_stage_call_run (st, &own))
        own_error (k, &own);
      drain (k, st, own != NULL);
    }
  for (guint i = 0; i < k->exchanges->len; i++)
    {
      Exchange *x = g_ptr_array_index (k->exchanges, i);
      /* an exchange's own error (not news of another rank's) is this rank's */
      if (x->stage->error && own == NULL && x->failed_rank < 0)
        own = g_steal_pointer (&x->stage->error);
      g_clear_error (&x->stage->error);
    }
  gboolean ok = ranks_agree (k->comm, own == NULL, &own);
  if (!ok)
    g_propagate_error (error, own);
  else
    g_clear_error (&own);
  return ok;
}

/* ------------------------------------------------------------------ */
/* tables to rank 0 */

static void
pack_table (GByteArray *b, const DpTable *t)
{
  const char *name = t->name ? t->name : "table";
  PUT (b, guint32, (guint32) strlen (name));
  put (b, name, strlen (name));
  PUT (b, guint32, t->n_cols);
  PUT (b, guint32, t->n_rows);
  GHashTable *named = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint c = 0; c < t->n_cols; c++)
    {
      const DpColumn *col = &t->cols[c];
      PUT (b, guint32, (guint32) strlen (col->name));
      put (b, col->name, strlen (col->name));
      PUT (b, guint8, (guint8) col->type);
      /* the column's flags (time, nullable) and its null cells */
      PUT (b, guint32, col->flags);
      PUT (b, guint8, (guint8) (col->nulls != NULL));
      if (col->nulls)
        put (b, col->nulls, ((gsize) t->n_rows + 7) / 8);
      switch (col->type)
        {
        case DP_COL_INT64: put (b, col->i64, (gsize) t->n_rows * 8); break;
        case DP_COL_DOUBLE: put (b, col->f64, (gsize) t->n_rows * 8); break;
        case DP_COL_IPV4:
          put (b, col->ip, (gsize) t->n_rows * 4);
          for (guint i = 0; i < t->n_rows; i++)
            if (col->ip[i] >= DP_NAME_BASE)
              g_hash_table_add (named, GUINT_TO_POINTER (col->ip[i]));
          break;
        case DP_COL_STRING:
          for (guint i = 0; i < t->n_rows; i++)
            {
              const char *s = col->str[i];
              PUT (b, guint32, s ? (guint32) strlen (s) : G_MAXUINT32);
              if (s)
                put (b, s, strlen (s));
            }
          break;
        }
    }
  put_names (b, t->names, named);
  g_hash_table_destroy (named);
}

static DpTable *
unpack_table (Reader *r, DpNameMap *names)
{
  guint32 len = TAKE (r, guint32, 0);
  const char *nm = take (r, len);
  g_autofree char *name = nm ? g_strndup (nm, len) : NULL;
  guint32 n_cols = TAKE (r, guint32, 0), n_rows = TAKE (r, guint32, 0);
  if (r->bad)
    return NULL;
  DpTable *t = dp_table_new (name);
  dp_table_set_names (t, names);
  for (guint i = 0; i < n_rows; i++)
    dp_table_append_row (t);
  for (guint c = 0; c < n_cols && !r->bad; c++)
    {
      guint32 cl = TAKE (r, guint32, 0);
      const char *cn = take (r, cl);
      guint8 type = TAKE (r, guint8, 0);
      if (r->bad || type > DP_COL_STRING)
        {
          r->bad = TRUE;
          break;
        }
      guint32 cflags = TAKE (r, guint32, 0);
      guint8 has_nulls = TAKE (r, guint8, 0);
      const guint8 *nulls = has_nulls ? take (r, ((gsize) n_rows + 7) / 8) : NULL;
      if (r->bad)
        break;
      g_autofree char *cname = g_strndup (cn, cl);
      guint k = dp_table_add_column_flags (t, cname, (DpColType) type, cflags);
      DpColumn *col = &t->cols[k];
      for (guint i = 0; nulls && i < n_rows; i++)
        if (nulls[i >> 3] & (1u << (i & 7)))
          dp_table_set_null (t, k, i);
      if (type == DP_COL_STRING)
        for (guint i = 0; i < n_rows && !r->bad; i++)
          {
            guint32 sl = TAKE (r, guint32, 0);
            if (sl == G_MAXUINT32)
              continue;
            const char *s = take (r, sl);
            if (s)
              {
                g_autofree char *v = g_strndup (s, sl);
                dp_table_set_str (t, k, i, v);
              }
          }
      else
        {
          gsize w = type == DP_COL_IPV4 ? 4 : 8;
          const void *v = take (r, (gsize) n_rows * w);
          if (v && n_rows)
            memcpy (col->data, v, (gsize) n_rows * w);
        }
    }
  guint32 n_names = TAKE (r, guint32, 0);
  GHashTable *xlat = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint32 i = 0; i < n_names && !r->bad; i++)
    {
      guint32 key = TAKE (r, guint32, 0);
      g_hash_table_insert (xlat, GUINT_TO_POINTER (key), GUINT_TO_POINTER (take_name (r, names, key)));
    }
  for (guint c = 0; c < t->n_cols; c++)
    if (t->cols[c].type == DP_COL_IPV4)
      for (guint i = 0; i < t->n_rows; i++)
        {
          gpointer v;
          guint32 a = t->cols[c].ip[i];
          if (a >= DP_NAME_BASE && g_hash_table_lookup_extended (xlat, GUINT_TO_POINTER (a), NULL, &v))
            t->cols[c].ip[i] = GPOINTER_TO_UINT (v);
        }
  g_hash_table_destroy (xlat);
  if (r->bad)
    {
      dp_batch_unref (t);
      return NULL;
    }
  return t;
}

typedef struct { guint64 round; guint32 rank, row; guint8 col; const guint8 *name; } Sighting;

static int
sighting_cmp (gconstpointer a, gconstpointer b)
{
  const Sighting *x = a, *y = b;
  if (x->round != y->round)
    return x->round < y->round ? -1 : 1;
  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  if (x->row != y->row)
    return x->row < y->row ? -1 : 1;
  return (int) x->col - (int) y->col;
}

/* The names every rank's sources met, in one process's order: interned
 * into @names first, so that keys compare as that process's would. */
static void
merged_names (Ranks *k, DpNameMap *names)
{
  GByteArray *mine = g_byte_array_new ();
  for (guint i = 0; i < k->exchanges->len; i++)
    {
      Exchange *x = g_ptr_array_index (k->exchanges, i);
      put (mine, x->name_log->data, x->name_log->len);
    }
  g_autofree GByteArray **all = g_new0 (GByteArray *, k->comm->size);
  dp_comm_gather (k->comm, mine->data, mine->len, all);
  g_byte_array_unref (mine);
  if (k->comm->rank != 0)
    return;
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (Sighting));
  for (guint s = 0; s < k->comm->size; s++)
    {
      Reader r = { all[s]->data, all[s]->data + all[s]->len, FALSE };
      while (r.p < r.end && !r.bad)
        {
          Sighting v;
          v.round = TAKE (&r, guint64, 0);
          v.rank = TAKE (&r, guint32, 0);
          v.row = TAKE (&r, guint32, 0);
          v.col = TAKE (&r, guint8, 0);
          v.name = r.p;
          take (&r, 4);
          guint16 len = 0;
          if (!r.bad)
            memcpy (&len, v.name + 2, 2);
          take (&r, len);
          if (!r.bad)
            g_array_append_val (seen, v);
        }
    }
  g_array_sort (seen, sighting_cmp);
  for (guint i = 0; i < seen->len; i++)
    {
      const Sighting *v = &g_array_index (seen, Sighting, i);
      guint16 len;
      memcpy (&len, v->name + 2, 2);
      Reader r = { v->name, v->name + 4 + len, FALSE };
      take_name (&r, names, 0);
    }
  g_array_unref (seen);
  for (guint s = 0; s < k->comm->size; s++)
    g_byte_array_unref (all[s]);
}

/* Rows of several tables (same columns) to be merged: table and row. */
typedef struct {
  const DpTable *t;
  guint row;
  guint order;     /* position in the concatenation: ties keep it */
} RowRef;

static int
rowref_cmp (gconstpointer a, gconstpointer b, gpointer data)
{
  const RowRef *x = a, *y = b;
  guint ip = GPOINTER_TO_UINT (data);
  gint64 u = x->t->cols[0].i64[x->row], v = y->t->cols[0].i64[y->row];
  if (u != v)
    return u < v ? -1 : 1;
  guint32 p = x->t->cols[ip].ip[x->row], q = y->t->cols[ip].ip[y->row];
  if (p != q)
    return p < q ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* A new empty table with @like's name, columns and names. */
static DpTable *
table_like (const DpTable *like)
{
  DpTable *t = dp_table_new (like->name);
  dp_table_set_names (t, like->names);
  for (guint c = 0; c < like->n_cols; c++)
    dp_table_add_column_flags (t, like->cols[c].name, like->cols[c].type, like->cols[c].flags);
  return t;
}

static void
copy_row (DpTable *to, const DpTable *from, guint row)
{
  guint i = dp_table_append_row (to);
  for (guint c = 0; c < from->n_cols; c++)
    switch (from->cols[c].type)
      {
      case DP_COL_INT64: to->cols[c].i64[i] = from->cols[c].i64[row]; break;
      case DP_COL_DOUBLE: to->cols[c].f64[i] = from->cols[c].f64[row]; break;
      case DP_COL_IPV4: to->cols[c].ip[i] = from->cols[c].ip[row]; break;
      case DP_COL_STRING: dp_table_set_str (to, c, i, from->cols[c].str[row]); break;
      }
  for (guint c = 0; c < from->n_cols; c++)
    if (from->cols[c].nulls && dp_table_is_null (from, c, row))
      dp_table_set_null (to, c, i);
}

static gboolean
same_columns (const DpTable *a, const DpTable *b)
{
  if (a->n_cols != b->n_cols)
    return FALSE;
  for (guint c = 0; c < a->n_cols; c++)
    /* (nullable may come with a rank's first null cell: not compared) */
    if (a->cols[c].type != b->cols[c].type
        || (a->cols[c].flags & DP_COLUMN_TIME) != (b->cols[c].flags & DP_COLUMN_TIME)
        || strcmp (a->cols[c].name, b->cols[c].name) != 0)
      return FALSE;
  return TRUE;
}

#define MERGE_CHUNK 65536u

static int
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

/* The tables of every rank for one port (@in, in rank order) as one
 * process would push them, into @out (DpTable *). */
static gboolean
merge_tables (GPtrArray *in, guint flags, GPtrArray *out, const char *what, GError **error)
{
  const DpTable *first = NULL;
  guint64 rows = 0;
  for (guint i = 0; i < in->len; i++)
    {
      const DpTable *t = g_ptr_array_index (in, i);
      if (first == NULL)
        first = t;
      else if (!same_columns (first, t))
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "%s: the ranks' tables have other columns", what);
          return FALSE;
        }
      rows += t->n_rows;
    }
  if (first == NULL)
    return TRUE;
  guint ip = 0;
  for (guint c = 1; c < first->n_cols && !ip; c++)
    if (first->cols[c].type == DP_COL_IPV4)
      ip = c;
  if (first->n_cols < 2 || first->cols[0].type != DP_COL_INT64 || ((flags & DP_PORT_MERGE_ORDERED) && !ip))
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                   "%s: a mergeable table starts with an int64 column and has %s", what,
                   (flags & DP_PORT_MERGE_ORDERED) ? "an ipv4 column" : "a second column");
      return FALSE;
    }
  if (rows == 0)
    {
      g_ptr_array_add (out, table_like (first));
      return TRUE;
    }
  if (flags & DP_PORT_MERGE_ORDERED)
    {
      GArray *refs = g_array_sized_new (FALSE, FALSE, sizeof (RowRef), (guint) rows);
      for (guint i = 0; i < in->len; i++)
        {
          const DpTable *t = g_ptr_array_index (in, i);
          for (guint r = 0; r < t->n_rows; r++)
            {
              RowRef ref = { t, r, refs->len };
              g_array_append_val (refs, ref);
            }
        }
      g_array_sort_with_data (refs, rowref_cmp, GUINT_TO_POINTER (ip));
      DpTable *cur = NULL;
      for (guint i = 0; i < refs->len; i++)
        {
          const RowRef *ref = &g_array_index (refs, RowRef, i);
          if (cur == NULL)
            cur = table_like (first);
          copy_row (cur, ref->t, ref->row);
          if (cur->n_rows == MERGE_CHUNK)
            g_ptr_array_add (out, g_steal_pointer (&cur));
        }
      if (cur)
        g_ptr_array_add (out, cur);
      g_array_unref (refs);
      return TRUE;
    }
  /* sums: one table per first-column value, in increasing order */
  GArray *firsts = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < in->len; i++)
    {
      const DpTable *t = g_ptr_array_index (in, i);
      for (guint r = 0; r < t->n_rows; r++)
        g_array_append_val (firsts, t->cols[0].i64[r]);
    }
  g_array_sort (firsts, cmp_i64);
  for (guint f = 0; f < firsts->len; f++)
    {
      gint64 w = g_array_index (firsts, gint64, f);
      if (f > 0 && w == g_array_index (firsts, gint64, f - 1))
        continue;
      DpTable *t = table_like (first);
      GHashTable *row_of = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < in->len; i++)
        {
          const DpTable *s = g_ptr_array_index (in, i);
          for (guint r = 0; r < s->n_rows; r++)
            {
              if (s->cols[0].i64[r] != w)
                continue;
              char buf[64];
              const char *key = s->cols[1].type == DP_COL_STRING ? (s->cols[1].str[r] ? s->cols[1].str[r] : "")
                : (g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT,
                               s->cols[1].type == DP_COL_IPV4 ? (gint64) s->cols[1].ip[r] : s->cols[1].i64[r]), buf);
              gpointer hit;
              if (!g_hash_table_lookup_extended (row_of, key, NULL, &hit))
                {
                  copy_row (t, s, r);
                  const char *kept = s->cols[1].type == DP_COL_STRING ? t->cols[1].str[t->n_rows - 1]
                                                                       : g_string_chunk_insert_const (t->strings, key);
                  g_hash_table_insert (row_of, (gpointer) (kept ? kept : ""), GUINT_TO_POINTER (t->n_rows));
                  continue;
                }
              guint to = GPOINTER_TO_UINT (hit) - 1;
              for (guint c = 2; c < t->n_cols; c++)
                if (t->cols[c].type == DP_COL_INT64)
                  t->cols[c].i64[to] += s->cols[c].i64[r];
                else if (t->cols[c].type == DP_COL_DOUBLE)
                  t->cols[c].f64[to] += s->cols[c].f64[r];
            }
        }
      g_hash_table_destroy (row_of);
      g_ptr_array_add (out, t);
    }
  g_array_unref (firsts);
  return TRUE;
}

/* Every rank's captured tables to rank 0, merged there and pushed to the
 * sinks (linked now); other ranks only send. */
static gboolean
ranks_merge (Ranks *k, GError **error)
{
  const DpComm *c = k->comm;
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  merged_names (k, names);
  GByteArray *mine = g_byte_array_new ();
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      if (k->roles[r] != ROLE_PER_SOURCE)
        continue;
      for (guint o = 0; o < st->desc->n_outputs; o++)
        {
          GPtrArray *cap = st->captured[o];
          PUT (mine, guint32, cap->len);
          for (guint i = 0; i < cap->len; i++)
            {
              const DpBatch *b = g_ptr_array_index (cap, i);
              if (b->type == DP_TYPE_TABLE)
                pack_table (mine, (const DpTable *) b);
              else
                {
                  /* only tables merge: an empty one keeps the count right */
                  DpTable *none = dp_table_new ("none");
                  pack_table (mine, none);
                  dp_batch_unref (none);
                }
            }
          g_ptr_array_set_size (cap, 0);
        }
    }
  g_autofree GByteArray **all = g_new0 (GByteArray *, c->size);
  dp_comm_gather (c, mine->data, mine->len, all);
  g_byte_array_unref (mine);
  if (c->rank != 0)
    return TRUE;
  g_autofree Reader *rd = g_new (Reader, c->size);
  for (guint s = 0; s < c->size; s++)
    rd[s] = (Reader) { all[s]->data, all[s]->data + all[s]->len, FALSE };
  gboolean ok = TRUE;
  for (guint i = 0; i < k->sink_wires->len; i++)
    {
      SinkWire *w = &g_array_index (k->sink_wires, SinkWire, i);
      dp_stage_link (w->from, w->out_port, w->to, w->in_port);
    }
  for (guint r = 0; r < k->n && ok; r++)
    {
      DpStage *st = k->stages[r];
      if (k->roles[r] != ROLE_PER_SOURCE)
        continue;
      GPtrArray **cap = g_steal_pointer (&st->captured);
      guint64 rows_out = st->rows_out;
      gint64 time_us = st->time_us;
      for (guint o = 0; o < st->desc->n_outputs && ok; o++)
        {
          g_autoptr (GPtrArray) in = g_ptr_array_new_with_free_func (dp_batch_unref);
          for (guint s = 0; s < c->size && ok; s++)
            {
              guint32 n = TAKE (&rd[s], guint32, 0);
              for (guint32 t = 0; t < n && ok; t++)
                {
                  DpTable *tab = unpack_table (&rd[s], names);
                  if (tab == NULL)
                    {
                      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                                   "stage '%s': rank %u sent a damaged table (a bug)", st->name, s);
                      ok = FALSE;
                    }
                  else
                    g_ptr_array_add (in, tab);
                }
            }
          g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (dp_batch_unref);
          g_autofree char *what = g_strdup_printf ("stage '%s', output '%s'", st->name, st->desc->outputs[o].name);
          if (ok && st->consumers[o]->len > 0)
            ok = merge_tables (in, st->desc->outputs[o].flags, out, what, error);
          for (guint t = 0; ok && t < out->len; t++)
            if (dp_stage_push (st, o, dp_batch_ref (g_ptr_array_index (out, t))) < 0)
              {
                own_error (k, error);
                ok = FALSE;
              }
        }
      st->rows_out = rows_out;
      st->time_us = time_us;
      for (guint o = 0; o < st->desc->n_outputs; o++)
        g_ptr_array_unref (cap[o]);
      g_free (cap);
    }
  for (guint s = 0; s < c->size; s++)
    g_byte_array_unref (all[s]);
  return ok;
}

/* The figures of every rank into rank 0's stages: rows and counters
 * summed, time and peak memory the largest. */
static void
ranks_reduce (Ranks *k)
{
  const DpComm *c = k->comm;
  GByteArray *mine = g_byte_array_new ();
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      PUT (mine, guint64, st->rows_in);
      PUT (mine, guint64, st->rows_out);
      PUT (mine, gint64, st->time_us);
      PUT (mine, gint64, st->peak_rss_kb);
      guint extra = 0;
      for (guint i = 0; i < k->exchanges->len; i++)
        extra += ((Exchange *) g_ptr_array_index (k->exchanges, i))->to == st ? 2 : 0;
      PUT (mine, guint32, st->counters->len + extra);
      for (guint i = 0; i < st->counters->len; i++)
        {
          DpCounter *ct = &g_array_index (st->counters, DpCounter, i);
          PUT (mine, guint32, (guint32) strlen (ct->name));
          put (mine, ct->name, strlen (ct->name));
          PUT (mine, guint64, ct->value);
        }
      for (guint i = 0; i < k->exchanges->len; i++)
        {
          Exchange *x = g_ptr_array_index (k->exchanges, i);
          if (x->to != st)
            continue;
          static const char *const nm[2] = { "late-dropped", "exchanged-bytes" };
          guint64 v[2] = { x->late, x->bytes_sent };
          for (guint j = 0; j < 2; j++)
            {
              PUT (mine, guint32, (guint32) strlen (nm[j]));
              put (mine, nm[j], strlen (nm[j]));
              PUT (mine, guint64, v[j]);
            }
        }
    }
  g_autofree GByteArray **all = g_new0 (GByteArray *, c->size);
  dp_comm_gather (c, mine->data, mine->len, all);
  g_byte_array_unref (mine);
  if (c->rank != 0)
    return;
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      st->rows_in = st->rows_out = 0;
      for (guint i = 0; i < st->counters->len; i++)
        g_array_index (st->counters, DpCounter, i).value = 0;
    }
  for (guint s = 0; s < c->size; s++)
    {
      Reader rd = { all[s]->data, all[s]->data + all[s]->len, FALSE };
      for (guint r = 0; r < k->n && !rd.bad; r++)
        {
          DpStage *st = k->stages[r];
          guint64 in = TAKE (&rd, guint64, 0), out = TAKE (&rd, guint64, 0);
          /* a collective stage's rows are rank 0's (the others' pushes go nowhere) */
          if (s == 0 || k->roles[r] != ROLE_COLLECTIVE)
            {
              st->rows_in += in;
              st->rows_out += out;
            }
          gint64 us = TAKE (&rd, gint64, 0), kb = TAKE (&rd, gint64, 0);
          st->time_us = MAX (st->time_us, us);
          st->peak_rss_kb = MAX (st->peak_rss_kb, kb);
          guint32 nc = TAKE (&rd, guint32, 0);
          for (guint32 i = 0; i < nc && !rd.bad; i++)
            {
              guint32 len = TAKE (&rd, guint32, 0);
              const char *nm = take (&rd, len);
              guint64 v = TAKE (&rd, guint64, 0);
              if (nm && (v > 0 || s == 0))
                {
                  g_autofree char *name = g_strndup (nm, len);
                  dp_stage_count (st, name, v);
                }
            }
        }
      g_byte_array_unref (all[s]);
    }
  /* counters that stayed zero everywhere are not shown */
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      for (guint i = 0; i < st->counters->len; i++)
        if (g_array_index (st->counters, DpCounter, i).value == 0)
          {
            g_free (g_array_index (st->counters, DpCounter, i).name);
            g_array_remove_index (st->counters, i--);
          }
    }
}

/* The rank-0 and collective stages' finish, in one process's order: rank
 * 0 finishes both, the other ranks the collective ones; before each
 * collective one the ranks agree (rank 0 may have failed meanwhile). */
static gboolean
ranks_finish (Ranks *k, GError **error)
{
  gboolean root = k->comm->rank == 0, mine = TRUE;
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      if (k->roles[r] == ROLE_COLLECTIVE)
        {
          if (!ranks_agree (k->comm, mine, error))
            return FALSE;
          mine = dp_stage_call_finish (st, error) && !own_error (k, error);
        }
      else if (k->roles[r] == ROLE_ROOT && root && mine)
        mine = dp_stage_call_finish (st, error) && !own_error (k, error);
      if (mine && dp_stage_cancelled (st))
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "interrupted while finishing stage '%s'", st->name);
          mine = FALSE;
        }
    }
  return ranks_agree (k->comm, mine, error);
}

gboolean
dp_pipeline_run_ranks (DpPipeline *p, GError **error)
{
  Ranks k = { .p = p, .comm = p->ctx->comm, .n = p->order->len };
  g_autofree DpStage **stages = g_new (DpStage *, MAX (k.n, 1u));
  k.stages = stages;
  for (guint r = 0; r < k.n; r++)
    stages[r] = spec_at (p, r)->stage;
  /* every rank decides the same, from the same pipeline */
  if (!ranks_plan (&k, error))
    {
      g_free (k.roles);
      g_free (k.root_source);
      return FALSE;
    }
  /* no worker pool: collectives are called from this thread only */
  ranks_link (&k);
  gboolean ok = TRUE;
  for (guint r = 0; r < k.n && ok; r++)
    if (k.roles[r] != ROLE_ROOT || k.comm->rank == 0)
      ok = dp_stage_call_init (stages[r], error);
  ok = ranks_agree (k.comm, ok, error) && ranks_stream (&k, error);
  /* the per-source stages close their windows */
  if (ok)
    {
      gboolean mine = TRUE;
      for (guint r = 0; r < k.n && mine; r++)
        if (k.roles[r] == ROLE_PER_SOURCE)
          mine = dp_stage_call_finish (stages[r], error) && !own_error (&k, error);
      ok = ranks_agree (k.comm, mine, error);
    }
  if (ok)
    ok = ranks_agree (k.comm, ranks_merge (&k, error), error) && ranks_finish (&k, error);
  if (ok)
    ranks_reduce (&k);
  for (guint r = 0; r < k.n; r++)
    if (k.roles[r] == ROLE_PER_SOURCE && stages[r]->captured)
      {
        for (guint o = 0; o < stages[r]->desc->n_outputs; o++)
          g_ptr_array_unref (stages[r]->captured[o]);
        g_clear_pointer (&stages[r]->captured, g_free);
      }
  for (guint i = 0; i < k.exchanges->len; i++)
    dp_stage_free_internal (((Exchange *) g_ptr_array_index (k.exchanges, i))->stage);
  g_ptr_array_unref (k.exchanges);
  g_array_unref (k.sink_wires);
  g_free (k.roles);
  g_free (k.root_source);
  return ok;
}
