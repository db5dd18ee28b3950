/* taxonomy.c — the darknet traffic taxonomy of Liu & Fukuda as a streaming
 * detector: the plugin descriptor, options and windowing (per-packet
 * aggregation: taxonomy-packet.c; the tables: taxonomy-table.c).
 *
 * One pass: each packet is kept in its window, by source partition
 * (taxonomy-parts.c); when the window closes, each partition in turn is
 * made into its distinct (src, dst, class|port) triples, from which
 * everything else (pairs, ports, per-source categories, the rules) is
 * derived (taxonomy-close.c), the rows going to the window's tables
 * (taxonomy-emit.c).  The decisions on the reference notebook's quirks are
 * in docs/taxonomy.md. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "taxonomy.h"

const char *const taxonomy_pattern_names[TAX_N_PATTERNS] = {
  "port_scan_tcp_heavy", "port_scan_tcp_light", "port_scan_udp_heavy", "port_scan_udp_light",
  "net_scan_tcp_heavy", "net_scan_tcp_light", "net_scan_udp_heavy", "net_scan_udp_light",
  "net_scan_icmp_heavy", "net_scan_icmp_light", "one_flow_tcp", "one_flow_udp",
  "backscatter_tcp", "backscatter_udp", "backscatter_icmp", "ip_fragment",
  "small_syn", "small_udp", "small_ping", "other_tcp", "other_udp", "other_icmp", "other",
};

/* ------------------------------------------------------------------ */
/* windows */

static gint64
taxonomy_sat_add (gint64 a, gint64 b)
{
  gint64 r;
  return __builtin_add_overflow (a, b, &r) ? G_MAXINT64 : r;
}

static gint64
taxonomy_sat_mul (gint64 a, gint64 b)
{
  gint64 r;
  if (__builtin_mul_overflow (a, b, &r))
    return (a < 0) != (b < 0) ? G_MININT64 : G_MAXINT64;
  return r;
}

/* The window of @ts: multiples of window on the wall clock of tz (UTC:
 * since the epoch). */
gint64
taxonomy_index_of (Taxonomy *self, gint64 ts)
{
  return dp_floor_div (tz_zone_local (&self->zone, ts), self->cfg.window_ns);
}

/* Where window @index starts (ns since the epoch, saturated). */
gint64
taxonomy_start_of (Taxonomy *self, gint64 index)
{
  return tz_zone_utc (&self->zone, taxonomy_sat_mul (index, self->cfg.window_ns));
}

/* Keeps @w, emptied, for the next window when there is no spare one. */
static void
taxonomy_window_recycle (Taxonomy *self, TaxWindow *w)
{
  if (self->spare == NULL)
    {
      self->spare = w;
      return;
    }
  taxonomy_window_free (w);
}

/* Decides and pushes @w partition by partition, emptying it. */
static void
taxonomy_window_emit (DpStage *stage, Taxonomy *self, TaxWindow *w, gint64 start_ns)
{
  TaxClose c;
  taxonomy_close_init (&c, &self->cfg, start_ns, stage, self->names, &self->scratch);
  taxonomy_close_begin (&c);
  for (guint p = taxonomy_window_next_part (w, 0); p < TAX_N_PARTS; p = taxonomy_window_next_part (w, p + 1))
    {
      taxonomy_part_triples (&self->pool, w, p, &self->triples);
      taxonomy_close_part (&c, &self->triples);
      taxonomy_part_release (&self->pool, w, p);
    }
  taxonomy_close_end (&c);
  w->n_pkt = 0;
  self->stopped |= c.stopped;
  if (self->fatal == DP_FLOW_OK)
    self->fatal = c.fatal;
  dp_stage_count (stage, "windows", 1);
  dp_stage_count (stage, "sources", c.n_sources);
  dp_stage_count (stage, "events", c.n_events);
  self->pushed++;
}

