/* postgres — writes tables into PostgreSQL through libpq.
 *
 * Connection: a libpq connection string or URI (`conninfo`), else the
 * standard PG* environment variables; a password in the pipeline is
 * refused (a passfile is the place for one).  Each table goes to the SQL
 * table of its name (renames as in the sqlite sink), created at its first
 * rows or checked against its columns when it exists; rows go through
 * binary COPY (pg-copy.c), one transaction per window (db-sink.c), so a
 * lost connection or a refused row leaves earlier windows and nothing of
 * the failed one.  A lost connection is re-established with back-off for
 * `reconnect`, and the open window written again.  A packet stream goes
 * to the table `packets` (db-sink.h), one transaction per batch. */
#include "config.h"

#include <string.h>
#include "postgres.h"

typedef struct {
  char *conninfo;
  gint64 reconnect;
  char **times;
  DbConfig db;
} Config;

static const DpOptionDesc postgres_options[] = {
  DP_OPTION ("conninfo", DP_OPT_STRING, "", Config, conninfo,
             "libpq connection string or URI (host=/run/postgresql dbname=telescope, "
             "postgresql://user@host/db); empty: the PG* environment variables; no password here "
             "(use ~/.pgpass, passfile= or PGPASSFILE)."),
  DP_OPTION_RANGE ("reconnect", DP_OPT_DURATION, "1m", Config, reconnect, 0, 1e7,
                   "How long to try to get a lost connection back (waits from 0.1 s doubling to 10 s) "
                   "before the run fails; the open window is written again (0: fail at once)."),
  DP_OPTION ("times", DP_OPT_STRLIST, "window_start=s,first_ns=ns,last_ns=ns,ts=ns", Config, times,
             "Further int64 columns that are times since the epoch, as COLUMN=UNIT (s, ms, us, ns), for "
             "tables whose plugin does not declare its times (the default names those of tables written "
             "before times were declared; a declared time column, such as the taxonomy's window_start, "
             "first_ts and last_ts, is always ns): timestamptz, with COLUMN_nsec (the nanoseconds below "
             "the microsecond) for ns."),
  DB_SINK_OPTIONS (Config, "window_start,src+window_start,pattern+window_start,ip"),
};

static const DpPortDesc postgres_inputs[] = {
  { "input", DP_TYPE_ANY, DP_PORT_MULTI, "Tables or packet streams, from one or several upstreams." },
};

/* ------------------------------------------------------------------ */

char *
pg_message (PgSink *st, const PGresult *res)
{
  const char *primary = res ? PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  g_autoptr (GString) m = g_string_new (NULL);
  if (primary)
    {
      g_string_append (m, primary);
      const char *detail = PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL);
      if (detail)
        g_string_append_printf (m, " (%s)", detail);
    }
  else
    g_string_append (m, PQerrorMessage (st->conn));
  g_strstrip (m->str);
  m->len = strlen (m->str);
  for (gsize i = 0; i < m->len; i++)
    if (m->str[i] == '\n' || m->str[i] == '\t')
      m->str[i] = ' ';
  if (m->len == 0)
    g_string_assign (m, "the connection was lost");
  return g_string_free (g_steal_pointer (&m), FALSE);
}

gboolean
pg_exec (PgSink *st, const char *sql, const char *table, const char *what, GError **error)
{
  PGresult *res = PQexec (st->conn, sql);
  if (PQresultStatus (res) == PGRES_COMMAND_OK)
    {
      PQclear (res);
      return TRUE;
    }
  g_autofree char *msg = pg_message (st, res);
  PQclear (res);
  if (table)
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "%s: table '%s': %s: %s", st->where, table, what, msg);
  else
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "%s: %s: %s", st->where, what, msg);
  return FALSE;
}

/* libpq's notices (a WARNING of the server) go to the run log */
static void
notice (void *arg, const char *message)
{
  PgSink *st = arg;
  g_autofree char *m = g_strstrip (g_strdup (message));
  dp_stage_info (st->stage, "%s: %s", st->where, m);
}

