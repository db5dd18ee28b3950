/* dp-ranks-exchange.c — the exchange between a source and the stages
 * reading its packets under MPI (dp-ranks.c has the design): one round per
 * block, in which the ranks agree on their state and clocks, drop late
 * packets as one process would and route the rest to the owning rank (or
 * to rank 0) in one all-to-all. */
#include "config.h"

#include <string.h>

#include "dp-hash.h"
#include "dp-options.h"
#include "dp-ranks-private.h"

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
        if (!ranks_put_name (x->name_log, p->names, k))
          g_byte_array_set_size (x->name_log, pos);
      }
}

/* The packet columns in DP_PACKET_COLUMNS's order, by name: bit PC_x of
 * a column mask is column x. */
enum {
#define BIT(col) PC_##col,
  DP_PACKET_COLUMNS (BIT)
#undef BIT
  PC_N
};
static const char *const packet_columns[] = {
#define NAME(col) #col,
  DP_PACKET_COLUMNS (NAME)
#undef NAME
};
#define ALL_COLUMNS ((1u << PC_N) - 1)
G_STATIC_ASSERT (PC_N < 32);

guint32
ranks_packet_columns (const DpStage *st, guint port)
{
  const DpPluginDesc *d = st->desc;
  if (port >= d->n_inputs || d->inputs[port].n_columns == 0)
    return ALL_COLUMNS;
  /* a stage that passes packets on reads them for its consumers too */
  for (guint o = 0; o < d->n_outputs; o++)
    if (d->outputs[o].type == DP_TYPE_PACKETS || d->outputs[o].type == DP_TYPE_ANY)
      return ALL_COLUMNS;
  guint32 mask = 0;
  for (guint i = 0; i < d->inputs[port].n_columns; i++)
    {
      guint c = 0;
      while (c < PC_N && strcmp (packet_columns[c], d->inputs[port].columns[i].name) != 0)
        c++;
      if (c == PC_N)
        return ALL_COLUMNS;   /* a name the core does not know: all, to be safe */
      mask |= 1u << c;
    }
  return mask;
}

/* The rows of @p for one rank, their columns in @mask one after the
 * other, then the names their addresses use. */
static void
pack_rows (GByteArray *b, const DpPackets *p, const GArray *rows, guint32 mask)
{
  guint n = rows->len, c = 0;
  const guint *idx = (const guint *) (gconstpointer) rows->data;
  PUT (b, guint32, n);
#define PACK(col) \
  if (mask & (1u << c++)) \
    for (guint k = 0; k < n; k++) put (b, &p->col[idx[k]], sizeof p->col[0]);
  DP_PACKET_COLUMNS (PACK)
#undef PACK
  GHashTable *named = g_hash_table_new (g_direct_hash, g_direct_equal);
  gboolean src = (mask & (1u << PC_src)) != 0, dst = (mask & (1u << PC_dst)) != 0;
  for (guint k = 0; k < n && p->names; k++)
    for (guint col = 0; col < 2; col++)
      {
        guint32 a = col ? p->dst[idx[k]] : p->src[idx[k]];
        if (a >= DP_NAME_BASE && (col ? dst : src))
          g_hash_table_add (named, GUINT_TO_POINTER (a));
      }
  ranks_put_names (b, p->names, named);
  g_hash_table_destroy (named);
}

/* Appends the rows packed by pack_rows to @out, their names as keys of
 * @out's map.  FALSE when the bytes are damaged. */
