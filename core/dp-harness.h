/* dp-harness.h — a synchronous harness that runs one plugin outside a
 * pipeline: for unit tests of plugins (ours and third parties').  No threads
 * of its own, no sleeps: push batches, finish, pull what came out. */
#pragma once

#include "dp-api.h"

#include <glib.h>
#include "dp-batch.h"
#include "dp-plugin.h"

G_BEGIN_DECLS

typedef struct _DpHarness DpHarness;

/** Loads plugin @plugin (from the plugin search path: DARKPIPE_PLUGIN_PATH,
 * then the build tree or install dir) and configures it from @yaml_options,
 * a YAML mapping of option: value (NULL or "" for all defaults).
 * Returns NULL with @error (DP_CONFIG_ERROR / DP_PLUGIN_ERROR) when the
 * plugin or its options are bad; init() runs here too. */
DP_API DpHarness *dp_harness_new (const char *plugin, const char *yaml_options, GError **error);
/** Same, with an already loaded descriptor (for in-process test plugins). */
DP_API DpHarness *dp_harness_new_from_desc (const DpPluginDesc *desc, const char *yaml_options, GError **error);

/** Feeds @batch (borrowed) to input port @port, as from a stage named
 * "upstream"; FALSE when process() returned DP_FLOW_ERROR. */
DP_API gboolean dp_harness_push (DpHarness *h, guint port, gpointer batch, GError **error);
/** The same from the stage named @upstream, returning process()'s flow. */
DP_API DpFlow dp_harness_push_from (DpHarness *h, guint port, const char *upstream, gpointer batch,
                                    GError **error);
/** Runs a source's run(). */
DP_API gboolean dp_harness_run (DpHarness *h, GError **error);
/** Calls finish(). */
DP_API gboolean dp_harness_finish (DpHarness *h, GError **error);
/** (transfer none) every batch pushed so far on output port @port, in order. */
DP_API GPtrArray *dp_harness_outputs (DpHarness *h, guint port);
/** Output port index by name, or -1. */
DP_API gint dp_harness_output_port (DpHarness *h, const char *name);
/** (transfer none) the single table/corpus/… pushed on @port, or NULL when
 * there is not exactly one. */
DP_API gpointer dp_harness_output (DpHarness *h, const char *port_name);
/** Rows of all packets batches on @port merged into one (transfer full). */
DP_API DpPackets *dp_harness_packets (DpHarness *h, const char *port_name);
/** Value of counter @name (data-error categories and dp_stage_count). */
DP_API guint64 dp_harness_counter (DpHarness *h, const char *name);
/** Output directory used for relative paths (a fresh temp dir, removed on free). */
DP_API const char *dp_harness_output_dir (DpHarness *h);
/** Sets the number of threads the stage sees (default 1). Call before run/push. */
DP_API void dp_harness_set_threads (DpHarness *h, guint n);
/** Makes dp_stage_cancelled() return TRUE from now on. */
DP_API void dp_harness_cancel (DpHarness *h);
/** Calls finalize() and frees everything. */
DP_API void dp_harness_free (DpHarness *h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpHarness, dp_harness_free)

G_END_DECLS
