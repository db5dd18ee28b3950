/* report.h — the report sink's shared types: the inputs it kept, the
 * charts it made, and the SVG primitives the chart families draw with. */
#pragma once

#include <glib.h>
#include "darkpipe.h"

G_BEGIN_DECLS

typedef struct {
  char *path;
  char *svg_dir;
  char *title;
  guint64 top_n;
  guint64 max_points;
  guint64 max_clusters;
  guint64 top_clusters;
  gint64 bin_ns;
  guint64 top_networks;
} ReportConfig;

/* Input ports, in the descriptor's order. */
typedef enum {
  REPORT_IN_TAX_SUMMARY = 0,
  REPORT_IN_TAX_EVENTS,
  REPORT_IN_TAX_SOURCES,
  REPORT_IN_REPORT,
  REPORT_IN_PREDICTIONS,
  REPORT_IN_COMPARISON,
  REPORT_IN_CLUSTERS,
  REPORT_IN_PROFILE,
  REPORT_IN_SILHOUETTE,
  REPORT_IN_EMBEDDING,
  REPORT_IN_LABELS,
  REPORT_IN_PACKETS,
  REPORT_IN_ENRICHED,
  REPORT_IN_NEW_CAMPAIGNS,
  REPORT_N_INPUTS
} ReportInputPort;

typedef struct {
  char *origin;      /* the stage that pushed it (method name), or "input N" */
  DpBatch *batch;
} ReportInput;

/* Packets per time bin and protocol family (tcp, udp, icmp, other). */
#define REPORT_N_PROTO 4
typedef struct {
  GHashTable *bins;  /* bin index (gint64*) -> guint64[REPORT_N_PROTO] */
  guint64 packets;
  gint64 ts_min, ts_max;
} ReportTraffic;

typedef struct {
  char *id;          /* file stem of the standalone SVG, anchor in the page */
  char *section;     /* "taxonomy", "methods", "embedding", "clusters" */
  char *title;
  char *caption;     /* plain text */
  GString *svg;      /* SVG body (no root element); NULL for an HTML-only block */
  guint width, height;
  GString *html;     /* extra XHTML after the figure (tables); may be NULL */
} ReportChart;

typedef struct _ReportSources ReportSources;
typedef struct _ReportEvents ReportEvents;

typedef struct {
  const ReportConfig *cfg;
  DpStage *stage;
  ReportSources *sources;               /* taxonomy.sources, summed as they arrive */
  ReportEvents *events;                 /* taxonomy.events, counted as they arrive */
  GPtrArray *inputs[REPORT_N_INPUTS];   /* ReportInput* */
  ReportTraffic traffic;
  GPtrArray *charts;                    /* ReportChart* */
  GPtrArray *findings;                  /* char*: one sentence each, for "at a glance" */
} Report;

/* report.c */
ReportChart *report_chart_add (Report *r, const char *section, const char *id,
                               const char *title, const char *caption);
/** Adds a sentence to the page's "at a glance" list (plain text). */
void report_finding (Report *r, const char *format, ...) G_GNUC_PRINTF (2, 3);
/** The tables that arrived on @port (transfer none), or NULL when none. */
GPtrArray *report_inputs (Report *r, ReportInputPort port);
const char *report_origin (Report *r, ReportInputPort port, guint i);
/** The @i-th table that arrived on @port (transfer none; @i must exist). */
const DpTable *report_table (Report *r, ReportInputPort port, guint i);
/** The last table that arrived on @port (transfer none), or NULL when none. */
const DpTable *report_last_table (Report *r, ReportInputPort port);
/** Column @name of @t when it has type @type, else -1. */
gint report_col (const DpTable *t, const char *name, DpColType type);
/** (transfer full) Rows of a labels table by the text of its key column
 * @key_col as the tables print it: text -> row + 1, the first row wins.
 * With @skip_empty, rows whose key prints empty are left out. */
GHashTable *report_label_index (const DpTable *t, guint key_col, gboolean skip_empty);
/** A cell as a double (int64 or double columns; NAN otherwise). */
double report_cell_num (const DpTable *t, gint col, guint row);

/** The key of address @addr of table @t that means the same address in
 * every table: an address below 240.0.0.0 as it is, a key of 240.0.0.0/4
 * (an entry of @t's name map: an IPv6 address or a pseudonym; or itself
 * when the map lacks it) the key of its text in @names, which the caller
 * keeps for printing (dp_ipv4_format). */
