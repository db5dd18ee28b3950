#!/bin/bash
# test-cli-safety.sh — the command line refuses, before any data is read, a
# run that would destroy its own input (issue #21 items 1, 8, 13): exit 2,
# a message naming the option, and the input byte-for-byte unchanged.  TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
D="$B/darkpipe --plugin-dir $B/plugins"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' log; }

cat > mk.yaml <<'Y'
pipeline: mk
output_dir: .
stages:
  t: {plugin: synth_telescope, duration: 10m, seed: 3}
  o: {plugin: pcap_out, input: t, path: good.pcap}
Y
$D run mk.yaml --quiet >log 2>&1 && [ -s good.pcap ] && ok "a capture to read" || bad "a capture to read"
sum=$(cksum < good.pcap)

cat > eat.yaml <<'Y'
pipeline: eat
output_dir: .
stages:
  p: {plugin: pcap, path: good.pcap}
  tax: {plugin: taxonomy, input: p}
  a: {plugin: csv, input: tax.sources, path: good.pcap}
Y
for cmd in check run; do
  $D $cmd eat.yaml --quiet >log 2>&1; rc=$?
  if [ $rc -eq 2 ] && grep -q "eat.yaml:6:.*option 'path': output .*good.pcap would overwrite the input 'good.pcap' of stage 'p'" log \
     && [ "$(cksum < good.pcap)" = "$sum" ]; then
    ok "$cmd: a sink that would overwrite the input is refused (exit $rc), the capture is unchanged"
  else
    bad "$cmd: a sink that would overwrite the input is refused (exit $rc)"
  fi
done

mkdir sub
$D run eat.yaml --quiet --set a.path=../good.pcap --output-dir sub >log 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q "outside the output directory" log && grep -q "would overwrite the input" log \
   && [ "$(cksum < good.pcap)" = "$sum" ]; then
  ok "--set path=../good.pcap --output-dir sub is refused twice over"
else
  bad "--set path=../good.pcap --output-dir sub is refused (exit $rc)"
fi

$D run eat.yaml --quiet --set a.path=s.csv --output-dir '' >log 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q "the output directory is an empty path" log && ! grep -q "results in" log; then
  ok "--output-dir '' is refused"
else
  bad "--output-dir '' is refused (exit $rc)"
fi

for t in 0 -3 1025; do
  $D check eat.yaml --threads $t >log 2>&1; rc=$?
  if [ $rc -eq 2 ] && grep -q -- "--threads must be in \[1, 1024\]" log; then
    ok "--threads $t is refused"
  else
    bad "--threads $t is refused (exit $rc)"
  fi
done

$D run eat.yaml --quiet --set a.path=s.csv >log 2>&1; rc=$?
if [ $rc -eq 0 ] && [ -s s.csv ] && [ "$(cksum < good.pcap)" = "$sum" ]; then
  ok "with a path of its own the same pipeline runs"
else
  bad "with a path of its own the same pipeline runs (exit $rc)"
fi
# terminal escapes that come from input are shown escaped, never sent raw
printf 'ip,label\n192.0.2.1,\033[31mred\007\n192.0.2.2,ok\n' > lab.csv
printf 'pipeline: pr\nstages:\n  l: {plugin: labels, path: lab.csv}\n  p: {plugin: print, input: l}\n' > pr.yaml
$D run pr.yaml --quiet >log 2>&1; rc=$?
if [ $rc -eq 0 ] && ! grep -q $'\033' log && grep -qF '\x1b[31mred\x07' log; then
  ok "print shows ESC and BEL in a cell as \\x1b, \\x07"
else
  bad "print shows ESC and BEL in a cell escaped (exit $rc)"
fi
printf 'pipeline: pr\nstages:\n  l: {plugin: labels, path: "x\\e[2Jy.csv"}\n  p: {plugin: print, input: l}\n' > pr2.yaml
$D run pr2.yaml --quiet >log 2>&1; rc=$?
if [ $rc -eq 2 ] && ! grep -q $'\033' log && grep -qF "'x\x1b[2Jy.csv'" log; then
  ok "an error naming a file with ESC in its name shows it escaped"
else
  bad "an error naming a file with ESC in its name shows it escaped (exit $rc)"
fi
$D check eat.yaml --set $'a.path=\xff.csv' >log 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -qF "a.path=\377.csv': not valid UTF-8" log; then
  ok "a non-UTF-8 --set value is named"
else
  bad "a non-UTF-8 --set value is named (exit $rc)"
fi
echo "1..$n"
