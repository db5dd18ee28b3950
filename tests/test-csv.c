/* test-csv.c — the csv sink: its expected text for the tests both text
 * sinks share (tests/text-sink-test.c): a header line, quoted fields,
 * empty cells for absent values. */
#include "config.h"

#include "text-sink-test.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  text_sink_add_tests (&golden);
  return g_test_run ();
}
