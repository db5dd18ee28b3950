#!/bin/bash
# test-live.sh — the pcap source on a live interface (TAP).  As root, a
# network namespace made here holds a veth pair; darkpipe captures on one
# end while tcpreplay sends a capture into the other, and the packets
# decoded live must be those read from the file through the same pipeline
# (every CSV column but the time, which is the capture's own).  Ends by
# count (exit 0), duration (0), SIGINT (130, outputs complete), SIGTERM
# (0); a kernel BPF filter; an interface that goes away mid-capture; and
# the options checked at check time, a missing interface, a user without
# CAP_NET_RAW.  The namespace is deleted on every exit (trap).  Without
# root, netns or tcpreplay the live tests are skipped, saying why.
#
# DP_TEST_WRAPPER (e.g. valgrind through libtool) wraps the darkpipe runs.
set -u
B=${DP_TOP_BUILDDIR:?}
D="$B/darkpipe"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dp-live.XXXXXX") || exit 99
ns=dplive$$
pid=
cleanup () {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 99
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; for f in err out; do [ -s $f ] && sed "s/^/# $f: /" $f | tail -15; done; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# darkpipe under the test wrapper, through the libtool wrapper
case "${DP_TEST_WRAPPER:-}" in
  "") dpcmd=("$D") ;;
  *--mode=execute*) dpcmd=($DP_TEST_WRAPPER "$D") ;;
  *) dpcmd=("$B/libtool" --mode=execute $DP_TEST_WRAPPER "$D") ;;
esac
dp () { "${dpcmd[@]}" "$@"; }

# ------------------------------------------------------------------
# what is checked before any capture (no privilege needed)

cat > both.yaml <<'EOF'
pipeline: both
output_dir: o
stages:
  capture: {plugin: pcap, path: c.pcap, interface: lo}
  rows: {plugin: csv, input: capture, path: rows.csv}
EOF
: > c.pcap
dp check both.yaml >out 2>err; rc=$?
if [ $rc -eq 2 ] && grep -q "both.yaml:.*'interface' captures live and cannot be combined with 'path'" err; then
  ok "interface and path together: refused at check time (exit 2)"
else
  bad "interface and path together: refused at check time (exit $rc)"
fi
cat > live.yaml <<'EOF'
pipeline: live
output_dir: o
stages:
  capture: {plugin: pcap, interface: nosuch0}
  rows: {plugin: csv, input: capture, path: rows.csv}
EOF
dp run live.yaml >out 2>err; rc=$?
if [ $rc -eq 2 ] && grep -q "live.yaml:4:.*no network interface 'nosuch0' on this host (capture devices: .*lo" err \
   && [ ! -e o/rows.csv ]; then
  ok "a missing interface: named at check time with the devices there are, nothing written (exit 2)"
else
  bad "a missing interface: named at check time (exit $rc)"
fi
dp check live.yaml --set capture.interface=lo --set capture.filter='tcp port' >out 2>err; rc=$?
if [ $rc -eq 2 ] && grep -q "option 'filter': 'tcp port' is not a valid BPF filter" err; then
  ok "a filter that does not compile: refused at check time"
else
  bad "a filter that does not compile: refused at check time (exit $rc)"
fi
sed 's/interface: nosuch0/path: c.pcap/' live.yaml > file.yaml
dp check file.yaml --set capture.count=10 >out 2>err; rc=$?
if [ $rc -eq 2 ] && grep -q "'count' limits a live capture: it needs 'interface'" err; then
  ok "count without an interface: refused at check time"
else
  bad "count without an interface: refused at check time (exit $rc)"
fi

# ------------------------------------------------------------------
# live, in a namespace of our own

why=
if [ "$(id -u)" -ne 0 ]; then
  why="not root: live capture tests need a network namespace and a veth pair"
elif ! command -v tcpreplay >/dev/null; then
  why="tcpreplay is not installed (scripts/setup --test-deps)"
elif ! ip netns add "$ns" 2>err; then
  why="cannot create a network namespace: $(head -1 err)"
elif ! { ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
         && ip netns exec "$ns" ip link add dpl0 type veth peer name dpl1 \
         && ip netns exec "$ns" ip link set dpl0 up && ip netns exec "$ns" ip link set dpl1 up; } 2>err; then
  why="cannot create a veth pair in a namespace: $(head -1 err)"
fi
if [ -n "$why" ]; then
  for t in count sigint sigterm duration filter vanish perm cap_net_raw; do skip "live capture: $t" "$why"; done
  echo "1..$n"
  exit $failed
fi
inns () { ip netns exec "$ns" "$@"; }

# the capture replayed: synthetic telescope traffic in Ethernet frames
cat > mk.yaml <<'EOF'
pipeline: mk
output_dir: .
stages:
  s: {plugin: synth_telescope, seed: 5, duration: 1h, packets: 600}
  cap: {plugin: pcap_out, input: s, path: c.pcap, linktype: ethernet}
EOF
"$D" run -q mk.yaml 2>err || bad "fixture capture made"
# the same pipeline over the file: packets as rows, and the taxonomy
cat > file.yaml <<'EOF'
pipeline: file
output_dir: f
stages:
  capture: {plugin: pcap, path: c.pcap}
  rows: {plugin: csv, input: capture, path: rows.csv}
  tax: {plugin: taxonomy, input: capture, window: 1h}
  sources: {plugin: csv, input: tax.sources, path: sources.csv}
EOF
sed -e 's/path: c.pcap/interface: dpl1/' -e 's/output_dir: f/output_dir: o/' file.yaml > live.yaml
"$D" run -q file.yaml 2>err
total=$(($(wc -l < f/rows.csv) - 1))
[ "$total" -gt 1000 ] || bad "fixture read from the file ($total packets)"
cut -d, -f2- f/rows.csv > f/rows.nots
# packets per source, whatever the window (the live times are today's)
per_src () { awk -F, 'NR > 1 { p[$2] += $3 } END { for (s in p) print s, p[s] }' "$1" | sort; }
per_src f/sources.csv > f/per-src

