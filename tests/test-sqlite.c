/* test-sqlite.c — the sqlite sink: what it writes is read back through
 * the SQLite API and compared with the tables pushed (and with what the
 * csv sink writes for them); transactions, modes, refusals, indexes, and
 * the example queries of docs/databases.md. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#ifdef HAVE_SQLITE
#include <sqlite3.h>

/* ------------------------------------------------------------------ */
/* helpers */

static char *
yaml_path (const char *path, const char *extra)
{
  return g_strdup_printf ("{path: '%s'%s%s}", path, extra ? ", " : "", extra ? extra : "");
}

static sqlite3 *
db_open (const char *path)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

static void
db_exec (sqlite3 *db, const char *sql)
{
  char *msg = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
}

static gint64
db_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *q = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &q, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (q), ==, SQLITE_ROW);
  gint64 v = sqlite3_column_int64 (q, 0);
  sqlite3_finalize (q);
  return v;
}

static gint64
file_int (const char *path, const char *sql)
{
  sqlite3 *db = db_open (path);
  gint64 v = db_int (db, sql);
  sqlite3_close (db);
  return v;
}

/* A table "t" of @n rows: window_start = @window, v = "w<window>r<row>". */
static DpTable *
window_table (const char *name, gint64 window, guint n)
{
  DpTable *t = dp_table_new (name);
  dp_table_add_column (t, "window_start", DP_COL_INT64);
  dp_table_add_column (t, "v", DP_COL_STRING);
  for (guint r = 0; r < n; r++)
    {
      guint row = dp_table_append_row (t);
      dp_table_set_i64 (t, 0, row, window);
      g_autofree char *v = g_strdup_printf ("w%" G_GINT64_FORMAT "r%u", window, r);
      dp_table_set_str (t, 1, row, v);
    }
  return t;
}

/* Runs the sink over @tables (NULL-terminated) into @path; TRUE when every
 * push and the finish went well, else FALSE with *message set. */
static gboolean
run_sink (const char *path, const char *extra, DpTable **tables, char **message)
{
  g_autofree char *yaml = yaml_path (path, extra);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("sqlite", yaml, &error);
  g_assert_no_error (error);
  gboolean ok = TRUE;
  for (guint i = 0; ok && tables[i]; i++)
    ok = dp_harness_push (h, 0, tables[i], &error);
  ok = ok && dp_harness_finish (h, &error);
  if (message)
    *message = error ? g_strdup (error->message) : NULL;
  return ok;
}

/* ------------------------------------------------------------------ */

/* Every cell of the mixed table reads back as the value pushed. */
static void
test_types (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "sub", "x.db", NULL);
  g_autoptr (DpTable) t = dp_test_mixed_table ();
  DpTable *tables[] = { t, NULL };
  g_assert_true (run_sink (path, NULL, tables, NULL));

  sqlite3 *db = db_open (path);
  sqlite3_stmt *q = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "select n, x, ip, \"s,note\" from mixed order by rowid", -1, &q, NULL),
                   ==, SQLITE_OK);
  guint r = 0;
  while (sqlite3_step (q) == SQLITE_ROW)
    {
      g_assert_cmpuint (r, <, t->n_rows);
      g_assert_cmpint (sqlite3_column_type (q, 0), ==, SQLITE_INTEGER);
      g_assert_cmpint (sqlite3_column_int64 (q, 0), ==, t->cols[0].i64[r]);
      double x = t->cols[1].f64[r];
      if (isnan (x))
        g_assert_cmpint (sqlite3_column_type (q, 1), ==, SQLITE_NULL);
      else
        {
          g_assert_cmpint (sqlite3_column_type (q, 1), ==, SQLITE_FLOAT);
          g_assert_true (sqlite3_column_double (q, 1) == x);
        }
      g_assert_cmpint (sqlite3_column_type (q, 2), ==, SQLITE_TEXT);
      const char *ip = (const char *) sqlite3_column_text (q, 2);
      const char *pseudonym = dp_name_map_lookup (t->names, t->cols[2].ip[r]);
      if (pseudonym)
        g_assert_cmpstr (ip, ==, pseudonym);
      else
        {
          guint32 back = 1;
          g_assert_true (dp_ipv4_parse (ip, &back));
          g_assert_cmpuint (back, ==, t->cols[2].ip[r]);
        }
      const char *s = t->cols[3].str[r];
      if (s == NULL)
        g_assert_cmpint (sqlite3_column_type (q, 3), ==, SQLITE_NULL);
      else
        g_assert_cmpstr ((const char *) sqlite3_column_text (q, 3), ==, s);
      r++;
    }
  g_assert_cmpuint (r, ==, t->n_rows);
  sqlite3_finalize (q);
  g_assert_cmpint (db_int (db, "select count(*) from pragma_table_info('mixed') where "
                               "(name = 'n' and type = 'INTEGER') or (name = 'x' and type = 'REAL') "
                               "or (name = 'ip' and type = 'TEXT') or (name = 's,note' and type = 'TEXT')"),
                   ==, 4);
  sqlite3_close (db);
  sqlite3 *raw = db_open (path);
  sqlite3_stmt *jm = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "PRAGMA journal_mode", -1, &jm, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (jm), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (jm, 0), ==, "wal");
  sqlite3_finalize (jm);
  sqlite3_close (raw);
  dp_test_rmtree (dir);
}

