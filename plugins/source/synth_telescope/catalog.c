/* catalog.c — the populations of synth_telescope.
 *
 * Sender counts and packets per sender follow the ground-truth classes of
 * DarkVec's last day (darkvec-method.md §2): at scale 1 the counts are about
 * a third of the paper's, and a 3 M packet, 2 day budget gives each class
 * roughly its packets per sender per day.  Port mixes keep each class's top
 * ports and its number of distinct ports (censys's 11,123 scaled down to a
 * few thousand).  The budget shares (per mille) sum to 1000 over the
 * budgeted populations; the tail is outside the budget. */
#include "config.h"

#include "synth.h"

#define N(a) G_N_ELEMENTS (a)

static const SynthPortW mirai_ports[] = {
  { SYNTH_TCP (23), 896 }, { SYNTH_TCP (2323), 39 }, { SYNTH_TCP (5555), 15 },
  { SYNTH_TCP (80), 10 }, { SYNTH_TCP (8080), 10 }, { SYNTH_TCP (37215), 8 },
  { SYNTH_TCP (7547), 6 }, { SYNTH_TCP (81), 5 }, { SYNTH_TCP (52869), 5 },
  { SYNTH_TCP (8443), 3 }, { SYNTH_TCP (60001), 3 },
};

static const SynthPortW censys_ports[] = {
  { SYNTH_TCP (5060), 34 }, { SYNTH_TCP (2000), 29 }, { SYNTH_TCP (80), 20 },
  { SYNTH_TCP (443), 20 }, { SYNTH_TCP (8080), 15 }, { SYNTH_TCP (22), 15 },
  { SYNTH_TCP (21), 12 }, { SYNTH_TCP (25), 12 }, { SYNTH_TCP (3389), 12 },
  { SYNTH_TCP (7547), 10 }, { SYNTH_TCP (8443), 10 }, { SYNTH_UDP (53), 8 },
  { SYNTH_UDP (161), 6 }, { SYNTH_UDP (123), 6 }, { SYNTH_TCP (9200), 6 },
};

static const SynthPortW stretchoid_ports[] = {
  { SYNTH_TCP (22), 35 }, { SYNTH_TCP (443), 35 }, { SYNTH_TCP (80), 30 },
  { SYNTH_TCP (8080), 25 }, { SYNTH_TCP (21), 25 }, { SYNTH_TCP (3306), 20 },
  { SYNTH_TCP (5432), 20 }, { SYNTH_TCP (6379), 20 }, { SYNTH_TCP (25), 20 },
  { SYNTH_TCP (110), 15 }, { SYNTH_TCP (143), 15 }, { SYNTH_TCP (993), 15 },
  { SYNTH_TCP (995), 15 }, { SYNTH_TCP (8443), 15 }, { SYNTH_TCP (9000), 15 },
  { SYNTH_TCP (5900), 15 }, { SYNTH_TCP (1433), 10 }, { SYNTH_TCP (27017), 10 },
  { SYNTH_TCP (11211), 10 }, { SYNTH_TCP (2181), 10 },
};

static const SynthPortW census_ports[] = {
  { SYNTH_TCP (5060), 104 }, { SYNTH_UDP (161), 98 }, { SYNTH_TCP (80), 40 },
  { SYNTH_TCP (443), 40 }, { SYNTH_UDP (53), 30 }, { SYNTH_TCP (8080), 25 },
  { SYNTH_UDP (5060), 25 }, { SYNTH_TCP (22), 20 }, { SYNTH_UDP (1900), 20 },
  { SYNTH_TCP (23), 15 }, { SYNTH_UDP (123), 15 }, { SYNTH_TCP (3389), 15 },
};

static const SynthPortW binaryedge_ports[] = {
  { SYNTH_TCP (15), 100 }, { SYNTH_TCP (3000), 97 }, { SYNTH_TCP (9200), 70 },
  { SYNTH_TCP (27017), 60 }, { SYNTH_TCP (6379), 55 }, { SYNTH_TCP (2375), 55 },
  { SYNTH_TCP (5601), 50 }, { SYNTH_TCP (8080), 50 }, { SYNTH_TCP (11211), 45 },
  { SYNTH_TCP (9000), 45 }, { SYNTH_TCP (5900), 40 }, { SYNTH_TCP (8888), 40 },
  { SYNTH_TCP (3306), 40 }, { SYNTH_TCP (5432), 35 }, { SYNTH_TCP (2379), 35 },
  { SYNTH_TCP (10250), 35 }, { SYNTH_TCP (8081), 30 }, { SYNTH_TCP (7001), 30 },
  { SYNTH_TCP (50070), 25 }, { SYNTH_TCP (9090), 25 }, { SYNTH_TCP (4369), 25 },
};

