/* dp-plugin.h — the plugin ABI.
 *
 * A plugin is one shared object exporting exactly one symbol,
 * dp_plugin_<name>_get_desc(), made by DP_PLUGIN_DEFINE.  The loader checks
 * abi_version and struct_size exactly.  Options are declared, never parsed
 * by the plugin: the core fills the plugin's config struct (defaults + YAML +
 * --set) through one strict parser and hands init() a finished struct.
 *
 * Life cycle of a stage (one plugin instance in a pipeline):
 *   check(stage, config)             at load time (`darkpipe check`, and
 *                                    `run` before any stage starts): cross-
 *                                    option rules, files that must exist,
 *                                    filters that must compile; no state
 *   init(stage, config, &state)      once, before any data
 *   run(stage, state)                sources only: produce everything with
 *                                    dp_stage_push(), and stop when it
 *                                    returns anything but DP_FLOW_OK
 *   process(stage, state, port,      for each batch arriving on input @port
 *           upstream, b)             from stage @upstream (borrowed:
 *                                    dp_batch_ref() what you keep); returns
 *                                    a flow value
 *   finish(stage, state)             end of all inputs: emit whole values
 *   finalize(state)                  whenever init set a state (never with
 *                                    NULL); must accept a half-initialised
 *                                    state (init may have failed midway)
 * The scheduler calls finish() in dependency order, so a whole-value stage
 * (a trainer, a classifier) has all its inputs when its finish() runs.
 *
 * Flow values travel upstream by return value: dp_stage_push() returns
 * what the consumers' process() returned, combined (see DpFlow), and a
 * stage that pushes from process() returns that value unless it has a
 * reason of its own.  Unlike GStreamer's chain function, process() does
 * not take the batch: it borrows it for the call (one batch may go to
 * several consumers, none of which may change it).
 */
#pragma once

#include "dp-api.h"

#include <glib.h>
#include <gmodule.h>
#include <stddef.h>
#include "dp-batch.h"

G_BEGIN_DECLS

/* The ABI version: bumped whenever DpPluginDesc, a public struct's layout
 * or a callback's meaning changes, so that a plugin built against another
 * version is refused at load time instead of misbehaving.  Adding a
 * function to the library does not bump it; changing one does.
 *   1: the first release
 *   2: flow values (process returns DpFlow and gets its upstream's name,
 *      dp_stage_push returns DpFlow), the check callback
 *   3: IPv6 addresses as name-map keys, new decode results
 *   4: table columns carry flags (DP_COLUMN_TIME, DP_COLUMN_NULLABLE) and
 *      a bitmap of null cells (DpColumn grew) */
#define DP_ABI_VERSION 4u

/* What a consumer says to its producer, returned by process() and by
 * dp_stage_push().  Negative values end the run. */
typedef enum {
  DP_FLOW_OK = 0,          /* go on */
  DP_FLOW_STOP = 1,        /* this consumer wants no more on this link
                            * (a limit reached, a live window closed): not
                            * an error; dp_stage_push returns it once every
                            * consumer of the port said so */
  DP_FLOW_CANCELLED = -1,  /* the run was interrupted (SIGINT/SIGTERM): stop,
                            * push nothing more, write no output */
  DP_FLOW_ERROR = -2,      /* a stage failed: the one that failed set its
                            * GError (a callback that merely passes on the
                            * value of dp_stage_push sets none) */
} DpFlow;

/* What a plugin is, for listings and documentation (what it may do is
 * decided by its ports). */
typedef enum {
  DP_KIND_SOURCE = 0,   /* reads or makes data: captures, traces, labels, vectors */
  DP_KIND_DETECTOR,     /* per-source analysis of packets (the taxonomy) */
  DP_KIND_CORPUS,       /* packets to word2vec sentences (DarkVec, IP2VEC, DANTE) */
  DP_KIND_TRAINER,      /* learns vectors (word2vec, the port baseline) */
  DP_KIND_CLUSTERER,    /* groups vectors (kNN graph, Louvain, k-means) */
  DP_KIND_SINK,         /* writes or shows results */
  DP_KIND_TRANSFORM,    /* same kind of data in and out: filters, z-score, anonymisation */
  DP_KIND_EVALUATOR,    /* measures results against labels or each other */
  DP_KIND_COUNT_
} DpPluginKind;