/* What a new connection needs: quiet notices, names for messages. */
static gboolean
session_setup (PgSink *st, GError **error)
{
  PQsetNoticeProcessor (st->conn, notice, st);
  g_free (st->where);
  const char *host = PQhost (st->conn);
  st->where = g_strdup_printf ("postgres database '%s' on %s%s%s", PQdb (st->conn),
                               host && host[0] == '/' ? "socket " : "",
                               host && host[0] ? host : "localhost", "");
  if (host && host[0] == '/')
    {
      g_autofree char *w = st->where;
      st->where = g_strdup_printf ("%s/.s.PGSQL.%s", w, PQport (st->conn));
    }
  else
    {
      g_autofree char *w = st->where;
      st->where = g_strdup_printf ("%s:%s", w, PQport (st->conn));
    }
  return pg_exec (st, "SET client_min_messages = warning", NULL, "cannot set up the session", error);
}

static PGconn *
connect_db (PgSink *st)
{
  const char *const keys[] = { "dbname", "fallback_application_name", NULL };
  const char *const values[] = { st->conninfo, "darkpipe", NULL };
  return PQconnectdbParams (keys, values, 1);
}

/* ------------------------------------------------------------------ */
/* the driver's callbacks */

static gboolean
pg_begin (void *sink, GError **error)
{
  PgSink *st = sink;
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, st->tables);
  while (g_hash_table_iter_next (&it, NULL, &v))
    ((PgTable *) v)->rows_open = 0;
  return pg_exec (st, "BEGIN", NULL, "cannot begin a transaction", error);
}

static gboolean
pg_commit (void *sink, GError **error)
{
  PgSink *st = sink;
  if (!pg_exec (st, "COMMIT", NULL, "cannot commit", error))
    return FALSE;
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, st->tables);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      PgTable *s = v;
      s->rows += s->rows_open;
      s->rows_open = 0;
      s->ready_committed = s->ready;
      s->temp_committed = s->temp_ready;
      s->replaced = s->replaced || s->drop_pending;
      s->drop_pending = FALSE;
    }
  st->lost_at = 0;
  return TRUE;
}

static void
pg_rollback (void *sink)
{
  PgSink *st = sink;
  if (PQstatus (st->conn) == CONNECTION_OK)
    PQclear (PQexec (st->conn, "ROLLBACK"));
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, st->tables);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      PgTable *s = v;
      s->rows_open = 0;
      s->ready = s->ready_committed;
      s->temp_ready = s->temp_committed;
      s->drop_pending = FALSE;
    }
}

static gboolean
pg_write (void *sink, const char *name, const DpBatch *b, guint from, guint to, GError **error)
{
  PgSink *st = sink;
  PgTable *s = g_hash_table_lookup (st->tables, name);
  if (!s)
    {
      if (!(s = pg_table_new (st, name, b, error)))
        return FALSE;
      g_hash_table_insert (st->tables, s->name, s);
    }
  else if (!db_columns_check (&s->dp_cols, st->where, s->name, b, error))
    return FALSE;
  if (!pg_table_open (st, s, error) || !pg_copy_rows (st, s, b, from, to, error))
    return FALSE;
  if (st->cfg.mode == DB_MODE_UPSERT && to > from
      && !pg_exec (st, s->merge_sql, s->name, "cannot merge the rows into it (upsert)", error))
    return FALSE;
  return TRUE;
}

/* The connection is lost: reconnect, waiting 0.1 s, 0.2 s, … up to 10 s
 * between tries, until `reconnect` has passed since the failure. */
static gboolean
pg_recover (void *sink, GError **error)
{
  PgSink *st = sink;
  if (PQstatus (st->conn) == CONNECTION_OK || st->reconnect_ns <= 0)
    return FALSE;   /* the server refused the data, or no second chance */
  gint64 now = g_get_monotonic_time ();
  if (st->lost_at == 0)
    st->lost_at = now;
  gint64 deadline = st->lost_at + st->reconnect_ns / 1000;
  gint64 wait = 100000;
  g_autofree char *why = NULL;
  for (guint tries = 1;; tries++)
    {
      PQreset (st->conn);
      if (PQstatus (st->conn) == CONNECTION_OK)
        {
          g_autoptr (GError) e = NULL;
          if (session_setup (st, &e))
            {
              GHashTableIter it;
              gpointer v;
              g_hash_table_iter_init (&it, st->tables);
              while (g_hash_table_iter_next (&it, NULL, &v))
                ((PgTable *) v)->temp_ready = ((PgTable *) v)->temp_committed = FALSE;
              st->reconnects++;
              dp_stage_info (st->stage, "%s: reconnected after %u tries; writing the open window again (%s)",
                             st->where, tries, (*error)->message);
              return TRUE;
            }
        }
      g_free (why);
      why = pg_message (st, NULL);
      now = g_get_monotonic_time ();
      if (now >= deadline || dp_stage_cancelled (st->stage))
        break;
      g_usleep ((gulong) MIN (wait, deadline - now));
      wait = MIN (wait * 2, 10 * G_USEC_PER_SEC);
    }
  g_prefix_error (error, "(gave up reconnecting after %.1f s: %s) ", (double) (now - st->lost_at) / 1e6, why);
  return FALSE;
}