static const SynthPortW sharashka_ports[] = {
  { SYNTH_TCP (80), 20 }, { SYNTH_TCP (443), 20 }, { SYNTH_TCP (8080), 15 },
  { SYNTH_TCP (8000), 10 }, { SYNTH_TCP (8888), 10 },
};

static const SynthPortW ipip_ports[] = {
  { SYNTH_TCP (5060), 415 }, { SYNTH_ICMP_ECHO, 110 }, { SYNTH_TCP (80), 60 },
  { SYNTH_TCP (443), 60 }, { SYNTH_TCP (22), 40 }, { SYNTH_TCP (8080), 30 },
  { SYNTH_TCP (21), 25 }, { SYNTH_TCP (3389), 20 }, { SYNTH_UDP (53), 20 },
  { SYNTH_TCP (23), 15 },
};

static const SynthPortW shodan_ports[] = {
  { SYNTH_TCP (80), 15 }, { SYNTH_TCP (443), 15 }, { SYNTH_TCP (22), 10 },
  { SYNTH_TCP (21), 8 }, { SYNTH_TCP (23), 8 }, { SYNTH_TCP (8080), 8 },
  { SYNTH_TCP (502), 8 }, { SYNTH_TCP (102), 8 }, { SYNTH_TCP (47808), 5 },
  { SYNTH_UDP (161), 8 }, { SYNTH_UDP (123), 8 }, { SYNTH_UDP (1900), 8 },
  { SYNTH_UDP (5353), 5 }, { SYNTH_TCP (9200), 8 }, { SYNTH_TCP (27017), 8 },
};

static const SynthPortW umich_ports[] = {
  { SYNTH_UDP (53), 1 },
};

static const SynthPortW shadowserver_ports[] = {
  { SYNTH_UDP (623), 60 }, { SYNTH_UDP (5683), 55 }, { SYNTH_UDP (111), 50 },
  { SYNTH_UDP (161), 45 }, { SYNTH_UDP (1900), 45 }, { SYNTH_UDP (11211), 40 },
  { SYNTH_UDP (53), 40 }, { SYNTH_UDP (123), 40 }, { SYNTH_UDP (137), 35 },
  { SYNTH_UDP (389), 30 }, { SYNTH_UDP (1434), 30 }, { SYNTH_UDP (5353), 30 },
  { SYNTH_UDP (17185), 25 }, { SYNTH_UDP (3702), 25 }, { SYNTH_UDP (47808), 25 },
  { SYNTH_UDP (20000), 20 }, { SYNTH_UDP (500), 20 }, { SYNTH_UDP (1604), 15 },
  { SYNTH_UDP (10001), 15 }, { SYNTH_UDP (37810), 15 }, { SYNTH_UDP (33848), 15 },
  { SYNTH_UDP (7547), 10 }, { SYNTH_UDP (2152), 10 }, { SYNTH_UDP (4800), 10 },
};

static const SynthPortW adb_ports[] = { { SYNTH_TCP (5555), 1 } };
static const SynthPortW smb_ports[] = { { SYNTH_TCP (445), 1 } };
static const SynthPortW ssh_ports[] = { { SYNTH_TCP (22), 1 } };

static const SynthPortW tcp_services[] = {
  { SYNTH_TCP (80), 30 }, { SYNTH_TCP (443), 25 }, { SYNTH_TCP (8080), 20 },
  { SYNTH_TCP (22), 20 }, { SYNTH_TCP (3389), 15 }, { SYNTH_TCP (1433), 15 },
  { SYNTH_TCP (3306), 12 }, { SYNTH_TCP (5900), 10 }, { SYNTH_TCP (21), 10 },
  { SYNTH_TCP (25), 10 }, { SYNTH_TCP (6379), 8 }, { SYNTH_TCP (8443), 8 },
  { SYNTH_TCP (9200), 6 }, { SYNTH_TCP (2375), 5 }, { SYNTH_TCP (8888), 5 },
};

static const SynthPortW udp_services[] = {
  { SYNTH_UDP (53), 30 }, { SYNTH_UDP (123), 25 }, { SYNTH_UDP (161), 20 },
  { SYNTH_UDP (1900), 20 }, { SYNTH_UDP (5060), 15 }, { SYNTH_UDP (137), 10 },
  { SYNTH_UDP (11211), 10 }, { SYNTH_UDP (5353), 8 }, { SYNTH_UDP (389), 8 },
  { SYNTH_UDP (500), 5 },
};

