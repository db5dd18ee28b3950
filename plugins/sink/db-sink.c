/* db-sink.c — options, names and the window transaction driver of the
 * database sinks (see db-sink.h). */
#include "config.h"

#include <string.h>
#include "db-sink.h"

const char *const db_mode_choices[] = { "append", "replace", "upsert", NULL };
const char *const db_txn_choices[] = { "window", "run", "batch", NULL };

void
db_append_ident (GString *b, const char *s)
{
  g_string_append_c (b, '"');
  for (; *s; s++)
    {
      if (*s == '"')
        g_string_append_c (b, '"');
      g_string_append_c (b, *s);
    }
  g_string_append_c (b, '"');
}

void
db_config_copy (DbConfig *to, const DbConfig *from)
{
  *to = *from;
  to->tables = g_strdupv (from->tables);
  to->indexes = g_strdupv (from->indexes);
  to->keys = g_strdupv (from->keys);
  to->window = g_strdup (from->window);
  to->window_ends = g_strdup (from->window_ends);
}

void
db_config_clear (DbConfig *cfg)
{
  g_clear_pointer (&cfg->tables, g_strfreev);
  g_clear_pointer (&cfg->indexes, g_strfreev);
  g_clear_pointer (&cfg->keys, g_strfreev);
  g_clear_pointer (&cfg->window, g_free);
  g_clear_pointer (&cfg->window_ends, g_free);
}

const char *const db_packet_columns[DB_PKT_N] = {
  "ts", "src", "dst", "proto", "sport", "dport", "tcp_flags", "tcp_seq", "ip_id", "icmp_type",
  "icmp_code", "ttl", "ip_len", "df", "mf", "frag_offset", "tcp_win", "tcp_optlen",
};

const guint64 db_packet_max[DB_PKT_N] = {
  [DB_PKT_TS] = G_MAXINT64, [DB_PKT_SRC] = G_MAXUINT32, [DB_PKT_DST] = G_MAXUINT32,
  [DB_PKT_PROTO] = 255, [DB_PKT_SPORT] = 65535, [DB_PKT_DPORT] = 65535, [DB_PKT_TCP_FLAGS] = 255,
  [DB_PKT_TCP_SEQ] = G_MAXUINT32, [DB_PKT_IP_ID] = 65535, [DB_PKT_ICMP_TYPE] = 255,
  [DB_PKT_ICMP_CODE] = 255, [DB_PKT_TTL] = 255, [DB_PKT_IP_LEN] = 65535, [DB_PKT_DF] = 1, [DB_PKT_MF] = 1,
  [DB_PKT_FRAG_OFFSET] = DP_FRAG_OFFSET_MASK, [DB_PKT_TCP_WIN] = 65535, [DB_PKT_TCP_OPTLEN] = 255,
};

gboolean
db_packet_field (const DpPackets *p, guint r, guint col, gint64 *v)
{
  guint l4 = p->l4[r];
  gboolean ports = (l4 & DP_L4_PORTS) != 0, tcp = (l4 & DP_L4_TCP) != 0, icmp = (l4 & DP_L4_ICMP) != 0;
  switch (col)
    {
    case DB_PKT_TS: *v = p->ts[r]; return TRUE;
    case DB_PKT_SRC: *v = p->src[r]; return TRUE;
    case DB_PKT_DST: *v = p->dst[r]; return TRUE;
    case DB_PKT_PROTO: *v = p->proto[r]; return TRUE;
    case DB_PKT_SPORT: *v = p->sport[r]; return ports;
    case DB_PKT_DPORT: *v = p->dport[r]; return ports;
    case DB_PKT_TCP_FLAGS: *v = p->tcp_flags[r]; return tcp;
    case DB_PKT_TCP_SEQ: *v = p->tcp_seq[r]; return tcp;
    case DB_PKT_IP_ID: *v = p->ip_id[r]; return TRUE;
    case DB_PKT_ICMP_TYPE: *v = p->icmp_type[r]; return icmp;
    case DB_PKT_ICMP_CODE: *v = p->icmp_code[r]; return icmp;
    case DB_PKT_TTL: *v = p->ttl[r]; return TRUE;
    case DB_PKT_IP_LEN: *v = p->ip_len[r]; return TRUE;
    case DB_PKT_DF: *v = (p->frag[r] & DP_FRAG_DF) != 0; return TRUE;
    case DB_PKT_MF: *v = (p->frag[r] & DP_FRAG_MF) != 0; return TRUE;
    case DB_PKT_FRAG_OFFSET: *v = p->frag[r] & DP_FRAG_OFFSET_MASK; return TRUE;
    case DB_PKT_TCP_WIN: *v = p->tcp_win[r]; return tcp;
    case DB_PKT_TCP_OPTLEN: *v = p->tcp_optlen[r]; return tcp;
    default: *v = 0; return FALSE;
    }
}