/** (transfer none) "source", "detector", … for @kind ("unknown" out of range); thread-safe. */
DP_API const char *dp_plugin_kind_name (DpPluginKind kind);

/* Port flags */
#define DP_PORT_OPTIONAL 0x1u  /* an input that may stay unconnected */
#define DP_PORT_MULTI    0x2u  /* an input that accepts several upstreams */
/* Output ports of a DP_PLUGIN_PER_SOURCE plugin: how rank 0 merges the
 * tables of the ranks into what one process pushes (MPI only). */
#define DP_PORT_MERGE_ORDERED 0x4u /* rows are in order of their first column
                                    * (int64), then of their first ipv4 column
                                    * (address order: IPv4, then names as the
                                    * input first met them); each value pair
                                    * comes from one rank, whose rows of it stay
                                    * together */
#define DP_PORT_MERGE_SUM 0x8u     /* rows with equal first (int64) and second
                                    * columns are one row, their other int64
                                    * columns summed; one table per first-column
                                    * value, rows in first-seen order */

/* A column of a table port: on an output, one the tables always have; on
 * an input, one the plugin reads (needed unless DP_COLUMN_OPTIONAL).  The
 * loader refuses wiring an output to an input whose needed columns it does
 * not declare (when both sides declare theirs), and at run time a table
 * that arrives without a needed column is reported by name
 * (`missing-column`).  On a packets input: the packet columns the plugin
 * reads, by their DpPackets names (DP_PACKET_COLUMNS; the type is only
 * documentation); under MPI only those are sent to the rank that runs it,
 * the others arrive as zeros.  A plugin that passes packets on declares
 * none (its consumers read them too). */
typedef struct {
  const char *name;
  DpColType type;
  guint flags;         /* DP_COLUMN_OPTIONAL; on an output also DP_COLUMN_TIME and
                        * DP_COLUMN_NULLABLE (dp-batch.h), which the tables'
                        * columns carry (documentation: the loader checks names
                        * and types only) */
} DpColumnDesc;

#define DP_COLUMN_OPTIONAL 0x1u

typedef struct {
  const char *name;
  DpBatchType type;
  guint flags;
  const char *doc;
  const DpColumnDesc *columns;   /* table ports: the schema, or NULL (undeclared) */
  guint n_columns;
} DpPortDesc;

/* The last two fields of a DpPortDesc from a DpColumnDesc array. */
#define DP_PORT_COLUMNS(cols) (cols), DP_N_ELEMENTS (cols)

typedef enum {
  DP_OPT_BOOL = 0,   /* gboolean */
  DP_OPT_INT,        /* gint64 */
  DP_OPT_UINT,       /* guint64 */
  DP_OPT_DOUBLE,     /* double */
  DP_OPT_STRING,     /* char * (owned by the core) */
  DP_OPT_PATH,       /* char * (owned by the core) */
  DP_OPT_ENUM,       /* int: index into choices */
  DP_OPT_DURATION,   /* gint64 nanoseconds; text "90s", "1h", "250ms", "2d" */
  DP_OPT_SIZE,       /* guint64 bytes; text "64M", "4k", "1G" (binary units) */
  DP_OPT_CIDR,       /* DpCidr */
  DP_OPT_STRLIST,    /* char ** (NULL-terminated, owned by the core) */
  DP_OPT_TYPE_COUNT_
} DpOptType;

/** (transfer none) "bool", "int", … for @type, as the docs name option types; thread-safe. */
DP_API const char *dp_opt_type_name (DpOptType type);

typedef struct {
  guint32 addr;    /* network address, host order, host bits cleared */
  guint32 mask;
  guint8 prefix;
} DpCidr;

/* Option flags */
#define DP_OPT_REQUIRED 0x1u   /* no default: the pipeline must set it */
#define DP_OPT_RANGE    0x2u   /* min/max are checked (inclusive) */
#define DP_OPT_INPUT    0x4u   /* DP_OPT_PATH/STRLIST naming files the stage reads
                                * (relative to the working directory; may be globs) */
#define DP_OPT_OUTPUT   0x8u   /* DP_OPT_PATH naming a file the stage writes (relative to
                                * the output directory); with DP_OPT_DIR a directory */
#define DP_OPT_DIR      0x10u

