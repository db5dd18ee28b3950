/* text-sink-test.h — the tests both text sinks (csv, jsonl) pass; each
 * sink's program gives its expected text and registers them. */
#pragma once

#include "dp-test.h"

/* Expected output of one sink. */
typedef struct {
  const char *plugin;
  /* the table of text_sink tests: n int64, x double, ip ipv4 (one a
   * pseudonym), "s,note" string; five rows with NaN, infinity, NULL,
   * quotes, a newline, a tab and a control character */
  const char *table;
  /* three packets: a TCP SYN from a pseudonym, a later fragment, an ICMP
   * packet at 1 ns, written in two batches */
  const char *packets;
  /* a substring of the packets with ts_format: iso */
  const char *iso_first;
  /* two tables of one row (window 1 and 2, label x) appended */
  const char *appended;
  /* a table without rows; packets without rows */
  const char *empty_table;
  const char *empty_packets;
  /* the times table: t a time column (2021-03-01 10:00 UTC, -1.5 s, and
   * 10:00 plus 123456789 ns), port int64 and dst ipv4 with a null cell in
   * the second row (and 0 / 0.0.0.0, real values, in the third), written
   * with ts_format epoch, epoch_ns and iso */
  const char *times[3];
} TextSinkGolden;

/* Adds the shared tests as /plugin/PLUGIN/NAME, with @g (kept) as data. */
void text_sink_add_tests (const TextSinkGolden *g);
