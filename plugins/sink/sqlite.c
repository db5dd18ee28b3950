/* sqlite — writes tables into one SQLite database.
 *
 * Every table that arrives (from any of the input's upstreams) goes to the
 * SQL table named after it (or renamed by `tables`), one transaction per
 * window (db-sink.c: the taxonomy's sources, events and summary of one
 * window commit together), through a prepared insert.  The database is
 * written in place in WAL mode; a failed transaction is rolled back and
 * leaves what earlier ones committed.  A packet stream goes to the table
 * `packets` (db-sink.h), a transaction per batch: ts a time (INTEGER ns unless ts_format says otherwise),
 * addresses TEXT as the csv sink prints them, the other fields INTEGER
 * and NULL where the packet does not have them. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sqlite3.h>
#include "darkpipe.h"
#include "db-sink.h"
#include "ts-format.h"

typedef struct {
  char *path;
  int ts_format;
  DbConfig db;
} Config;

static const DpOptionDesc sqlite_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, Config, path, DP_OPT_REQUIRED | DP_OPT_OUTPUT,
                   "Database file; a relative path goes below the run's output directory."),
  DP_OPTION_ENUM ("ts_format", "epoch_ns", Config, ts_format, ts_format_choices,
                  "Every time (a packet's ts, a table's time columns): epoch_ns: INTEGER nanoseconds since "
                  "the epoch; epoch: REAL seconds (about a microsecond kept); iso: TEXT, RFC 3339 UTC with ns "
                  "(2021-03-01T10:00:00.000000000Z), which SQLite's date functions read and which sorts "
                  "as time does."),
  DB_SINK_OPTIONS (Config, "window_start,src,ip,pattern"),
};

static const DpPortDesc sqlite_inputs[] = {
  { "input", DP_TYPE_ANY, DP_PORT_MULTI, "Tables or packet streams, from one or several upstreams." },
};

/* One SQL table written by this run. */
typedef struct {
  char *name;
  DbColumns cols;        /* of the first table written to it */
  sqlite3_stmt *insert;
  guint64 rows;
} SqlTable;

typedef struct {
  char *path;
  int ts_format;         /* TS_FORMAT_* */
  DbConfig cfg;          /* a copy of the shared options */
  DbDriver *driver;
  sqlite3 *db;
  GHashTable *tables;    /* SQLNAME -> SqlTable */
  GString *sql;
  GString *cell;
} State;

static void
sql_table_free (gpointer p)
{
  SqlTable *t = p;
  sqlite3_finalize (t->insert);
  g_free (t->name);
  db_columns_clear (&t->cols);
  g_free (t);
}

/* ------------------------------------------------------------------ */

/* The SQL type of a column; a time's follows ts_format (@ts_format). */
static const char *
sql_type (DpColType type, guint flags, int ts_format)
{
  if ((flags & DP_COLUMN_TIME) && ts_format != TS_FORMAT_EPOCH_NS)
    return ts_format == TS_FORMAT_EPOCH ? "REAL" : "TEXT";
  switch (type)
    {
    case DP_COL_INT64: return "INTEGER";
    case DP_COL_DOUBLE: return "REAL";
    default: return "TEXT";   /* addresses as dotted text, like csv */
    }
}

static gboolean
sql_fail (State *st, GError **error, const char *table, const char *what)
{
  if (table)
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "%s: table '%s': %s: %s",
                 st->path, table, what, sqlite3_errmsg (st->db));
  else
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "%s: %s: %s", st->path, what, sqlite3_errmsg (st->db));
  return FALSE;
}

