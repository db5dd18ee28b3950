/* test-postgres.c — the postgres sink against a real server: the test
 * starts a throw-away cluster (initdb in a temporary directory, as the
 * unprivileged user nobody when run as root, a Unix socket there and no
 * TCP), writes tables and reads them back through libpq: every column
 * type, the SQL types, windows and transactions (a backend killed in the
 * middle of a COPY), reconnection, a refused row, a full disk (a
 * tablespace on a 1 MB tmpfs, as root), upsert, modes, a schema mismatch,
 * a refused connection, the same content as the csv and sqlite sinks
 * (tables and packet streams), and the example queries of
 * docs/databases.md.  It stops the server at the end (a watchdog process
 * stops it when the test dies) and skips, saying why, when no server can
 * be started. */
#include "config.h"

#include <math.h>
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "dp-test.h"

#ifdef HAVE_POSTGRES
#include <libpq-fe.h>
#ifdef HAVE_SQLITE
#include <sqlite3.h>
#endif

/* ------------------------------------------------------------------ */
/* the throw-away cluster */

static char *pg_dir;          /* its directory: data/, log, the socket */
static char *pg_conninfo;     /* to its database "postgres" */
static char *pg_skip;         /* why there is no server */
static int pg_watchdog = -1;  /* write end of the watchdog's stdin */
static GPid pg_watchdog_pid;
static guint pg_schemas;

/* The directory of initdb and postgres: PG_BINDIR, else Debian's newest
 * /usr/lib/postgresql/N/bin. */
static char *
pg_bindir (void)
{
  const char *env = g_getenv ("PG_BINDIR");
  if (env && env[0])
    return g_strdup (env);
  g_autoptr (GDir) d = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  char *best = NULL;
  long best_v = -1;
  const char *n;
  while (d && (n = g_dir_read_name (d)) != NULL)
    {
      long v = strtol (n, NULL, 10);
      if (v > best_v)
        {
          g_free (best);
          best = g_build_filename ("/usr/lib/postgresql", n, "bin", NULL);
          best_v = v;
        }
    }
  return best;
}

