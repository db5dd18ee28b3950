#!/bin/bash
# test-plugin-trust.sh — plugins load only from trusted places (issue #21
# item 12): a directory or file others can write is refused, relative
# DARKPIPE_PLUGIN_PATH entries are ignored, only DIR (and libtool's .libs)
# is searched, and one plugin name in two files is an error naming both.  TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
D="$B/darkpipe"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
unset DARKPIPE_PLUGIN_PATH
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' log; }
csv=$(ls "$B"/plugins/sink/.libs/csv.so)
printf 'pipeline: t\nstages:\n  s: {plugin: synth_telescope, packets: 100, duration: 1m}\n  o: {plugin: csv, input: s.packets, path: o.csv}\n' > p.yaml

mkdir -p other && cp "$csv" other/csv.so && chmod 755 other other/csv.so
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q "plugin 'csv' is in two files on the search path: $tmp/other/csv.so and .*csv.so" log; then
  ok "a second csv.so is an error naming both files"
else
  bad "a second csv.so is an error naming both files (exit $rc)"
fi

chmod 777 other
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "plugin directory $tmp/other is writable by others (mode 0777); not searched" log; then
  ok "a world-writable plugin directory is refused with a warning"
else
  bad "a world-writable plugin directory is refused (exit $rc)"
fi
chmod 755 other; chmod 664 other/csv.so
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "plugin file $tmp/other/csv.so is writable by its group (mode 0664); not loaded" log; then
  ok "a group-writable plugin file is refused with a warning"
else
  bad "a group-writable plugin file is refused (exit $rc)"
fi

rm other/csv.so; mkdir -p other/deep && cp "$csv" other/deep/csv.so
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 0 ] && ! grep -q "two files" log; then
  ok "a subdirectory of a plugin directory is not searched"
else
  bad "a subdirectory of a plugin directory is not searched (exit $rc)"
fi

mv other/deep/csv.so other/csv.so
DARKPIPE_PLUGIN_PATH=other $D check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "DARKPIPE_PLUGIN_PATH entry 'other' is relative; ignored" log; then
  ok "a relative DARKPIPE_PLUGIN_PATH entry is ignored with a warning"
else
  bad "a relative DARKPIPE_PLUGIN_PATH entry is ignored (exit $rc)"
fi
echo "1..$n"