static gboolean
unpack_rows (DpPackets *out, const GByteArray *b, guint32 mask)
{
  Reader r = { b->data, b->data + b->len, FALSE };
  guint32 n = TAKE (&r, guint32, 0);
  guint first = out->n_rows, c = 0;
  for (guint k = 0; k < n; k++)
    dp_packets_append (out);
  /* (the columns not in @mask stay zero: no consumer reads them) */
#define UNPACK(col) \
  if (mask & (1u << c++)) \
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
      guint32 mine = ranks_take_name (&r, out->names, key);
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
DpFlow
ranks_exchange_round (Exchange *x, const DpPackets *p, gboolean failed, GError **error)
{
  const DpComm *c = x->comm;
  guint n = c->size;
  if (x->over)
    return x->failed_rank >= 0 || dp_comm_broken () ? DP_FLOW_ERROR : DP_FLOW_OK;
  gint64 newest = G_MININT64;
  for (guint i = 0; p && i < p->n_rows; i++)
    newest = MAX (newest, p->ts[i]);
  /* per rank: its state and its block's newest timestamp */
  gint64 mine[RS_N] = { p ? XS_ACTIVE : failed ? XS_FAILED : XS_DONE, newest };
  g_autofree gint64 *all = g_new (gint64, (gsize) n * RS_N);
  if (!dp_comm_allgather_i64 (c, mine, RS_N, all))
    {
      x->over = TRUE;
      g_set_error_literal (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED, "interrupted");
      return DP_FLOW_ERROR;
    }
  gboolean any_active = FALSE;
  for (guint r = 0; r < n; r++)
    {
      if (all[r * RS_N + RS_STATE] == XS_FAILED && x->failed_rank < 0)
        x->failed_rank = (gint) r;
      any_active |= all[r * RS_N + RS_STATE] == XS_ACTIVE;
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
    before = MAX (before, all[r * RS_N + RS_NEWEST]);
  for (guint r = 0; r < n; r++)
    x->newest = MAX (x->newest, all[r * RS_N + RS_NEWEST]);
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
        pack_rows (send[d], p, rows[d], x->columns);
      else
        {
          PUT (send[d], guint32, 0);    /* no rows */
          PUT (send[d], guint32, 0);    /* no names */
        }
      if (d != c->rank)
        {
          x->bytes_sent += send[d]->len;
          x->routed_out += rows[d]->len;
        }
      g_array_unref (rows[d]);
    }
  if (!dp_comm_alltoallv (c, send, recv))
    {
      for (guint d = 0; d < n; d++)
        g_byte_array_unref (send[d]);
      x->over = TRUE;
      g_set_error_literal (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED, "interrupted");
      return DP_FLOW_ERROR;
    }
  guint64 total = 0;
  for (guint s = 0; s < n; s++)
    {
      guint32 k = 0;
      if (recv[s]->len >= 4)
        memcpy (&k, recv[s]->data, 4);
      total += k;
      if (s != c->rank)
        x->routed_in += k;
    }
  DpPackets *out = dp_packets_new ((guint) MAX (total, 16u));
  dp_packets_set_names (out, x->names);
  gboolean ok = TRUE;
  for (guint s = 0; s < n; s++)
    {
      ok = ok && unpack_rows (out, recv[s], x->columns);
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
  return ranks_exchange_round (state, (const DpPackets *) batch, FALSE, error);
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

void
ranks_exchange_free (gpointer data)
{
  Exchange *x = data;
  dp_name_map_unref (x->names);
  g_hash_table_destroy (x->seen);
  g_byte_array_unref (x->name_log);
  g_free (x);
}

gint64
ranks_option_ns (DpStage *st, const char *name)
{
  const DpOptionDesc *o = dp_option_find (st->desc, name);
  if (o == NULL || o->type != DP_OPT_DURATION)
    return -1;
  gint64 v;
  memcpy (&v, (const guint8 *) st->config + o->offset, sizeof v);
  return v;
}

Exchange *
ranks_exchange_new (Ranks *k, DpStage *up, guint port, DpStage *to, guint in_port, gboolean gather)
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
  /* what its readers read (a gather exchange adds each as it is linked) */
  x->columns = gather ? 0 : ranks_packet_columns (to, in_port);
  /* a rank-0 stage sees the stream one process would: its own clock */
  x->event_time = !gather && (to->desc->flags & DP_PLUGIN_EVENT_TIME) != 0;
  x->window_ns = ranks_option_ns (to, "window");
  x->slack_ns = ranks_option_ns (to, "slack");
  x->newest = G_MININT64;
  x->failed_rank = -1;
  x->names = dp_name_map_new ();
  x->seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  x->name_log = g_byte_array_new ();
  g_ptr_array_add (k->exchanges, x);
  dp_stage_link (up, port, x->stage, 0);
  return x;
}
