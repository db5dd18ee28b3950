#!/bin/bash
# The pipeline of docs/enrich.md (taxonomy -> enrich -> CSV), taken from the
# page, on the shared captures (a glob: sources in 10/8, 172.16/12 and
# 246/8) with a pfx2as file made here: every source's asn must be the one
# its first bit gives (two /1 prefixes under a /0), and none for 246/8
# (240.0.0.0/4 is never looked up), in both outputs; who.csv must count
# every packet.  Speaks TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
dir="${DP_SHARED_DIR:-$S/../shared}/data/real/pcap"
cap="$dir/*.pcap"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
if [ ! -f "$dir/sgr_nmap_udp_sweep.pcap" ]; then
  for i in 1 2 3 4; do echo "ok $i # SKIP no shared capture ($cap)"; done
  exit 0
fi
# the first yaml block of the page
awk '/^```yaml$/ { on = 1; next } on && /^```$/ { exit } on' "$S/docs/enrich.md" >"$tmp/p.yaml"
printf '0.0.0.0\t0\t64496\n0.0.0.0\t1\t64501_64511\n128.0.0.0\t1\t64502\n' >"$tmp/rv2.pfx2as"
dp () { "$B/darkpipe" --plugin-dir "$B/plugins" "$@"; }
if grep -q 'plugin: enrich' "$tmp/p.yaml" && dp check "$tmp/p.yaml" --set capture.path="$cap" \
     --set who.pfx2as="$tmp/rv2.pfx2as" >"$tmp/log" 2>&1 \
   && dp run "$tmp/p.yaml" --quiet --output-dir "$tmp/out" --set capture.path="$cap" \
     --set who.pfx2as="$tmp/rv2.pfx2as" >>"$tmp/log" 2>&1; then
  echo "ok 1 - the pipeline of docs/enrich.md checks and runs"
else
  echo "not ok 1 - the pipeline of docs/enrich.md checks and runs"; sed 's/^/# /' "$tmp/log"; exit 0
fi
# expected asn and origins from the address's first octet, by column name
check_asn () {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { split ($c["src"], o, "."); want = o[1] < 128 ? 64501 : o[1] < 240 ? 64502 : 0
      wo = o[1] < 128 ? "64501_64511" : o[1] < 240 ? "64502" : ""
      seen[want]++
      if ($c["asn"] != want || $c["as_origins"] != wo || $c["country"] != "") { print "row " NR ": " $0; bad++ }
      n++ }
    END { if (!seen[64501] || !seen[64502] || !seen[0]) { print "not every case met"; exit 1 }
          exit bad > 0 }' "$1"
}
if check_asn "$tmp/out/sources.csv" >"$tmp/d1" 2>&1; then
  echo "ok 2 - sources.csv: every source's asn and as_origins by longest prefix"
else
  echo "not ok 2 - sources.csv: every source's asn and as_origins by longest prefix"; sed 's/^/# /' "$tmp/d1"
fi
if check_asn "$tmp/out/who.csv" >"$tmp/d2" 2>&1; then
  echo "ok 3 - who.csv: the same for the per-source table of the packets"
else
  echo "not ok 3 - who.csv: the same for the per-source table of the packets"; sed 's/^/# /' "$tmp/d2"
fi
# who.csv counts every packet of the capture, one row per source
pk=$(awk -F, 'NR > 1 { p += $2 } END { print p + 0 }' "$tmp/out/who.csv")
srcs=$(awk -F, 'NR > 1 { print $2 }' "$tmp/out/sources.csv" | sort -u | wc -l)
rows=$(($(wc -l <"$tmp/out/who.csv") - 1))
want=$(awk -F, 'NR > 1 { p += $3 } END { print p + 0 }' "$tmp/out/sources.csv")
if [ "$pk" = "$want" ] && [ "$rows" = "$srcs" ] && [ "$pk" -gt 0 ]; then
  echo "ok 4 - who.csv: $rows sources, $pk packets, as the taxonomy counted"
else
  echo "not ok 4 - who.csv: $rows sources and $pk packets; the taxonomy: $srcs sources, $want packets"
fi