/* The rows of @sql in @db hold the cells of the csv text @text (header
 * and all); a packet time (ts, csv's epoch seconds with 9 decimals) is
 * the integer of its nanoseconds.  Returns the number of rows. */
static guint
assert_rows_as_csv (sqlite3 *db, const char *sql, const char *text)
{
  sqlite3_stmt *q = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &q, NULL), ==, SQLITE_OK);
  const char *p = text;
  g_autoptr (GPtrArray) header = dp_test_csv_record (&p);
  g_assert_cmpint (sqlite3_column_count (q), ==, (int) header->len);
  for (guint c = 0; c < header->len; c++)
    g_assert_cmpstr (sqlite3_column_name (q, (int) c), ==, header->pdata[c]);
  guint rows = 0;
  while (*p)
    {
      g_autoptr (GPtrArray) rec = dp_test_csv_record (&p);
      g_assert_cmpint (sqlite3_step (q), ==, SQLITE_ROW);
      g_assert_cmpuint (rec->len, ==, header->len);
      for (guint c = 0; c < rec->len; c++)
        {
          const char *cell = rec->pdata[c];
          switch (sqlite3_column_type (q, (int) c))
            {
            case SQLITE_NULL:   /* a NULL string, a NaN, a field the packet lacks */
              g_assert_true (cell[0] == '\0' || g_ascii_strcasecmp (cell, "nan") == 0);
              break;
            case SQLITE_INTEGER:
              {
                g_autoptr (GString) digits = g_string_new (cell);
                if (strcmp (header->pdata[c], "ts") == 0)   /* seconds.nanoseconds */
                  g_string_replace (digits, ".", "", 1);
                g_assert_cmpstr (digits->str, !=, "");
                g_assert_cmpint (g_ascii_strtoll (digits->str, NULL, 10), ==, sqlite3_column_int64 (q, (int) c));
                break;
              }
            case SQLITE_FLOAT:
              g_assert_true (g_ascii_strtod (cell, NULL) == sqlite3_column_double (q, (int) c));
              break;
            default:
              g_assert_cmpstr (cell, ==, (const char *) sqlite3_column_text (q, (int) c));
            }
        }
      rows++;
    }
  g_assert_cmpint (sqlite3_step (q), ==, SQLITE_DONE);
  sqlite3_finalize (q);
  return rows;
}

/* The csv sink and the sqlite sink given one table hold the same rows. */
static void
test_same_as_csv (void)
{
  g_autoptr (DpTable) t = dp_test_mixed_table ();
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) csv = dp_harness_new ("csv", "{path: t.csv}", &error);
  g_assert_no_error (error);
  dp_test_push (csv, 0, t);
  dp_test_finish (csv);
  g_autofree char *text = dp_test_read_output (csv, "t.csv");

  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  DpTable *tables[] = { t, NULL };
  g_assert_true (run_sink (path, NULL, tables, NULL));
  sqlite3 *db = db_open (path);
  g_assert_cmpuint (assert_rows_as_csv (db, "select * from mixed order by rowid", text), ==, t->n_rows);
  sqlite3_close (db);
  dp_test_rmtree (dir);
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
  gint64 t0 = DP_TEST_SEC (1566411407) + 841604123;
  guint r = dp_test_add_packet (p, t0, DP_TEST_IP (192, 0, 2, 1), DP_TEST_IP (198, 51, 100, 7), 6, 40000, 23, 0xc2);
  p->tcp_seq[r] = 0xfffffff0u;
  p->tcp_win[r] = 65535;
  p->tcp_optlen[r] = 20;
  p->ip_id[r] = 54321;
  p->ttl[r] = 250;
  p->ip_len[r] = 60;
  dp_test_add_packet (p, t0 + 1, DP_TEST_IP (192, 0, 2, 2), DP_TEST_IP (198, 51, 100, 8), 17, 53, 33434, 0);
  dp_test_add_packet (p, t0 + 1000, DP_TEST_IP (203, 0, 113, 5), DP_TEST_IP (198, 51, 100, 7), 1, 8, 0, 0);
  dp_test_add_packet (p, t0 + DP_TEST_SEC (2), dp_name_map_intern (m, "2001:db8::1"), DP_TEST_IP (198, 51, 100, 9),
                      6, 1234, 445, 0x12);
  r = dp_test_add_packet (p, t0 + DP_TEST_SEC (3), DP_TEST_IP (192, 0, 2, 3), DP_TEST_IP (198, 51, 100, 10), 47, 0, 0,
                          0);
  p->frag[r] = DP_FRAG_MF | 185;
  g_assert_cmpuint (p->l4[r], ==, 0);
  return p;
}