typedef struct {
  const char *name;
  DpOptType type;
  const char *default_text;    /* parsed by the same parser as YAML values; NULL = unset */
  gsize offset;                /* offsetof (Config, field) */
  guint flags;
  double min, max;             /* with DP_OPT_RANGE; durations in seconds, sizes in bytes */
  const char *const *choices;  /* DP_OPT_ENUM: NULL-terminated */
  const char *doc;             /* one sentence */
} DpOptionDesc;

#define DP_OPTION(n, t, def, st, field, doc_) \
  { (n), (t), (def), offsetof (st, field), 0, 0, 0, NULL, (doc_) }
#define DP_OPTION_RANGE(n, t, def, st, field, lo, hi, doc_) \
  { (n), (t), (def), offsetof (st, field), DP_OPT_RANGE, (lo), (hi), NULL, (doc_) }
#define DP_OPTION_ENUM(n, def, st, field, choices_, doc_) \
  { (n), DP_OPT_ENUM, (def), offsetof (st, field), 0, 0, 0, (choices_), (doc_) }
#define DP_OPTION_REQUIRED(n, t, st, field, doc_) \
  { (n), (t), NULL, offsetof (st, field), DP_OPT_REQUIRED, 0, 0, NULL, (doc_) }
/* an option with any of the flags above, e.g. DP_OPT_REQUIRED | DP_OPT_OUTPUT */
#define DP_OPTION_FLAGS(n, t, def, st, field, flags_, doc_) \
  { (n), (t), (def), offsetof (st, field), (flags_), 0, 0, NULL, (doc_) }

typedef struct _DpStage DpStage;
typedef struct _DpContext DpContext;

/* Plugin flags */
#define DP_PLUGIN_THREADED 0x1u   /* finish() uses dp_stage_threads() threads: the
                                   * scheduler grants it several of the run's
                                   * threads (and may grant more while it runs) */
/* What a plugin does under MPI (`mpirun -np N darkpipe run`, N > 1; see
 * docs/scale-out.md).  Sources with DP_PLUGIN_SPLITS_INPUT run on every
 * rank, other sources on rank 0; stages fed by sources only with
 * DP_PLUGIN_PER_SOURCE on the sources each rank owns; stages with
 * DP_PLUGIN_COLLECTIVE finish on every rank; everything else on rank 0
 * (fed every packet in one process's order, and the per-source stages'
 * ports that carry a DP_PORT_MERGE_* flag, merged; a port without one is
 * refused at start). */
#define DP_PLUGIN_SPLITS_INPUT 0x2u /* a source that, with dp_stage_n_ranks() = n > 1,
                                   * reads its records in blocks of batch-size
                                   * records (its `batch_rows` option), decodes
                                   * block b only on rank b mod n, and pushes
                                   * each block it decodes as exactly one batch
                                   * (possibly empty), in order: record order is
                                   * the order one process would push them in */
#define DP_PLUGIN_PER_SOURCE 0x4u  /* process() keeps state per source address
                                   * only: under MPI each rank runs it on the
                                   * packets of the sources it owns (routed by a
                                   * hash of the source address), and rank 0
                                   * merges its table outputs */
#define DP_PLUGIN_COLLECTIVE 0x10u /* finish() runs on every rank, in the same
                                   * order, and shares its work through the
                                   * dp_stage_ranks_* collectives; its inputs
                                   * reach it on rank 0 only, and only rank 0's
                                   * pushes are delivered (word2vec, kNN) */
#define DP_PLUGIN_EVENT_TIME 0x8u  /* with PER_SOURCE: its duration options
                                   * `window` and `slack` say when a packet is
                                   * late: when its window (ts / window) ends
                                   * more than slack before the newest packet
                                   * so far; under MPI the core drops those in
                                   * the one-process order, before routing,
                                   * counting them as `late-dropped` */

typedef struct {
  guint32 abi_version;
  guint32 struct_size;
  DpPluginKind kind;
  const char *name;       /* == file stem == YAML plugin: */
  const char *summary;    /* one line */
  const char *version;
  const char *doc;        /* optional longer Markdown, for docs/plugins/NAME.md */

  const DpPortDesc *inputs;
  guint n_inputs;
  const DpPortDesc *outputs;
  guint n_outputs;
  const DpOptionDesc *options;
  guint n_options;
  gsize config_size;

  gboolean (*init) (DpStage *stage, const void *config, void **state, GError **error);
  /* FALSE with @error set when the source failed; a source that stopped
   * because dp_stage_push said so returns TRUE */
  gboolean (*run) (DpStage *stage, void *state, GError **error);
  /* DP_FLOW_ERROR with @error set when this stage failed */
  DpFlow (*process) (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch,
                     GError **error);
  gboolean (*finish) (DpStage *stage, void *state, GError **error);
  void (*finalize) (void *state);
  /* optional: validates a finished config at load time, before any stage
   * starts; report with dp_stage_config_error() to point at an option */
  gboolean (*check) (DpStage *stage, const void *config, GError **error);
  /* DP_PLUGIN_* flags */
  gsize flags;

  gpointer reserved[4];
} DpPluginDesc;