static gboolean
exec (State *st, const char *sql, const char *table, const char *what, GError **error)
{
  if (sqlite3_exec (st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return sql_fail (st, error, table, what);
  return TRUE;
}

/* the SQL type of column @c of @cols */
static inline const char *
col_sql_type (const State *st, const DbColumns *cols, guint c)
{
  return sql_type (g_array_index (cols->types, DpColType, c), g_array_index (cols->flags, guint, c), st->ts_format);
}

static void
describe_columns (const State *st, GString *b, const DbColumns *cols)
{
  for (guint c = 0; c < cols->names->len; c++)
    g_string_append_printf (b, "%s%s %s", c ? ", " : "", (char *) cols->names->pdata[c],
                            col_sql_type (st, cols, c));
}

/* Binds time @ts as ts_format says to parameter @i of @q. */
static int
bind_time (const State *st, sqlite3_stmt *q, int i, gint64 ts)
{
  char buf[48];
  switch (st->ts_format)
    {
    case TS_FORMAT_EPOCH:
      return sqlite3_bind_double (q, i, (double) ts / 1e9);
    case TS_FORMAT_ISO:
      return sqlite3_bind_text (q, i, ts_format_text (ts, TS_FORMAT_ISO, buf), -1, SQLITE_TRANSIENT);
    default:
      return sqlite3_bind_int64 (q, i, ts);
    }
}

/* An existing SQL table must have the table's columns, names and types,
 * in order.  *exists tells whether there is one. */
static gboolean
check_existing (State *st, const char *name, const DbColumns *t, gboolean *exists, GError **error)
{
  g_string_assign (st->sql, "PRAGMA table_info(");
  db_append_ident (st->sql, name);
  g_string_append_c (st->sql, ')');
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2 (st->db, st->sql->str, -1, &q, NULL) != SQLITE_OK)
    return sql_fail (st, error, name, "cannot read its columns");
  g_autoptr (GString) have = g_string_new (NULL);
  gboolean same = TRUE;
  guint n = 0;
  int rc;
  while ((rc = sqlite3_step (q)) == SQLITE_ROW)
    {
      const char *col = (const char *) sqlite3_column_text (q, 1);
      const char *type = (const char *) sqlite3_column_text (q, 2);
      g_string_append_printf (have, "%s%s %s", n ? ", " : "", col ? col : "", type ? type : "");
      same = same && n < t->names->len && col && strcmp (col, t->names->pdata[n]) == 0 && type
             && g_ascii_strcasecmp (type, col_sql_type (st, t, n)) == 0;
      n++;
    }
  sqlite3_finalize (q);
  if (rc != SQLITE_DONE)
    return sql_fail (st, error, name, "cannot read its columns");
  *exists = n > 0;
  if (n > 0 && (!same || n != t->names->len))
    {
      g_autoptr (GString) want = g_string_new (NULL);
      describe_columns (st, want, t);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: table '%s' exists with other columns (%s) than the input's (%s); "
                   "use mode: replace, another name (tables) or another database",
                   st->path, name, have->str, want->str);
      return FALSE;
    }
  return TRUE;
}

/* The terms of @cols for a unique key: a column that may hold NULL (the
 * taxonomy's "not part of the key") as coalesce(col, x''), so that NULLs
 * are equal in it (SQLite's unique indexes hold NULLs distinct) and a
 * re-run replaces such rows too; the upsert's conflict target says the
 * same.  @t NULL: plain columns. */
static void
key_terms (GString *b, char *const *cols, const DbColumns *t)
{
  for (guint k = 0; cols[k]; k++)
    {
      gint c = t ? db_columns_find (t, cols[k]) : -1;
      gboolean nullable = c >= 0 && (g_array_index (t->flags, guint, c) & DP_COLUMN_NULLABLE);
      if (k)
        g_string_append (b, ", ");
      if (nullable)
        g_string_append (b, "coalesce(");
      db_append_ident (b, cols[k]);
      if (nullable)
        g_string_append (b, ", x'')");
    }
}

/* CREATE [UNIQUE] INDEX IF NOT EXISTS @index ON @name (@cols); a unique
 * one over key_terms of @t */
static gboolean
make_index (State *st, const char *name, const char *index, char *const *cols, gboolean unique,
            const DbColumns *t, GError **error)
{
  g_autoptr (GString) b = g_string_new (unique ? "CREATE UNIQUE INDEX IF NOT EXISTS " : "CREATE INDEX IF NOT EXISTS ");
  db_append_ident (b, index);
  g_string_append (b, " ON ");
  db_append_ident (b, name);
  g_string_append (b, " (");
  key_terms (b, cols, unique ? t : NULL);
  g_string_append_c (b, ')');
  return exec (st, b->str, name, unique ? "cannot create the unique index of its key" : "cannot create an index",
               error);
}