guint32 report_address_key (DpNameMap *names, const DpTable *t, guint32 addr);
/** Distinct values of an ipv4 or int64 column @col over the tables of
 * @port, addresses by what they stand for; -1 when no table has it. */
gint64 report_distinct (Report *r, ReportInputPort port, const char *col);

/** (transfer container) the keys of @h. */
GPtrArray *report_hash_keys (GHashTable *h);

/* chart families */
void report_charts_taxonomy (Report *r);
void report_charts_methods (Report *r);
void report_charts_embedding (Report *r);
void report_charts_clusters (Report *r);
void report_charts_taxonomy_sources (Report *r);
/** The day's new campaigns (the new_campaigns input), flagged rows. */
void report_charts_campaigns (Report *r);
/** Countries and ASes of the sources (the enriched input). */
void report_charts_networks (Report *r);
/** (transfer full, *@windows) the distinct window starts of the taxonomy
 * summaries (gint64 seconds, sorted) and the seconds one window lasts;
 * FALSE when no window arrived. */
gboolean report_tax_windows (Report *r, GArray **windows, double *window);
/** Index of the pattern family of a taxonomy pattern name (its colour in the palette). */
guint report_tax_family (const char *pattern);
/* charts-sources.c: the per-window taxonomy tables are folded in on arrival */
void report_sources_add (Report *r, const DpTable *t);
void report_events_add (Report *r, const DpTable *t);
/** Distinct sources of taxonomy.sources, or -1 when none arrived. */
gint64 report_sources_count (Report *r);
void report_sources_free (Report *r);

/* ------------------------------------------------------------------ */
/* svg.c: primitives.  Every chart draws into a GString with presentation
 * attributes only (no CSS classes), so the standalone SVG files look the
 * same as the figures in the page. */

extern const char *const report_palette[];   /* Okabe-Ito then Tableau-like, 20 colours */
#define REPORT_N_PALETTE 20
#define REPORT_GREY "#b8b8b8"
#define REPORT_FONT "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

/** Appends @text with &, <, >, " and ' escaped, control bytes dropped and
 * invalid UTF-8 replaced by U+FFFD. */
void report_esc (GString *out, const char *text);
void report_esc_printf (GString *out, const char *format, ...) G_GNUC_PRINTF (2, 3);
/** Characters in @text (invalid UTF-8 counted as replacement characters; NULL: 0). */
glong report_text_len (const char *text);
/** 1234 -> "1.2k", 15335 -> "15k", 2.5e6 -> "2.5M"; small values with
 * up to 2 decimals. */
const char *report_fmt_si (double v, char buf[static 32]);
/** 15335 -> "15,335". */
const char *report_fmt_int (gint64 v, char buf[static 32]);
/** A ratio with @digits decimals, "–" for NaN. */
const char *report_fmt_ratio (double v, int digits, char buf[static 32]);
/** Sequential colour (light to dark blue) for t in [0, 1]. */
const char *report_ramp (double t, char buf[static 8]);

/* axis.c: the axes as numbers */

/** A 1-2-5 step giving about @n ticks from 0 to @max; with @integer (a
 * count) at least 1 and whole. */
double report_axis_step (double max, guint n, gboolean integer);
/** The top of an axis from 0 with report_axis_step's step: the first
 * multiple of the step at or above @max (1 when @max is not positive). */
double report_axis_top (double max, guint n, gboolean integer);
/** The time step (seconds: 1 s .. 30 min, hours dividing a day, 1, 2, 7,
 * 14 ... days) giving at most @max_ticks ticks over @span seconds. */
double report_time_step (double span, guint max_ticks);

typedef struct {
  double t;          /* seconds since the epoch, UTC */
  gboolean date;     /* a date in the second row (a day change, or the start); else a tick */
  char label[32];    /* "06:00", or "2021-03-01" for dates and for ticks of a day or more */
} ReportTimeMark;

/** (transfer full) The marks of a time axis over [@t0, @t1] seconds drawn
 * @width_px wide: ticks at whole multiples of a step about 80 px apart,
 * labelled with the time of day (or the date when the step is a day or
 * more), then, for steps below a day, a date mark at every midnight UTC
 * and at @t0 when the first midnight is not close.  Ticks first, each
 * group in time order.  Empty when @t1 <= @t0. */