static const DbDriverFuncs pg_funcs = { pg_begin, pg_commit, pg_rollback, pg_write, pg_recover };

/* ------------------------------------------------------------------ */

static DpFlow
postgres_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch, GError **error)
{
  PgSink *st = state;
  return db_batch_check (batch, st->where, "postgres", error) && db_driver_push (st->driver, upstream, batch, error)
           ? DP_FLOW_OK
           : DP_FLOW_ERROR;
}

static gboolean
postgres_finish (DpStage *stage, void *state, GError **error)
{
  PgSink *st = state;
  gboolean ok = db_driver_finish (st->driver, error);
  dp_stage_count (stage, "rows-written", db_driver_rows (st->driver));
  dp_stage_count (stage, "transactions", db_driver_commits (st->driver));
  if (st->reconnects)
    dp_stage_count (stage, "reconnects", st->reconnects);
  return ok;
}

static gboolean
parse_unit (const char *entry, char **name, PgUnit *unit)
{
  static const char *const units[] = { "s", "ms", "us", "ns" };
  const char *eq = strchr (entry, '=');
  if (!eq || eq == entry)
    return FALSE;
  for (guint u = 0; u < G_N_ELEMENTS (units); u++)
    if (strcmp (eq + 1, units[u]) == 0)
      {
        if (name)
          *name = g_strndup (entry, (gsize) (eq - entry));
        if (unit)
          *unit = (PgUnit) u;
        return TRUE;
      }
  return FALSE;
}

static gboolean
postgres_check (DpStage *stage, const void *config, GError **error)
{
  const Config *cfg = config;
  if (!db_config_check (stage, &cfg->db, error))
    return FALSE;
  for (guint i = 0; cfg->times && cfg->times[i]; i++)
    if (!parse_unit (cfg->times[i], NULL, NULL))
      return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "times",
                                    "'%s': expected COLUMN=s, =ms, =us or =ns", cfg->times[i]);
  if (cfg->conninfo && cfg->conninfo[0])
    {
      char *err = NULL;
      PQconninfoOption *opts = PQconninfoParse (cfg->conninfo, &err);
      if (!opts)
        {
          g_autofree char *m = g_strstrip (g_strdup (err ? err : "out of memory"));
          PQfreemem (err);
          return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "conninfo",
                                        "not a libpq connection string: %s", m);
        }
      gboolean password = FALSE;
      for (PQconninfoOption *o = opts; o->keyword; o++)
        password = password || (strcmp (o->keyword, "password") == 0 && o->val && o->val[0]);
      PQconninfoFree (opts);
      if (password)
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "conninfo",
                                      "holds a password, which does not belong in a pipeline file: "
                                      "put it in ~/.pgpass (or passfile=FILE, PGPASSFILE)");
    }
  return TRUE;
}

