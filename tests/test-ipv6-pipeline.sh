#!/bin/bash
# IPv6 end to end (issue #17 item 4): a capture of IPv6 sources made with
# scapy through the shipped taxonomy and DarkVec pipelines — tables and
# embeddings name the sources in RFC 5952 text, a ground truth of IPv6
# addresses and a /48 range joins the embedding, 7-NN classifies the
# groups, the report is written.  TAP; skipped without scapy.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
D="$B/darkpipe"
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
if ! /usr/bin/python3 -c 'import scapy' 2>/dev/null; then
  echo "1..0 # SKIP scapy is not installed (apt-get install python3-scapy, or scripts/setup --test-deps)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
/usr/bin/python3 "$S/tests/ipv6-telescope.py" v6.pcap labels.csv 2>err || { cat err; exit 1; }

# the taxonomy: every source a net scan, named canonically
if ${DP_TEST_WRAPPER:-} "$D" taxonomy -r v6.pcap -q -o tax 2>err; then ok "the taxonomy runs on IPv6"; else bad "the taxonomy on IPv6"; sed 's/^/# /' err; fi
/usr/bin/python3 - tax/sources.csv tax/events.csv <<'PY' && ok "taxonomy tables name 48 IPv6 sources in RFC 5952 text, each a network scan" || bad "taxonomy tables of IPv6 sources"
import csv, ipaddress, sys
rows = list(csv.DictReader(open(sys.argv[1])))
srcs = {r["src"] for r in rows}
assert len(srcs) == 48, len(srcs)
for s in srcs:
    assert ipaddress.IPv6Address(s).compressed == s, s
scans = {r["src"] for r in rows if int(r["net_scan_tcp_light"]) + int(r["net_scan_tcp_heavy"])
         + int(r["net_scan_udp_light"]) + int(r["net_scan_udp_heavy"]) > 0}
assert scans == srcs, len(scans)
PY

# DarkVec with the ground truth: embeddings, join, 7-NN, report
if ${DP_TEST_WRAPPER:-} "$D" darkvec -r v6.pcap --set truth.path=labels.csv --set corpus.min_packets=5 \
     --set w2v.min_count=5 --set w2v.epochs=10 -q -o dv 2>err; then
  ok "DarkVec with an IPv6 ground truth runs"
else
  bad "DarkVec on IPv6"; sed 's/^/# /' err
fi
/usr/bin/python3 - dv/embeddings.txt dv/knn-report.csv dv/knn-predictions.csv <<'PY' && ok "IPv6 embeddings join the labels (address and /48), 7-NN tells the groups apart" || bad "IPv6 embeddings, join or 7-NN"
import csv, ipaddress, sys
lines = open(sys.argv[1]).read().split("\n")
count, dim = map(int, lines[0].split())
toks = [l.split()[0] for l in lines[1:] if l]
assert count == len(toks) == 48 and dim == 50, (count, len(toks), dim)
for t in toks:
    assert ipaddress.IPv6Address(t).compressed == t, t
rep = {r["class"]: r for r in csv.DictReader(open(sys.argv[2]))}
assert float(rep["accuracy"]["f1"]) >= 0.9, rep["accuracy"]
assert int(rep["dnsprobe"]["support"]) == 12, rep["dnsprobe"]   # 9 addresses + 3 through 2001:db8:4::/48
preds = list(csv.DictReader(open(sys.argv[3])))
assert len(preds) == 39, len(preds)
PY
if grep -q "2001:db8:" dv/report.html; then ok "the report names IPv6 sources"; else bad "the report names no IPv6 source"; fi
echo "1..$n"
exit $failed
