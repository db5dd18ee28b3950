/* db-sink.h — what the database sinks (sqlite, postgres) share: the
 * options that map tables to SQL tables (renames, indexes, mode, upsert
 * keys, transactions), identifier quoting, and the driver that cuts the
 * incoming tables into windows, one transaction each.
 *
 * A window is a run of consecutive rows with the same value in the
 * `window` column (int64; the taxonomy's window_start), across tables:
 * the taxonomy pushes a window's sources and events, then its summary, so
 * with `window_ends: summary` a window's transaction commits as soon as
 * its summary is written, and otherwise when the first row of the next
 * window arrives or at the end of the run.  A table without the window
 * column closes the open window and is written in a transaction of its
 * own.  `transaction: run` makes the whole run one transaction,
 * `transaction: batch` each table pushed one (the old behaviour). */
#pragma once

#include <stddef.h>
#include "darkpipe.h"

enum { DB_MODE_APPEND, DB_MODE_REPLACE, DB_MODE_UPSERT };
enum { DB_TXN_WINDOW, DB_TXN_RUN, DB_TXN_BATCH };

extern const char *const db_mode_choices[];
extern const char *const db_txn_choices[];

/* The options' fields, embedded in each sink's Config as `db`. */
typedef struct {
  int mode;
  char **tables;
  char **indexes;
  char **keys;
  int transaction;
  char *window;
  char *window_ends;
} DbConfig;

/* The shared option descriptors of a sink whose Config embeds a DbConfig
 * named `db`; @indexes_default differs between the sinks. */
#define DB_SINK_OPTIONS(Config, indexes_default)                                                      \
  DP_OPTION_ENUM ("mode", "append", Config, db.mode, db_mode_choices,                                  \
                  "append: add rows to tables that exist (their columns must match); replace: drop "  \
                  "and recreate each table at its first batch; upsert: a row whose key (keys) is "    \
                  "in the table replaces that row's other columns."),                                 \
  DP_OPTION ("tables", DP_OPT_STRLIST, "", Config, db.tables,                                         \
             "Renames, as FROM=SQLNAME: FROM is a table name, an upstream stage or "                  \
             "upstream.table (default: the table's own name)."),                                      \
  DP_OPTION ("indexes", DP_OPT_STRLIST, indexes_default, Config, db.indexes,                          \
             "Indexes made in every table that has their columns: a column, or COL+COL for one "      \
             "index on several ([] for none)."),                                                      \
  DP_OPTION ("keys", DP_OPT_STRLIST, "", Config, db.keys,                                             \
             "Keys of mode upsert (a unique index), as COL+COL for every table or SQLNAME=COL+COL "   \
             "for one; a table without a key cannot be upserted."),                                   \
  DP_OPTION_ENUM ("transaction", "window", Config, db.transaction, db_txn_choices,                    \
                  "window: one transaction per window (consecutive rows with one value of the "        \
                  "window column, across tables); run: one for the whole run; batch: one per table "  \
                  "pushed."),                                                                          \
  DP_OPTION ("window", DP_OPT_STRING, "window_start", Config, db.window,                              \
             "The int64 column whose value names a row's window (transaction: window)."),            \
  DP_OPTION ("window_ends", DP_OPT_STRING, "summary", Config, db.window_ends,                         \
             "A table (its name before renaming) that comes last in each window: the window commits " \
             "right after it instead of at the next window's first row (\"\" for none).")

/* A deep copy of @from into @to, for the sink's state; freed by
 * db_config_clear. */
void db_config_copy (DbConfig *to, const DbConfig *from);
void db_config_clear (DbConfig *cfg);

/* The darkpipe columns of a table's first batch, which later batches
 * into the same SQL table must have (names and types, in order). */
typedef struct {
  GPtrArray *names;
  GArray *types;         /* DpColType */
} DbColumns;
void db_columns_init (DbColumns *c, const DpTable *t);
void db_columns_clear (DbColumns *c);
/* FALSE with @error naming @where and SQL table @name when @t differs */
gboolean db_columns_check (const DbColumns *c, const char *where, const char *name, const DpTable *t,
                           GError **error);

/* check(): the lists are well formed, upsert has keys. */
gboolean db_config_check (DpStage *stage, const DbConfig *cfg, GError **error);

/* "name" with inner quotes doubled: any table or column name is safe in
 * SQLite and PostgreSQL alike. */
void db_append_ident (GString *b, const char *s);

/* The key columns of mode upsert for SQL table @name: (transfer full)
 * NULL-terminated, or NULL when none was declared for it. */
char **db_config_key (const DbConfig *cfg, const char *name);
/* (transfer full) the columns of index entry @entry ("a" or "a+b"). */
char **db_index_columns (const char *entry);
/* TRUE when @t has every column of @cols. */
gboolean db_table_has_columns (const DpTable *t, char *const *cols);

/* The SQL name of table @t from @upstream: a rename, else its own name;
 * (transfer none) owned by @renames or @t. */
typedef GHashTable DbRenames;
DbRenames *db_renames_new (const DbConfig *cfg);
const char *db_renames_lookup (DbRenames *renames, const char *upstream, const DpTable *t);

/* ------------------------------------------------------------------ */
/* The transaction driver. */

typedef struct _DbDriver DbDriver;

typedef struct {
  gboolean (*begin) (void *sink, GError **error);
  gboolean (*commit) (void *sink, GError **error);
  void (*rollback) (void *sink);
  /* rows [@from, @to) of @t into SQL table @name, inside a transaction */
  gboolean (*write) (void *sink, const char *name, const DpTable *t, guint from, guint to, GError **error);
  /* optional: after a failed begin, write or commit (*error), try to get
   * a working connection back; TRUE when the open transaction's rows
   * should be written again (the driver then clears *error), FALSE to
   * fail with *error (which the sink may complete) */
  gboolean (*recover) (void *sink, GError **error);
} DbDriverFuncs;

/* A driver for @sink; @cfg is read now (copied). */
DbDriver *db_driver_new (const DbConfig *cfg, const DbDriverFuncs *funcs, void *sink);
/* A table from @upstream: written in the transactions of its windows. */
gboolean db_driver_push (DbDriver *d, const char *upstream, const DpTable *t, GError **error);
/* The end of the run: commits what is open. */
gboolean db_driver_finish (DbDriver *d, GError **error);
/* Rows committed so far. */
guint64 db_driver_rows (const DbDriver *d);
/* Windows committed so far (transactions, in run and batch mode). */
guint64 db_driver_commits (const DbDriver *d);
void db_driver_free (DbDriver *d);
