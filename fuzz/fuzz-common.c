/* fuzz-common.c — helpers shared by the fuzz targets. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/* tag -> scratch path; the one piece of process state of the fuzz code */
static GHashTable *fuzz_paths;

static void
fuzz_remove_temps (void)
{
  GHashTableIter it;
  gpointer path;
  g_hash_table_iter_init (&it, fuzz_paths);
  while (g_hash_table_iter_next (&it, NULL, &path))
    unlink (path);
  g_clear_pointer (&fuzz_paths, g_hash_table_destroy);
}

const char *
dp_fuzz_write_temp (const char *tag, const guint8 *data, size_t size)
{
  /* one file per tag and process: parallel fuzz jobs do not collide */
  GHashTable *paths = fuzz_paths;
  if (paths == NULL)
    {
      paths = fuzz_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      atexit (fuzz_remove_temps);
    }
  const char *path = g_hash_table_lookup (paths, tag);
  if (path == NULL)
    {
      char *p = g_strdup_printf ("%s/darkpipe-fuzz-%d-%s", g_get_tmp_dir (), (int) getpid (), tag);
      g_hash_table_insert (paths, g_strdup (tag), p);
      path = p;
    }
  FILE *fp = fopen (path, "wb");
  DP_FUZZ_CHECK (fp != NULL);
  DP_FUZZ_CHECK (size == 0 || fwrite (data, 1, size, fp) == size);
  DP_FUZZ_CHECK (fclose (fp) == 0);
  return path;
}

char *
dp_fuzz_source_options (const char *path, size_t size, const char *extra)
{
  return g_strdup_printf ("path: '%s'\non_error: %s\n%s", path, (size & 1) ? "fail" : "skip",
                          extra ? extra : "");
}

void
dp_fuzz_run_source (DpHarness *h, gboolean fail_mode)
{
  GError *error = NULL;
  gboolean ok = dp_harness_run (h, &error);
  DP_FUZZ_CHECK (ok == (error == NULL));
  if (!ok)
    {
      DP_FUZZ_CHECK (error->message != NULL && error->message[0] != '\0');
      /* under skip only whole-file problems may stop a source */
      DP_FUZZ_CHECK (fail_mode || error->code != DP_DATA_ERROR_MALFORMED
                     || error->domain != DP_DATA_ERROR);
      g_error_free (error);
      return;
    }
  ok = dp_harness_finish (h, &error);
  DP_FUZZ_CHECK (ok == (error == NULL));
  g_clear_error (&error);
}

void
dp_fuzz_file_refused (GError *error, const char *path)
{
  DP_FUZZ_CHECK (error != NULL && error->message != NULL);
#ifndef DP_FUZZ_STATIC
  if (g_error_matches (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_NOT_FOUND)
      || g_error_matches (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_PLUGIN))
    {
      g_error_free (error);
      return;
    }
#endif
  DP_FUZZ_CHECK (strstr (error->message, path) != NULL);
  g_error_free (error);
}