/* A packet stream, in two batches, reads back as the csv sink's rows:
 * ts in integer ns, addresses as csv prints them, NULL where the csv cell
 * is empty; renamed by tables. */
static void
test_packets (void)
{
  g_autoptr (DpPackets) p = packet_kinds ();
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) csv = dp_harness_new ("csv", "{path: p.csv}", &error);
  g_assert_no_error (error);
  dp_test_push (csv, 0, p);
  dp_test_finish (csv);
  g_autofree char *text = dp_test_read_output (csv, "p.csv");

  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  g_autofree char *yaml = yaml_path (path, NULL);
  g_autoptr (DpHarness) h = dp_harness_new ("sqlite", yaml, &error);
  g_assert_no_error (error);
  g_autoptr (DpPackets) a = dp_packets_slice (p, 0, 2), b = dp_packets_slice (p, 2, p->n_rows - 2);
  dp_test_push (h, 0, a);
  dp_test_push (h, 0, b);
  dp_test_finish (h);
  sqlite3 *db = db_open (path);
  g_assert_cmpuint (assert_rows_as_csv (db, "select * from packets order by ts", text), ==, p->n_rows);
  /* the cells the packets lack are NULL, the others typed */
  g_assert_cmpint (db_int (db, "select count (*) from packets where sport is null and dport is null"), ==, 2);
  g_assert_cmpint (db_int (db, "select count (*) from packets where tcp_seq is null and tcp_win is null"), ==, 3);
  g_assert_cmpint (db_int (db, "select count (*) from packets where icmp_type is null"), ==, 4);
  g_assert_cmpint (db_int (db, "select tcp_seq from packets where dport = 23"), ==, 0xfffffff0u);
  g_assert_cmpint (db_int (db, "select count (*) from packets where src = '2001:db8::1' and dport = 445"), ==, 1);
  g_assert_cmpint (db_int (db, "select count (*) from packets where typeof (ts) = 'integer' and typeof (src) = 'text'"
                              " and typeof (proto) = 'integer'"), ==, 5);
  g_assert_cmpint (db_int (db, "select mf * 10000 + frag_offset from packets where proto = 47"), ==, 10185);
  /* the default indexes that fit: src */
  g_assert_cmpint (db_int (db, "select count (*) from sqlite_master where type = 'index' and tbl_name = 'packets'"), ==, 1);
  g_assert_cmpint (db_int (db, "select count (*) from sqlite_master where name = 'packets_src'"), ==, 1);
  sqlite3_close (db);

  /* renamed, and next to a table: a run of tables and packets */
  g_autofree char *path2 = g_build_filename (dir, "r.db", NULL);
  g_autoptr (DpTable) t = window_table ("w", 60, 2);
  g_autofree char *yaml2 = yaml_path (path2, "tables: [packets=raw_packets]");
  g_autoptr (DpHarness) h2 = dp_harness_new ("sqlite", yaml2, &error);
  g_assert_no_error (error);
  dp_test_push (h2, 0, t);
  dp_test_push (h2, 0, p);
  dp_test_finish (h2);
  g_assert_cmpint (file_int (path2, "select count (*) from raw_packets"), ==, p->n_rows);
  g_assert_cmpint (file_int (path2, "select count (*) from w"), ==, 2);

  /* packets into the table of a table: refused, naming it */
  g_autofree char *yaml3 = yaml_path (path2, "tables: [packets=w]");
  g_autoptr (DpHarness) h3 = dp_harness_new ("sqlite", yaml3, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_push (h3, 0, p, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "table 'w'"));
  dp_test_rmtree (dir);
}

/* Two windows, two transactions: a row the database refuses in the second
 * rolls the second back whole and leaves the first. */