/* Closes (and pushes) every open window with an index below @below. */
static void
taxonomy_close_below (DpStage *stage, Taxonomy *self, gint64 below)
{
  while (self->open->len > 0)
    {
      TaxWindow *w = g_ptr_array_index (self->open, 0);
      if (w->index >= below)
        break;
      g_ptr_array_steal_index (self->open, 0);
      taxonomy_window_emit (stage, self, w, taxonomy_start_of (self, w->index));
      taxonomy_window_recycle (self, w);
    }
  if (below > self->closed_below)
    self->closed_below = below;
}

/* The watermark moved to @ts: windows whose end + slack it passed close. */
void
taxonomy_advance (DpStage *stage, Taxonomy *self, gint64 ts)
{
  const TaxonomyConfig *cfg = &self->cfg;
  gint64 lag;
  if (__builtin_sub_overflow (ts, cfg->slack_ns, &lag))
    lag = G_MININT64;
  gint64 below = taxonomy_index_of (self, lag);
  taxonomy_close_below (stage, self, below);
  self->next_close_ts = taxonomy_sat_add (taxonomy_start_of (self, self->closed_below + 1), cfg->slack_ns);
}

/* The open window of @index (created when new), or NULL when it closed. */
TaxWindow *
taxonomy_window_get (Taxonomy *self, gint64 index)
{
  if (index < self->closed_below)
    return NULL;
  guint k = 0;
  for (; k < self->open->len; k++)
    {
      TaxWindow *w = g_ptr_array_index (self->open, k);
      if (w->index == index)
        return w;
      if (w->index > index)
        break;
    }
  TaxWindow *w = self->spare;
  self->spare = NULL;
  if (w)
    w->index = index;
  else
    w = taxonomy_window_new (index);
  g_ptr_array_insert (self->open, (gint) k, w);
  return w;
}

static gboolean
taxonomy_finish (DpStage *stage, void *state, GError **error)
{
  Taxonomy *self = state;
  const char *path = self->cfg.state_path;
  if (path && !self->cfg.state_final)
    {
      /* the open windows may still get packets from the next run: saved,
       * not emitted */
      TaxClock clock = { self->closed_below, self->next_close_ts, self->max_ts, self->any_ts };
      if (!taxonomy_state_save (path, &self->cfg, &clock, self->open, &self->pool, self->names, error))
        return FALSE;
      dp_stage_count (stage, "windows-saved", self->open->len);
    }
  else
    {
      taxonomy_close_below (stage, self, G_MAXINT64);
      /* the series ends here: the next run starts afresh */
      if (path && g_unlink (path) != 0 && errno != ENOENT)
        dp_stage_warning (stage, "%s: could not remove the state file: %s", path, g_strerror (errno));
    }
  if (self->pool.n_compacted > 0)
    dp_stage_count (stage, "partitions-compacted", self->pool.n_compacted);
  /* packets lost for the tables: said even with --quiet */
  if (self->n_late > 0)
    dp_stage_warning (stage, "%" G_GUINT64_FORMAT " packets came more than the slack (%g s) after a newer one, "
                      "when their window was already written, and were dropped (late-dropped): give "
                      "captures that overlap in time to one pcap source, which merges them by time, or "
                      "raise slack", self->n_late, (double) self->cfg.slack_ns / 1e9);
  if (self->pushed == 0)
    {
      /* no packet: one empty table per port, so consumers see the columns */
      TaxTable none = { 0 };
      TaxClose c;
      taxonomy_close_init (&c, &self->cfg, 0, stage, self->names, &self->scratch);
      taxonomy_close_run (&c, &none);
    }
  return TRUE;
}

static void taxonomy_finalize (void *state);