/* Runs @argv (as nobody when we are root); FALSE with *why on failure. */
static gboolean
pg_run (char **argv, char **why)
{
  g_autoptr (GPtrArray) a = g_ptr_array_new ();
  if (getuid () == 0)
    {
      g_ptr_array_add (a, "runuser");
      g_ptr_array_add (a, "-u");
      g_ptr_array_add (a, "nobody");
      g_ptr_array_add (a, "--");
    }
  for (guint i = 0; argv[i]; i++)
    g_ptr_array_add (a, argv[i]);
  g_ptr_array_add (a, NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  GError *error = NULL;
  if (!g_spawn_sync (pg_dir, (char **) a->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                     &error))
    {
      *why = g_strdup_printf ("%s: %s", (char *) a->pdata[0], error->message);
      g_error_free (error);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      *why = g_strdup_printf ("%s failed: %s%s", argv[0], g_strstrip (err), g_strstrip (out));
      return FALSE;
    }
  return TRUE;
}

static void
pg_start (void)
{
  g_autofree char *bin = pg_bindir ();
  g_autofree char *initdb = bin ? g_build_filename (bin, "initdb", NULL) : NULL;
  g_autofree char *pg_ctl = bin ? g_build_filename (bin, "pg_ctl", NULL) : NULL;
  if (!initdb || !g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
    {
      pg_skip = g_strdup ("no PostgreSQL server binaries (apt-get install postgresql, or set PG_BINDIR)");
      return;
    }
  pg_dir = dp_test_tmpdir ();
  if (getuid () == 0)
    {
      struct passwd *pw = getpwnam ("nobody");
      g_autofree char *runuser = g_find_program_in_path ("runuser");
      if (!pw || chown (pg_dir, pw->pw_uid, pw->pw_gid) != 0 || !runuser)
        {
          pg_skip = g_strdup ("running as root, and cannot hand a directory to user nobody through runuser");
          return;
        }
    }
  g_autofree char *data = g_build_filename (pg_dir, "data", NULL);
  g_autofree char *log = g_build_filename (pg_dir, "log", NULL);
  char *init_argv[] = { initdb, "-D", data, "-A", "trust", "-U", "darkpipe", "--no-sync", "-E", "UTF8",
                        "--locale=C", NULL };
  char *why = NULL;
  if (!pg_run (init_argv, &why))
    {
      pg_skip = g_strdup_printf ("cannot make a cluster: %s", why);
      g_free (why);
      return;
    }
  /* the watchdog stops the server and removes the directory when its
   * stdin closes: at the end of main, or when the test dies */
  g_autofree char *script = g_strdup_printf (
    "cat >/dev/null; %s '%s' -D '%s' stop -m immediate >/dev/null 2>&1; umount -l '%s/tiny' 2>/dev/null; "
    "rm -rf '%s'",
    getuid () == 0 ? "runuser -u nobody --" : "", pg_ctl, data, pg_dir, pg_dir);
  char *wd_argv[] = { "/bin/sh", "-c", script, NULL };
  GError *error = NULL;
  if (!g_spawn_async_with_pipes (NULL, wd_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pg_watchdog_pid,
                                 &pg_watchdog, NULL, NULL, &error))
    g_error ("cannot start the watchdog: %s", error->message);
  g_autofree char *opts = g_strdup_printf ("-k %s -c listen_addresses= -F -c max_connections=20", pg_dir);
  char *start_argv[] = { pg_ctl, "-D", data, "-l", log, "-w", "-t", "60", "-o", opts, "start", NULL };
  if (!pg_run (start_argv, &why))
    {
      g_autofree char *text = NULL;
      g_file_get_contents (log, &text, NULL, NULL);
      pg_skip = g_strdup_printf ("cannot start the server: %s %s", why, text ? text : "");
      g_free (why);
      return;
    }
  pg_conninfo = g_strdup_printf ("host=%s user=darkpipe dbname=postgres", pg_dir);
}

static void
pg_stop (void)
{
  if (pg_watchdog >= 0)
    {
      close (pg_watchdog);
      int status = 0;
      waitpid (pg_watchdog_pid, &status, 0);
      g_spawn_close_pid (pg_watchdog_pid);
    }
  else if (pg_dir)
    dp_test_rmtree (pg_dir);
}

static gboolean
need_server (void)
{
  if (pg_skip)
    g_test_skip (pg_skip);
  return pg_skip == NULL;
}

/* ------------------------------------------------------------------ */
/* reading back */

static PGconn *
db_connect (const char *conninfo)
{
  PGconn *c = PQconnectdb (conninfo);
  if (PQstatus (c) != CONNECTION_OK)
    g_error ("cannot connect: %s", PQerrorMessage (c));
  return c;
}

static void
db_exec (PGconn *c, const char *sql)
{
  PGresult *r = PQexec (c, sql);
  if (PQresultStatus (r) != PGRES_COMMAND_OK && PQresultStatus (r) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (r));
  PQclear (r);
}

static PGresult *
db_query (PGconn *c, const char *sql)
{
  PGresult *r = PQexec (c, sql);
  if (PQresultStatus (r) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (r));
  return r;
}

static gint64
db_int (PGconn *c, const char *sql)
{
  PGresult *r = db_query (c, sql);
  g_assert_cmpint (PQntuples (r), ==, 1);
  gint64 v = g_ascii_strtoll (PQgetvalue (r, 0, 0), NULL, 10);
  PQclear (r);
  return v;
}

/* A schema of its own for one test: its connection string (search_path
 * set to it) and a connection to read with. */
typedef struct {
  char *conninfo;
  PGconn *c;
} Db;

static void
db_fresh (Db *db)
{
  g_autofree char *schema = g_strdup_printf ("t%u", ++pg_schemas);
  db->conninfo = g_strdup_printf ("%s options='-c search_path=%s'", pg_conninfo, schema);
  PGconn *admin = db_connect (pg_conninfo);
  g_autofree char *sql = g_strdup_printf ("create schema %s", schema);
  db_exec (admin, sql);
  PQfinish (admin);
  db->c = db_connect (db->conninfo);
}

static void
db_done (Db *db)
{
  PQfinish (db->c);
  g_free (db->conninfo);
}

/* ------------------------------------------------------------------ */
/* running the sink */

static DpHarness *
sink_new (const Db *db, const char *extra, GError **error)
{
  g_autofree char *yaml = g_strdup_printf ("{conninfo: \"%s\"%s%s}", db->conninfo, extra ? ", " : "",
                                           extra ? extra : "");
  return dp_harness_new ("postgres", yaml, error);
}

/* Runs the sink over @tables (NULL-terminated); TRUE when every push and
 * the finish went well, else FALSE with *message set. */
static gboolean
run_sink (const Db *db, const char *extra, DpTable **tables, char **message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = sink_new (db, extra, &error);
  g_assert_no_error (error);
  gboolean ok = TRUE;
  for (guint i = 0; ok && tables[i]; i++)
    ok = dp_harness_push (h, 0, tables[i], &error);
  ok = ok && dp_harness_finish (h, &error);
  if (message)
    *message = error ? g_strdup (error->message) : NULL;
  else if (error)
    g_test_message ("sink: %s", error->message);
  return ok;
}

/* A table of @n rows: window_start = @window, v = "w<window>r<row>",
 * n = @n_base + row. */
static DpTable *
window_table (const char *name, gint64 window, guint n, gint64 n_base)
{
  DpTable *t = dp_table_new (name);
  dp_table_add_column (t, "window_start", DP_COL_INT64);
  dp_table_add_column (t, "v", DP_COL_STRING);
  dp_table_add_column (t, "n", DP_COL_INT64);
  for (guint r = 0; r < n; r++)
    {
      guint row = dp_table_append_row (t);
      dp_table_set_i64 (t, 0, row, window);
      g_autofree char *v = g_strdup_printf ("w%" G_GINT64_FORMAT "r%u", window, r);
      dp_table_set_str (t, 1, row, v);
      dp_table_set_i64 (t, 2, row, n_base + r);
    }
  return t;
}

/* SQL that gives column @c of @t back as the csv sink writes it (times
 * as epoch integers, addresses as dotted quads or pseudonyms). */
static void
append_as_csv (GString *b, const DpTable *t, guint c)
{
  g_autoptr (GString) id = g_string_new ("\"");
  for (const char *p = t->cols[c].name; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (id, '"');
      g_string_append_c (id, *p);
    }
  const char *name = t->cols[c].name;
  /* a declared time is ns; undeclared ones as the option times says by default */
  gboolean declared = (t->cols[c].flags & DP_COLUMN_TIME) != 0;
  gboolean ns = declared || g_str_has_suffix (name, "_ns") || strcmp (name, "ts") == 0;
  gboolean sec = !declared && strcmp (name, "window_start") == 0;
  switch (t->cols[c].type)
    {
    case DP_COL_INT64:
      if (sec)
        g_string_append_printf (b, "extract (epoch from %s\")::bigint::text", id->str);
      else if (ns)
        g_string_append_printf (b, "((extract (epoch from %s\") * 1000000)::bigint * 1000 + %s_nsec\")::text",
                                id->str, id->str);
      else
        g_string_append_printf (b, "%s\"::text", id->str);
      break;
    case DP_COL_DOUBLE:
      g_string_append_printf (b, "%s\"::text", id->str);
      break;
    case DP_COL_IPV4:
      if (t->names)
        g_string_append_printf (b, "coalesce (%s_name\", host (%s\"))", id->str, id->str);
      else
        g_string_append_printf (b, "host (%s\")", id->str);
      break;
    default:
      g_string_append_printf (b, "%s\"", id->str);
    }
}

/* The csv sink's text of @t and what the postgres sink wrote of it (table
 * @sqlname, rows in @order) hold the same cells. */
static void
assert_same_as_csv (const Db *db, const DpTable *t, const char *sqlname, const char *order)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) csv = dp_harness_new ("csv", "{path: t.csv, ts_format: epoch_ns}", &error);
  g_assert_no_error (error);
  dp_test_push (csv, 0, (gpointer) t);
  dp_test_finish (csv);
  g_autofree char *text = dp_test_read_output (csv, "t.csv");

  g_autoptr (GString) sql = g_string_new ("select ");
  for (guint c = 0; c < t->n_cols; c++)
    {
      if (c)
        g_string_append (sql, ", ");
      append_as_csv (sql, t, c);
    }
  g_string_append_printf (sql, " from \"%s\" order by %s", sqlname, order);
  PGresult *r = db_query (db->c, sql->str);
  const char *p = text;
  g_autoptr (GPtrArray) header = dp_test_csv_record (&p);
  g_assert_cmpuint (header->len, ==, t->n_cols);
  int row = 0;
  while (*p)
    {
      g_autoptr (GPtrArray) rec = dp_test_csv_record (&p);
      g_assert_cmpint (row, <, PQntuples (r));
      g_assert_cmpuint (rec->len, ==, t->n_cols);
      for (guint c = 0; c < rec->len; c++)
        {
          const char *cell = rec->pdata[c];
          if (PQgetisnull (r, row, (int) c))
            g_assert_cmpstr (cell, ==, "");   /* a NULL string */
          else if (t->cols[c].type == DP_COL_DOUBLE)
            {
              double want = g_ascii_strtod (cell, NULL), got = g_ascii_strtod (PQgetvalue (r, row, (int) c), NULL);
              g_assert_true ((isnan (want) && isnan (got)) || want == got);
            }
          else
            g_assert_cmpstr (PQgetvalue (r, row, (int) c), ==, cell);
        }
      row++;
    }
  g_assert_cmpint (row, ==, PQntuples (r));
  PQclear (r);
}

/* ------------------------------------------------------------------ */