# Starts a capture in the namespace (darkpipe ARGS…), in the background
# ($pid: ip netns exec and the wrappers exec, so it is darkpipe's; a shell
# function in the background would be a subshell), and waits until it
# captures.
start () {
  rm -rf o out err
  ip netns exec "$ns" "${dpcmd[@]}" "$@" >out 2>err &   # a simple command: $! is its pid
  pid=$!
  for _ in $(seq 200); do
    grep -q "capturing on dpl1" err 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
finish () {   # waits for the capture: its status in $rc
  rc=0
  wait "$pid" || rc=$?
  pid=
}
replay () { inns tcpreplay -q --topspeed -i dpl0 "${1:-c.pcap}" >replay.out 2>&1; }
same_rows () { [ -s o/rows.csv ] && cut -d, -f2- o/rows.csv | cmp -s - f/rows.nots; }
same_tax () { per_src o/sources.csv | cmp -s - f/per-src; }

# count: tcpdump -c's meaning, exit 0
start run live.yaml --set capture.count="$total" && replay
finish
if [ $rc -eq 0 ] && same_rows && same_tax && grep -q "received: $total" err && grep -q "dropped-kernel: 0" err; then
  ok "count: the $total packets replayed are decoded as from the file, the taxonomy saw them all (exit 0)"
else
  bad "count: the packets replayed are decoded as from the file (exit $rc)"
fi

# SIGINT: the input ends, every stage finishes and writes, exit 130
if start run live.yaml && replay; then
  sleep 0.5
  kill -INT "$pid"
fi
finish
if [ $rc -eq 130 ] && same_rows && same_tax && grep -q "capture ended by SIGINT; results in o/" err \
   && [ -z "$(find o -name '.*tmp*')" ]; then
  ok "SIGINT: outputs complete and equal to the file's, exit 130"
else
  bad "SIGINT: outputs complete and equal to the file's (exit $rc)"
fi

# SIGTERM, how a service manager stops a capture: 0; a quiet link
# before the signal loses nothing (the last partial batch is flushed)
if start run live.yaml --set capture.flush_interval=100ms && replay; then
  sleep 1
  kill -TERM "$pid"
fi
finish
if [ $rc -eq 0 ] && same_rows && same_tax && grep -q "capture ended by SIGTERM" err; then
  ok "SIGTERM: outputs complete, exit 0"
else
  bad "SIGTERM: outputs complete (exit $rc)"
fi

# duration: ends by itself, exit 0
start run live.yaml --set capture.duration=3s && replay
finish
if [ $rc -eq 0 ] && same_rows && same_tax; then
  ok "duration: the capture ends by itself with every packet, exit 0"
else
  bad "duration: the capture ends by itself with every packet (exit $rc)"
fi

# a filter runs in the kernel: the same rows as the file read with it
"$D" run -q file.yaml --set capture.filter='udp or icmp' --output-dir fu 2>err
cut -d, -f2- fu/rows.csv > fu/rows.nots
start run live.yaml --set capture.filter='udp or icmp' --set capture.duration=3s && replay
finish
if [ $rc -eq 0 ] && [ "$(wc -l < fu/rows.nots)" -gt 10 ] && [ "$(wc -l < fu/rows.nots)" -lt "$total" ] \
   && cut -d, -f2- o/rows.csv | cmp -s - fu/rows.nots; then
  ok "filter: the kernel keeps what the file read with the same filter keeps"
else
  bad "filter: the kernel keeps what the file read with the same filter keeps (exit $rc)"
fi

# the interface goes away mid-capture: a warning naming it, what came
# before is kept (as a truncated file); on_error: fail makes it an error
start run live.yaml && replay
sleep 0.5
inns ip link del dpl0
finish
if [ $rc -eq 0 ] && grep -q "warning: capture: interface dpl1: capture stopped after $total packets: .*(capture-failed" err \
   && same_rows; then
  ok "an interface that goes away: warned (capture-failed), the packets before it kept"
else
  bad "an interface that goes away: warned, the packets before it kept (exit $rc)"
fi

# no privilege: a clear message naming CAP_NET_RAW, exit 1
inns ip link add dpl0 type veth peer name dpl1 && inns ip link set dpl0 up && inns ip link set dpl1 up
chmod 755 "$tmp"
if command -v setpriv >/dev/null; then
  inns setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
    "$D" run live.yaml --output-dir "$tmp/np" >out 2>err; rc=$?
  if [ $rc -eq 1 ] && grep -q "interface dpl1: cannot capture: .*CAP_NET_RAW" err && [ ! -e np/rows.csv ]; then
    ok "without CAP_NET_RAW: the error says what is missing (exit 1)"
  else
    bad "without CAP_NET_RAW: the error says what is missing (exit $rc)"
  fi
  # CAP_NET_RAW alone is enough (promiscuous mode included), as the docs say
  mkdir cap && chown nobody cap
  inns setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all,+net_raw --ambient-caps=+net_raw \
    "$D" run live.yaml --output-dir "$tmp/cap" --set capture.duration=1s >out 2>err; rc=$?
  if [ $rc -eq 0 ] && [ -e cap/rows.csv ]; then
    ok "a user with CAP_NET_RAW alone captures"
  else
    bad "a user with CAP_NET_RAW alone captures (exit $rc)"
  fi
else
  skip "live capture: perm" "no setpriv"
  skip "live capture: cap_net_raw" "no setpriv"
fi

echo "1..$n"
exit $failed