static gboolean
taxonomy_check (DpStage *stage, const void *config, GError **error)
{
  const TaxonomyConfig *c = config;
  if (c->state_final && !c->state_path)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE, "state_final",
                                  "state_final needs state_path");
  if (!tz_zone_check (stage, "tz", c->tz, error))
    return FALSE;
  /* the state file holds window numbers, which a zone would change unseen */
  if (c->state_path && c->tz && g_ascii_strcasecmp (c->tz, "UTC") != 0)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE, "tz",
                                  "tz '%s' cannot be combined with state_path yet (the state keeps UTC "
                                  "windows); use tz: UTC or no state_path", c->tz);
  /* under MPI: the state file is one process's; a prefix's key order
   * depends on the batches one process saw */
  if (dp_stage_n_ranks (stage) > 1 && (c->state_path || c->ipv6_prefix < 128))
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE,
                                  c->state_path ? "state_path" : "ipv6_prefix",
                                  "%s does not work under MPI yet (%u ranks): run in one process",
                                  c->state_path ? "state_path" : "ipv6_prefix below 128", dp_stage_n_ranks (stage));
  return TRUE;
}

static gboolean
taxonomy_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Taxonomy *self = g_new0 (Taxonomy, 1);
  self->cfg = *(const TaxonomyConfig *) config;
  self->open = g_ptr_array_new_with_free_func (taxonomy_window_free);
  taxonomy_pool_init (&self->pool);
  taxonomy_table_init (&self->triples, 4096);
  taxonomy_scratch_init (&self->scratch);
  self->closed_below = G_MININT64;
  self->next_close_ts = G_MININT64;
  taxonomy_build_flag_attr (self);
  if (!tz_zone_open (&self->zone, "tz", self->cfg.tz, error))
    {
      taxonomy_finalize (self);
      return FALSE;
    }
  if (self->cfg.state_path)
    {
      self->names = dp_name_map_new ();
      self->xlat_src = g_hash_table_new (g_direct_hash, g_direct_equal);
      self->xlat_dst = g_hash_table_new (g_direct_hash, g_direct_equal);
      TaxClock clock = { 0 };
      gboolean found;
      if (!taxonomy_state_load (self->cfg.state_path, &self->cfg, &clock, self->open, self->names,
                                &found, error))
        {
          taxonomy_finalize (self);
          return FALSE;
        }
      if (found)
        {
          self->closed_below = clock.closed_below;
          self->next_close_ts = clock.next_close_ts;
          self->max_ts = clock.max_ts;
          self->any_ts = clock.any_ts;
          /* slack may change between runs: the next close as this run's
           * slack puts it (the saved value when it did not change) */
          if (clock.any_ts)
            self->next_close_ts = taxonomy_sat_add (taxonomy_start_of (self, self->closed_below + 1),
                                                    self->cfg.slack_ns);
          dp_stage_count (stage, "windows-restored", self->open->len);
        }
    }
  *state = self;
  return TRUE;
}

static void
taxonomy_finalize (void *state)
{
  Taxonomy *self = state;
  if (!self)
    return;
  if (self->open)
    g_ptr_array_unref (self->open);
  if (self->spare)
    taxonomy_window_free (self->spare);
  taxonomy_pool_clear (&self->pool);
  taxonomy_table_clear (&self->triples);
  taxonomy_scratch_clear (&self->scratch);
  if (self->names)
    dp_name_map_unref (self->names);
  g_free (self->src6);
  g_free (self->dst6);
  g_clear_pointer (&self->xlat_map, dp_name_map_unref);
  g_clear_pointer (&self->xlat_src, g_hash_table_destroy);
  g_clear_pointer (&self->xlat_dst, g_hash_table_destroy);
  if (self->prefix_of)
    g_hash_table_destroy (self->prefix_of);
  tz_zone_clear (&self->zone);
  g_free (self);
}

/* ------------------------------------------------------------------ */

static const char *const taxonomy_compat_choices[] = { "paper", "reference", NULL };