static void
test_transactions (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  db_exec (db, "create table t (window_start INTEGER, v TEXT check (v <> 'w2r2'))");
  sqlite3_close (db);

  g_autoptr (DpTable) w1 = window_table ("t", 1, 3);
  g_autoptr (DpTable) w2a = window_table ("t", 2, 1);
  g_autoptr (DpTable) w2b = window_table ("t", 2, 4);
  DpTable *tables[] = { w1, w2a, w2b, NULL };
  g_autofree char *msg = NULL;
  g_assert_false (run_sink (path, NULL, tables, &msg));
  /* the row: the 3rd of the last batch, the 3 + 1 + 3 = 7th of the table;
   * the window's first batch goes with it */
  g_assert_nonnull (strstr (msg, "table 't', row 7 (window_start=2)"));
  g_assert_nonnull (strstr (msg, "CHECK constraint failed"));
  g_assert_nonnull (strstr (msg, path));
  g_assert_cmpint (file_int (path, "select count(*) from t"), ==, 3);
  g_assert_cmpint (file_int (path, "select count(*) from t where window_start = 1"), ==, 3);
  dp_test_rmtree (dir);
}

/* append adds to a table of an earlier run; replace starts it anew. */
static void
test_modes (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  g_autoptr (DpTable) a = window_table ("t", 1, 2);
  g_autoptr (DpTable) b = window_table ("t", 2, 5);
  g_autoptr (DpTable) other = window_table ("other", 3, 1);
  DpTable *run1[] = { a, other, NULL }, *run2[] = { b, NULL };
  g_assert_true (run_sink (path, NULL, run1, NULL));
  g_assert_true (run_sink (path, "mode: append", run2, NULL));
  g_assert_cmpint (file_int (path, "select count(*) from t"), ==, a->n_rows + b->n_rows);
  g_assert_true (run_sink (path, "mode: replace", run2, NULL));
  g_assert_cmpint (file_int (path, "select count(*) from t"), ==, b->n_rows);
  g_assert_cmpint (file_int (path, "select count(*) from t where window_start = 2"), ==, b->n_rows);
  /* a table the run did not touch stays */
  g_assert_cmpint (file_int (path, "select count(*) from other"), ==, other->n_rows);
  dp_test_rmtree (dir);
}

/* A window commits when the next one starts, or at once after the table
 * that ends windows (summary); a reader sees whole windows only, and with
 * transaction: run nothing before the end. */
static void
test_windows (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  g_autofree char *yaml = yaml_path (path, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpTable) a1 = window_table ("t", 1, 3);
  g_autoptr (DpTable) b1 = window_table ("u", 1, 2);
  g_autoptr (DpTable) a2 = window_table ("t", 2, 4);
  g_autoptr (DpTable) s2 = window_table ("summary", 2, 1);
  g_autoptr (DpTable) a3 = window_table ("t", 3, 5);
  g_autoptr (DpHarness) h = dp_harness_new ("sqlite", yaml, &error);
  g_assert_no_error (error);
  dp_test_push (h, 0, a1);
  dp_test_push (h, 0, b1);
  g_assert_cmpint (file_int (path, "select count(*) from sqlite_master where name in ('t', 'u')"), ==, 0);
  dp_test_push (h, 0, a2);
  g_assert_cmpint (file_int (path, "select count(*) from t"), ==, 3);
  g_assert_cmpint (file_int (path, "select count(*) from u"), ==, 2);
  dp_test_push (h, 0, s2);
  g_assert_cmpint (file_int (path, "select count(*) from t"), ==, 7);
  dp_test_push (h, 0, a3);
  g_assert_cmpint (file_int (path, "select count(*) from t"), ==, 7);
  dp_test_finish (h);
  g_assert_cmpint (file_int (path, "select count(*) from t"), ==, 12);
  g_assert_cmpuint (dp_harness_counter (h, "transactions"), ==, 3);

  g_autofree char *path2 = g_build_filename (dir, "run.db", NULL);
  g_autofree char *yaml2 = yaml_path (path2, "transaction: run");
  g_autoptr (DpHarness) run = dp_harness_new ("sqlite", yaml2, &error);
  g_assert_no_error (error);
  dp_test_push (run, 0, a1);
  dp_test_push (run, 0, s2);
  dp_test_push (run, 0, a3);
  g_assert_false (g_file_test (path2, G_FILE_TEST_EXISTS) && file_int (path2, "select count(*) from sqlite_master") > 0);
  dp_test_finish (run);
  g_assert_cmpint (file_int (path2, "select count(*) from t"), ==, 8);
  g_assert_cmpuint (dp_harness_counter (run, "transactions"), ==, 1);

  /* transaction: batch, the old behaviour: one per table pushed */
  g_autofree char *path3 = g_build_filename (dir, "batch.db", NULL);
  DpTable *tables[] = { a1, b1, a2, NULL };
  g_autofree char *yaml3 = yaml_path (path3, "transaction: batch");
  g_autoptr (DpHarness) batch = dp_harness_new ("sqlite", yaml3, &error);
  g_assert_no_error (error);
  for (guint i = 0; tables[i]; i++)
    dp_test_push (batch, 0, tables[i]);
  dp_test_finish (batch);
  g_assert_cmpuint (dp_harness_counter (batch, "transactions"), ==, 3);
  dp_test_rmtree (dir);
}