static const SynthPortW icmp_echo[] = { { SYNTH_ICMP_ECHO, 1 } };

static const SynthPortW oneflow_tcp_ports[] = {
  { SYNTH_TCP (443), 30 }, { SYNTH_TCP (80), 20 }, { SYNTH_TCP (8883), 15 },
  { SYNTH_TCP (1883), 15 }, { SYNTH_TCP (3306), 10 }, { SYNTH_TCP (25), 10 },
  { SYNTH_TCP (6667), 5 }, { SYNTH_TCP (5222), 5 },
};

static const SynthPortW oneflow_udp_ports[] = {
  { SYNTH_UDP (53), 30 }, { SYNTH_UDP (123), 20 }, { SYNTH_UDP (514), 20 },
  { SYNTH_UDP (161), 10 }, { SYNTH_UDP (1900), 10 }, { SYNTH_UDP (27015), 5 },
  { SYNTH_UDP (3478), 5 },
};

static const SynthPortW fragment_ports[] = {
  { SYNTH_UDP (53), 30 }, { SYNTH_UDP (123), 20 }, { SYNTH_UDP (4500), 20 },
  { SYNTH_UDP (443), 15 }, { SYNTH_UDP (19), 15 },
};

static const SynthPortW unknown_ports[] = {
  { SYNTH_TCP (445), 200 }, { SYNTH_TCP (5555), 120 }, { SYNTH_TCP (1433), 60 },
  { SYNTH_TCP (3389), 60 }, { SYNTH_TCP (22), 40 }, { SYNTH_TCP (80), 40 },
  { SYNTH_TCP (8080), 40 }, { SYNTH_TCP (443), 30 }, { SYNTH_TCP (3306), 25 },
  { SYNTH_TCP (6379), 20 }, { SYNTH_TCP (5900), 20 }, { SYNTH_TCP (9200), 15 },
  { SYNTH_TCP (81), 15 }, { SYNTH_TCP (8443), 15 }, { SYNTH_TCP (8000), 15 },
  { SYNTH_TCP (21), 15 }, { SYNTH_TCP (25), 15 }, { SYNTH_TCP (23), 10 },
  { SYNTH_TCP (2375), 10 }, { SYNTH_TCP (1723), 10 }, { SYNTH_TCP (8888), 10 },
};

static const SynthPortW tail_tcp[] = {
  { SYNTH_TCP (445), 20 }, { SYNTH_TCP (23), 10 }, { SYNTH_TCP (80), 10 },
  { SYNTH_TCP (22), 10 }, { SYNTH_TCP (3389), 10 }, { SYNTH_TCP (8080), 8 },
  { SYNTH_TCP (1433), 8 }, { SYNTH_TCP (443), 8 },
};

/* Columns: name, label, pattern, gen, senders, group, share, proto, style,
 * k_lo, k_hi, m_lo, m_hi, r_lo, r_hi, team_lo, team_hi, dur_lo, dur_hi,
 * ports, n_ports, extra_ports, extra_pct */