/* mode upsert: a unique index on the table's key, and the insert in
 * st->sql made one that updates the row of a key that is there. */
static gboolean
upsert_clause (State *st, const char *name, const DbColumns *t, GError **error)
{
  g_auto (GStrv) key = db_config_key (&st->cfg, name);
  if (!key || !db_columns_has (t, key))
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: table '%s': mode upsert needs its key columns (keys: [%s=COLUMN+COLUMN])",
                   st->path, name, name);
      return FALSE;
    }
  g_autofree char *joined = g_strjoinv ("_", key);
  g_autofree char *index = g_strdup_printf ("%s_key_%s", name, joined);
  if (!make_index (st, name, index, key, TRUE, t, error))
    return FALSE;
  g_string_append (st->sql, " ON CONFLICT (");
  key_terms (st->sql, key, t);
  g_string_append (st->sql, ") DO ");
  gboolean any = FALSE;
  for (guint c = 0; c < t->names->len; c++)
    {
      const char *col = t->names->pdata[c];
      if (g_strv_contains ((const char *const *) key, col))
        continue;
      g_string_append (st->sql, any ? ", " : "UPDATE SET ");
      db_append_ident (st->sql, col);
      g_string_append (st->sql, " = excluded.");
      db_append_ident (st->sql, col);
      any = TRUE;
    }
  if (!any)
    g_string_append (st->sql, "NOTHING");
  return TRUE;
}

/* First batch for SQL table @name in this run: drop it (replace), create
 * it and its indexes if needed, prepare the insert.  Inside the window's
 * transaction, so a failure leaves the database as it was. */
static SqlTable *
open_table (State *st, const char *name, const DpBatch *b, GError **error)
{
  if (b->type == DP_TYPE_TABLE && ((const DpTable *) b)->n_cols == 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: table '%s' has no columns",
                   st->path, name);
      return NULL;
    }
  g_auto (DbColumns) cols = { 0 };
  db_columns_init (&cols, b);
  const DbColumns *t = &cols;
  if (st->cfg.mode == DB_MODE_REPLACE)
    {
      g_string_assign (st->sql, "DROP TABLE IF EXISTS ");
      db_append_ident (st->sql, name);
      if (!exec (st, st->sql->str, name, "cannot drop it", error))
        return NULL;
    }
  gboolean exists = FALSE;
  if (!check_existing (st, name, t, &exists, error))
    return NULL;
  if (!exists)
    {
      g_string_assign (st->sql, "CREATE TABLE ");
      db_append_ident (st->sql, name);
      g_string_append (st->sql, " (");
      for (guint c = 0; c < t->names->len; c++)
        {
          if (c > 0)
            g_string_append (st->sql, ", ");
          db_append_ident (st->sql, t->names->pdata[c]);
          g_string_append_printf (st->sql, " %s", col_sql_type (st, t, c));
        }
      g_string_append_c (st->sql, ')');
      if (!exec (st, st->sql->str, name, "cannot create it", error))
        return NULL;
    }
  for (guint i = 0; st->cfg.indexes && st->cfg.indexes[i]; i++)
    {
      g_auto (GStrv) icols = db_index_columns (st->cfg.indexes[i]);
      if (!db_columns_has (t, icols))
        continue;
      g_autofree char *joined = g_strjoinv ("_", icols);
      g_autofree char *index = g_strdup_printf ("%s_%s", name, joined);
      if (!make_index (st, name, index, icols, FALSE, NULL, error))
        return NULL;
    }
  g_string_assign (st->sql, "INSERT INTO ");
  db_append_ident (st->sql, name);
  g_string_append (st->sql, " VALUES (");
  for (guint c = 0; c < t->names->len; c++)
    g_string_append (st->sql, c ? ", ?" : "?");
  g_string_append_c (st->sql, ')');
  if (st->cfg.mode == DB_MODE_UPSERT && !upsert_clause (st, name, t, error))
    return NULL;
  sqlite3_stmt *insert = NULL;
  if (sqlite3_prepare_v2 (st->db, st->sql->str, -1, &insert, NULL) != SQLITE_OK)
    {
      sql_fail (st, error, name, "cannot prepare the insert");
      return NULL;
    }
  SqlTable *s = g_new0 (SqlTable, 1);
  s->name = g_strdup (name);
  s->insert = insert;
  s->cols = cols;
  cols = (DbColumns) { 0 };
  return s;
}