/* A table (k text, n int64) of keys k0..k<@n-1> with n = @base + row. */
static DpTable *
keyed_table (guint n, gint64 base)
{
  DpTable *t = dp_table_new ("t");
  dp_table_add_column (t, "k", DP_COL_STRING);
  dp_table_add_column (t, "n", DP_COL_INT64);
  for (guint r = 0; r < n; r++)
    {
      guint row = dp_table_append_row (t);
      g_autofree char *k = g_strdup_printf ("k%u", r);
      dp_table_set_str (t, 0, row, k);
      dp_table_set_i64 (t, 1, row, base + r);
    }
  return t;
}

/* upsert: a second run updates the rows of the keys it has and adds the
 * others; a table without its key columns is refused. */
static void
test_upsert (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  g_autoptr (DpTable) a = keyed_table (4, 100);
  g_autoptr (DpTable) b = keyed_table (6, 200);
  DpTable *run1[] = { a, NULL }, *run2[] = { b, NULL };
  g_assert_true (run_sink (path, "mode: upsert, keys: [k]", run1, NULL));
  g_assert_true (run_sink (path, "mode: upsert, keys: [t=k]", run2, NULL));
  g_assert_cmpint (file_int (path, "select count(*) from t"), ==, 6);
  g_assert_cmpint (file_int (path, "select sum(n) from t"), ==, 200 + 201 + 202 + 203 + 204 + 205);
  g_assert_cmpint (file_int (path, "select count(*) from sqlite_master where name = 't_key_k' "
                                   "and sql like 'CREATE UNIQUE INDEX%'"), ==, 1);
  g_autofree char *msg = NULL;
  g_assert_false (run_sink (path, "mode: upsert, keys: [missing]", run2, &msg));
  g_assert_nonnull (strstr (msg, "mode upsert needs its key columns"));
  g_assert_cmpint (file_int (path, "select count(*) from t"), ==, 6);
  dp_test_bad_option ("sqlite", "{path: x.db, mode: upsert}", DP_CONFIG_ERROR_REQUIRED);
  dp_test_bad_option ("sqlite", "{path: x.db, indexes: ['+a']}", DP_CONFIG_ERROR_TYPE);
  dp_test_rmtree (dir);
}

/* An existing table with other columns (names, types or number) is
 * refused, named, and left as it was. */
static void
test_mismatch (void)
{
  static const char *const schemas[] = {
    "create table t (window_start INTEGER, w TEXT)",
    "create table t (window_start INTEGER, v REAL)",
    "create table t (window_start INTEGER)",
    "create table t (window_start INTEGER, v TEXT, extra INTEGER)",
  };
  for (guint i = 0; i < G_N_ELEMENTS (schemas); i++)
    {
      g_autofree char *dir = dp_test_tmpdir ();
      g_autofree char *path = g_build_filename (dir, "t.db", NULL);
      sqlite3 *db = NULL;
      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      db_exec (db, schemas[i]);
      db_exec (db, "insert into t (window_start) values (42)");
      sqlite3_close (db);
      g_autoptr (DpTable) t = window_table ("t", 1, 2);
      DpTable *tables[] = { t, NULL };
      g_autofree char *msg = NULL;
      g_assert_false (run_sink (path, NULL, tables, &msg));
      g_assert_nonnull (strstr (msg, "table 't' exists with other columns"));
      g_assert_nonnull (strstr (msg, "window_start INTEGER, v TEXT"));
      g_assert_cmpint (file_int (path, "select count(*) from t"), ==, 1);
      /* and a later table of another layout in one run */
      dp_test_rmtree (dir);
    }
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  g_autoptr (DpTable) a = window_table ("t", 1, 2);
  g_autoptr (DpTable) b = dp_table_new ("t");
  dp_table_add_column (b, "window_start", DP_COL_DOUBLE);
  DpTable *tables[] = { a, b, NULL };
  g_autofree char *msg = NULL;
  g_assert_false (run_sink (path, NULL, tables, &msg));
  g_assert_nonnull (strstr (msg, "table 't': a table with other columns"));
  g_assert_cmpint (file_int (path, "select count(*) from t"), ==, a->n_rows);
  dp_test_rmtree (dir);
}

/* A directory or a file that is not a database: refused at once, with
 * SQLite's message, and a foreign file stays as it was. */