GArray *report_time_marks (double t0, double t1, double width_px);
/** A mean as text: never "0" for a value that is not zero ("<0.01"),
 * whole numbers without decimals, 2 decimals below 10, k/M above 1000. */
const char *report_fmt_mean (double v, char buf[static 32]);
/** Seconds covered by @n bins starting at @starts (increasing), each
 * @width seconds long (a bin ends early where the next starts before its
 * end), and in *@stretches (nullable) the runs of bins without a gap of
 * half a bin or more between them. */
double report_time_cover (const double *starts, guint n, double width, guint *stretches);
/** 42 -> "42 s", 5400 -> "1.5 h", 3 days -> "3.0 d". */
const char *report_fmt_duration (double seconds, char buf[static 32]);

typedef struct {
  guint n_x, n_series;
  const char *const *x_labels;   /* short axis labels (NULL: none) */
  const char *const *x_tips;     /* full text for tooltips (NULL: x_labels) */
  const char *const *series;     /* n_series names (legend) */
  const char *const *colours;    /* NULL: the palette */
  const double *values;          /* n_series x n_x, series-major */
  const char *x_title, *y_title;
  const char *unit;              /* in tooltips: "630 sources" */
  guint label_every;             /* x label on every k-th bar (0: auto) */
  /* A real time axis (x_times not NULL): bar x starts at x_times[x]
   * (seconds, UTC, increasing) and spans x_width seconds on an axis from
   * t0 to t1; stretches without bars are drawn as gaps. */
  const double *x_times;
  double x_width, t0, t1;
} ReportBars;

/** Stacked vertical bars (one series: plain bars).  Sets *w, *h. */
void report_svg_bars (GString *s, const ReportBars *b, guint *w, guint *h);

typedef struct {
  guint n_cat, n_series;
  const char *const *cats;
  const char *const *series;
  const char *const *notes;      /* right-hand note per category (NULL: none) */
  const double *values;          /* n_series x n_cat; NAN: no bar */
  double vmin, vmax;             /* axis range; vmin < 0 draws a zero line */
  const char *x_title;
  int digits;                    /* decimals of values in labels and tips */
  gboolean value_labels;         /* print the value at the end of each bar */
  const char *const *colours;    /* NULL: palette; one per series */
  gboolean colour_sign;          /* one series: negative bars vermillion */
  gboolean counts;               /* values are counts: whole-number ticks, k/M in labels */
} ReportHBars;

/** Horizontal grouped bars. */
void report_svg_hbars (GString *s, const ReportHBars *b, guint *w, guint *h);

typedef struct {
  guint n_rows, n_cols;
  const char *const *rows, *const *cols;
  const char *const *col_tips;   /* column names in tooltips (NULL: cols) */
  const double *values;          /* row-major; shown in tips and cells; NAN: empty */
  const double *shade;           /* row-major colour values in [0, 1] (NULL: values / max) */
  gboolean log_shade;            /* shade = log1p(v) / log1p(max) when shade is NULL */
  gboolean cell_text;            /* print values inside the cells */
  int digits;                    /* decimals for values (0: integers with k/M) */
  const char *row_title, *col_title;
  const char *unit;              /* tooltip: "row → col: 12 unit" */
  const char *legend;            /* colour legend caption */
  guint cell_w, cell_h;          /* 0: defaults */
  gboolean rotate_cols;          /* column labels at 45° */
  guint label_every;             /* column label on every k-th column (0: all) */
  /* A real time axis, as in ReportBars: column c at col_times[c]. */
  const double *col_times;
  double col_width, t0, t1;
} ReportHeat;

void report_svg_heat (GString *s, const ReportHeat *hm, guint *w, guint *h);

typedef struct {
  guint n;
  const double *x, *y;
  const guint *group;            /* per point, index into groups */
  guint n_groups;
  const char *const *groups;     /* names */
  const char *const *colours;    /* per group */
  const char *const *tips;       /* per point (NULL: group name) */
  const gboolean *annotate;      /* per group: write its name at its centroid */
  const char *x_title, *y_title;
} ReportScatter;

void report_svg_scatter (GString *s, const ReportScatter *sc, guint *w, guint *h);

/** Opens a standalone or inline <svg> root around a body. */
void report_svg_wrap (GString *out, const ReportChart *c, gboolean standalone);

G_END_DECLS