/* The insert of row @row (1-based in the table, @label its "COL=VALUE")
 * failed: the error, and the statement reset for the next run. */
static gboolean
insert_failed (State *st, SqlTable *s, guint64 row, const char *label, GError **error)
{
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
               "%s: table '%s', row %" G_GUINT64_FORMAT " (%s): cannot insert it: %s",
               st->path, s->name, row, label, sqlite3_errmsg (st->db));
  sqlite3_reset (s->insert);
  sqlite3_clear_bindings (s->insert);
  return FALSE;
}

static gboolean
insert_rows (State *st, SqlTable *s, const DpTable *t, guint from, guint to, GError **error)
{
  sqlite3_stmt *q = s->insert;
  for (guint r = from; r < to; r++)
    {
      sqlite3_reset (q);
      for (guint c = 0; c < t->n_cols; c++)
        {
          const DpColumn *col = &t->cols[c];
          int rc;
          if (dp_table_is_null (t, c, r))
            {
              rc = sqlite3_bind_null (q, (int) c + 1);
              if (rc != SQLITE_OK)
                goto fail;
              continue;
            }
          if (col->flags & DP_COLUMN_TIME)
            {
              if ((rc = bind_time (st, q, (int) c + 1, col->i64[r])) != SQLITE_OK)
                goto fail;
              continue;
            }
          switch (col->type)
            {
            case DP_COL_INT64:
              rc = sqlite3_bind_int64 (q, (int) c + 1, col->i64[r]);
              break;
            case DP_COL_DOUBLE:   /* SQLite stores a NaN as NULL */
              rc = sqlite3_bind_double (q, (int) c + 1, col->f64[r]);
              break;
            case DP_COL_STRING:
              rc = col->str[r] ? sqlite3_bind_text (q, (int) c + 1, col->str[r], -1, SQLITE_STATIC)
                               : sqlite3_bind_null (q, (int) c + 1);
              break;
            default:
              g_string_truncate (st->cell, 0);
              dp_table_format_cell (t, c, r, st->cell);
              rc = sqlite3_bind_text (q, (int) c + 1, st->cell->str, (int) st->cell->len, SQLITE_TRANSIENT);
              break;
            }
          if (rc != SQLITE_OK)
            goto fail;
        }
      if (sqlite3_step (q) != SQLITE_DONE)
        goto fail;
      continue;
    fail:
      g_string_printf (st->cell, "%s=", t->cols[0].name);
      dp_table_format_cell (t, 0, r, st->cell);
      return insert_failed (st, s, s->rows + (r - from) + 1, st->cell->str, error);
    }
  sqlite3_reset (q);
  sqlite3_clear_bindings (q);
  return TRUE;
}

