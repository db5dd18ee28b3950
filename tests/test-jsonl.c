/* test-jsonl.c — the jsonl sink: its expected text for the tests both
 * text sinks share (tests/text-sink-test.c): one JSON object per row, null
 * for NaN, NULL and absent fields. */
#include "config.h"

#include "text-sink-test.h"

static const char golden_table[] =
  "{\"n\":1,\"x\":0.5,\"ip\":\"10.0.0.1\",\"s,note\":\"plain\"}\n"
  "{\"n\":-7,\"x\":null,\"ip\":\"src_ipaddr12\",\"s,note\":\"a,b\"}\n"
  "{\"n\":\"9223372036854775807\",\"x\":1e+22,\"ip\":\"192.0.2.1\",\"s,note\":\"say \\\"hi\\\"\\nbye\"}\n"
  "{\"n\":0,\"x\":-0.25,\"ip\":\"0.0.0.0\",\"s,note\":null}\n"
  "{\"n\":5,\"x\":null,\"ip\":\"255.255.255.255\",\"s,note\":\"tab\\there\\u0001\"}\n";

static const char golden_packets[] =
  "{\"ts\":1566411407.841604000,\"src\":\"src_ipaddr12\",\"dst\":\"198.124.152.15\",\"proto\":6,"
  "\"sport\":51406,\"dport\":697,\"tcp_flags\":2,\"tcp_seq\":4000000000,\"ip_id\":54321,"
  "\"icmp_type\":null,\"icmp_code\":null,\"ttl\":64,\"ip_len\":40,\"df\":true,\"mf\":false,\"frag_offset\":0,"
  "\"tcp_win\":65535,\"tcp_optlen\":12}\n"
  "{\"ts\":1566411408.000000000,\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"proto\":17,"
  "\"sport\":null,\"dport\":null,\"tcp_flags\":null,\"tcp_seq\":null,\"ip_id\":0,"
  "\"icmp_type\":null,\"icmp_code\":null,\"ttl\":64,\"ip_len\":1500,\"df\":false,\"mf\":true,\"frag_offset\":185,"
  "\"tcp_win\":null,\"tcp_optlen\":null}\n"
  "{\"ts\":0.000000001,\"src\":\"10.0.0.3\",\"dst\":\"10.0.0.4\",\"proto\":1,"
  "\"sport\":null,\"dport\":null,\"tcp_flags\":null,\"tcp_seq\":null,\"ip_id\":0,"
  "\"icmp_type\":3,\"icmp_code\":13,\"ttl\":255,\"ip_len\":40,\"df\":false,\"mf\":false,\"frag_offset\":0,"
  "\"tcp_win\":null,\"tcp_optlen\":null}\n";

static const TextSinkGolden golden = {
  .plugin = "jsonl",
  .table = golden_table,
  .packets = golden_packets,
  .iso_first = "{\"ts\":\"2019-08-21T18:16:47.841604000Z\",\"src\"",
  .appended = "{\"window\":1,\"label\":\"x\"}\n{\"window\":2,\"label\":\"x\"}\n",
  .empty_table = "",
  .empty_packets = "",
  .times = {
    "{\"t\":1614592800.000000000,\"port\":22,\"dst\":\"10.0.0.1\"}\n"
    "{\"t\":-1.500000000,\"port\":null,\"dst\":null}\n"
    "{\"t\":1614592800.123456789,\"port\":0,\"dst\":\"0.0.0.0\"}\n",
    /* past 2^53 as strings of digits (exact in jq and pandas), below as numbers */
    "{\"t\":\"1614592800000000000\",\"port\":22,\"dst\":\"10.0.0.1\"}\n"
    "{\"t\":-1500000000,\"port\":null,\"dst\":null}\n"
    "{\"t\":\"1614592800123456789\",\"port\":0,\"dst\":\"0.0.0.0\"}\n",
    "{\"t\":\"2021-03-01T10:00:00.000000000Z\",\"port\":22,\"dst\":\"10.0.0.1\"}\n"
    "{\"t\":\"1969-12-31T23:59:58.500000000Z\",\"port\":null,\"dst\":null}\n"
    "{\"t\":\"2021-03-01T10:00:00.123456789Z\",\"port\":0,\"dst\":\"0.0.0.0\"}\n",
  },
};

/* Integers a double keeps exact are numbers; beyond 2^53 (nanosecond
 * times) they are strings of their digits. */
static void
test_exact_integers (void)
{
  static const gint64 v[] = {
    G_GINT64_CONSTANT (9007199254740992), G_GINT64_CONSTANT (9007199254740993),
    -G_GINT64_CONSTANT (9007199254740992), -G_GINT64_CONSTANT (9007199254740993),
    G_GINT64_CONSTANT (1599998400123456789), G_MININT64,
  };
  g_autoptr (DpTable) t = dp_table_new ("ints");
  dp_table_add_column (t, "v", DP_COL_INT64);
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    dp_table_set_i64 (t, 0, dp_table_append_row (t), v[i]);
  g_autoptr (DpHarness) h = dp_test_harness ("jsonl", "path: i.jsonl");
  dp_test_push (h, 0, t);
  dp_test_finish (h);
  g_autofree char *text = dp_test_read_output (h, "i.jsonl");
  g_assert_cmpstr (text, ==,
                   "{\"v\":9007199254740992}\n{\"v\":\"9007199254740993\"}\n"
                   "{\"v\":-9007199254740992}\n{\"v\":\"-9007199254740993\"}\n"
                   "{\"v\":\"1599998400123456789\"}\n{\"v\":\"-9223372036854775808\"}\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  text_sink_add_tests (&golden);
  g_test_add_func ("/plugin/jsonl/exact-integers", test_exact_integers);
  return g_test_run ();
}
