/* test-fuzz-regressions.c — runs the fuzz targets' entry functions
 * (fuzz/fuzz-*.c) over every input that once broke darkpipe and was fixed
 * (tests/data/fuzz/<target>/) and over the seed corpora (fuzz/corpus/<target>/),
 * with the normal compiler.  Inputs of bugs not fixed yet wait in
 * fuzz/repro/<target>/ (see fuzz/README.md); DP_FUZZ_REPRO=1 runs them too.  Each entry checks the contract a parser keeps on
 * any input (an error comes with a message, a skipped record never stops a
 * source, a decoded row is consistent …) and aborts when it is broken;
 * under the ASan tree or valgrind the same inputs are checked for memory
 * errors. */
#include "config.h"

#include <string.h>

#include "dp-test.h"
#include "fuzz.h"

typedef int (*FuzzEntry) (const guint8 *data, size_t size);

typedef struct {
  const char *name;
  FuzzEntry entry;
} FuzzTarget;

static const FuzzTarget fuzz_targets[] = {
  { "decode", dp_fuzz_decode },
  { "options", dp_fuzz_options },
  { "pcap", dp_fuzz_pcap },
  { "tshark_fields", dp_fuzz_tshark_fields },
  { "darkvec_csv", dp_fuzz_darkvec_csv },
  { "labels", dp_fuzz_labels },
  { "w2v_file", dp_fuzz_w2v_file },
  { "text_corpus", dp_fuzz_text_corpus },
  { "services", dp_fuzz_services },
  { "w2v_model", dp_fuzz_w2v_model },
  { "pipeline", dp_fuzz_pipeline },
  { "anonymize", dp_fuzz_anonymize },
  { "enrich", dp_fuzz_enrich },
};

/* Runs @t over every file of @dir; returns how many there were. */
static guint
run_dir (const FuzzTarget *t, const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return 0;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      gsize len = 0;
      g_autofree char *data = dp_test_read_file (path, &len);
      g_test_message ("%s: %s (%" G_GSIZE_FORMAT " bytes)", t->name, path, len);
      g_assert_cmpint (t->entry ((const guint8 *) data, len), ==, 0);
    }
  return names->len;
}

static void
test_target (gconstpointer data)
{
  const FuzzTarget *t = data;
  g_autofree char *crashes = dp_test_data ("fuzz");
  g_autofree char *crash_dir = g_build_filename (crashes, t->name, NULL);
  const char *srcdir = g_getenv ("DP_TOP_SRCDIR");
  g_autofree char *seed_dir = g_build_filename (srcdir ? srcdir : DP_SRC_DIR, "fuzz", "corpus", t->name, NULL);
  guint n = run_dir (t, crash_dir) + run_dir (t, seed_dir);
  if (g_getenv ("DP_FUZZ_REPRO"))
    {
      g_autofree char *repro_dir = g_build_filename (srcdir ? srcdir : DP_SRC_DIR, "fuzz", "repro", t->name, NULL);
      n += run_dir (t, repro_dir);
    }
  /* every target ships seeds: none found means the paths are wrong */
  g_assert_cmpuint (n, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fuzz_targets); i++)
    {
      g_autofree char *path = g_strdup_printf ("/fuzz-regressions/%s", fuzz_targets[i].name);
      g_test_add_data_func (path, &fuzz_targets[i], test_target);
    }
  return g_test_run ();
}