static void
test_bad_path (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *yaml = yaml_path (dir, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("sqlite", yaml, &error);
  g_assert_null (h);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, dir));
  g_assert_nonnull (strstr (error->message, "cannot open the database"));
  g_clear_error (&error);

  g_autofree char *path = g_build_filename (dir, "notes.db", NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; i < 200; i++)
    g_string_append (text, "these are notes, not a database\n");
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  g_autofree char *yaml2 = yaml_path (path, NULL);
  g_autoptr (DpHarness) h2 = dp_harness_new ("sqlite", yaml2, &error);
  g_assert_null (h2);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "file is not a database"));
  g_autofree char *after = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &after, &len, NULL));
  g_assert_cmpmem (after, len, text->str, text->len);
  dp_test_rmtree (dir);
}

/* The default indexes: one per column among window_start, src, ip,
 * pattern that the table has, none with indexes: []. */
static void
test_indexes (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  g_autoptr (DpTable) t = dp_table_new ("events");
  dp_table_add_column (t, "window_start", DP_COL_INT64);
  dp_table_add_column (t, "pattern", DP_COL_STRING);
  dp_table_add_column (t, "src", DP_COL_IPV4);
  dp_table_add_column (t, "dport", DP_COL_INT64);
  DpTable *tables[] = { t, NULL };
  g_assert_true (run_sink (path, NULL, tables, NULL));
  sqlite3 *db = db_open (path);
  static const char *const want[] = { "window_start", "pattern", "src" };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "select count(*) from sqlite_master m, pragma_index_info(m.name) i "
        "where m.type = 'index' and m.tbl_name = 'events' and i.name = '%s'", want[i]);
      g_assert_cmpint (db_int (db, sql), ==, 1);
    }
  g_assert_cmpint (db_int (db, "select count(*) from sqlite_master where type = 'index'"), ==, 3);
  /* the query planner uses them */
  sqlite3_stmt *q = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "explain query plan select * from events where src = '10.0.0.1'",
                                       -1, &q, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (q), ==, SQLITE_ROW);
  g_assert_nonnull (strstr ((const char *) sqlite3_column_text (q, 3), "USING INDEX"));
  sqlite3_finalize (q);
  sqlite3_close (db);

  g_autofree char *path2 = g_build_filename (dir, "none.db", NULL);
  g_assert_true (run_sink (path2, "indexes: []", tables, NULL));
  g_assert_cmpint (file_int (path2, "select count(*) from sqlite_master where type = 'index'"), ==, 0);
  dp_test_rmtree (dir);
}

/* Tables of several upstreams: renamed by table, by upstream or by both. */
static void
test_renames (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  g_autofree char *yaml = yaml_path (path, "tables: [taxonomy.summary=tax_summary, louvain=clusters, "
                                           "predictions=knn_predictions]");
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("sqlite", yaml, &error);
  g_assert_no_error (error);
  g_autoptr (DpTable) a = window_table ("summary", 1, 2);
  g_autoptr (DpTable) b = window_table ("summary", 1, 3);
  g_autoptr (DpTable) c = window_table ("predictions", 1, 4);
  g_autoptr (DpTable) d = window_table ("events", 1, 5);
  g_assert_cmpint (dp_harness_push_from (h, 0, "taxonomy", a, &error), ==, DP_FLOW_OK);
  g_assert_cmpint (dp_harness_push_from (h, 0, "louvain", b, &error), ==, DP_FLOW_OK);
  g_assert_cmpint (dp_harness_push_from (h, 0, "knn", c, &error), ==, DP_FLOW_OK);
  g_assert_cmpint (dp_harness_push_from (h, 0, "taxonomy", d, &error), ==, DP_FLOW_OK);
  dp_test_finish (h);
  g_assert_cmpuint (dp_harness_counter (h, "rows-written"), ==, 2 + 3 + 4 + 5);
  g_assert_cmpint (file_int (path, "select count(*) from tax_summary"), ==, 2);
  g_assert_cmpint (file_int (path, "select count(*) from clusters"), ==, 3);
  g_assert_cmpint (file_int (path, "select count(*) from knn_predictions"), ==, 4);
  g_assert_cmpint (file_int (path, "select count(*) from events"), ==, 5);
  dp_test_rmtree (dir);
}

static void
test_bad_rename (void)
{
  dp_test_bad_option ("sqlite", "{path: x.db, tables: [nothing]}", DP_CONFIG_ERROR_TYPE);
  dp_test_bad_option ("sqlite", "{path: x.db, tables: [a=]}", DP_CONFIG_ERROR_TYPE);
}