#define DP_N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

/* Defines the one exported symbol.  Usage:
 *   DP_PLUGIN_DEFINE (pcap, { .kind = DP_KIND_SOURCE, .summary = ..., ... })
 * abi_version, struct_size and name are filled in. */
#define DP_PLUGIN_DEFINE(plugin_name, ...)                                      \
  G_MODULE_EXPORT const DpPluginDesc *dp_plugin_##plugin_name##_get_desc (void); \
  G_MODULE_EXPORT const DpPluginDesc *dp_plugin_##plugin_name##_get_desc (void)  \
  {                                                                             \
    static const DpPluginDesc desc_ = {                                         \
      .abi_version = DP_ABI_VERSION,                                            \
      .struct_size = sizeof (DpPluginDesc),                                     \
      .name = #plugin_name,                                                     \
      __VA_ARGS__                                                               \
    };                                                                          \
    return &desc_;                                                              \
  }

/* ------------------------------------------------------------------ */
/* What a running plugin may ask of its stage.
 *
 * Threads: the core runs a stage's callbacks on one thread at a time
 * (branches run at once, but never one stage twice), so the functions
 * below, called from the stage's own callbacks, need no locking; a
 * plugin's own worker threads may call only dp_stage_cancelled,
 * dp_stage_threads and dp_stage_progress.  @stage is never NULL. */

/** Hands @batch (transfer full: the reference is taken over, also on
 * failure; not NULL) to every consumer of output port @out_port that
 * still wants data, and returns their flow: DP_FLOW_ERROR or
 * DP_FLOW_CANCELLED once any stage of the run failed or the run was
 * interrupted (whatever this push did), DP_FLOW_STOP when every consumer
 * of the port has said DP_FLOW_STOP (now or before), else DP_FLOW_OK.  A
 * port that no stage consumes returns DP_FLOW_STOP (nobody wants its
 * data; GStreamer's "not linked"), except in a test harness, which keeps
 * everything.  The consumers borrow the batch: nobody may change it after
 * it is pushed.  Sources stop producing on anything but DP_FLOW_OK. */
DP_API DpFlow dp_stage_push (DpStage *stage, guint out_port, gpointer batch);
/** Pushes the packets batch *@batch (borrowed: the stage keeps its
 * reference) and leaves *@batch ready for the next rows: emptied in place
 * when no consumer kept a reference (a fresh batch per push costs page
 * faults and zeroing in a fast source), else replaced by a new batch of
 * the same capacity and name map (the old reference is dropped).  Rows of
 * a batch emptied in place are not zeroed again: the source must write
 * every column of each row.  Returns what dp_stage_push returns. */
DP_API DpFlow dp_stage_push_packets (DpStage *stage, guint out_port, DpPackets **batch);
/** (transfer none) the stage's name in the pipeline (the plugin's name
 * under the harness); valid for the stage's life. */
DP_API const char *dp_stage_name (const DpStage *stage);
/** Threads this stage may use now (>= 1): its share of --threads, which is
 * the run's total; the stage's `threads` key caps it.  When branches run
 * at the same time, a DP_PLUGIN_THREADED stage gets part of the budget, and
 * the value may grow while it runs (when other stages end): a stage that
 * can add threads mid-way asks again between units of work.  Any thread. */
DP_API guint dp_stage_threads (const DpStage *stage);
/** The most threads the stage may be granted in this run: its `threads`
 * key, else --threads, never more than --threads. */
DP_API guint dp_stage_threads_max (const DpStage *stage);
/** TRUE once the run was interrupted (SIGINT/SIGTERM) or a stage failed:
 * for long computations inside one callback (training, clustering) to
 * stop soon.  Streaming code gets the same news from dp_stage_push().
 * Any thread (an atomic read). */