static const DpOptionDesc taxonomy_options[] = {
  DP_OPTION_RANGE ("window", DP_OPT_DURATION, "1h", TaxonomyConfig, window_ns, 1, 1e8,
                   "Length of the time windows, multiples of it from 1970-01-01 00:00 on the wall clock of tz (UTC by default; the paper's time bin; the reference used 1 hour)."),
  DP_OPTION_RANGE ("slack", DP_OPT_DURATION, "60s", TaxonomyConfig, slack_ns, 0, 1e8,
                   "How long after its end a window still accepts late packets before it is emitted; later packets are counted as late-dropped."),
  DP_OPTION_RANGE ("n1", DP_OPT_INT, "5", TaxonomyConfig, n1, 1, 1e9,
                   "N1: distinct destinations that make a network scan (>=) and bound a small event (<)."),
  DP_OPTION_RANGE ("n2", DP_OPT_INT, "5", TaxonomyConfig, n2, 1, 1e9,
                   "N2: distinct destination ports that make a port scan (>=) and bound a small event (<)."),
  DP_OPTION_RANGE ("n3", DP_OPT_INT, "15", TaxonomyConfig, n3, 0, 1e9,
                   "N3: packets above which a (src, dst, dport) key is a one-flow event, and the most a small event may have."),
  DP_OPTION_RANGE ("m", DP_OPT_DOUBLE, "3", TaxonomyConfig, m, 0, 1e9,
                   "M: average packets per target above which a scan is heavy (at most M: light)."),
  DP_OPTION_RANGE ("r", DP_OPT_DOUBLE, "0.5", TaxonomyConfig, r, 0, 1,
                   "R as a fraction: least share of a TCP key's packets with scan flags (SYN, FIN, FIN+ACK or none)."),
  DP_OPTION_RANGE ("flag_mask", DP_OPT_UINT, "63", TaxonomyConfig, flag_mask, 0, 255,
                   "TCP flag bits compared in paper mode (decimal; 63 = 0x3f, the six classic bits, so SYNs with ECN bits are SYNs)."),
  DP_OPTION_ENUM ("compat", "paper", TaxonomyConfig, compat, taxonomy_compat_choices,
                  "paper: the rules as the paper states them; reference: reproduce the reference notebook where it differs (docs/taxonomy.md)."),
  DP_OPTION_RANGE ("tool_share", DP_OPT_DOUBLE, "0.9", TaxonomyConfig, tool_share, 0, 1,
                   "Least share of a source's probes matching a scanner fingerprint for its tool column to name the tool."),
  DP_OPTION_RANGE ("ipv6_prefix", DP_OPT_INT, "128", TaxonomyConfig, ipv6_prefix, 1, 128,
                   "IPv6 sources are aggregated by this prefix length (64 or 48: scanners rotate addresses "
                   "within a prefix); 128 keeps addresses. Tables then name the prefix (2001:db8:1:2::/64)."),
  DP_OPTION_FLAGS ("state_path", DP_OPT_PATH, NULL, TaxonomyConfig, state_path, DP_OPT_OUTPUT,
                   "A file holding the windows still open at the end of a run, read at the start of the next "
                   "one and written back (atomically), so hourly captures in hourly runs give the tables of "
                   "one run over all of them; a missing file starts afresh."),
  DP_OPTION ("state_final", DP_OPT_BOOL, "false", TaxonomyConfig, state_final,
             "With state_path: the last run of a series: emits every open window at the end and removes the state file."),
  DP_OPTION_RANGE ("event_ports", DP_OPT_UINT, "64", TaxonomyConfig, event_ports, 0, 65536,
                   "The events' targets column lists the ports of each port-scan key, the smallest this many "
                   "(\"22,23,80,443,+12\": 12 more not listed); 0: none."),
  DP_OPTION_RANGE ("event_dsts", DP_OPT_UINT, "64", TaxonomyConfig, event_dsts, 0, 1e9,
                   "The events' targets column lists the destinations of each net-scan key (TCP, UDP and "
                   "ICMP echo), the lowest this many in address order, \",+N\" for the rest; 0: none."),
  DP_OPTION ("tz", DP_OPT_STRING, "UTC", TaxonomyConfig, tz,
             "Time zone the windows are aligned in (UTC, Europe/Rome, +02:00): windows start at multiples "
             "of window on that zone's wall clock, so 1d windows are its local days (23 or 25 hours at a "
             "daylight-saving change)."),
};