/* ------------------------------------------------------------------ */
/* docs/databases.md: its queries on a synthetic day through the taxonomy */

#define DAY "2026-12-06"

/* The day's taxonomy (dp_test_taxonomy_day) into @path. */
static void
taxonomy_db (const char *path)
{
  g_autoptr (DpHarness) tax = dp_test_taxonomy_day (DAY);
  g_autoptr (GError) error = NULL;
  g_autofree char *yaml = yaml_path (path, "tables: [summary=taxonomy_summary, sources=taxonomy_sources, "
                                           "events=taxonomy_events]");
  g_autoptr (DpHarness) h = dp_harness_new ("sqlite", yaml, &error);
  g_assert_no_error (error);
  const char *const ports[] = { "sources", "events", "summary" };
  for (guint k = 0; k < G_N_ELEMENTS (ports); k++)
    {
      GPtrArray *out = dp_harness_outputs (tax, (guint) dp_harness_output_port (tax, ports[k]));
      g_assert_cmpuint (out->len, >, 0);
      for (guint i = 0; i < out->len; i++)
        g_assert_cmpint (dp_harness_push_from (h, 0, "taxonomy", out->pdata[i], &error), ==, DP_FLOW_OK);
    }
  dp_test_finish (h);
}

/* A table "k" with a time column t, a nullable key column d (null in row
 * 1) and a value v = @v. */
static DpTable *
times_table (gint64 v)
{
  DpTable *t = dp_table_new ("k");
  guint ct = dp_table_add_column_flags (t, "t", DP_COL_INT64, DP_COLUMN_TIME);
  guint cd = dp_table_add_column_flags (t, "d", DP_COL_INT64, DP_COLUMN_NULLABLE);
  guint cv = dp_table_add_column (t, "v", DP_COL_INT64);
  for (guint r = 0; r < 2; r++)
    {
      dp_table_append_row (t);
      dp_table_set_i64 (t, ct, r, G_GINT64_CONSTANT (1614592800123456789));
      dp_table_set_i64 (t, cd, r, 7);
      dp_table_set_i64 (t, cv, r, v);
    }
  dp_table_set_null (t, cd, 1);
  return t;
}

/* Time columns as ts_format says, NULL for null cells, and an upsert key
 * with a NULL in it replaces its row on a re-run. */
static void
test_times_and_nulls (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  static const struct { const char *fmt, *type, *text; } cases[] = {
    { "epoch_ns", "INTEGER", "1614592800123456789" },
    { "iso", "TEXT", "2021-03-01T10:00:00.123456789Z" },
    { "epoch", "REAL", NULL },   /* a double: compared as a number */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s.db", dir, cases[i].fmt);
      g_autofree char *extra = g_strdup_printf ("ts_format: %s", cases[i].fmt);
      g_autoptr (DpTable) t = times_table (1);
      DpTable *tables[] = { t, NULL };
      g_assert_true (run_sink (path, extra, tables, NULL));
      sqlite3 *db = db_open (path);
      sqlite3_stmt *q = NULL;
      g_assert_cmpint (sqlite3_prepare_v2 (db, "select typeof(t), t, d is null from k order by rowid", -1, &q, NULL),
                       ==, SQLITE_OK);
      for (guint r = 0; r < 2; r++)
        {
          g_assert_cmpint (sqlite3_step (q), ==, SQLITE_ROW);
          g_autofree char *want_type = g_ascii_strdown (cases[i].type, -1);
          g_assert_cmpstr ((const char *) sqlite3_column_text (q, 0), ==, want_type);
          if (i < 2)
            g_assert_cmpstr ((const char *) sqlite3_column_text (q, 1), ==, cases[i].text);
          else
            g_assert_cmpfloat_with_epsilon (sqlite3_column_double (q, 1), 1614592800.123456789, 1e-6);
          g_assert_cmpint (sqlite3_column_int (q, 2), ==, r == 1);
        }
      sqlite3_finalize (q);
      if (i == 1)   /* SQLite's date functions read the text */
        g_assert_cmpint (db_int (db, "select strftime('%H', t) from k limit 1"), ==, 10);
      sqlite3_close (db);
    }
  /* upsert on t+d: the row whose d is NULL is one key too */
  g_autofree char *path = g_build_filename (dir, "upsert.db", NULL);
  g_autoptr (DpTable) run1 = times_table (1);
  g_autoptr (DpTable) run2 = times_table (2);
  DpTable *t1[] = { run1, NULL }, *t2[] = { run2, NULL };
  g_assert_true (run_sink (path, "mode: upsert, keys: [t+d]", t1, NULL));
  g_assert_true (run_sink (path, "mode: upsert, keys: [t+d]", t2, NULL));
  g_assert_cmpint (file_int (path, "select count(*) from k"), ==, 2);
  g_assert_cmpint (file_int (path, "select sum(v) from k"), ==, 4);
  dp_test_rmtree (dir);
}

