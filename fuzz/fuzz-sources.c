/* fuzz-sources.c — the file readers of the source plugins, each run through
 * the harness on the fuzz input written to a scratch file: pcap/pcapng,
 * tshark -T fields text, DarkVec CSV, ground-truth labels, word2vec files,
 * one-sentence-per-line text corpora. */
#include "config.h"

#include "fuzz.h"

DP_FUZZ_DECLARE_PLUGIN (pcap);
DP_FUZZ_DECLARE_PLUGIN (tshark_fields);
DP_FUZZ_DECLARE_PLUGIN (darkvec_csv);
DP_FUZZ_DECLARE_PLUGIN (labels);
DP_FUZZ_DECLARE_PLUGIN (w2v_file);
DP_FUZZ_DECLARE_PLUGIN (text_corpus);

/* Sizes past this only slow the fuzzer down: every parser here is a loop
 * over records, and a few kB hold many records. */
#define FUZZ_MAX_INPUT (1u << 20)

static void
fuzz_run (DpHarness *h, GError *error, size_t size)
{
  /* options are fixed and valid: the plugin must accept them */
  if (h == NULL)
    fprintf (stderr, "fuzz: harness: %s\n", error ? error->message : "?");
  DP_FUZZ_CHECK (h != NULL);
  dp_fuzz_run_source (h, (size & 1) != 0);
  dp_harness_free (h);
}

#define FUZZ_SOURCE(fname, plugin, tag, extra)                                  \
  int fname (const guint8 *data, size_t size)                                   \
  {                                                                             \
    if (size > FUZZ_MAX_INPUT)                                                  \
      return 0;                                                                 \
    const char *path = dp_fuzz_write_temp (tag, data, size);                    \
    g_autofree char *opts = dp_fuzz_source_options (path, size, extra);         \
    GError *error = NULL;                                                       \
    DpHarness *h = DP_FUZZ_HARNESS (plugin, opts, &error);                      \
    fuzz_run (h, error, size);                                                  \
    g_clear_error (&error);                                                     \
    return 0;                                                                   \
  }

/* Options that vary with the input size (its bit 0 already picks
 * on_error): bits 1+ pick a format, so forced formats get fuzzed too. */
static G_GNUC_UNUSED const char *
fuzz_format (size_t size, const char *const *choices)
{
  guint n = g_strv_length ((char **) choices);
  return choices[(size >> 1) % n];
}

static G_GNUC_UNUSED const char *const fuzz_w2v_formats[] = {
  "format: auto\n", "format: text\n", "format: binary\n", NULL };
static G_GNUC_UNUSED const char *const fuzz_labels_formats[] = {
  "format: auto\nlabel_suffix_parts: 2\nmin_class_size: 2\n", "format: csv\n",
  "format: list\nrelabel: [a=b, censys.io=unknown]\n", NULL };
static G_GNUC_UNUSED const char *const fuzz_tshark_options[] = {
  "batch_rows: 7\n", "header: false\ntimezone: \"+09:00\"\n",
  "header: true\nfrag_offset_unit: bytes\n", NULL };

#ifndef DP_FUZZ_ONLY
#define DP_FUZZ_ONLY_ALL 1
#endif

#if defined(DP_FUZZ_ONLY_ALL) || defined(DP_FUZZ_ONLY_pcap)
FUZZ_SOURCE (dp_fuzz_pcap, pcap, "pcap", "batch_rows: 1024\n")
#endif
#if defined(DP_FUZZ_ONLY_ALL) || defined(DP_FUZZ_ONLY_tshark_fields)
FUZZ_SOURCE (dp_fuzz_tshark_fields, tshark_fields, "tshark.txt", fuzz_format (size, fuzz_tshark_options))
#endif
#if defined(DP_FUZZ_ONLY_ALL) || defined(DP_FUZZ_ONLY_darkvec_csv)
FUZZ_SOURCE (dp_fuzz_darkvec_csv, darkvec_csv, "darkvec.csv", "batch_rows: 7\n")
#endif
#if defined(DP_FUZZ_ONLY_ALL) || defined(DP_FUZZ_ONLY_labels)
FUZZ_SOURCE (dp_fuzz_labels, labels, "labels.txt", fuzz_format (size, fuzz_labels_formats))
#endif
#if defined(DP_FUZZ_ONLY_ALL) || defined(DP_FUZZ_ONLY_w2v_file)
FUZZ_SOURCE (dp_fuzz_w2v_file, w2v_file, "vectors.w2v", fuzz_format (size, fuzz_w2v_formats))
#endif
#if defined(DP_FUZZ_ONLY_ALL) || defined(DP_FUZZ_ONLY_text_corpus)
FUZZ_SOURCE (dp_fuzz_text_corpus, text_corpus, "corpus.txt", "max_sentence: 5\nlowercase: true\n")
#endif