DP_API gboolean dp_stage_cancelled (const DpStage *stage);
/** A source whose input has no end of its own (a network interface)
 * says so as its run() starts: while run() goes on, an interruption
 * (dp_context_interrupt, which the command calls on SIGINT/SIGTERM) ends
 * that input instead of cancelling the run, so that every stage then
 * finishes and writes its output.  The mark ends when run() returns. */
DP_API void dp_stage_set_live (DpStage *stage);
/** TRUE once the run was asked to end its live input (see
 * dp_stage_set_live): a live source then stops reading, pushes what it
 * holds and returns TRUE from run().  Any thread (an atomic read). */
DP_API gboolean dp_stage_input_stopped (const DpStage *stage);
/** In check(): sets @error (DP_CONFIG_ERROR, @code; @error may be NULL)
 * and notes that it is about option @option (nullable: the stage as a
 * whole), whose position in the pipeline file then heads the message.
 * Returns FALSE, for `return dp_stage_config_error (…);`. */
DP_API gboolean dp_stage_config_error (DpStage *stage, GError **error, gint code, const char *option,
                                       const char *format, ...) G_GNUC_PRINTF (5, 6);
/** In check(): notes that the error check() returns (of any domain, e.g.
 * a G_FILE_ERROR for a missing file) is about option @option (nullable:
 * the stage); the name is copied. */
DP_API void dp_stage_check_option (DpStage *stage, const char *option);
/** In check() or later: TRUE when input port @in_port is wired in the
 * pipeline (always FALSE under the harness, which has no wiring; FALSE
 * for a port the plugin does not have). */
DP_API gboolean dp_stage_input_connected (const DpStage *stage, guint in_port);
/** Progress for the terminal bar: @done of @total (0 if unknown) work
 * units.  Cheap (drawn at most five times a second); any thread. */
DP_API void dp_stage_progress (DpStage *stage, guint64 done, guint64 total);
/** Adds @n to the named counter (@counter copied on first use, not NULL)
 * shown in the end-of-run summary and read by dp_harness_counter. */
DP_API void dp_stage_count (DpStage *stage, const char *counter, guint64 n);

/** Bad input is data, not an error.  Records one occurrence of @category
 * (not NULL, e.g. "short-snap", "bad-line"; listed in docs/errors.md) with
 * a message naming file and line/offset.  The first few messages of each
 * category are printed; all are counted.  Returns TRUE to go on (on_error:
 * skip) or FALSE with @error set (DP_DATA_ERROR_MALFORMED) when the
 * stage's on_error is fail. */
DP_API gboolean dp_stage_data_error (DpStage *stage, GError **error, const char *category,
                                     const char *format, ...) G_GNUC_PRINTF (4, 5);

/** Writes an informational line to the run log (stderr unless --quiet),
 * control characters escaped; under MPI only rank 0's (it speaks for the
 * job).  Serialised with the other stages' lines. */
DP_API void dp_stage_info (DpStage *stage, const char *format, ...) G_GNUC_PRINTF (2, 3);
/** Writes "darkpipe: warning: STAGE: message" to stderr even with --quiet:
 * for what an operator must see although the run goes on (data dropped as
 * late, say).  Control characters escaped; serialised as dp_stage_info. */
DP_API void dp_stage_warning (DpStage *stage, const char *format, ...) G_GNUC_PRINTF (2, 3);

/** This process's rank in an MPI job (0 .. dp_stage_n_ranks() - 1); 0 in
 * one process and under the test harness.  Any thread. */
DP_API guint dp_stage_rank (const DpStage *stage);
/** How many ranks the job has: the N of `mpirun -np N`, 1 without a
 * launcher (darkpipe then never initialises MPI).  A source with
 * DP_PLUGIN_SPLITS_INPUT reads its share with it; other plugins need not
 * look.  Any thread. */
DP_API guint dp_stage_n_ranks (const DpStage *stage);
/* The collectives of a DP_PLUGIN_COLLECTIVE stage's finish(): every rank
 * calls the same ones in the same order, from the thread that runs
 * finish().  In one process each is a copy or nothing. */
/** Rank 0's bytes to every rank: on rank 0 *@bytes (transfer none) is what
 * it shares, or NULL when it failed (the others then fail too); on the
 * other ranks *@bytes is replaced by a copy (transfer full; unref it).
 * Returns FALSE, on every rank, when rank 0 shared NULL, with @error set on
 * the ranks other than 0 (rank 0 reports its own failure). */