gboolean
db_batch_check (const DpBatch *b, const char *where, const char *plugin, GError **error)
{
  if (b->type == DP_TYPE_TABLE || b->type == DP_TYPE_PACKETS)
    return TRUE;
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: %s writes tables and packet streams, not %s",
               where, plugin, dp_batch_type_name (b->type));
  return FALSE;
}

guint
db_batch_rows (const DpBatch *b)
{
  return b->type == DP_TYPE_PACKETS ? ((const DpPackets *) b)->n_rows : ((const DpTable *) b)->n_rows;
}

void
db_columns_init (DbColumns *c, const DpBatch *b)
{
  c->names = g_ptr_array_new_with_free_func (g_free);
  c->types = g_array_new (FALSE, FALSE, sizeof (DpColType));
  c->flags = g_array_new (FALSE, FALSE, sizeof (guint));
  c->packets = b->type == DP_TYPE_PACKETS;
  if (c->packets)
    {
      for (guint i = 0; i < DB_PKT_N; i++)
        {
          DpColType type = i == DB_PKT_SRC || i == DB_PKT_DST ? DP_COL_IPV4 : DP_COL_INT64;
          guint flags = i == DB_PKT_TS ? DP_COLUMN_TIME : 0;
          g_ptr_array_add (c->names, g_strdup (db_packet_columns[i]));
          g_array_append_val (c->types, type);
          g_array_append_val (c->flags, flags);
        }
      return;
    }
  const DpTable *t = (const DpTable *) b;
  for (guint i = 0; i < t->n_cols; i++)
    {
      guint flags = t->cols[i].flags;
      g_ptr_array_add (c->names, g_strdup (t->cols[i].name));
      g_array_append_val (c->types, t->cols[i].type);
      g_array_append_val (c->flags, flags);
    }
}

void
db_columns_clear (DbColumns *c)
{
  g_clear_pointer (&c->names, g_ptr_array_unref);
  g_clear_pointer (&c->types, g_array_unref);
  g_clear_pointer (&c->flags, g_array_unref);
}

gboolean
db_columns_check (const DbColumns *c, const char *where, const char *name, const DpBatch *b, GError **error)
{
  gboolean packets = b->type == DP_TYPE_PACKETS;
  if (packets || c->packets)
    {
      if (packets != c->packets)
        g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                     "%s: table '%s': %s into the table made for %s (rename one of them with tables)", where,
                     name, packets ? "a packet stream" : "a table", packets ? "a table" : "a packet stream");
      return packets == c->packets;
    }
  const DpTable *t = (const DpTable *) b;
  gboolean same = t->n_cols == c->names->len;
  for (guint i = 0; same && i < t->n_cols; i++)
    same = strcmp (t->cols[i].name, c->names->pdata[i]) == 0
           && t->cols[i].type == g_array_index (c->types, DpColType, i)
           && ((t->cols[i].flags ^ g_array_index (c->flags, guint, i)) & DP_COLUMN_TIME) == 0;
  if (!same)
    {
      g_autoptr (GString) want = g_string_new (NULL);
      for (guint i = 0; i < t->n_cols; i++)
        g_string_append_printf (want, "%s%s %s", i ? ", " : "", t->cols[i].name, dp_col_type_name (t->cols[i].type));
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: table '%s': a table with other columns (%s) than its first one "
                   "(%u columns, same names and types needed)",
                   where, name, want->str, c->names->len);
    }
  return same;
}

gint
db_columns_find (const DbColumns *c, const char *name)
{
  for (guint i = 0; i < c->names->len; i++)
    if (strcmp (c->names->pdata[i], name) == 0)
      return (gint) i;
  return -1;
}

gboolean
db_columns_has (const DbColumns *c, char *const *cols)
{
  for (guint i = 0; cols[i]; i++)
    if (db_columns_find (c, cols[i]) < 0)
      return FALSE;
  return TRUE;
}

/* "a+b+c": every part non-empty */
static gboolean
column_list_ok (const char *s)
{
  if (*s == '\0')
    return FALSE;
  g_auto (GStrv) parts = g_strsplit (s, "+", -1);
  for (guint i = 0; parts[i]; i++)
    if (parts[i][0] == '\0')
      return FALSE;
  return TRUE;
}