static void
test_doc_queries (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "darkpipe.db", NULL);
  taxonomy_db (path);
  /* the ```sql blocks of docs/databases.md, "yesterday" made DAY */
  g_autoptr (GPtrArray) queries = dp_test_doc_blocks ("sql", "date('now', '-1 day')", "'" DAY "'");
  g_assert_cmpuint (queries->len, >=, 5);
  sqlite3 *db = db_open (path);
  for (guint i = 0; i < queries->len; i++)
    {
      sqlite3_stmt *q = NULL;
      if (sqlite3_prepare_v2 (db, queries->pdata[i], -1, &q, NULL) != SQLITE_OK)
        g_error ("docs/databases.md query %u: %s\n%s", i + 1, sqlite3_errmsg (db), (char *) queries->pdata[i]);
      guint rows = 0;
      int rc;
      GString *srcs = g_string_new (NULL);
      while ((rc = sqlite3_step (q)) == SQLITE_ROW)
        {
          rows++;
          g_string_append_printf (srcs, "%s;", (const char *) sqlite3_column_text (q, 0));
          if (i == 0)   /* the heavy TCP port scanners of 10-11 h: 10.0.0.1 alone, 60 ports */
            {
              g_assert_cmpstr ((const char *) sqlite3_column_text (q, 0), ==, "10.0.0.1");
              g_assert_cmpint (sqlite3_column_int64 (q, 2), ==, 60);
              g_assert_cmpint (sqlite3_column_int64 (q, 3), ==, 300);
              g_assert_cmpstr ((const char *) sqlite3_column_text (q, 4), ==, DAY " 10:00:00");
            }
        }
      if (rc != SQLITE_DONE)
        g_error ("docs/databases.md query %u: %s", i + 1, sqlite3_errmsg (db));
      g_test_message ("query %u: %u rows: %s", i + 1, rows, srcs->str);
      g_assert_cmpuint (rows, >, 0);   /* every example finds something in this day */
      if (i == 0)
        g_assert_cmpuint (rows, ==, 1);
      g_string_free (srcs, TRUE);
      sqlite3_finalize (q);
    }
  sqlite3_close (db);
  dp_test_rmtree (dir);
}

/* The sqlite3 shell reads what the sink wrote (skipped without it). */
static void
test_shell (void)
{
  const char *shell = g_getenv ("SQLITE3");
  g_autofree char *found = NULL;
  if (shell == NULL || shell[0] == '\0')
    shell = found = g_find_program_in_path ("sqlite3");
  if (shell == NULL)
    {
      g_test_skip ("the sqlite3 shell is not installed");
      return;
    }
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  g_autoptr (DpTable) t = window_table ("t", 7, 4);
  DpTable *tables[] = { t, NULL };
  g_assert_true (run_sink (path, NULL, tables, NULL));
  const char *argv[] = { shell, path, "select count(*), sum(window_start) from t", NULL };
  g_autofree char *out = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_autofree char *want = g_strdup_printf ("%u|%u\n", t->n_rows, 7 * t->n_rows);
  g_assert_cmpstr (out, ==, want);
  dp_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/sqlite/types", test_types);
  g_test_add_func ("/plugin/sqlite/same-as-csv", test_same_as_csv);
  g_test_add_func ("/plugin/sqlite/packets", test_packets);
  g_test_add_func ("/plugin/sqlite/transactions", test_transactions);
  g_test_add_func ("/plugin/sqlite/modes", test_modes);
  g_test_add_func ("/plugin/sqlite/windows", test_windows);
  g_test_add_func ("/plugin/sqlite/upsert", test_upsert);
  g_test_add_func ("/plugin/sqlite/mismatch", test_mismatch);
  g_test_add_func ("/plugin/sqlite/bad-path", test_bad_path);
  g_test_add_func ("/plugin/sqlite/indexes", test_indexes);
  g_test_add_func ("/plugin/sqlite/renames", test_renames);
  g_test_add_func ("/plugin/sqlite/bad-rename", test_bad_rename);
  g_test_add_func ("/plugin/sqlite/doc-queries", test_doc_queries);
  g_test_add_func ("/plugin/sqlite/times-and-nulls", test_times_and_nulls);
  g_test_add_func ("/plugin/sqlite/shell", test_shell);
  return g_test_run ();
}

#else

static void
test_skip (void)
{
  g_test_skip ("built without SQLite: no sqlite plugin");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/sqlite/skip", test_skip);
  return g_test_run ();
}

#endif