/* Every cell reads back as pushed, in columns of the documented types. */
static void
test_types (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  g_autoptr (DpTable) t = dp_test_mixed_table ();
  DpTable *tables[] = { t, NULL };
  g_assert_true (run_sink (&db, NULL, tables, NULL));

  PGresult *r = db_query (db.c, "select a.attname, format_type (a.atttypid, a.atttypmod) from pg_attribute a "
                                "where a.attrelid = 'mixed'::regclass and a.attnum > 0 order by a.attnum");
  static const char *const want[][2] = {
    { "n", "bigint" }, { "x", "double precision" }, { "ip", "inet" }, { "ip_name", "text" },
    { "s,note", "text" }, { "window_start", "timestamp with time zone" },
    { "first_ns", "timestamp with time zone" }, { "first_ns_nsec", "smallint" },
  };
  g_assert_cmpint (PQntuples (r), ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_assert_cmpstr (PQgetvalue (r, (int) i, 0), ==, want[i][0]);
      g_assert_cmpstr (PQgetvalue (r, (int) i, 1), ==, want[i][1]);
    }
  PQclear (r);

  r = db_query (db.c, "select n::text, x::text, host (ip), ip_name, \"s,note\", "
                      "extract (epoch from window_start)::bigint::text, "
                      "((extract (epoch from first_ns) * 1000000)::bigint * 1000 + first_ns_nsec)::text, "
                      "to_char (window_start at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
                      "from mixed order by ctid");
  g_assert_cmpint (PQntuples (r), ==, (int) t->n_rows);
  for (guint i = 0; i < t->n_rows; i++)
    {
      int row = (int) i;
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, t->cols[0].i64[i]);
      g_assert_cmpstr (PQgetvalue (r, row, 0), ==, n);
      double x = t->cols[1].f64[i], back = g_ascii_strtod (PQgetvalue (r, row, 1), NULL);
      g_assert_true ((isnan (x) && isnan (back)) || x == back);
      char buf[64];
      guint32 ip = t->cols[2].ip[i];
      g_snprintf (buf, sizeof buf, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
      g_assert_cmpstr (PQgetvalue (r, row, 2), ==, buf);
      const char *pseudonym = dp_name_map_lookup (t->names, ip);
      if (pseudonym)
        g_assert_cmpstr (PQgetvalue (r, row, 3), ==, pseudonym);
      else
        g_assert_true (PQgetisnull (r, row, 3));
      const char *s = t->cols[3].str[i];
      if (s)
        g_assert_cmpstr (PQgetvalue (r, row, 4), ==, s);
      else
        g_assert_true (PQgetisnull (r, row, 4));
      g_autofree char *ws = g_strdup_printf ("%" G_GINT64_FORMAT, t->cols[4].i64[i]);
      g_assert_cmpstr (PQgetvalue (r, row, 5), ==, ws);
      g_autofree char *ns = g_strdup_printf ("%" G_GINT64_FORMAT, t->cols[5].i64[i]);
      g_assert_cmpstr (PQgetvalue (r, row, 6), ==, ns);
      g_autoptr (GDateTime) d = g_date_time_new_from_unix_utc (t->cols[4].i64[i]);
      g_autofree char *iso = g_date_time_format (d, "%Y-%m-%d %H:%M:%S");
      g_assert_cmpstr (PQgetvalue (r, row, 7), ==, iso);
    }
  PQclear (r);
  db_done (&db);
}

/* IPv6 addresses and prefixes (name-map entries) are real addresses: the
 * inet column holds them, the name column stays NULL. */
static void
test_ipv6 (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  g_autoptr (DpTable) t = dp_table_new ("v6");
  guint cn = dp_table_add_column (t, "n", DP_COL_INT64);
  guint ci = dp_table_add_column (t, "ip", DP_COL_IPV4);
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  dp_table_set_names (t, m);
  const char *const addrs[] = { "192.0.2.1", "2001:db8::1", "2001:db8:1::/48", "::ffff:192.0.2.9" };
  for (guint i = 0; i < G_N_ELEMENTS (addrs); i++)
    {
      guint r = dp_table_append_row (t);
      guint32 a;
      if (!dp_ipv4_parse (addrs[i], &a))
        a = dp_name_map_intern (m, addrs[i]);
      dp_table_set_i64 (t, cn, r, (gint64) i);
      dp_table_set_ip (t, ci, r, a);
    }
  DpTable *tables[] = { t, NULL };
  g_assert_true (run_sink (&db, NULL, tables, NULL));
  PGresult *r = db_query (db.c, "select abbrev (ip), family (ip)::text, ip_name is null from v6 order by n");
  static const char *const want[][2] = {
    { "192.0.2.1", "4" }, { "2001:db8::1", "6" }, { "2001:db8:1::/48", "6" }, { "::ffff:192.0.2.9", "6" },
  };
  g_assert_cmpint (PQntuples (r), ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_assert_cmpstr (PQgetvalue (r, (int) i, 0), ==, want[i][0]);
      g_assert_cmpstr (PQgetvalue (r, (int) i, 1), ==, want[i][1]);
      g_assert_cmpstr (PQgetvalue (r, (int) i, 2), ==, "t");
    }
  PQclear (r);
  /* analysts' prefix queries work on them */
  r = db_query (db.c, "select count (*)::text from v6 where ip << '2001:db8::/32'::inet");
  g_assert_cmpstr (PQgetvalue (r, 0, 0), ==, "2");
  PQclear (r);
  db_done (&db);
}

/* The windows of several tables pushed in the pipeline's order: per
 * window (its first row's), every port's tables in turn. */
static void
push_by_window (DpHarness *h, DpHarness *tax, const char *const *ports, guint n_ports)
{
  g_autoptr (GArray) windows = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint k = 0; k < n_ports; k++)
    {
      GPtrArray *out = dp_harness_outputs (tax, (guint) dp_harness_output_port (tax, ports[k]));
      for (guint i = 0; i < out->len; i++)
        {
          const DpTable *t = out->pdata[i];
          gboolean seen = FALSE;
          for (guint w = 0; t->n_rows && w < windows->len; w++)
            seen = seen || g_array_index (windows, gint64, w) == t->cols[0].i64[0];
          if (t->n_rows && !seen)
            g_array_append_val (windows, t->cols[0].i64[0]);
        }
    }
  GError *error = NULL;
  for (guint w = 0; w < windows->len; w++)
    for (guint k = 0; k < n_ports; k++)
      {
        GPtrArray *out = dp_harness_outputs (tax, (guint) dp_harness_output_port (tax, ports[k]));
        for (guint i = 0; i < out->len; i++)
          {
            const DpTable *t = out->pdata[i];
            if (t->n_rows && t->cols[0].i64[0] == g_array_index (windows, gint64, w))
              {
                g_assert_cmpint (dp_harness_push_from (h, 0, "taxonomy", out->pdata[i], &error), ==, DP_FLOW_OK);
                g_assert_no_error (error);
              }
          }
      }
}

#define DAY "2026-12-06"
static const char *const tax_ports[] = { "sources", "events", "summary" };
#define TAX_TABLES "tables: [summary=taxonomy_summary, sources=taxonomy_sources, events=taxonomy_events]"

/* The csv sink, the sqlite sink and the postgres sink given the same
 * tables hold the same rows. */
