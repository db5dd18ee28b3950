/* sqlite — writes tables into one SQLite database.
 *
 * Every table that arrives (from any of the input's upstreams) goes to the
 * SQL table named after it (or renamed by `tables`), in one transaction
 * per batch (the taxonomy pushes a window's sources and events, then its
 * summary, so a window with summary rows is complete).  The database is
 * written in place in WAL mode; a failed transaction is rolled back and
 * leaves what earlier ones committed. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sqlite3.h>
#include "darkpipe.h"

enum { MODE_APPEND, MODE_REPLACE };

static const char *const sqlite_mode_choices[] = { "append", "replace", NULL };

typedef struct {
  char *path;
  int mode;
  char **tables;
  char **indexes;
} Config;

static const DpOptionDesc sqlite_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, Config, path, DP_OPT_REQUIRED | DP_OPT_OUTPUT,
                   "Database file; a relative path goes below the run's output directory."),
  DP_OPTION_ENUM ("mode", "append", Config, mode, sqlite_mode_choices,
                  "append: add rows to tables that exist (their columns must match); "
                  "replace: drop and recreate each table at its first batch."),
  DP_OPTION ("tables", DP_OPT_STRLIST, "", Config, tables,
             "Renames, as FROM=SQLNAME: FROM is a table name, an upstream stage or "
             "upstream.table (default: the table's own name)."),
  DP_OPTION ("indexes", DP_OPT_STRLIST, "window_start,src,ip,pattern", Config, indexes,
             "Columns that get an index in every table that has them ([] for none)."),
};

static const DpPortDesc sqlite_inputs[] = {
  { "input", DP_TYPE_TABLE, DP_PORT_MULTI, "Tables, from one or several upstreams." },
};

/* One SQL table written by this run. */
typedef struct {
  char *name;
  GPtrArray *col_names;  /* of the first table written to it */
  GArray *col_types;     /* DpColType */
  sqlite3_stmt *insert;
  guint64 rows;
} SqlTable;

typedef struct {
  char *path;
  int mode;
  GHashTable *renames;   /* FROM -> SQLNAME */
  char **indexes;
  sqlite3 *db;
  GHashTable *tables;    /* SQLNAME -> SqlTable */
  GString *sql;
  GString *cell;
  guint64 rows;
} State;

static void
sql_table_free (gpointer p)
{
  SqlTable *t = p;
  sqlite3_finalize (t->insert);
  g_free (t->name);
  g_ptr_array_unref (t->col_names);
  g_array_unref (t->col_types);
  g_free (t);
}

/* ------------------------------------------------------------------ */

static const char *
sql_type (DpColType type)
{
  switch (type)
    {
    case DP_COL_INT64: return "INTEGER";
    case DP_COL_DOUBLE: return "REAL";
    default: return "TEXT";   /* addresses as dotted text, like csv */
    }
}

/* "name" with inner quotes doubled: any table or column name is safe. */
static void
append_ident (GString *b, const char *s)
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

static gboolean
sql_fail (State *st, GError **error, const char *table, const char *what)
{
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "%s: table '%s': %s: %s",
               st->path, table, what, sqlite3_errmsg (st->db));
  return FALSE;
}

static gboolean
exec (State *st, const char *sql, const char *table, const char *what, GError **error)
{
  if (sqlite3_exec (st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return sql_fail (st, error, table, what);
  return TRUE;
}

static void
describe_columns (GString *b, const DpTable *t)
{
  for (guint c = 0; c < t->n_cols; c++)
    g_string_append_printf (b, "%s%s %s", c ? ", " : "", t->cols[c].name, sql_type (t->cols[c].type));
}

/* An existing SQL table must have the table's columns, names and types,
 * in order.  *exists tells whether there is one. */
static gboolean
check_existing (State *st, const char *name, const DpTable *t, gboolean *exists, GError **error)
{
  g_string_assign (st->sql, "PRAGMA table_info(");
  append_ident (st->sql, name);
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
      same = same && n < t->n_cols && col && strcmp (col, t->cols[n].name) == 0 && type
             && g_ascii_strcasecmp (type, sql_type (t->cols[n].type)) == 0;
      n++;
    }
  sqlite3_finalize (q);
  if (rc != SQLITE_DONE)
    return sql_fail (st, error, name, "cannot read its columns");
  *exists = n > 0;
  if (n > 0 && (!same || n != t->n_cols))
    {
      g_autoptr (GString) want = g_string_new (NULL);
      describe_columns (want, t);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: table '%s' exists with other columns (%s) than the input's (%s); "
                   "use mode: replace, another name (tables) or another database",
                   st->path, name, have->str, want->str);
      return FALSE;
    }
  return TRUE;
}

