/* dp-test.h — small helpers shared by the test programs. */
#pragma once

#include <glib.h>
#include "darkpipe.h"
#include "dp-harness.h"

/** Path of @rel below ../shared (DP_SHARED_DIR), or NULL after calling
 * g_test_skip() when the shared folder is not there (e.g. in distcheck). */
char *dp_test_shared (const char *rel);
/** Path of @rel below tests/data in the source tree. */
char *dp_test_data (const char *rel);
/** A fresh temporary directory (remove with dp_test_rmtree). */
char *dp_test_tmpdir (void);
void dp_test_rmtree (const char *path);
/** Reads a whole file into a string (asserts on failure). */
char *dp_test_read_file (const char *path, gsize *len);

/** "1566404524.123456000" (tshark's frame.time_epoch) to ns, without
 * floating point; digits past the ninth are dropped.  Asserts the text
 * is seconds and an optional decimal fraction. */
gint64 dp_test_epoch_ns (const char *s);

/** tests/data/eval/knn-fixture.csv: 100 labelled sources with 6-d vectors
 * (made by tests/data/eval/make-knn-fixture.py). */
#define DP_TEST_KNN_N 100
#define DP_TEST_KNN_DIM 6
typedef struct
{
  guint32 ip[DP_TEST_KNN_N];
  const char *label[DP_TEST_KNN_N];   /* interned; "unknown" as written */
  float v[DP_TEST_KNN_N * DP_TEST_KNN_DIM];
} DpTestKnnFixture;
/** Loads the knn fixture, asserting its row count and every field. */
void dp_test_knn_fixture (DpTestKnnFixture *fx);

/** Asserts that dp_harness_new (@plugin, @yaml) fails with the
 * DP_CONFIG_ERROR @code; logs the case first so a failure names it. */
void dp_test_bad_option (const char *plugin, const char *yaml, gint code);

/** Appends one packet; sets the DP_L4_* bits that fit @proto
 * (6: ports+tcp, 17: ports, 1: icmp with type=sport, code=dport). */
guint dp_test_add_packet (DpPackets *p, gint64 ts_ns, guint32 src, guint32 dst,
                          guint8 proto, guint16 sport, guint16 dport, guint8 tcp_flags);
/** 10.0.0.0 + i, and similar helpers for readable tests. */
#define DP_TEST_IP(a, b, c, d) (((guint32) (a) << 24) | ((guint32) (b) << 16) | ((guint32) (c) << 8) | (guint32) (d))
#define DP_TEST_SEC(s) ((gint64) (s) * G_GINT64_CONSTANT (1000000000))

/* ------------------------------------------------------------------ */
/* running one plugin: each of these asserts that the step succeeds */

/** dp_harness_new, asserting it works. */
DpHarness *dp_test_harness (const char *plugin, const char *yaml);
/** dp_harness_push of @batch (borrowed) on @port, asserting it works. */
void dp_test_push (DpHarness *h, guint port, gpointer batch);
/** dp_harness_finish, asserting it works. */
void dp_test_finish (DpHarness *h);
/** A harness for @plugin that got @in0 on port 0 and @in1 on port 1 (each
 * skipped when NULL) and finished. */
DpHarness *dp_test_run (const char *plugin, const char *yaml, gpointer in0, gpointer in1);
/** dp_test_run with one input; returns a new reference to the single batch
 * on output port @output (asserting there is one). */
gpointer dp_test_run_output (const char *plugin, const char *yaml, gpointer in0, const char *output);
/** Pushes @good (when not NULL) on @good_port, then a table whose columns
 * have the wrong types (ip, cluster: string, label: int64) on @port, and
 * asserts that finish fails with DP_DATA_ERROR_FORMAT. */
void dp_test_wrong_columns (const char *plugin, guint port, gpointer good, guint good_port);

/** Path of @name below the harness's output directory. */
char *dp_test_output_path (DpHarness *h, const char *name);
/** Contents of @name below the harness's output directory. */
char *dp_test_read_output (DpHarness *h, const char *name);
/** Number of entries in directory @dir (0 when it cannot be opened). */
guint dp_test_count_files (const char *dir);
/** Decompresses the gzip file @path (asserting it is one) into a string. */
char *dp_test_gunzip_file (const char *path);

/* ------------------------------------------------------------------ */
/* batches */

/** A table cell as text (dp_table_format_cell); by column index or name. */
char *dp_test_cell (const DpTable *t, guint col, guint row);
char *dp_test_cell_named (const DpTable *t, const char *col, guint row);
/** Appends every row of every table @h output on @port to @out, cells as
 * dp_table_format_cell writes them, separated by ',', a line per row. */
void dp_test_append_rows (DpHarness *h, guint port, GString *out);
/** An embedding of @n address tokens (@ips, or 10.0.0.1.. when NULL) with
 * the @n × @dim values @v. */
DpEmbedding *dp_test_embedding (guint n, guint dim, const guint32 *ips, const float *v);
/** 2-d unit vectors at the angles @deg (degrees) for 10.0.0.1.. */
DpEmbedding *dp_test_circle (guint n, const double *deg);
/** A table (ip: ipv4, cluster: int64) of @n rows. */
DpTable *dp_test_clusters (guint n, const guint32 *ips, const gint64 *cluster);
/** A table (ip: ipv4, label: string); rows whose label is NULL are left out. */
DpTable *dp_test_labels (guint n, const guint32 *ips, const char *const *labels);
/** Cosine similarity of two vectors of @dim floats. */
double dp_test_cosine (const float *a, const float *b, guint dim);