/* Packets [@from, @to) of @p: NULL for a field the packet does not have. */
static gboolean
insert_packets (State *st, SqlTable *s, const DpPackets *p, guint from, guint to, GError **error)
{
  sqlite3_stmt *q = s->insert;
  char addr[64];
  for (guint r = from; r < to; r++)
    {
      sqlite3_reset (q);
      int rc = SQLITE_OK;
      for (guint c = 0; c < DB_PKT_N && rc == SQLITE_OK; c++)
        {
          gint64 v;
          if (!db_packet_field (p, r, c, &v))
            rc = sqlite3_bind_null (q, (int) c + 1);
          else if (c == DB_PKT_TS)
            rc = bind_time (st, q, (int) c + 1, v);
          else if (c == DB_PKT_SRC || c == DB_PKT_DST)   /* as the csv sink prints it */
            rc = sqlite3_bind_text (q, (int) c + 1, dp_ipv4_format ((guint32) v, p->names, addr), -1,
                                    SQLITE_TRANSIENT);
          else
            rc = sqlite3_bind_int64 (q, (int) c + 1, v);
        }
      if (rc != SQLITE_OK || sqlite3_step (q) != SQLITE_DONE)
        {
          g_string_printf (st->cell, "ts=%" G_GINT64_FORMAT, p->ts[r]);
          return insert_failed (st, s, s->rows + (r - from) + 1, st->cell->str, error);
        }
    }
  sqlite3_reset (q);
  sqlite3_clear_bindings (q);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* the driver's callbacks: db-sink.c cuts the input into windows */

static gboolean
sqlite_begin (void *sink, GError **error)
{
  return exec (sink, "BEGIN IMMEDIATE", NULL, "cannot begin a transaction", error);
}

static gboolean
sqlite_commit (void *sink, GError **error)
{
  return exec (sink, "COMMIT", NULL, "cannot commit", error);
}

static void
sqlite_rollback (void *sink)
{
  State *st = sink;
  sqlite3_exec (st->db, "ROLLBACK", NULL, NULL, NULL);
  /* a table made in the rolled-back transaction is gone: the run ends
   * here, but nothing may use its statement */
  g_hash_table_remove_all (st->tables);
}

static gboolean
sqlite_write (void *sink, const char *name, const DpBatch *b, guint from, guint to, GError **error)
{
  State *st = sink;
  SqlTable *s = g_hash_table_lookup (st->tables, name);
  if (s && !db_columns_check (&s->cols, st->path, s->name, b, error))
    return FALSE;
  if (!s)
    {
      if (!(s = open_table (st, name, b, error)))
        return FALSE;
      g_hash_table_insert (st->tables, s->name, s);
    }
  if (b->type == DP_TYPE_PACKETS ? !insert_packets (st, s, (const DpPackets *) b, from, to, error)
                                 : !insert_rows (st, s, (const DpTable *) b, from, to, error))
    return FALSE;
  s->rows += to - from;
  return TRUE;
}

static const DbDriverFuncs sqlite_funcs = { sqlite_begin, sqlite_commit, sqlite_rollback, sqlite_write, NULL };

static DpFlow
sqlite_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch, GError **error)
{
  State *st = state;
  return db_batch_check (batch, st->path, "sqlite", error) && db_driver_push (st->driver, upstream, batch, error)
           ? DP_FLOW_OK
           : DP_FLOW_ERROR;
}

static gboolean
sqlite_finish (DpStage *stage, void *state, GError **error)
{
  State *st = state;
  gboolean ok = db_driver_finish (st->driver, error);
  dp_stage_count (stage, "rows-written", db_driver_rows (st->driver));
  dp_stage_count (stage, "transactions", db_driver_commits (st->driver));
  return ok;
}

/* ------------------------------------------------------------------ */

static gboolean
sqlite_check (DpStage *stage, const void *config, GError **error)
{
  const Config *cfg = config;
  if (cfg->path && strcmp (cfg->path, "-") == 0)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "path",
                                  "a database is a file, not a stream: '-' (the standard output) "
                                  "cannot hold one");
  return db_config_check (stage, &cfg->db, error);
}