/* First batch for SQL table @name in this run: drop it (replace), create
 * it and its indexes if needed, prepare the insert.  Inside the batch's
 * transaction, so a failure leaves the database as it was. */
static SqlTable *
open_table (State *st, const char *name, const DpTable *t, GError **error)
{
  if (t->n_cols == 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: table '%s' has no columns",
                   st->path, name);
      return NULL;
    }
  if (st->mode == MODE_REPLACE)
    {
      g_string_assign (st->sql, "DROP TABLE IF EXISTS ");
      append_ident (st->sql, name);
      if (!exec (st, st->sql->str, name, "cannot drop it", error))
        return NULL;
    }
  gboolean exists = FALSE;
  if (!check_existing (st, name, t, &exists, error))
    return NULL;
  if (!exists)
    {
      g_string_assign (st->sql, "CREATE TABLE ");
      append_ident (st->sql, name);
      g_string_append (st->sql, " (");
      for (guint c = 0; c < t->n_cols; c++)
        {
          if (c > 0)
            g_string_append (st->sql, ", ");
          append_ident (st->sql, t->cols[c].name);
          g_string_append_printf (st->sql, " %s", sql_type (t->cols[c].type));
        }
      g_string_append_c (st->sql, ')');
      if (!exec (st, st->sql->str, name, "cannot create it", error))
        return NULL;
    }
  for (guint i = 0; st->indexes && st->indexes[i]; i++)
    {
      if (dp_table_find_column (t, st->indexes[i]) < 0)
        continue;
      g_autofree char *index = g_strdup_printf ("%s_%s", name, st->indexes[i]);
      g_string_assign (st->sql, "CREATE INDEX IF NOT EXISTS ");
      append_ident (st->sql, index);
      g_string_append (st->sql, " ON ");
      append_ident (st->sql, name);
      g_string_append (st->sql, " (");
      append_ident (st->sql, st->indexes[i]);
      g_string_append_c (st->sql, ')');
      if (!exec (st, st->sql->str, name, "cannot create an index", error))
        return NULL;
    }
  g_string_assign (st->sql, "INSERT INTO ");
  append_ident (st->sql, name);
  g_string_append (st->sql, " VALUES (");
  for (guint c = 0; c < t->n_cols; c++)
    g_string_append (st->sql, c ? ", ?" : "?");
  g_string_append_c (st->sql, ')');
  sqlite3_stmt *insert = NULL;
  if (sqlite3_prepare_v2 (st->db, st->sql->str, -1, &insert, NULL) != SQLITE_OK)
    {
      sql_fail (st, error, name, "cannot prepare the insert");
      return NULL;
    }
  SqlTable *s = g_new0 (SqlTable, 1);
  s->name = g_strdup (name);
  s->insert = insert;
  s->col_names = g_ptr_array_new_with_free_func (g_free);
  s->col_types = g_array_new (FALSE, FALSE, sizeof (DpColType));
  for (guint c = 0; c < t->n_cols; c++)
    {
      g_ptr_array_add (s->col_names, g_strdup (t->cols[c].name));
      g_array_append_val (s->col_types, t->cols[c].type);
    }
  return s;
}

/* Later batches for one SQL table need the columns of its first. */
static gboolean
same_columns (State *st, const SqlTable *s, const DpTable *t, GError **error)
{
  gboolean same = t->n_cols == s->col_names->len;
  for (guint c = 0; same && c < t->n_cols; c++)
    same = strcmp (t->cols[c].name, s->col_names->pdata[c]) == 0
           && t->cols[c].type == g_array_index (s->col_types, DpColType, c);
  if (!same)
    {
      g_autoptr (GString) want = g_string_new (NULL);
      describe_columns (want, t);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: table '%s': a table with other columns (%s) than its first one "
                   "(%u columns, same names and types needed)",
                   st->path, s->name, want->str, s->col_names->len);
    }
  return same;
}

static gboolean
insert_rows (State *st, SqlTable *s, const DpTable *t, GError **error)
{
  sqlite3_stmt *q = s->insert;
  for (guint r = 0; r < t->n_rows; r++)
    {
      sqlite3_reset (q);
      for (guint c = 0; c < t->n_cols; c++)
        {
          const DpColumn *col = &t->cols[c];
          int rc;
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
      g_string_truncate (st->cell, 0);
      dp_table_format_cell (t, 0, r, st->cell);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                   "%s: table '%s', row %" G_GUINT64_FORMAT " (%s=%s): cannot insert it: %s",
                   st->path, s->name, s->rows + r + 1, t->cols[0].name, st->cell->str, sqlite3_errmsg (st->db));
      sqlite3_reset (q);
      sqlite3_clear_bindings (q);
      return FALSE;
    }
  sqlite3_reset (q);
  sqlite3_clear_bindings (q);
  return TRUE;
}