gboolean
db_config_check (DpStage *stage, const DbConfig *cfg, GError **error)
{
  for (guint i = 0; cfg->tables && cfg->tables[i]; i++)
    {
      const char *eq = strchr (cfg->tables[i], '=');
      if (!eq || eq == cfg->tables[i] || eq[1] == '\0')
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "tables",
                                      "'%s': expected FROM=SQLNAME", cfg->tables[i]);
    }
  for (guint i = 0; cfg->indexes && cfg->indexes[i]; i++)
    if (!column_list_ok (cfg->indexes[i]))
      return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "indexes",
                                    "'%s': expected COLUMN or COLUMN+COLUMN", cfg->indexes[i]);
  for (guint i = 0; cfg->keys && cfg->keys[i]; i++)
    {
      const char *eq = strchr (cfg->keys[i], '=');
      if (eq == cfg->keys[i] || !column_list_ok (eq ? eq + 1 : cfg->keys[i]))
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "keys",
                                      "'%s': expected COLUMN+COLUMN or SQLNAME=COLUMN+COLUMN", cfg->keys[i]);
    }
  if (cfg->mode == DB_MODE_UPSERT && !(cfg->keys && cfg->keys[0]))
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_REQUIRED, "keys",
                                  "mode: upsert needs the key of each table (keys: [window_start+src], "
                                  "or SQLNAME=COLUMN+COLUMN for one table)");
  if (cfg->transaction == DB_TXN_WINDOW && (!cfg->window || cfg->window[0] == '\0'))
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_REQUIRED, "window",
                                  "transaction: window needs the window column");
  return TRUE;
}

char **
db_config_key (const DbConfig *cfg, const char *name)
{
  const char *all = NULL;
  gsize n = strlen (name);
  for (guint i = 0; cfg->keys && cfg->keys[i]; i++)
    {
      const char *k = cfg->keys[i], *eq = strchr (k, '=');
      if (!eq)
        all = k;
      else if ((gsize) (eq - k) == n && strncmp (k, name, n) == 0)
        return g_strsplit (eq + 1, "+", -1);
    }
  return all ? g_strsplit (all, "+", -1) : NULL;
}

char **
db_index_columns (const char *entry)
{
  return g_strsplit (entry, "+", -1);
}

DbRenames *
db_renames_new (const DbConfig *cfg)
{
  GHashTable *r = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; cfg->tables && cfg->tables[i]; i++)
    {
      const char *eq = strchr (cfg->tables[i], '=');
      g_hash_table_replace (r, g_strndup (cfg->tables[i], (gsize) (eq - cfg->tables[i])), g_strdup (eq + 1));
    }
  return r;
}

const char *
db_renames_lookup (DbRenames *renames, const char *upstream, const char *tname)
{
  g_autofree char *both = g_strdup_printf ("%s.%s", upstream ? upstream : "", tname);
  const char *to = g_hash_table_lookup (renames, both);
  if (!to && upstream)
    to = g_hash_table_lookup (renames, upstream);
  if (!to)
    to = g_hash_table_lookup (renames, tname);
  return to ? to : tname;
}

/* ------------------------------------------------------------------ */

/* Rows of the open transaction, kept to write them again after the sink
 * recovered a lost connection. */
typedef struct {
  DpBatch *b;
  char *name;
  guint from, to;
} Segment;

struct _DbDriver {
  DbDriverFuncs f;
  void *sink;
  int txn;
  char *window, *window_ends;
  DbRenames *renames;
  gboolean open;          /* a transaction is open */
  gboolean have_window;   /* ... and holds rows of window `current` */
  gint64 current;
  gboolean keep;          /* keep segments for a replay */
  GArray *pending;        /* Segment */
  guint64 rows, rows_open, commits;
};

static void
segment_clear (gpointer p)
{
  Segment *s = p;
  dp_batch_unref (s->b);
  g_free (s->name);
}

DbDriver *
db_driver_new (const DbConfig *cfg, const DbDriverFuncs *funcs, void *sink)
{
  DbDriver *d = g_new0 (DbDriver, 1);
  d->f = *funcs;
  d->sink = sink;
  d->txn = cfg->transaction;
  d->window = g_strdup (cfg->window);
  d->window_ends = cfg->window_ends && cfg->window_ends[0] ? g_strdup (cfg->window_ends) : NULL;
  d->renames = db_renames_new (cfg);
  d->keep = funcs->recover != NULL && d->txn != DB_TXN_RUN;
  d->pending = g_array_new (FALSE, FALSE, sizeof (Segment));
  g_array_set_clear_func (d->pending, segment_clear);
  return d;
}