#define PORTS(a) (a), N (a)
const SynthPopDef synth_telescope_catalog[] = {
  { "mirai", "mirai", "small_syn", SYNTH_GEN_MIRAI, 2400, 0, 40, 6, SYNTH_STYLE_OS,
    1, 4, 0, 0, 1, 1, 0, 0, 1, 6, PORTS (mirai_ports), 0, 0 },
  { "censys", "censys", "net_scan_tcp_light", SYNTH_GEN_ROUND, 112, 60, 60, 6, SYNTH_STYLE_OS,
    6, 16, 0, 0, 1, 1, 10, 20, 900, 2400, PORTS (censys_ports), 3000, 75 },
  { "stretchoid", "stretchoid", "net_scan_tcp_light", SYNTH_GEN_ROUND, 35, 12, 15, 6, SYNTH_STYLE_OS,
    4, 10, 0, 0, 1, 1, 15, 35, 1200, 3600, PORTS (stretchoid_ports), 70, 60 },
  { "internet_census", "internet-census", "net_scan_tcp_light", SYNTH_GEN_ROUND, 34, 34, 2.5, 6,
    SYNTH_STYLE_ZMAP, 3, 8, 0, 0, 1, 1, 20, 40, 600, 1800, PORTS (census_ports), 220, 50 },
  { "binaryedge", "binaryedge", "net_scan_tcp_light", SYNTH_GEN_ROUND, 34, 17, 2, 6,
    SYNTH_STYLE_MASSCAN, 2, 5, 0, 0, 1, 1, 20, 40, 600, 1800, PORTS (binaryedge_ports), 0, 0 },
  { "sharashka", "sharashka", "net_scan_tcp_light", SYNTH_GEN_ROUND, 17, 17, 1.5, 6,
    SYNTH_STYLE_MASSCAN, 4, 12, 0, 0, 1, 1, 25, 50, 900, 2400, PORTS (sharashka_ports), 480, 90 },
  { "ipip", "ipip", "net_scan_tcp_light", SYNTH_GEN_ROUND, 16, 16, 4, 6, SYNTH_STYLE_OS,
    2, 6, 0, 0, 1, 1, 25, 60, 600, 1800, PORTS (ipip_ports), 31, 25 },
  { "shodan", "shodan", "net_scan_tcp_light", SYNTH_GEN_ROUND, 8, 2, 3.5, 6, SYNTH_STYLE_OS,
    4, 12, 0, 0, 1, 1, 40, 80, 900, 2400, PORTS (shodan_ports), 350, 80 },
  { "engin_umich", "engin-umich", "net_scan_udp_light", SYNTH_GEN_ROUND, 4, 4, 0.2, 17,
    SYNTH_STYLE_ZMAP, 1, 1, 0, 0, 1, 1, 50, 100, 300, 900, PORTS (umich_ports), 0, 0 },
  { "shadowserver", "shadowserver", "net_scan_udp_light", SYNTH_GEN_ROUND, 38, 19, 5, 17,
    SYNTH_STYLE_ZMAP, 2, 6, 0, 0, 1, 1, 15, 35, 600, 1800, PORTS (shadowserver_ports), 0, 0 },
  { "adb_botnet", "adb-botnet", "net_scan_tcp_light", SYNTH_GEN_BOTNET, 300, 0, 80, 6, SYNTH_STYLE_OS,
    5, 12, 0, 0, 1, 1, 20, 50, 300, 1200, PORTS (adb_ports), 0, 0 },
  { "smb_botnet", "smb-botnet", "net_scan_tcp_light", SYNTH_GEN_BOTNET, 300, 0, 80, 6, SYNTH_STYLE_OS,
    5, 10, 0, 0, 1, 2, 20, 50, 300, 1200, PORTS (smb_ports), 0, 0 },
  { "ssh_botnet", "ssh-botnet", "net_scan_tcp_heavy", SYNTH_GEN_BOTNET, 200, 0, 60, 6, SYNTH_STYLE_OS,
    5, 8, 0, 0, 4, 6, 20, 50, 300, 1200, PORTS (ssh_ports), 0, 0 },
  { "backscatter_tcp", "backscatter", "backscatter_tcp", SYNTH_GEN_BACKSCATTER, 60, 6, 40, 6,
    SYNTH_STYLE_OS, 50, 500, 0, 0, 1, 1, 0, 0, 120, 1200, NULL, 0, 0, 0 },
  { "backscatter_udp", "backscatter", "backscatter_udp", SYNTH_GEN_BACKSCATTER, 18, 3, 8, 17,
    SYNTH_STYLE_OS, 30, 300, 0, 0, 1, 1, 0, 0, 120, 900, NULL, 0, 0, 0 },
  { "backscatter_icmp", "backscatter", "backscatter_icmp", SYNTH_GEN_BACKSCATTER, 18, 3, 8, 1,
    SYNTH_STYLE_OS, 30, 300, 0, 0, 1, 1, 0, 0, 120, 900, NULL, 0, 0, 0 },
  { "portscan_tcp_heavy", "portscan", "port_scan_tcp_heavy", SYNTH_GEN_PORTSCAN, 12, 0, 3, 6,
    SYNTH_STYLE_OS, 6, 30, 1, 2, 4, 6, 0, 0, 60, 600, NULL, 0, 0, 0 },
  { "portscan_tcp_light", "portscan", "port_scan_tcp_light", SYNTH_GEN_PORTSCAN, 12, 0, 3, 6,
    SYNTH_STYLE_MASSCAN, 10, 120, 1, 3, 1, 2, 0, 0, 30, 600, NULL, 0, 0, 0 },
  { "portscan_udp_heavy", "portscan", "port_scan_udp_heavy", SYNTH_GEN_PORTSCAN, 6, 0, 1, 17,
    SYNTH_STYLE_OS, 6, 20, 1, 2, 4, 6, 0, 0, 60, 600, NULL, 0, 0, 0 },
  { "portscan_udp_light", "portscan", "port_scan_udp_light", SYNTH_GEN_PORTSCAN, 6, 0, 1, 17,
    SYNTH_STYLE_OS, 10, 60, 1, 3, 1, 2, 0, 0, 30, 600, NULL, 0, 0, 0 },
  { "netscan_tcp_heavy", "netscan", "net_scan_tcp_heavy", SYNTH_GEN_NETSCAN, 10, 0, 3, 6,
    SYNTH_STYLE_OS, 6, 30, 0, 0, 4, 6, 0, 0, 60, 900, PORTS (tcp_services), 0, 0 },
  { "netscan_tcp_light", "netscan", "net_scan_tcp_light", SYNTH_GEN_NETSCAN, 20, 0, 4, 6,
    SYNTH_STYLE_ZMAP, 10, 80, 0, 0, 1, 2, 0, 0, 60, 900, PORTS (tcp_services), 0, 0 },
  { "netscan_udp_heavy", "netscan", "net_scan_udp_heavy", SYNTH_GEN_NETSCAN, 6, 0, 1.5, 17,
    SYNTH_STYLE_OS, 6, 20, 0, 0, 4, 6, 0, 0, 60, 900, PORTS (udp_services), 0, 0 },
  { "netscan_udp_light", "netscan", "net_scan_udp_light", SYNTH_GEN_NETSCAN, 10, 0, 2, 17,
    SYNTH_STYLE_OS, 10, 60, 0, 0, 1, 2, 0, 0, 60, 900, PORTS (udp_services), 0, 0 },
  { "netscan_icmp_heavy", "netscan", "net_scan_icmp_heavy", SYNTH_GEN_NETSCAN, 6, 0, 1.5, 1,
    SYNTH_STYLE_OS, 6, 20, 0, 0, 4, 6, 0, 0, 60, 900, PORTS (icmp_echo), 0, 0 },
  { "netscan_icmp_light", "netscan", "net_scan_icmp_light", SYNTH_GEN_NETSCAN, 10, 0, 2, 1,
    SYNTH_STYLE_OS, 10, 60, 0, 0, 1, 2, 0, 0, 60, 900, PORTS (icmp_echo), 0, 0 },
  { "oneflow_tcp", "misconfig", "one_flow_tcp", SYNTH_GEN_ONEFLOW, 8, 0, 2, 6, SYNTH_STYLE_OS,
    16, 60, 0, 0, 1, 1, 0, 0, 300, 3000, PORTS (oneflow_tcp_ports), 0, 0 },
  { "oneflow_udp", "misconfig", "one_flow_udp", SYNTH_GEN_ONEFLOW, 8, 0, 2, 17, SYNTH_STYLE_OS,
    16, 60, 0, 0, 1, 1, 0, 0, 300, 3000, PORTS (oneflow_udp_ports), 0, 0 },
  { "fragment", "fragment", "ip_fragment", SYNTH_GEN_FRAGMENT, 10, 0, 3, 17, SYNTH_STYLE_OS,
    1, 6, 2, 4, 1, 1, 0, 0, 1, 60, PORTS (fragment_ports), 0, 0 },
  { "unknown_scanners", "unknown", "net_scan_tcp_light", SYNTH_GEN_NETSCAN, 3000, 0, 561, 6,
    SYNTH_STYLE_OS, 5, 30, 0, 0, 1, 1, 0, 0, 60, 1200, PORTS (unknown_ports), 250, 25 },
  { "tail_syn", "unknown", "small_syn", SYNTH_GEN_TAIL, 12000, 0, 0, 6, SYNTH_STYLE_OS,
    1, 4, 1, 2, 1, 1, 0, 0, 1, 10, PORTS (tail_tcp), 400, 40 },
  { "tail_udp", "unknown", "small_udp", SYNTH_GEN_TAIL, 3000, 0, 0, 17, SYNTH_STYLE_OS,
    1, 4, 1, 1, 1, 1, 0, 0, 1, 10, PORTS (udp_services), 200, 40 },
  { "tail_ping", "unknown", "small_ping", SYNTH_GEN_TAIL, 1500, 0, 0, 1, SYNTH_STYLE_OS,
    1, 4, 1, 2, 1, 1, 0, 0, 1, 10, PORTS (icmp_echo), 0, 0 },
};

const guint synth_telescope_catalog_size = N (synth_telescope_catalog);