/* The SQL name of table @t from @upstream: a rename, else its own name. */
static const char *
sql_name (State *st, const char *upstream, const DpTable *t)
{
  const char *tname = t->name ? t->name : "table";
  g_autofree char *both = g_strdup_printf ("%s.%s", upstream ? upstream : "", tname);
  const char *to = g_hash_table_lookup (st->renames, both);
  if (!to && upstream)
    to = g_hash_table_lookup (st->renames, upstream);
  if (!to)
    to = g_hash_table_lookup (st->renames, tname);
  return to ? to : tname;
}

static DpFlow
sqlite_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch, GError **error)
{
  State *st = state;
  const DpTable *t = (const DpTable *) batch;
  const char *name = sql_name (st, upstream, t);
  if (sqlite3_exec (st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return sql_fail (st, error, name, "cannot begin a transaction"), DP_FLOW_ERROR;
  SqlTable *s = g_hash_table_lookup (st->tables, name);
  SqlTable *opened = NULL;
  gboolean ok;
  if (s)
    ok = same_columns (st, s, t, error);
  else
    ok = (s = opened = open_table (st, name, t, error)) != NULL;
  ok = ok && insert_rows (st, s, t, error);
  if (ok && sqlite3_exec (st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    ok = sql_fail (st, error, name, "cannot commit");
  if (!ok)
    {
      sqlite3_exec (st->db, "ROLLBACK", NULL, NULL, NULL);
      if (opened)
        sql_table_free (opened);
      return DP_FLOW_ERROR;
    }
  if (opened)
    g_hash_table_insert (st->tables, opened->name, opened);
  s->rows += t->n_rows;
  st->rows += t->n_rows;
  return DP_FLOW_OK;
}

static gboolean
sqlite_finish (DpStage *stage, void *state, GError **error)
{
  State *st = state;
  dp_stage_count (stage, "rows-written", st->rows);
  return TRUE;
}

/* ------------------------------------------------------------------ */

static gboolean
sqlite_check (DpStage *stage, const void *config, GError **error)
{
  const Config *cfg = config;
  for (guint i = 0; cfg->tables && cfg->tables[i]; i++)
    {
      const char *eq = strchr (cfg->tables[i], '=');
      if (!eq || eq == cfg->tables[i] || eq[1] == '\0')
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "tables",
                                      "'%s': expected FROM=SQLNAME", cfg->tables[i]);
    }
  return TRUE;
}

static gboolean
sqlite_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const Config *cfg = config;
  State *st = g_new0 (State, 1);
  *state = st;
  st->path = dp_stage_output_path (stage, cfg->path);
  st->mode = cfg->mode;
  st->indexes = g_strdupv (cfg->indexes);
  st->renames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; cfg->tables && cfg->tables[i]; i++)
    {
      const char *eq = strchr (cfg->tables[i], '=');
      g_hash_table_replace (st->renames, g_strndup (cfg->tables[i], (gsize) (eq - cfg->tables[i])),
                            g_strdup (eq + 1));
    }
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
  g_clear_pointer (&st->renames, g_hash_table_unref);
  g_strfreev (st->indexes);
  if (st->sql)
    g_string_free (st->sql, TRUE);
  if (st->cell)
    g_string_free (st->cell, TRUE);
  g_free (st->path);
  g_free (st);
}

DP_PLUGIN_DEFINE (sqlite,
  .kind = DP_KIND_SINK,
  .summary = "Writes tables into one SQLite database, one transaction per batch.",
  .version = "1.0",
  .doc = "Each table that arrives goes to the SQL table of its name (`tables` renames: "
         "`summary=taxonomy_summary`, `clusters.summary=cluster_summary`), created at its "
         "first batch with columns int64 → INTEGER, double → REAL (a NaN becomes NULL), "
         "ipv4 → TEXT (dotted quad or pseudonym, as in csv) and string → TEXT (NULL stays "
         "NULL), and an index on each of the `indexes` columns it has. Every batch is one "
         "transaction through a prepared insert, in the database whole or not at all (the "
         "taxonomy pushes a window's sources and events, then its summary: a window with "
         "summary rows is complete). The database is "
         "written in place in WAL mode (`synchronous=NORMAL`); when a batch fails (a file "
         "that is not a database, a full disk, an existing table whose columns differ, a "
         "row a constraint refuses) its transaction is rolled back, the run fails with "
         "SQLite's message naming the table and row, and the batches committed before stay. "
         "Example queries: `docs/databases.md`.",
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