static const DpPortDesc taxonomy_inputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "Packets to classify (any order within the slack)." },
};

static const DpColumnDesc taxonomy_source_columns[] = {
  { "window_start", DP_COL_INT64, DP_COLUMN_TIME },
  { "src", DP_COL_IPV4, 0 },
  { "packets", DP_COL_INT64, 0 },
  { "probes", DP_COL_INT64, 0 },
  { "tool", DP_COL_STRING, 0 },
};
static const DpColumnDesc taxonomy_event_columns[] = {
  { "window_start", DP_COL_INT64, DP_COLUMN_TIME },
  { "pattern", DP_COL_STRING, 0 },
  { "src", DP_COL_IPV4, 0 },
  { "proto", DP_COL_INT64, DP_COLUMN_NULLABLE },
  { "proto_name", DP_COL_STRING, DP_COLUMN_NULLABLE },
  { "dst", DP_COL_IPV4, DP_COLUMN_NULLABLE },
  { "dport", DP_COL_INT64, DP_COLUMN_NULLABLE },
  { "first_ts", DP_COL_INT64, DP_COLUMN_TIME },
  { "last_ts", DP_COL_INT64, DP_COLUMN_TIME },
  { "duration", DP_COL_DOUBLE, 0 },
  { "targets", DP_COL_STRING, DP_COLUMN_NULLABLE },
};
static const DpColumnDesc taxonomy_summary_columns[] = {
  { "window_start", DP_COL_INT64, DP_COLUMN_TIME },
  { "pattern", DP_COL_STRING, 0 },
  { "sources", DP_COL_INT64, 0 },
  { "keys", DP_COL_INT64, 0 },
  { "packets", DP_COL_INT64, 0 },
};

static const DpPortDesc taxonomy_outputs[] = {
  { "sources", DP_TYPE_TABLE, DP_PORT_MERGE_ORDERED, "One row per (window, source): matched keys per pattern, fingerprint counts.", DP_PORT_COLUMNS (taxonomy_source_columns) },
  { "events", DP_TYPE_TABLE, DP_PORT_MERGE_ORDERED, "One row per matching key: pattern, source, key, packets, spread and times.", DP_PORT_COLUMNS (taxonomy_event_columns) },
  { "summary", DP_TYPE_TABLE, DP_PORT_MERGE_SUM, "Per window and pattern: sources, keys and packets.", DP_PORT_COLUMNS (taxonomy_summary_columns) },
};