/** Appends a TCP/UDP probe (or an ICMP echo for proto 1) from 10.0.0.@src
 * to 192.0.2.1, source port 40000, SYN for TCP, to @dport. */
guint dp_test_add_probe (DpPackets *p, gint64 ts_ns, guint src, guint8 proto, guint16 dport);
/** Traffic of four sources (port_baseline and cluster_profile tests):
 *   10.0.0.1  23/tcp x6, 2323/tcp x2
 *   10.0.0.2  23/tcp x4
 *   10.0.0.3  80/tcp x3, 443/tcp x2, 22/tcp x1
 *   10.0.0.4  445/tcp x5, icmp x1
 * one packet a second from time 0, in this order. */
DpPackets *dp_test_port_traffic (void);

/* ------------------------------------------------------------------ */
/* word2vec files */

/** Four tokens of four kinds (address, pseudonym, port, word), dim 3.  The
 * golden text of the w2v tests is Python's "%.9g" % float(numpy.float32(v))
 * of these values. */
DpEmbedding *dp_test_w2v_sample (void);
/** Writes @e with the w2v sink as @dir/@name (format text or binary);
 * returns the path. */
char *dp_test_w2v_write (DpEmbedding *e, const char *dir, const char *name, const char *format,
                         gboolean gzip);
/** Reads @path with the w2v_file source (@extra: more options or NULL);
 * returns the embedding, and the harness in *@out_h when not NULL. */
DpEmbedding *dp_test_w2v_read (const char *path, const char *extra, DpHarness **out_h);

/* ------------------------------------------------------------------ */
/* captures: the pcap source and tshark as the reference */

/** Runs the pcap source on @yaml; returns the harness (all rows in *@out). */
DpHarness *dp_test_run_pcap (const char *yaml, DpPackets **out);
/** Every column of every row of @a and @b agrees. */
void dp_test_assert_packets_equal (const DpPackets *a, const DpPackets *b);

/** Real captures of the shared folder and what they hold. */
typedef struct {
  const char *file;
  guint rows, syn, rst, tcp, udp, icmp;
} DpTestRealCase;
extern const DpTestRealCase dp_test_real_cases[];
#define DP_TEST_N_REAL_CASES 5
/** Reads shared data/real/pcap/@file with the pcap source, asserting no
 * short or bad packets; NULL (test skipped) when the shared folder is not there. */
DpPackets *dp_test_read_real (const char *file);

/** Fields of dp_test_tshark_rows, in this order. */
enum { DP_T_TIME, DP_T_SRC, DP_T_DST, DP_T_PROTO, DP_T_TTL, DP_T_ID, DP_T_LEN, DP_T_FRAG, DP_T_MF,
       DP_T_TSPORT, DP_T_TDPORT, DP_T_FLAGS, DP_T_SEQ, DP_T_USPORT, DP_T_UDPORT, DP_T_ITYPE,
       DP_T_ICODE, DP_T_CKSUM, DP_T_TWIN, DP_T_THDR, DP_T_N };
/** tshark's lines for capture @path (one GStrv per frame), or NULL after
 * g_test_skip() when $TSHARK is not set. */
GPtrArray *dp_test_tshark_rows (const char *path);
/** Row @i of @p agrees with tshark's fields @t. */
void dp_test_assert_tshark_row (const DpPackets *p, guint i, char **t);

/** dp_test_finish while file descriptor @fd (1: stdout, 2: stderr) goes to
 * a temporary file; returns what the plugin wrote there. */
char *dp_test_finish_capture (DpHarness *h, int fd);

/** A GLib test fixture: a fresh temporary directory, removed afterwards. */
typedef struct {
  char *dir;
} DpTestDir;
void dp_test_dir_setup (DpTestDir *f, gconstpointer data);
void dp_test_dir_teardown (DpTestDir *f, gconstpointer data);

/* ------------------------------------------------------------------ */
/* database sinks (test-sqlite, test-postgres) */

/** Splits one CSV record (RFC 4180) starting at *@p into its cells and
 * advances *@p past it. */
GPtrArray *dp_test_csv_record (const char **p);
/** The taxonomy (1 h windows) over a synthetic day @day ("2026-12-06"):
 * 10.0.0.1 probes 60 TCP ports of one destination 5 times each at 10:05
 * (a heavy port scan of the 10 h window), 10.0.0.2 does the same at
 * 11:05, 10.0.0.3 knocks once on port 23 at 10:10 and again at 11:10.
 * Returns the finished harness, whose outputs hold the tables. */
DpHarness *dp_test_taxonomy_day (const char *day);
/** The packets dp_test_taxonomy_day classifies (transfer full). */
DpPackets *dp_test_taxonomy_day_packets (const char *day);
/** The blocks of docs/databases.md fenced with ```@lang, with every
 * @from replaced by @to. */
GPtrArray *dp_test_doc_blocks (const char *lang, const char *from, const char *to);
/** A table "mixed" of every column type: n (INT64 extremes), x (NaN,
 * infinities), ip (with a pseudonym: the table has a name map), "s,note"
 * (NULL, quotes, newline, non-ASCII), window_start (epoch seconds, one
 * before the epoch) and first_ns (epoch ns, some before the epoch). */
DpTable *dp_test_mixed_table (void);
