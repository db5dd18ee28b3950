/* dp-harness.h — a synchronous harness that runs one plugin outside a
 * pipeline: for unit tests of plugins (ours and third parties').  No threads
 * of its own, no sleeps: push batches, finish, pull what came out.
 *
 * A harness is driven by one thread at a time (the plugin may start its own
 * threads within a call, up to dp_harness_set_threads).  Two harnesses
 * share no state of the core: each has its own context, stage and output
 * directory.  Batches pushed by the plugin are kept by the harness (one
 * reference each) until dp_harness_free. */
#pragma once

#include "dp-api.h"

#include <glib.h>
#include "dp-batch.h"
#include "dp-plugin.h"

G_BEGIN_DECLS

typedef struct _DpHarness DpHarness;

/** Loads plugin @plugin (not NULL; from the plugin search path:
 * DARKPIPE_PLUGIN_PATH, then the build tree or install dir) and configures
 * it from @yaml_options, a YAML mapping of option: value (nullable: NULL or
 * "" for all defaults).  Required options, check() and init() run here
 * too.  Returns (transfer full) the harness, to free with dp_harness_free,
 * or NULL with @error: DP_PLUGIN_ERROR when the plugin cannot be found or
 * loaded, DP_CONFIG_ERROR when the YAML or an option is bad, whatever
 * check() or init() set when they fail (init's error prefixed with the
 * stage), G_FILE_ERROR when the temp directory cannot be made. */
DP_API DpHarness *dp_harness_new (const char *plugin, const char *yaml_options, GError **error);
/** Same, with an already loaded descriptor (for in-process test plugins).
 * @desc (transfer none, not NULL) must outlive the harness; it is used as
 * it is, without the loader's ABI and descriptor checks. */
DP_API DpHarness *dp_harness_new_from_desc (const DpPluginDesc *desc, const char *yaml_options, GError **error);

/** Feeds @batch to input port @port, as from a stage named "upstream".
 * @batch (not NULL) is borrowed for the call (transfer none), as process()
 * borrows it in a pipeline: the caller keeps its reference and drops it
 * afterwards; a plugin that keeps the batch takes its own.  Returns FALSE
 * with @error set when process() returned DP_FLOW_ERROR (its error,
 * prefixed with the stage, or DP_DATA_ERROR_FAILED when it gave none) or
 * the push was refused: DP_CONFIG_ERROR_UNKNOWN_PORT for a port the plugin
 * lacks, DP_CONFIG_ERROR_PORT_TYPE for a batch of the wrong type.  TRUE
 * for any other flow (STOP and CANCELLED included). */
DP_API gboolean dp_harness_push (DpHarness *h, guint port, gpointer batch, GError **error);
/** The same from the stage named @upstream (not NULL; what process() sees),
 * returning process()'s flow: DP_FLOW_ERROR with @error set as above. */
DP_API DpFlow dp_harness_push_from (DpHarness *h, guint port, const char *upstream, gpointer batch,
                                    GError **error);
/** Runs a source's run(): FALSE with @error (run()'s, prefixed with the
 * stage) when it failed.  TRUE at once for a plugin without run(). */
DP_API gboolean dp_harness_run (DpHarness *h, GError **error);
/** Calls finish(): FALSE with @error (finish()'s, prefixed with the stage)
 * when it failed.  TRUE at once for a plugin without finish(). */
DP_API gboolean dp_harness_finish (DpHarness *h, GError **error);
/** Every batch pushed so far on output port @port, in order.  Returns
 * (transfer none) the harness's array, holding one reference on each batch,
 * valid until dp_harness_free (dp_batch_ref a batch to keep it longer); or
 * NULL with a critical warning when there is no such port. */
DP_API GPtrArray *dp_harness_outputs (DpHarness *h, guint port);
/** Output port index by name (@name not NULL), or -1. */
DP_API gint dp_harness_output_port (DpHarness *h, const char *name);
/** The single table/corpus/… pushed on the output port named @port_name
 * (not NULL), or NULL when there is not exactly one or no such port.
 * Returns (transfer none) a batch the harness holds until dp_harness_free. */
DP_API gpointer dp_harness_output (DpHarness *h, const char *port_name);
/** Rows of all packets batches on the output port named @port_name (not
 * NULL) merged into one new batch (transfer full: dp_batch_unref it), empty
 * when none came, with the name map of the first batch that has one; other
 * batch types are skipped.  NULL when there is no such port. */
DP_API DpPackets *dp_harness_packets (DpHarness *h, const char *port_name);
/** Value of counter @name (not NULL: data-error categories and
 * dp_stage_count), 0 when it was never counted. */
DP_API guint64 dp_harness_counter (DpHarness *h, const char *name);
/** Output directory used for relative paths (a fresh temp dir, removed on
 * free).  Returns (transfer none) a string owned by @h. */
DP_API const char *dp_harness_output_dir (DpHarness *h);
/** Sets the number of threads the stage sees (default 1; 0 counts as 1).
 * Call before run/push. */
DP_API void dp_harness_set_threads (DpHarness *h, guint n);
/** Makes dp_stage_cancelled() return TRUE, and dp_stage_push()
 * DP_FLOW_CANCELLED, from now on.  An atomic flag: any thread may call it
 * (a plugin's workers see it at their next check). */
DP_API void dp_harness_cancel (DpHarness *h);
/** Calls finalize(), drops the batches the harness holds, removes its
 * output directory and frees @h (transfer full).  NULL is fine. */
DP_API void dp_harness_free (DpHarness *h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpHarness, dp_harness_free)

G_END_DECLS