static gboolean
sqlite_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const Config *cfg = config;
  State *st = g_new0 (State, 1);
  *state = st;
  st->path = dp_stage_output_path (stage, cfg->path);
  st->ts_format = cfg->ts_format;
  db_config_copy (&st->cfg, &cfg->db);
  st->driver = db_driver_new (&st->cfg, &sqlite_funcs, st);
  st->tables = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, sql_table_free);
  st->sql = g_string_new (NULL);
  st->cell = g_string_new (NULL);

  g_autofree char *dir = g_path_get_dirname (st->path);
  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: cannot make its directory: %s",
                   st->path, g_strerror (e));
      return FALSE;
    }
  if (sqlite3_open_v2 (st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: cannot open the database: %s", st->path,
                   st->db ? sqlite3_errmsg (st->db) : "out of memory");
      return FALSE;
    }
  sqlite3_extended_result_codes (st->db, 1);
  sqlite3_busy_timeout (st->db, 10000);
  /* the first statement reads the file: a file that is not a database fails here */
  sqlite3_stmt *q = NULL;
  const char *mode = NULL;
  if (sqlite3_prepare_v2 (st->db, "PRAGMA journal_mode=WAL", -1, &q, NULL) == SQLITE_OK
      && sqlite3_step (q) == SQLITE_ROW)
    mode = (const char *) sqlite3_column_text (q, 0);
  gboolean wal = mode && g_ascii_strcasecmp (mode, "wal") == 0;
  g_autofree char *errmsg = g_strdup (sqlite3_errmsg (st->db));
  sqlite3_finalize (q);
  if (!wal)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: cannot open the database: %s", st->path,
                   mode ? "it refuses WAL mode" : errmsg);
      return FALSE;
    }
  if (sqlite3_exec (st->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: cannot open the database: %s", st->path,
                   sqlite3_errmsg (st->db));
      return FALSE;
    }
  return TRUE;
}

static void
sqlite_finalize (void *state)
{
  State *st = state;
  g_clear_pointer (&st->tables, g_hash_table_unref);   /* statements before the connection */
  if (st->db)
    sqlite3_close_v2 (st->db);
  db_driver_free (st->driver);
  db_config_clear (&st->cfg);
  if (st->sql)
    g_string_free (st->sql, TRUE);
  if (st->cell)
    g_string_free (st->cell, TRUE);
  g_free (st->path);
  g_free (st);
}

DP_PLUGIN_DEFINE (sqlite,
  .kind = DP_KIND_SINK,
  .summary = "Writes tables and packet streams into one SQLite database, one transaction per window.",
  .version = "1.2",
  .doc = "Each table that arrives goes to the SQL table of its name (`tables` renames: "
         "`summary=taxonomy_summary`, `clusters.summary=cluster_summary`), created at its "
         "first batch with columns int64 → INTEGER, double → REAL (a NaN becomes NULL), "
         "ipv4 → TEXT (dotted quad or pseudonym, as in csv) and string → TEXT, a time column "
         "(the taxonomy's window_start, first_ts, last_ts) as `ts_format` says (INTEGER ns by "
         "default, TEXT RFC 3339 with `iso`), a null cell (the taxonomy's \"not part of the "
         "key\", a missing string) NULL, and an index for each of the `indexes` whose columns it has. Rows go "
         "through a prepared insert (`mode: upsert`: one that updates the row of a key "
         "declared in `keys`), one transaction per window (`transaction`, `window`, "
         "`window_ends`: the taxonomy's sources, events and summary of one window commit "
         "together, right after the summary), in the database whole or not at all. A packet "
         "stream goes to the table `packets` (renamed by `tables`), one transaction per batch "
         "(`transaction: run`: the run's one), with the csv sink's columns: ts as a time column, src and dst TEXT as csv prints them (dotted, IPv6 or pseudonym), "
         "the other fields INTEGER, NULL where the packet does not have the field (ports "
         "without a TCP/UDP header, TCP fields without TCP, ICMP fields without ICMP). The "
         "database is written in place in WAL mode (`synchronous=NORMAL`), so readers see "
         "whole windows; when a window fails (a file that is not a database, a full disk, "
         "an existing table whose columns differ, a row a constraint refuses) its "
         "transaction is rolled back, the run fails with SQLite's message naming the table "
         "and row, and the windows committed before stay. Example queries: "
         "`docs/databases.md`.",
  .inputs = sqlite_inputs,
  .n_inputs = G_N_ELEMENTS (sqlite_inputs),
  .options = sqlite_options,
  .n_options = G_N_ELEMENTS (sqlite_options),
  .config_size = sizeof (Config),
  .check = sqlite_check,
  .init = sqlite_init,
  .process = sqlite_process,
  .finish = sqlite_finish,
  .finalize = sqlite_finalize)