static gboolean
postgres_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const Config *cfg = config;
  PgSink *st = g_new0 (PgSink, 1);
  *state = st;
  st->stage = stage;
  db_config_copy (&st->cfg, &cfg->db);
  st->reconnect_ns = cfg->reconnect;
  st->conninfo = g_strdup (cfg->conninfo ? cfg->conninfo : "");
  st->units = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; cfg->times && cfg->times[i]; i++)
    {
      char *name = NULL;
      PgUnit unit = PG_UNIT_S;
      if (parse_unit (cfg->times[i], &name, &unit))
        g_hash_table_replace (st->units, name, GINT_TO_POINTER ((gint) unit + 1));
    }
  st->tables = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, pg_table_free);
  st->sql = g_string_new (NULL);
  st->buf = g_string_sized_new (2 * 256 * 1024);
  st->cell = g_string_new (NULL);
  st->driver = db_driver_new (&st->cfg, &pg_funcs, st);
  st->where = g_strdup ("postgres");
  st->conn = connect_db (st);
  if (PQstatus (st->conn) != CONNECTION_OK)
    {
      g_autofree char *msg = pg_message (st, NULL);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "postgres: cannot connect to the server (%s): %s",
                   st->conninfo[0] ? "conninfo" : "PG* environment variables", msg);
      return FALSE;
    }
  return session_setup (st, error);
}

static void
postgres_finalize (void *state)
{
  PgSink *st = state;
  db_driver_free (st->driver);
  if (st->conn)
    PQfinish (st->conn);
  if (st->tables)
    g_hash_table_unref (st->tables);
  if (st->units)
    g_hash_table_unref (st->units);
  db_config_clear (&st->cfg);
  g_free (st->conninfo);
  g_free (st->where);
  if (st->sql)
    g_string_free (st->sql, TRUE);
  if (st->buf)
    g_string_free (st->buf, TRUE);
  if (st->cell)
    g_string_free (st->cell, TRUE);
  g_free (st);
}

DP_PLUGIN_DEFINE (postgres,
  .kind = DP_KIND_SINK,
  .summary = "Writes tables and packet streams into PostgreSQL through binary COPY, one transaction per window.",
  .version = "1.1",
  .doc = "Connects with `conninfo` (a libpq connection string or URI) or the standard `PG*` "
         "environment variables; a password in the pipeline is refused (`~/.pgpass`, `passfile=`, "
         "`PGPASSFILE`). Each table that arrives goes to the SQL table of its name (`tables` renames, "
         "as in the sqlite sink), created at its first rows with typed columns: int64 → `bigint`, a "
         "time column (declared as a time by its plugin, such as the taxonomy's window_start, first_ts "
         "and last_ts, or named in `times`) → `timestamptz` (an ns time keeps its last three digits in "
         "`COLUMN_nsec smallint`), double → `double precision` (NaN and infinities kept), ipv4 → `inet` "
         "(and `COLUMN_name text` holding the pseudonyms when the input is pseudonymised), string → "
         "`text`, and a null cell (the taxonomy's \"not part of the key\") NULL; a table that exists must have exactly these columns, else the run fails naming both "
         "lists. Rows go through `COPY … FROM STDIN (FORMAT binary)`, one transaction per window "
         "(`transaction`, `window`, `window_ends`: the taxonomy's sources, events and summary of one "
         "window commit together), so a crash, a lost connection or a refused row leaves every earlier "
         "window and nothing of the failed one; the run then fails with the server's message naming "
         "the table and row. A lost connection is re-established for `reconnect` with back-off and the "
         "open window written again. `mode: upsert` merges rows on a declared key (`keys`) for re-runs "
         "of the same hours. Indexes: `indexes`. A packet stream goes to the table `packets` (renamed by "
         "`tables`), one transaction per batch (`transaction: run`: the run's one), with the csv sink's "
         "columns: `ts timestamptz` and `ts_nsec smallint`, `src`/`dst inet` (IPv4, or the IPv6 "
         "address of the name map; `src_name`/`dst_name text` for pseudonymised input), `proto`, "
         "`tcp_flags`, `icmp_type`, `icmp_code`, `ttl`, `mf`, `frag_offset`, `tcp_optlen smallint`, "
         "`sport`, `dport`, `ip_id`, `ip_len`, `tcp_win integer`, `tcp_seq bigint`, NULL where the "
         "packet does not have the field (ports without a TCP/UDP header, TCP fields without TCP, ICMP "
         "fields without ICMP). Example queries: `docs/databases.md`.",
  .inputs = postgres_inputs,
  .n_inputs = G_N_ELEMENTS (postgres_inputs),
  .options = postgres_options,
  .n_options = G_N_ELEMENTS (postgres_options),
  .config_size = sizeof (Config),
  .check = postgres_check,
  .init = postgres_init,
  .process = postgres_process,
  .finish = postgres_finish,
  .finalize = postgres_finalize)
