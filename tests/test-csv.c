/* test-csv.c — the csv sink: its expected text for the tests both text
 * sinks share (tests/text-sink-test.c): a header line, quoted fields,
 * empty cells for absent values. */
#include "config.h"

#include "text-sink-test.h"
#include "../plugins/sink/ts-format.h"

static const char golden_table[] =
  "n,x,ip,\"s,note\"\n"
  "1,0.5,10.0.0.1,plain\n"
  "-7,nan,src_ipaddr12,\"a,b\"\n"
  "9223372036854775807,1e+22,192.0.2.1,\"say \"\"hi\"\"\nbye\"\n"
  "0,-0.25,0.0.0.0,\n"
  "5,inf,255.255.255.255,tab\there\001\n";

static const char golden_packets[] =
  "ts,src,dst,proto,sport,dport,tcp_flags,tcp_seq,ip_id,icmp_type,icmp_code,ttl,ip_len,df,mf,frag_offset,"
  "tcp_win,tcp_optlen\n"
  "1566411407.841604000,src_ipaddr12,198.124.152.15,6,51406,697,2,4000000000,54321,,,64,40,1,0,0,"
  "65535,12\n"
  "1566411408.000000000,10.0.0.1,10.0.0.2,17,,,,,0,,,64,1500,0,1,185,,\n"
  "0.000000001,10.0.0.3,10.0.0.4,1,,,,,0,3,13,255,40,0,0,0,,\n";

static const TextSinkGolden golden = {
  .plugin = "csv",
  .table = golden_table,
  .packets = golden_packets,
  .iso_first = "\n2019-08-21T18:16:47.841604000Z,src_ipaddr12,",
  .appended = "window,label\n1,x\n2,x\n",
  .empty_table = "window,label\n",
  .empty_packets = "ts,src,dst,proto,sport,dport,tcp_flags,tcp_seq,ip_id,"
                   "icmp_type,icmp_code,ttl,ip_len,df,mf,frag_offset,tcp_win,tcp_optlen\n",
  .times = {
    "t,port,dst\n1614592800.000000000,22,10.0.0.1\n-1.500000000,,\n1614592800.123456789,0,0.0.0.0\n",
    "t,port,dst\n1614592800000000000,22,10.0.0.1\n-1500000000,,\n1614592800123456789,0,0.0.0.0\n",
    "t,port,dst\n2021-03-01T10:00:00.000000000Z,22,10.0.0.1\n1969-12-31T23:59:58.500000000Z,,\n"
    "2021-03-01T10:00:00.123456789Z,0,0.0.0.0\n",
  },
};

/* Several time columns (more than the sink keeps a last text for) and an
 * integer between them, times that repeat, share their second or not,
 * around 0 and second boundaries: every cell as ts_format_text (printf)
 * writes it, in each format. */
static void
test_time_columns (void)
{
  static const char *const formats[] = { "epoch", "epoch_ns", "iso" };
  enum { N_COLS = 6, N_ROWS = 3000 };
  g_autoptr (GRand) g = g_rand_new_with_seed (5);
  g_autoptr (DpTable) t = dp_table_new ("times");
  for (guint c = 0; c < N_COLS; c++)
    {
      g_autofree char *name = g_strdup_printf ("t%u", c);
      if (c == 2)
        dp_table_add_column (t, "n", DP_COL_INT64);
      else
        dp_table_add_column_flags (t, name, DP_COL_INT64, DP_COLUMN_TIME);
    }
  const gint64 base = G_GINT64_CONSTANT (1614592800) * 1000000000;
  for (guint r = 0; r < N_ROWS; r++)
    {
      dp_table_append_row (t);
      for (guint c = 0; c < N_COLS; c++)
        {
          gint64 v;
          switch (g_rand_int_range (g, 0, 8))
            {
            case 0: v = r > 0 ? t->cols[c].i64[r - 1] : 0; break;                /* the row before's */
            case 1: v = base + g_rand_int_range (g, 0, 3) * G_GINT64_CONSTANT (1000000000); break;
            case 2: v = base + g_rand_int_range (g, 0, 3) * G_GINT64_CONSTANT (1000000000) - 1; break;
            case 3: v = g_rand_int_range (g, -3000, 3000); break;                    /* around 0 */
            case 4: v = -base - g_rand_int (g); break;
            case 5: v = G_GINT64_CONSTANT (9000000000) * 1000000000 + g_rand_int (g); break;
            default: v = base + (gint64) g_rand_int_range (g, 0, 4000) * 1000000; break;   /* one of 4 s */
            }
          t->cols[c].i64[r] = v;
        }
    }
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *opts = g_strdup_printf ("path: t.csv\nts_format: %s", formats[f]);
      g_autoptr (DpHarness) h = dp_test_harness ("csv", opts);
      dp_test_push (h, 0, t);
      dp_test_finish (h);
      g_autofree char *text = dp_test_read_output (h, "t.csv");
      g_autoptr (GString) want = g_string_new ("t0,t1,n,t3,t4,t5\n");
      for (guint r = 0; r < N_ROWS; r++)
        for (guint c = 0; c < N_COLS; c++)
          {
            char buf[48];
            if (c == 2)
              g_string_append_printf (want, "%" G_GINT64_FORMAT, t->cols[c].i64[r]);
            else
              g_string_append (want, ts_format_text (t->cols[c].i64[r], (int) f, buf));
            g_string_append_c (want, c + 1 < N_COLS ? ',' : '\n');
          }
      g_assert_cmpstr (text, ==, want->str);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  text_sink_add_tests (&golden);
  g_test_add_func ("/sink/csv/time-columns", test_time_columns);
  return g_test_run ();
}