static const char taxonomy_doc[] =
  "Labels every source of every time window with the patterns of Liu & Fukuda's darknet traffic "
  "taxonomy (J. Inf. Process. 26, 2018): port scans, network scans, one-flow, backscatter, IP "
  "fragments, small events and other, multi-label.  Thresholds N1, N2, N3, M, R default to the "
  "paper's values (R as a fraction).\n\n"
  "Decisions where the reference notebook departs from the paper (compat: paper, the default):\n"
  "- the scan-flag ratio is scan-flag packets / packets (the notebook inverts it, so any key with "
  "one scan-flag packet passed);\n"
  "- TCP flags are compared as integers under flag_mask (default 0x3f: a SYN with ECE/CWR is a SYN; "
  "the notebook compared whole hex strings);\n"
  "- small_syn counts the source's TCP SYN packets only;\n"
  "- backscatter needs one packet (the notebook: more than one);\n"
  "- boundaries as in the paper's tables: >= N1/N2, > M heavy, <= M light, > N3 one-flow, "
  "< N1/N2 and <= N3 small;\n"
  "- TCP/UDP packets without their L4 header (non-first fragments) only feed ip_fragment and other;\n"
  "- other_tcp/other_udp/other_icmp: the source sent that protocol and got no label from it; "
  "other: it sent another protocol.\n\n"
  "compat: reference reproduces the notebook instead: inverted ratio, exact flag bytes (no NULL "
  "scan), backscatter > 1 packet, missing ports counted as packets but not as ports, and "
  "other_* only for sources without any of the 15 scan/flow/small labels.\n\n"
  "Scanner fingerprints are counted on probes (TCP SYN, UDP, ICMP echo request), each named for "
  "the tool versions it matches (docs/taxonomy.md has the sources): mirai, Mirai 2016 and the "
  "variants that kept its scanner (TCP seq = destination); zmap, ZMap 1.0 to 4.0 (IP id 54321, "
  "any probe); masscan, every version to 1.3 (IP id = (dst ^ dport ^ seq) & 0xffff, TCP); "
  "zmap41, ZMap 4.1 and later, whose IP id is random (TCP SYN without DF, window 65535, 4, 12, "
  "20 or 24 option bytes, TTL up to 64 or above 128, IP id not 54321; or any SYNs of a source "
  "whose first destinations in the window walk ZMap's cyclic-group order).  "
  "The tool column names the tool matched by at least tool_share of the source's probes.\n\n"
  "IPv6 sources get every pattern: ICMPv6 echo request (128) is the ping of net_scan_icmp and "
  "small_ping; ICMPv6 echo reply, destination unreachable, packet too big and hop limit exceeded "
  "in transit are backscatter (the IPv4 rule's counterparts); ICMP events of IPv6 sources carry "
  "protocol 58. The fingerprints read IPv4 fields (IP id, the destination as a number) and are "
  "not counted for IPv6. ipv6_prefix aggregates IPv6 sources by prefix. Addresses print as RFC "
  "5952 text; \"address order\" below puts IPv6 sources after the IPv4 ones, in the order the "
  "source first met them.\n\n"
  "Streaming: one table of distinct (src, dst, class, port) keys per open window; a window is "
  "emitted once a packet later than its end + slack arrives, the rest at the end: sources and "
  "events in address order, as tables of at most 65536 rows (a window of spoofed traffic can "
  "hold millions of sources), then one summary table.  Per-source times of small_syn, "
  "backscatter and ip_fragment events span the keys holding those packets.\n\n"
  "State across runs: with state_path a run ends without emitting the windows still open, "
  "saving them to that file, and the next run with the same state_path resumes them, so "
  "captures processed piece by piece in separate runs give the tables of one run over all "
  "of them; state_final: true in the last run of a series emits everything and removes the "
  "file.  IPv6 addresses and pseudonyms are then kept in the taxonomy's own name map "
  "(docs/taxonomy.md has the file format and the limits).";

DP_PLUGIN_DEFINE (taxonomy,
  .kind = DP_KIND_DETECTOR,
  .summary = "Liu & Fukuda darknet traffic taxonomy per time window and source",
  .version = "1.0",
  .doc = taxonomy_doc,
  .inputs = taxonomy_inputs,
  .n_inputs = DP_N_ELEMENTS (taxonomy_inputs),
  .outputs = taxonomy_outputs,
  .n_outputs = DP_N_ELEMENTS (taxonomy_outputs),
  .options = taxonomy_options,
  .n_options = DP_N_ELEMENTS (taxonomy_options),
  .config_size = sizeof (TaxonomyConfig),
  .check = taxonomy_check,
  .init = taxonomy_init,
  .process = taxonomy_process,
  .finish = taxonomy_finish,
  .finalize = taxonomy_finalize,
  .flags = DP_PLUGIN_PER_SOURCE | DP_PLUGIN_EVENT_TIME)
