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
