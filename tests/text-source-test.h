/* text-source-test.h — helpers shared by the tests of the text packet
 * sources.  Define TEXT_TEST_PLUGIN (the plugin's name) before including. */
#pragma once

#include "dp-test.h"

/* Builds the source from @yaml and runs it; both must succeed. */
static G_GNUC_UNUSED DpHarness *
run_yaml (const char *yaml)
{
  g_autoptr (GError) error = NULL;
  DpHarness *h = dp_harness_new (TEXT_TEST_PLUGIN, yaml, &error);
  g_assert_no_error (error);
  g_assert_nonnull (h);
  dp_harness_run (h, &error);
  g_assert_no_error (error);
  return h;
}

static G_GNUC_UNUSED DpHarness *
run_file (const char *path, const char *extra)
{
  g_autofree char *yaml = g_strdup_printf ("path: '%s'\n%s", path, extra ? extra : "");
  return run_yaml (yaml);
}

static G_GNUC_UNUSED char *
write_file (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}