static void
test_same_as_csv (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  g_autoptr (DpTable) t = dp_test_mixed_table ();
  DpTable *tables[] = { t, NULL };
  g_assert_true (run_sink (&db, NULL, tables, NULL));
  assert_same_as_csv (&db, t, "mixed", "ctid");

  g_autoptr (DpHarness) tax = dp_test_taxonomy_day (DAY);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = sink_new (&db, TAX_TABLES, &error);
  g_assert_no_error (error);
  push_by_window (h, tax, tax_ports, G_N_ELEMENTS (tax_ports));
  dp_test_finish (h);
  g_assert_cmpuint (dp_harness_counter (h, "transactions"), ==, 2);   /* the day's two windows */
  const char *const sqlnames[] = { "taxonomy_sources", "taxonomy_events", "taxonomy_summary" };
  for (guint k = 0; k < G_N_ELEMENTS (tax_ports); k++)
    {
      GPtrArray *out = dp_harness_outputs (tax, (guint) dp_harness_output_port (tax, tax_ports[k]));
      /* one table of all the port's rows, in the order pushed */
      g_autoptr (DpTable) all = dp_table_new (tax_ports[k]);
      const DpTable *first = out->pdata[0];
      for (guint c = 0; c < first->n_cols; c++)
        dp_table_add_column_flags (all, first->cols[c].name, first->cols[c].type, first->cols[c].flags);
      for (guint i = 0; i < out->len; i++)
        {
          const DpTable *o = out->pdata[i];
          for (guint r = 0; r < o->n_rows; r++)
            {
              guint row = dp_table_append_row (all);
              for (guint c = 0; c < o->n_cols; c++)
                switch (o->cols[c].type)
                  {
                  case DP_COL_INT64: dp_table_set_i64 (all, c, row, o->cols[c].i64[r]); break;
                  case DP_COL_DOUBLE: dp_table_set_f64 (all, c, row, o->cols[c].f64[r]); break;
                  case DP_COL_IPV4: dp_table_set_ip (all, c, row, o->cols[c].ip[r]); break;
                  default: dp_table_set_str (all, c, row, o->cols[c].str[r]); break;
                  }
              for (guint c = 0; c < o->n_cols; c++)
                if (dp_table_is_null (o, c, r))
                  dp_table_set_null (all, c, row);
            }
        }
      g_assert_cmpuint (all->n_rows, >, 0);
      assert_same_as_csv (&db, all, sqlnames[k], "ctid");
#ifdef HAVE_SQLITE
      /* and the sqlite sink's copy of the same table, cell by cell */
      g_autofree char *dir = dp_test_tmpdir ();
      g_autofree char *path = g_build_filename (dir, "t.db", NULL);
      g_autofree char *yaml = g_strdup_printf ("{path: '%s'}", path);
      g_autoptr (DpHarness) lite = dp_harness_new ("sqlite", yaml, &error);
      g_assert_no_error (error);
      dp_test_push (lite, 0, all);
      dp_test_finish (lite);
      sqlite3 *sdb = NULL;
      g_assert_cmpint (sqlite3_open_v2 (path, &sdb, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
      g_autofree char *q = g_strdup_printf ("select * from \"%s\" order by rowid", tax_ports[k]);
      sqlite3_stmt *st = NULL;
      g_assert_cmpint (sqlite3_prepare_v2 (sdb, q, -1, &st, NULL), ==, SQLITE_OK);
      g_autoptr (GString) sql = g_string_new ("select ");
      for (guint c = 0; c < all->n_cols; c++)
        {
          if (c)
            g_string_append (sql, ", ");
          append_as_csv (sql, all, c);
        }
      g_string_append_printf (sql, " from \"%s\" order by ctid", sqlnames[k]);
      PGresult *r = db_query (db.c, sql->str);
      int row = 0;
      while (sqlite3_step (st) == SQLITE_ROW)
        {
          for (guint c = 0; c < all->n_cols; c++)
            {
              const char *lv = (const char *) sqlite3_column_text (st, (int) c);
              if (all->cols[c].type == DP_COL_DOUBLE)
                g_assert_true (g_ascii_strtod (lv, NULL) == g_ascii_strtod (PQgetvalue (r, row, (int) c), NULL));
              else
                g_assert_cmpstr (lv ? lv : "", ==, PQgetvalue (r, row, (int) c));
            }
          row++;
        }
      g_assert_cmpint (row, ==, PQntuples (r));
      PQclear (r);
      sqlite3_finalize (st);
      sqlite3_close (sdb);
      dp_test_rmtree (dir);
#endif
    }
  db_done (&db);
}

/* Packets of every kind: TCP (a sequence number above 2^31, the largest
 * window), UDP, ICMP, TCP from an IPv6 source (a name-map entry), and a
 * GRE fragment with no transport fields at all. */
static DpPackets *
packet_kinds (void)
{
  DpPackets *p = dp_packets_new (16);
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  dp_packets_set_names (p, m);
  const gint64 t0 = DP_TEST_SEC (1566411407) + 841604123;
  const struct { gint64 dt; guint32 src; guint8 proto; guint16 sport, dport; } k[] = {
    { 0, DP_TEST_IP (192, 0, 2, 1), 6, 40000, 23 },
    { 1, DP_TEST_IP (192, 0, 2, 2), 17, 53, 33434 },
    { 999, DP_TEST_IP (203, 0, 113, 5), 1, 3, 1 },
    { DP_TEST_SEC (2), 0, 6, 1234, 445 },
    { DP_TEST_SEC (3) + 7, DP_TEST_IP (192, 0, 2, 3), 47, 0, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (k); i++)
    {
      guint32 src = k[i].src ? k[i].src : dp_name_map_intern (m, "2001:db8::1");
      guint r = dp_test_add_packet (p, t0 + k[i].dt, src, DP_TEST_IP (198, 51, 100, 7 + i), k[i].proto, k[i].sport,
                                    k[i].dport, 0x12);
      p->ip_id[r] = (guint16) (54321 + i);
      p->ttl[r] = (guint8) (250 - i);
    }
  p->tcp_seq[0] = 0xfffffff0u;
  p->tcp_win[0] = 65535;
  p->tcp_optlen[0] = 20;
  p->frag[0] = DP_FRAG_DF;
  p->frag[4] = DP_FRAG_MF | 185;
  return p;
}

/* A packet stream (two batches, a transaction each) reads back as the csv
 * sink's rows: ts as timestamptz + ts_nsec, addresses as inet (IPv6
 * too), NULL where the csv cell is empty, in typed columns. */
static void
test_packets (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  g_autoptr (DpPackets) p = packet_kinds ();
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) csv = dp_harness_new ("csv", "{path: p.csv}", &error);
  g_assert_no_error (error);
  dp_test_push (csv, 0, p);
  dp_test_finish (csv);
  g_autofree char *text = dp_test_read_output (csv, "p.csv");

  g_autoptr (DpHarness) h = sink_new (&db, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (DpPackets) a = dp_packets_slice (p, 0, 3), b = dp_packets_slice (p, 3, p->n_rows - 3);
  dp_test_push (h, 0, a);
  dp_test_push (h, 0, b);
  dp_test_finish (h);
  g_assert_cmpuint (dp_harness_counter (h, "transactions"), ==, 2);
  g_assert_cmpuint (dp_harness_counter (h, "rows-written"), ==, p->n_rows);

  PGresult *r = db_query (db.c,
                          "select string_agg (column_name || ' ' || data_type, ', ' order by ordinal_position) "
                          "from information_schema.columns where table_schema = current_schema () "
                          "and table_name = 'packets'");
  g_assert_cmpstr (PQgetvalue (r, 0, 0), ==,
                   "ts timestamp with time zone, ts_nsec smallint, src inet, src_name text, dst inet, dst_name text, "
                   "proto smallint, sport integer, dport integer, tcp_flags smallint, tcp_seq bigint, "
                   "ip_id integer, icmp_type smallint, icmp_code smallint, ttl smallint, ip_len integer, "
                   "df smallint, mf smallint, frag_offset smallint, tcp_win integer, tcp_optlen smallint");
  PQclear (r);

  static const char *const fields[] = { "proto", "sport", "dport", "tcp_flags", "tcp_seq", "ip_id", "icmp_type",
                                        "icmp_code", "ttl", "ip_len", "df", "mf", "frag_offset", "tcp_win", "tcp_optlen" };
  g_autoptr (GString) sql = g_string_new (
    "select ((extract (epoch from ts) * 1000000)::bigint * 1000 + ts_nsec)::text, "
    "coalesce (src_name, host (src)), coalesce (dst_name, host (dst))");
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_string_append_printf (sql, ", %s::text", fields[i]);
  g_string_append (sql, " from packets order by ts, ts_nsec");
  r = db_query (db.c, sql->str);
  const char *t = text;
  g_autoptr (GPtrArray) header = dp_test_csv_record (&t);
  g_assert_cmpuint (header->len, ==, 3 + G_N_ELEMENTS (fields));
  int row = 0;
  guint nulls = 0;
  for (; *t; row++)
    {
      g_autoptr (GPtrArray) rec = dp_test_csv_record (&t);
      g_assert_cmpint (row, <, PQntuples (r));
      g_assert_cmpuint (rec->len, ==, header->len);
      for (guint c = 0; c < rec->len; c++)
        {
          g_autoptr (GString) cell = g_string_new (rec->pdata[c]);
          if (c == 0)   /* epoch seconds with 9 decimals: the ns */
            g_string_replace (cell, ".", "", 1);
          if (PQgetisnull (r, row, (int) c))
            {
              g_assert_cmpstr (cell->str, ==, "");
              nulls++;
            }
          else
            g_assert_cmpstr (PQgetvalue (r, row, (int) c), ==, cell->str);
        }
    }
  g_assert_cmpint (row, ==, PQntuples (r));
  PQclear (r);
  /* TCP: the 2 ICMP fields (twice); UDP: 4 TCP and 2 ICMP; ICMP: 2 ports
   * and 4 TCP; GRE: 2 ports, 4 TCP and 2 ICMP */
  g_assert_cmpuint (nulls, ==, 2 * 2 + 6 + 6 + 8);
  g_assert_cmpint (db_int (db.c, "select count (*) from packets where family (src) = 6 and src_name is null "
                                 "and src << '2001:db8::/32'::inet"), ==, 1);
  g_assert_cmpint (db_int (db.c, "select count (*) from packets where sport is null and tcp_seq is null"), ==, 2);
  g_assert_cmpint (db_int (db.c, "select tcp_seq from packets where dport = 23"), ==, 0xfffffff0u);
  db_done (&db);
}

/* A window commits when the next one starts, or at once after the
 * table that ends windows; transaction: run commits at the end only. */
static void
test_windows (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpTable) a1 = window_table ("t", 1, 3, 0);
  g_autoptr (DpTable) b1 = window_table ("u", 1, 2, 0);
  g_autoptr (DpTable) a2 = window_table ("t", 2, 4, 0);
  g_autoptr (DpTable) s2 = window_table ("summary", 2, 1, 0);
  g_autoptr (DpTable) a3 = window_table ("t", 3, 5, 0);
  g_autoptr (DpHarness) h = sink_new (&db, NULL, &error);
  g_assert_no_error (error);
  dp_test_push (h, 0, a1);
  dp_test_push (h, 0, b1);
  /* window 1 is open: not visible yet (the tables do not even exist) */
  g_assert_cmpint (db_int (db.c, "select count(*) from pg_tables where tablename in ('t', 'u') and schemaname = current_schema ()"), ==, 0);
  dp_test_push (h, 0, a2);
  g_assert_cmpint (db_int (db.c, "select count(*) from t"), ==, 3);
  g_assert_cmpint (db_int (db.c, "select count(*) from u"), ==, 2);
  dp_test_push (h, 0, s2);   /* the summary ends window 2 */
  g_assert_cmpint (db_int (db.c, "select count(*) from t"), ==, 7);
  g_assert_cmpint (db_int (db.c, "select count(*) from summary"), ==, 1);
  dp_test_push (h, 0, a3);
  g_assert_cmpint (db_int (db.c, "select count(*) from t"), ==, 7);
  dp_test_finish (h);
  g_assert_cmpint (db_int (db.c, "select count(*) from t"), ==, 12);
  g_assert_cmpuint (dp_harness_counter (h, "transactions"), ==, 3);
  g_assert_cmpuint (dp_harness_counter (h, "rows-written"), ==, 3 + 2 + 4 + 1 + 5);

  Db db2;
  db_fresh (&db2);
  g_autoptr (DpHarness) run = sink_new (&db2, "transaction: run", &error);
  g_assert_no_error (error);
  dp_test_push (run, 0, a1);
  dp_test_push (run, 0, s2);
  dp_test_push (run, 0, a3);
  g_assert_cmpint (db_int (db2.c, "select count(*) from pg_tables where tablename = 't' and schemaname = current_schema ()"), ==, 0);
  dp_test_finish (run);
  g_assert_cmpint (db_int (db2.c, "select count(*) from t"), ==, 8);
  g_assert_cmpuint (dp_harness_counter (run, "transactions"), ==, 1);
  db_done (&db2);
  db_done (&db);
}

/* A table "t" (window_start timestamptz, v text, n bigint) whose trigger
 * kills its own backend at row w2r2, the first time only (a sequence does
 * not roll back): the connection dies in the middle of a COPY. */
static void
make_killer_table (const Db *db)
{
  db_exec (db->c, "create table t (window_start timestamptz, v text, n bigint)");
  db_exec (db->c, "create sequence kills");
  db_exec (db->c, "create function kill_once () returns trigger language plpgsql as $$ begin "
                  "if NEW.v = 'w2r2' and nextval ('kills') = 1 then "
                  "perform pg_terminate_backend (pg_backend_pid ()); perform pg_sleep (5); end if; "
                  "return NEW; end $$");
  db_exec (db->c, "create trigger k before insert on t for each row execute function kill_once ()");
}

/* Windows 1 (3 rows) and 2 (@w2a_rows, then 4 rows) into "t", of which
 * the third row of the last batch fails: the run fails with @row and
 * @server in its message; window 1 is there whole, nothing of window 2. */
static void
assert_window2_fails (const Db *db, guint w2a_rows, const char *opts, const char *row, const char *server)
{
  g_autoptr (DpTable) w1 = window_table ("t", 1, 3, 0);
  g_autoptr (DpTable) w2a = window_table ("t", 2, w2a_rows, 0);
  g_autoptr (DpTable) w2b = window_table ("t", 2, 4, 0);
  DpTable *tables[] = { w1, w2a, w2b, NULL };
  g_autofree char *msg = NULL;
  g_assert_false (run_sink (db, opts, tables, &msg));
  g_test_message ("%s", msg);
  g_assert_nonnull (strstr (msg, row));
  g_assert_nonnull (strstr (msg, server));
  g_assert_nonnull (strstr (msg, pg_dir));
  g_assert_cmpint (db_int (db->c, "select count(*) from t"), ==, 3);
  g_assert_cmpint (db_int (db->c, "select count(*) from t where window_start = to_timestamp (1)"), ==, 3);
}

/* The backend dies in the middle of the second window's COPY: without
 * reconnect the run fails with the server's message, the table and the
 * row named (the server names the row it was at: w2r2, the 3rd of the
 * last batch, 3 + 2 + 3 = the 8th). */
static void
test_killed (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  make_killer_table (&db);
  assert_window2_fails (&db, 2, "reconnect: 0s", "table 't', row 8 (window_start=2)",
                        "terminating connection due to administrator command");
  db_done (&db);
}

/* The same with reconnect: the sink connects again and writes the open
 * window again; every row is there once. */
static void
test_reconnect (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  make_killer_table (&db);
  g_autoptr (DpTable) w1 = window_table ("t", 1, 3, 0);
  g_autoptr (DpTable) w2a = window_table ("t", 2, 2, 0);
  g_autoptr (DpTable) w2b = window_table ("t", 2, 4, 0);
  g_autoptr (DpTable) w3 = window_table ("t", 3, 1, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = sink_new (&db, "reconnect: 20s", &error);
  g_assert_no_error (error);
  dp_test_push (h, 0, w1);
  dp_test_push (h, 0, w2a);
  dp_test_push (h, 0, w2b);
  dp_test_push (h, 0, w3);
  dp_test_finish (h);
  g_assert_cmpuint (dp_harness_counter (h, "reconnects"), ==, 1);
  /* w2r2 reached the trigger twice: killed, then written again */
  g_assert_cmpint (db_int (db.c, "select nextval ('kills')"), ==, 3);
  g_assert_cmpint (db_int (db.c, "select count(*) from t"), ==, 3 + 2 + 4 + 1);
  g_assert_cmpint (db_int (db.c, "select count(distinct (window_start, v)) from t"), ==, 3 + 4 + 1);
  g_assert_cmpint (db_int (db.c, "select count(*) from t where window_start = to_timestamp (2)"), ==, 6);
  db_done (&db);
}

/* A row the server refuses (a CHECK of an existing table): the run fails
 * naming the table, the row (3 + 1 + 3 = the 7th) and the server's
 * message; the earlier window stays, nothing of the failed one. */
static void
test_refused_row (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  db_exec (db.c, "create table t (window_start timestamptz, v text check (v <> 'w2r2'), n bigint)");
  assert_window2_fails (&db, 1, NULL, "table 't', row 7 (window_start=2): cannot insert it",
                        "violates check constraint");
  db_done (&db);
}

/* The disk runs out: table t sits in a tablespace on a 1 MB tmpfs (the
 * server's own files elsewhere); window 1 (3 rows) fits, window 2 (about
 * 2.4 MB) does not.  The run fails with the server's message naming the
 * table, window 1 is there whole and nothing of window 2.  Needs root to
 * mount; the mount goes at the end (and by the watchdog when the test
 * dies). */
static void
test_disk_full (void)
{
  if (!need_server ())
    return;
  if (getuid () != 0)
    {
      g_test_skip ("mounting a 1 MB tmpfs for a full tablespace needs root");
      return;
    }
  g_autofree char *dir = g_build_filename (pg_dir, "tiny", NULL);
  struct passwd *pw = getpwnam ("nobody");
  g_assert_nonnull (pw);
  g_autofree char *opts = g_strdup_printf ("size=1m,mode=0700,uid=%u,gid=%u", (guint) pw->pw_uid, (guint) pw->pw_gid);
  if (g_mkdir (dir, 0700) != 0 || mount ("tmpfs", dir, "tmpfs", 0, opts) != 0)
    {
      g_autofree char *why = g_strdup_printf ("cannot mount a 1 MB tmpfs on %s: %s", dir, g_strerror (errno));
      g_rmdir (dir);
      g_test_skip (why);
      return;
    }
  Db db;
  db_fresh (&db);
  g_autofree char *ts = g_strdup_printf ("create tablespace tiny location '%s'", dir);
  db_exec (db.c, ts);
  db_exec (db.c, "create table t (window_start timestamptz, v text, n bigint) tablespace tiny");

  g_autoptr (DpTable) w1 = window_table ("t", 1, 3, 0);
  g_autoptr (DpTable) w2 = dp_table_new ("t");
  dp_table_add_column (w2, "window_start", DP_COL_INT64);
  dp_table_add_column (w2, "v", DP_COL_STRING);
  dp_table_add_column (w2, "n", DP_COL_INT64);
  char v[401];
  for (guint r = 0; r < 6000; r++)
    {
      guint row = dp_table_append_row (w2);
      for (guint i = 0; i < 400; i++)
        v[i] = (char) ('a' + (r * 7919u + i * 31u) % 26);
      v[400] = '\0';
      dp_table_set_i64 (w2, 0, row, 2);
      dp_table_set_str (w2, 1, row, v);
      dp_table_set_i64 (w2, 2, row, r);
    }
  DpTable *tables[] = { w1, w2, NULL };
  g_autofree char *msg = NULL;
  gboolean ok = run_sink (&db, "reconnect: 0s", tables, &msg);
  gint64 rows = db_int (db.c, "select count(*) from t");
  gint64 w1_rows = db_int (db.c, "select count(*) from t where window_start = to_timestamp (1)");
  db_exec (db.c, "drop table t");
  db_exec (db.c, "drop tablespace tiny");
  db_done (&db);
  if (umount (dir) != 0)
    g_error ("cannot unmount %s: %s", dir, g_strerror (errno));
  g_rmdir (dir);

  g_assert_false (ok);
  g_test_message ("%s", msg);
  g_assert_nonnull (strstr (msg, "table 't'"));
  g_assert_nonnull (strstr (msg, "No space left on device"));
  g_assert_cmpint (rows, ==, 3);
  g_assert_cmpint (w1_rows, ==, 3);
}

/* upsert: a second run over an overlapping key range updates the rows it
 * has and adds the others; without keys it is refused at check time. */
static void
test_upsert (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  g_autoptr (DpTable) a = window_table ("t", 1, 4, 100);
  g_autoptr (DpTable) b = window_table ("t", 1, 6, 200);   /* rows 0-3 again, 4-5 new */
  g_autoptr (DpTable) c = window_table ("t", 2, 2, 300);
  DpTable *run1[] = { a, NULL }, *run2[] = { b, c, NULL };
  const char *opts = "mode: upsert, keys: [window_start+v]";
  g_assert_true (run_sink (&db, opts, run1, NULL));
  g_assert_true (run_sink (&db, opts, run2, NULL));
  g_assert_cmpint (db_int (db.c, "select count(*) from t"), ==, 6 + 2);
  g_assert_cmpint (db_int (db.c, "select sum(n) from t where window_start = to_timestamp (1)"), ==,
                   200 + 201 + 202 + 203 + 204 + 205);
  g_assert_cmpint (db_int (db.c, "select count(*) from pg_indexes where indexname = 't_key_window_start_v' "
                                 "and indexdef like 'CREATE UNIQUE INDEX%'"), ==, 1);
  /* a key per table, and a table without its key columns */
  DpTable *run3[] = { c, NULL };
  g_assert_true (run_sink (&db, "mode: upsert, keys: [other=v, t=window_start+v]", run3, NULL));
  g_assert_cmpint (db_int (db.c, "select count(*) from t"), ==, 8);
  g_autofree char *msg = NULL;
  g_assert_false (run_sink (&db, "mode: upsert, keys: [window_start+missing]", run3, &msg));
  g_assert_nonnull (strstr (msg, "mode upsert needs its key columns"));
  dp_test_bad_option ("postgres", "{mode: upsert}", DP_CONFIG_ERROR_REQUIRED);
  dp_test_bad_option ("postgres", "{mode: upsert, keys: ['a+']}", DP_CONFIG_ERROR_TYPE);
  db_done (&db);
}

/* append adds to a table of an earlier run; replace starts it anew once. */
static void
test_modes (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  g_autoptr (DpTable) a = window_table ("t", 1, 2, 0);
  g_autoptr (DpTable) b = window_table ("t", 2, 5, 0);
  g_autoptr (DpTable) c = window_table ("t", 3, 1, 0);
  DpTable *run1[] = { a, NULL }, *run2[] = { b, c, NULL };
  g_assert_true (run_sink (&db, NULL, run1, NULL));
  g_assert_true (run_sink (&db, "mode: append", run2, NULL));
  g_assert_cmpint (db_int (db.c, "select count(*) from t"), ==, 2 + 5 + 1);
  g_assert_true (run_sink (&db, "mode: replace", run2, NULL));
  g_assert_cmpint (db_int (db.c, "select count(*) from t"), ==, 5 + 1);
  db_done (&db);
}

/* An existing table with other columns is refused, both lists named, and
 * left as it was. */
static void
test_mismatch (void)
{
  if (!need_server ())
    return;
  static const char *const schemas[] = {
    "create table t (window_start timestamptz, w text, n bigint)",
    "create table t (window_start bigint, v text, n bigint)",
    "create table t (window_start timestamptz, v text)",
    "create table t (window_start timestamptz, v text, n bigint, extra int)",
  };
  for (guint i = 0; i < G_N_ELEMENTS (schemas); i++)
    {
      Db db;
      db_fresh (&db);
      db_exec (db.c, schemas[i]);
      db_exec (db.c, "insert into t default values");
      g_autoptr (DpTable) t = window_table ("t", 1, 2, 0);
      DpTable *tables[] = { t, NULL };
      g_autofree char *msg = NULL;
      g_assert_false (run_sink (&db, NULL, tables, &msg));
      g_assert_nonnull (strstr (msg, "table 't' exists with other columns"));
      g_assert_nonnull (strstr (msg, "(window_start timestamp with time zone, v text, n bigint)"));
      g_assert_cmpint (db_int (db.c, "select count(*) from t"), ==, 1);
      db_done (&db);
    }
}

/* No server there: init fails with libpq's message; a password in the
 * pipeline and a string libpq cannot parse are refused at check time. */
static void
test_refused_connection (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *yaml = g_strdup_printf ("{conninfo: 'host=%s port=5999 dbname=x connect_timeout=5'}", dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("postgres", yaml, &error);
  g_assert_null (h);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "cannot connect to the server"));
  g_assert_nonnull (strstr (error->message, ".s.PGSQL.5999"));
  g_clear_error (&error);
  dp_test_rmtree (dir);
  dp_test_bad_option ("postgres", "{conninfo: 'host=/tmp password=secret'}", DP_CONFIG_ERROR_TYPE);
  dp_test_bad_option ("postgres", "{conninfo: 'postgresql://u:secret@localhost/db'}", DP_CONFIG_ERROR_TYPE);
  dp_test_bad_option ("postgres", "{conninfo: 'host'}", DP_CONFIG_ERROR_TYPE);
  dp_test_bad_option ("postgres", "{times: [window_start=h]}", DP_CONFIG_ERROR_TYPE);
  /* the PG* variables are used when conninfo is empty */
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  g_setenv ("PGHOST", pg_dir, TRUE);
  g_setenv ("PGUSER", "darkpipe", TRUE);
  g_setenv ("PGDATABASE", "postgres", TRUE);
  g_setenv ("PGOPTIONS", "-c search_path=nowhere", TRUE);
  g_autoptr (DpHarness) env = dp_harness_new ("postgres", "{tables: [t=env_t]}", &error);
  g_assert_no_error (error);
  g_autoptr (DpTable) t = window_table ("t", 1, 2, 0);
  g_assert_false (dp_harness_push (env, 0, t, &error));   /* no schema on the path: the server says so */
  g_assert_nonnull (strstr (error->message, "no schema has been selected to create in"));
  g_clear_error (&error);
  g_unsetenv ("PGOPTIONS");
  g_autoptr (DpHarness) env2 = dp_harness_new ("postgres", "{tables: [t=env_t]}", &error);
  g_assert_no_error (error);
  dp_test_push (env2, 0, t);
  dp_test_finish (env2);
  g_assert_cmpint (db_int (db.c, "select count(*) from public.env_t"), ==, 2);
  g_unsetenv ("PGHOST");
  g_unsetenv ("PGUSER");
  g_unsetenv ("PGDATABASE");
  db_done (&db);
}

/* The default indexes, named TABLE_COLUMNS, on what analysts filter on. */
static void
test_indexes (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  g_autoptr (DpTable) t = dp_table_new ("events");
  dp_table_add_column (t, "window_start", DP_COL_INT64);
  dp_table_add_column (t, "pattern", DP_COL_STRING);
  dp_table_add_column (t, "src", DP_COL_IPV4);
  dp_table_add_column (t, "dport", DP_COL_INT64);
  DpTable *tables[] = { t, NULL };
  g_assert_true (run_sink (&db, NULL, tables, NULL));
  PGresult *r = db_query (db.c, "select indexname, indexdef from pg_indexes where tablename = 'events' and schemaname = current_schema () "
                                "order by indexname");
  static const char *const want[][2] = {
    { "events_pattern_window_start", "(pattern, window_start)" },
    { "events_src_window_start", "(src, window_start)" },
    { "events_window_start", "(window_start)" },
  };
  g_assert_cmpint (PQntuples (r), ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_assert_cmpstr (PQgetvalue (r, (int) i, 0), ==, want[i][0]);
      g_assert_true (g_str_has_suffix (PQgetvalue (r, (int) i, 1), want[i][1]));
    }
  PQclear (r);
  Db db2;
  db_fresh (&db2);
  g_assert_true (run_sink (&db2, "indexes: []", tables, NULL));
  g_assert_cmpint (db_int (db2.c, "select count(*) from pg_indexes where tablename = 'events' and schemaname = current_schema ()"), ==, 0);
  db_done (&db2);
  db_done (&db);
}

/* The ```postgresql blocks of docs/databases.md run on the day's
 * taxonomy, "yesterday" made DAY; the first finds the heavy scanner. */
static void
test_doc_queries (void)
{
  if (!need_server ())
    return;
  Db db;
  db_fresh (&db);
  g_autoptr (DpHarness) tax = dp_test_taxonomy_day (DAY);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = sink_new (&db, TAX_TABLES, &error);
  g_assert_no_error (error);
  push_by_window (h, tax, tax_ports, G_N_ELEMENTS (tax_ports));
  /* the day's packets too, for the queries that list ports */
  g_autoptr (DpPackets) packets = dp_test_taxonomy_day_packets (DAY);
  dp_test_push (h, 0, packets);
  dp_test_finish (h);
  /* and the sources as enrich gives them, for the query per country: the
   * day's three sources, two in NL, one without a country */
  g_autoptr (DpHarness) he = sink_new (&db, "tables: [sources=taxonomy_sources_enriched]", &error);
  g_assert_no_error (error);
  g_autoptr (DpTable) enriched = dp_table_new ("sources");
  guint cw = dp_table_add_column_flags (enriched, "window_start", DP_COL_INT64, DP_COLUMN_TIME);
  guint cs = dp_table_add_column (enriched, "src", DP_COL_IPV4);
  guint cc = dp_table_add_column (enriched, "country", DP_COL_STRING);
  GPtrArray *per_window = dp_harness_outputs (tax, (guint) dp_harness_output_port (tax, "sources"));
  for (guint k = 0; k < per_window->len; k++)
    {
      const DpTable *srcs = per_window->pdata[k];
      gint sw = dp_table_find_column (srcs, "window_start"), ss = dp_table_find_column (srcs, "src");
      for (guint r = 0; r < srcs->n_rows; r++)
        {
          guint o = dp_table_append_row (enriched);
          dp_table_set_i64 (enriched, cw, o, srcs->cols[sw].i64[r]);
          dp_table_set_ip (enriched, cs, o, srcs->cols[ss].ip[r]);
          dp_table_set_str (enriched, cc, o, srcs->cols[ss].ip[r] == DP_TEST_IP (10, 0, 0, 3) ? NULL : "NL");
        }
    }
  dp_test_push (he, 0, enriched);
  dp_test_finish (he);
  g_autoptr (GPtrArray) queries = dp_test_doc_blocks ("postgresql", "current_date - 1", "date '" DAY "'");
  g_assert_cmpuint (queries->len, >=, 4);
  db_exec (db.c, "set time zone 'UTC'");
  for (guint i = 0; i < queries->len; i++)
    {
      PGresult *r = PQexec (db.c, queries->pdata[i]);
      if (PQresultStatus (r) != PGRES_TUPLES_OK)
        g_error ("docs/databases.md postgresql query %u: %s\n%s", i + 1, PQresultErrorMessage (r),
                 (char *) queries->pdata[i]);
      g_test_message ("query %u: %d rows", i + 1, PQntuples (r));
      g_assert_cmpint (PQntuples (r), >, 0);
      if (i == 0)   /* the heavy TCP port scanners of 10-11 h: 10.0.0.1 alone, 60 ports */
        {
          g_assert_cmpint (PQntuples (r), ==, 1);
          g_assert_cmpstr (PQgetvalue (r, 0, 0), ==, "10.0.0.1");
          g_assert_cmpstr (PQgetvalue (r, 0, 2), ==, "60");
          g_assert_cmpstr (PQgetvalue (r, 0, 3), ==, "300");
        }
      if (strstr (queries->pdata[i], "taxonomy_sources_enriched"))   /* per country */
        {
          g_assert_cmpint (PQntuples (r), ==, 2);
          g_assert_cmpstr (PQgetvalue (r, 0, 1), ==, "NL");
          g_assert_cmpstr (PQgetvalue (r, 0, 2), ==, "2");
          g_assert_cmpstr (PQgetvalue (r, 1, 1), ==, "unknown");
          g_assert_cmpstr (PQgetvalue (r, 1, 2), ==, "1");
        }
      if (i == 1)   /* and their ports, from the packets: 1000 to 1059 */
        {
          g_assert_cmpint (PQntuples (r), ==, 1);
          g_assert_cmpstr (PQgetvalue (r, 0, 0), ==, "10.0.0.1");
          g_autoptr (GString) want = g_string_new ("{");
          for (guint k = 0; k < 60; k++)
            g_string_append_printf (want, "%s%u", k ? "," : "", 1000 + k);
          g_string_append_c (want, '}');
          g_assert_cmpstr (PQgetvalue (r, 0, 2), ==, want->str);
        }
      PQclear (r);
    }
  db_done (&db);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  pg_start ();
  if (pg_skip && g_getenv ("DP_REQUIRE_POSTGRES"))   /* CI installed the server: no skipping */
    g_error ("DP_REQUIRE_POSTGRES is set, but no server: %s", pg_skip);
  if (pg_skip)
    g_printerr ("# test-postgres: no server, tests that need one skip: %s\n", pg_skip);
  g_test_add_func ("/plugin/postgres/types", test_types);
  g_test_add_func ("/plugin/postgres/ipv6", test_ipv6);
  g_test_add_func ("/plugin/postgres/same-as-csv", test_same_as_csv);
  g_test_add_func ("/plugin/postgres/packets", test_packets);
  g_test_add_func ("/plugin/postgres/windows", test_windows);
  g_test_add_func ("/plugin/postgres/killed", test_killed);
  g_test_add_func ("/plugin/postgres/reconnect", test_reconnect);
  g_test_add_func ("/plugin/postgres/refused-row", test_refused_row);
  g_test_add_func ("/plugin/postgres/disk-full", test_disk_full);
  g_test_add_func ("/plugin/postgres/upsert", test_upsert);
  g_test_add_func ("/plugin/postgres/modes", test_modes);
  g_test_add_func ("/plugin/postgres/mismatch", test_mismatch);
  g_test_add_func ("/plugin/postgres/refused-connection", test_refused_connection);
  g_test_add_func ("/plugin/postgres/indexes", test_indexes);
  g_test_add_func ("/plugin/postgres/doc-queries", test_doc_queries);
  int rc = g_test_run ();
  pg_stop ();
  g_free (pg_dir);
  g_free (pg_conninfo);
  g_free (pg_skip);
  return rc;
}

#else

static void
test_skip (void)
{
  g_test_skip ("built without libpq: no postgres plugin");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/postgres/skip", test_skip);
  return g_test_run ();
}

#endif