void
db_driver_free (DbDriver *d)
{
  if (!d)
    return;
  g_array_unref (d->pending);
  g_hash_table_unref (d->renames);
  g_free (d->window);
  g_free (d->window_ends);
  g_free (d);
}

guint64
db_driver_rows (const DbDriver *d)
{
  return d->rows;
}

guint64
db_driver_commits (const DbDriver *d)
{
  return d->commits;
}

/* After a failure (in *error) inside the open transaction: roll back and,
 * while the sink recovers, write the transaction's rows again.  FALSE
 * with *error set when it cannot. */
static gboolean
replay (DbDriver *d, GError **error)
{
  if (d->open)
    d->f.rollback (d->sink);
  d->open = FALSE;
  while (d->keep && d->f.recover && d->f.recover (d->sink, error))
    {
      g_clear_error (error);
      d->rows_open = 0;
      if (!d->f.begin (d->sink, error))
        continue;
      d->open = TRUE;
      guint i;
      for (i = 0; i < d->pending->len; i++)
        {
          Segment *s = &g_array_index (d->pending, Segment, i);
          if (!d->f.write (d->sink, s->name, s->b, s->from, s->to, error))
            break;
          d->rows_open += s->to - s->from;
        }
      if (i == d->pending->len)
        return TRUE;
      d->f.rollback (d->sink);
      d->open = FALSE;
    }
  g_array_set_size (d->pending, 0);
  d->have_window = FALSE;
  return FALSE;
}

static gboolean
write_rows (DbDriver *d, const char *name, const DpBatch *b, guint from, guint to, GError **error)
{
  if (d->keep)
    {
      Segment s = { dp_batch_ref ((gpointer) b), g_strdup (name), from, to };
      g_array_append_val (d->pending, s);
    }
  if (!d->open)
    {
      d->rows_open = 0;
      if (!d->f.begin (d->sink, error))
        return replay (d, error);
      d->open = TRUE;
    }
  if (!d->f.write (d->sink, name, b, from, to, error))
    return replay (d, error);
  d->rows_open += to - from;
  return TRUE;
}

static gboolean
commit (DbDriver *d, GError **error)
{
  if (!d->open)
    return TRUE;
  while (!d->f.commit (d->sink, error))
    if (!replay (d, error))
      return FALSE;
  d->open = FALSE;
  d->have_window = FALSE;
  d->rows += d->rows_open;
  d->rows_open = 0;
  d->commits++;
  g_array_set_size (d->pending, 0);
  return TRUE;
}

gboolean
db_driver_push (DbDriver *d, const char *upstream, const DpBatch *b, GError **error)
{
  if (b->type == DP_TYPE_PACKETS)
    {
      /* a batch of packets: a transaction of its own, or part of the run's */
      const char *name = db_renames_lookup (d->renames, upstream, DB_PACKETS_TABLE);
      guint n = db_batch_rows (b);
      if (d->txn == DB_TXN_RUN)
        return write_rows (d, name, b, 0, n, error);
      return commit (d, error) && write_rows (d, name, b, 0, n, error) && commit (d, error);
    }
  const DpTable *t = (const DpTable *) b;
  const char *name = db_renames_lookup (d->renames, upstream, t->name ? t->name : "table");
  gint wcol = d->txn == DB_TXN_WINDOW ? dp_table_find_column (t, d->window) : -1;
  if (wcol >= 0 && t->cols[wcol].type != DP_COL_INT64)
    wcol = -1;
  if (d->txn == DB_TXN_RUN)
    return write_rows (d, name, b, 0, t->n_rows, error);
  if (wcol < 0)   /* batch mode, or a table that has no window */
    return commit (d, error) && write_rows (d, name, b, 0, t->n_rows, error) && commit (d, error);
  const gint64 *w = t->cols[wcol].i64;
  if (t->n_rows == 0 && !write_rows (d, name, b, 0, 0, error))   /* creates the table */
    return FALSE;
  for (guint from = 0, to; from < t->n_rows; from = to)
    {
      for (to = from + 1; to < t->n_rows && w[to] == w[from]; to++)
        ;
      if (d->have_window && w[from] != d->current && !commit (d, error))
        return FALSE;
      if (!write_rows (d, name, b, from, to, error))
        return FALSE;
      d->have_window = TRUE;
      d->current = w[from];
    }
  if (d->window_ends && t->name && strcmp (t->name, d->window_ends) == 0)
    return commit (d, error);
  return TRUE;
}

gboolean
db_driver_finish (DbDriver *d, GError **error)
{
  return commit (d, error);
}
