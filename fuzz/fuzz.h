/* fuzz.h — shared by the fuzz targets (fuzz/fuzz-*.c) and by
 * tests/test-fuzz-regressions.c, which runs the same entry functions over
 * the saved crash inputs in tests/data/fuzz/<target>/.
 *
 * scripts/fuzz compiles the core, the plugin under test and one target into
 * a single libFuzzer binary with -DDP_FUZZ_STATIC: the plugin's descriptor
 * is then taken from the linked-in object (coverage reaches the plugin);
 * without it (make check) the plugin is loaded by name from the build tree.
 *
 * A check failing here is a bug in darkpipe, not in the input: it aborts so
 * that libFuzzer (or the test) reports it. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <glib.h>
#include "darkpipe.h"
#include "dp-harness.h"

#define DP_FUZZ_CHECK(cond)                                                     \
  do {                                                                          \
    if (!(cond))                                                                \
      {                                                                         \
        fprintf (stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__,        \
                 __LINE__, #cond);                                              \
        abort ();                                                               \
      }                                                                         \
  } while (0)

#ifdef DP_FUZZ_STATIC
#define DP_FUZZ_DECLARE_PLUGIN(name) const DpPluginDesc *dp_plugin_##name##_get_desc (void)
#define DP_FUZZ_HARNESS(name, yaml, err) \
  dp_harness_new_from_desc (dp_plugin_##name##_get_desc (), (yaml), (err))
#else
#define DP_FUZZ_DECLARE_PLUGIN(name) extern int dp_fuzz_unused_##name
#define DP_FUZZ_HARNESS(name, yaml, err) dp_harness_new (#name, (yaml), (err))
#endif

/* Entry points: each returns 0 (libFuzzer's convention). */
int dp_fuzz_decode (const guint8 *data, size_t size);
int dp_fuzz_pcap (const guint8 *data, size_t size);
int dp_fuzz_tshark_fields (const guint8 *data, size_t size);
int dp_fuzz_darkvec_csv (const guint8 *data, size_t size);
int dp_fuzz_labels (const guint8 *data, size_t size);
int dp_fuzz_w2v_file (const guint8 *data, size_t size);
int dp_fuzz_pipeline (const guint8 *data, size_t size);
int dp_fuzz_options (const guint8 *data, size_t size);
int dp_fuzz_text_corpus (const guint8 *data, size_t size);
int dp_fuzz_services (const guint8 *data, size_t size);
int dp_fuzz_w2v_model (const guint8 *data, size_t size);
int dp_fuzz_anonymize (const guint8 *data, size_t size);
int dp_fuzz_enrich (const guint8 *data, size_t size);

/** Writes @data to this process's scratch file for @tag and returns its
 * path (owned by the helper, the same for every call with one tag). */
const char *dp_fuzz_write_temp (const char *tag, const guint8 *data, size_t size);

/** A plugin that would not start on the file @path: checks that @error
 * (taken: freed here) is a whole-file error whose message names @path, or,
 * outside the static fuzz build, that the plugin is not in this build (a
 * tree configured without its library). */
void dp_fuzz_file_refused (GError *error, const char *path);

/** Runs source plugin harness @h to completion and checks the contract
 * every source keeps on any input: FALSE comes with an error, and an
 * error under on_error: skip is a whole-file problem, never a crash. */
void dp_fuzz_run_source (DpHarness *h, gboolean fail_mode);

/** The options text "path: FILE\non_error: skip|fail" (+ @extra lines);
 * odd-sized inputs run with on_error: fail so both policies are covered
 * without spending an input byte on the choice. */
char *dp_fuzz_source_options (const char *path, size_t size, const char *extra);