DP_API gboolean dp_stage_ranks_share (DpStage *stage, GBytes **bytes, GError **error);
/** Sums the @n floats at @v (not NULL unless @n is 0) of every rank into
 * each rank's @v (an all-reduce). */
DP_API void dp_stage_ranks_sum (DpStage *stage, float *v, gsize n);
/** Every rank's @mine (transfer none, not NULL) to rank 0: there it returns
 * (transfer full) an array of dp_stage_n_ranks() byte buffers in rank
 * order (free it with g_ptr_array_unref); NULL on the other ranks. */
DP_API GPtrArray *dp_stage_ranks_gather (DpStage *stage, GBytes *mine);
/** (transfer none) the context the stage runs in; never NULL (the
 * harness has one too).  Valid for the stage's life. */
DP_API DpContext *dp_stage_context (const DpStage *stage);
/** (transfer none) the output directory of the run: --output-dir, else
 * the pipeline's `output_dir`, else "." (also for a NULL @ctx). */
DP_API const char *dp_context_output_dir (const DpContext *ctx);

typedef struct {
  const char *plugin;    /* (transfer none) the plugin's name */
  DpPluginKind kind;
  guint64 rows_in, rows_out;
  double seconds;        /* time spent in the stage's own callbacks */
  double peak_mb;        /* the process's peak resident memory while the stage ran its run/finish */
  gboolean finished;
} DpStageStats;

/** Statistics of stage @name (not NULL) of the same run into @out (not
 * NULL); FALSE when there is no such stage.  Read them once the stage has
 * finished (a stage downstream of it, in its own finish); figures of a
 * stage still running are not synchronised. */
DP_API gboolean dp_stage_peer_stats (const DpStage *stage, const char *name, DpStageStats *out);
/** (transfer full) the names of the stages feeding stage @name, NULL-
 * terminated (empty when there is no such stage); free with g_strfreev. */
DP_API char **dp_stage_peer_inputs (const DpStage *stage, const char *name);
/** (transfer full, nullable) the value of option @option of stage @name of
 * the same run, as text (a list joined with commas, an unset string ""),
 * or NULL when there is no such stage or option; free with g_free.  What
 * a source read is better asked of dp_stage_peer_provenance. */
DP_API char *dp_stage_peer_option (const DpStage *stage, const char *name, const char *option);
/* Where a source's data came from, for reports and logs. */
typedef struct {
  const char *const *files;   /* the files it read, in the order read (NULL-terminated; nullable) */
  const char *origin;         /* how the data was made when not read, e.g. "synthetic, seed 1" (nullable) */
  gint64 first_ns, last_ns;   /* time range of the packets it pushed (first > last: none) */
  guint64 packets;            /* packets it pushed */
} DpProvenance;

/** A source says it reads @path (not NULL; copied): call it as the file is
 * opened.  The core keeps the list, with the time range and count of the
 * packets the stage pushes, for dp_stage_peer_provenance. */
DP_API void dp_stage_provenance_add_file (DpStage *stage, const char *path);
/** A source whose data is not read from files says what made it (@origin
 * copied; nullable to clear it). */
DP_API void dp_stage_provenance_set_origin (DpStage *stage, const char *origin);
/** The provenance of stage @name of the same run, into @out (its pointers
 * are transfer none: valid while the run's stages exist and the source
 * adds no file); FALSE when there is no such stage.  Read it once the
 * source has finished. */
DP_API gboolean dp_stage_peer_provenance (const DpStage *stage, const char *name, DpProvenance *out);

/** (transfer none, nullable) the `pipeline:` name of the pipeline the
 * stage belongs to; NULL outside a pipeline (a test harness). */
DP_API const char *dp_stage_pipeline_name (const DpStage *stage);
/** (transfer none, nullable) the file that pipeline was loaded from; NULL
 * outside a pipeline. */
DP_API const char *dp_stage_pipeline_file (const DpStage *stage);

/** (transfer full, nullable) @path resolved for writing: a relative path
 * goes below the run's output directory, an absolute one and "-" (the
 * standard output, see dp_outfile_open) stay; NULL for a NULL @path.  Free
 * with g_free. */
DP_API char *dp_stage_output_path (const DpStage *stage, const char *path);

G_END_DECLS
