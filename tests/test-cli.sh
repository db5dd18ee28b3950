#!/bin/bash
# The command line as users of Unix tools expect it: --version, help and
# COMMAND --help on stdout with status 0, a bare or overfull command named,
# installed pipelines by name, --quiet keeping only the error.  TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
D="$B/darkpipe"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
t () {   # t DESCRIPTION WANT_STATUS GREP_STDOUT GREP_STDERR -- ARGS...
  local what=$1 want=$2 out=$3 err=$4; shift 5
  "$D" "$@" >out 2>err; local rc=$?
  if [ $rc -eq "$want" ] && { [ -z "$out" ] || grep -q -- "$out" out; } && { [ -z "$err" ] || grep -q -- "$err" err; }; then
    ok "$what"
  else
    bad "$what (exit $rc)"; sed 's/^/# out: /' out; sed 's/^/# err: /' err
  fi
}
t "--version prints the version and the ABI" 0 "^darkpipe .* (plugin ABI [0-9]*)$" "" -- --version
t "version is the same" 0 "^darkpipe .* (plugin ABI [0-9]*)$" "" -- version
t "help prints the usage on stdout" 0 "^usage: darkpipe" "" -- help
t "--help too" 0 "^usage: darkpipe" "" -- --help
t "run --help is run's help, with the installed pipelines" 0 "^installed pipelines (.*): .*taxonomy" "" -- run --help
t "help check is check's help" 0 "^usage: darkpipe check" "" -- help check
t "help of no command is an error" 2 "" "'frob' is not a command" -- help frob
t "a bare run says what is missing" 2 "" "run: which pipeline?" -- run
t "run with two pipelines says so" 2 "" "run takes one pipeline; also got 'b'" -- run a b
t "an unknown pipeline name is named" 2 "" "nosuch: no such file, and no installed pipeline" -- run nosuch
t "an installed pipeline by name" 0 "taxonomy.yaml: pipeline 'taxonomy' is valid" "" -- check taxonomy --set capture.path=/dev/null
t "an unknown command is named" 2 "" "'frob' is not a command" -- frob
# --quiet: a failed run prints its error, not the summary table
printf 'garbage' > bad.pcap
"$D" run taxonomy --set capture.path=bad.pcap --set capture.on_error=fail --quiet --output-dir o >out 2>err; rc=$?
if [ $rc -eq 1 ] && grep -q "darkpipe: error: .*bad.pcap" err && ! grep -q "rows in" err; then
  ok "--quiet: a failed run prints the error without the summary"
else
  bad "--quiet: a failed run prints the error without the summary (exit $rc)"; sed 's/^/# /' err
fi
# the standard input as a capture (tcpdump -w - | darkpipe …), plain and
# gzip: the same tables as from the file; and a text trace through stdin
printf 'pipeline: mk\noutput_dir: in\nstages:\n  s: {plugin: synth_telescope, seed: 2, duration: 2h, packets: 5000}\n  cap: {plugin: pcap_out, input: s, path: c.pcap}\n' > mk.yaml
"$D" run mk.yaml -q
"$D" run taxonomy -q --set capture.path=in/c.pcap -o file >/dev/null 2>&1
if "$D" run taxonomy -q --set capture.path=- -o pipe < in/c.pcap 2>err && diff -r file pipe >/dev/null \
   && gzip -c in/c.pcap | "$D" run taxonomy -q --set capture.path=- -o gz 2>>err && diff -r file gz >/dev/null \
   && [ "$(wc -l < file/summary.csv)" -gt 1 ]; then
  ok "path: - reads a capture from stdin, plain or gzip, as from the file"
else
  bad "path: - reads a capture from stdin"; sed 's/^/# /' err
fi
# --set swaps a stage's plugin, and a list input replaces the file's 'path:'
printf 'pipeline: mkcsv\noutput_dir: in\nstages:\n  s: {plugin: synth_telescope, seed: 2, duration: 2h, packets: 5000}\n  rows: {plugin: csv, input: s.packets, path: p.csv}\n' > mkcsv.yaml
"$D" run mkcsv.yaml -q
if "$D" run taxonomy -q --set capture.plugin=darkvec_csv --set capture.path=in/p.csv -o swapped 2>err \
   && diff -r file swapped >/dev/null \
   && "$D" run taxonomy -q --set 'capture.paths=[in/c.pcap]' -o listed 2>>err && diff -r file listed >/dev/null; then
  ok "--set stage.plugin swaps the reader; --set paths=[...] replaces path"
else
  bad "--set stage.plugin / paths"; sed 's/^/# /' err
fi
# two sensors of the same hours: merged by time, nothing is late; read one
# after the other, the second one's packets are late: a warning, even -q
printf 'pipeline: mk2\noutput_dir: in\nstages:\n  s: {plugin: synth_telescope, seed: 3, duration: 2h, packets: 5000}\n  cap: {plugin: pcap_out, input: s, path: d.pcap}\n' > mk2.yaml
"$D" run mk2.yaml -q
if "$D" taxonomy -r in/c.pcap -r in/d.pcap -q -o merged 2>err && ! grep -q "warning" err \
   && "$D" taxonomy -r in/c.pcap -r in/d.pcap --set capture.order=sequential -q -o seq 2>err2 \
   && grep -q "warning: tax: [0-9]* packets came more than the slack .* were dropped (late-dropped)" err2; then
  ok "overlapping captures are merged by time; read in sequence, the late packets are a warning even with -q"
else
  bad "merge of overlapping captures / late warning"; sed 's/^/# /' err err2
fi
# rotation: one file per hour, atomically; together they are the one file
if "$D" taxonomy -r in/c.pcap -q -o rot --set summary.rotate=1h --set 'summary.path=summary-%Y%m%d-%H.csv' 2>err \
   && n_files=$(ls rot/summary-*.csv | wc -l) && [ "$n_files" -ge 2 ] \
   && { head -1 file/summary.csv; for f in rot/summary-*.csv; do tail -n +2 "$f"; done; } | cmp -s - file/summary.csv \
   && [ -z "$(ls -A rot | grep tmp)" ]; then
  ok "rotate: $n_files hourly files whose rows are the single file's"
else
  bad "rotate"; sed 's/^/# /' err
fi
printf 'pipeline: mkrot\noutput_dir: rotp\nstages:\n  s: {plugin: synth_telescope, seed: 2, duration: 2h, packets: 5000}\n  rows: {plugin: csv, input: s.packets, path: "p-%%d%%H%%M.csv", rotate: 30m}\n' > mkrot.yaml
if "$D" run mkrot.yaml -q 2>err && [ "$(ls rotp/p-*.csv | wc -l)" -ge 4 ] \
   && { head -1 in/p.csv; for f in rotp/p-*.csv; do tail -n +2 "$f"; done; } | cmp -s - in/p.csv; then
  ok "rotate: packet rows by their time, half-hourly files that are the single file"
else
  bad "rotate of packets"; sed 's/^/# /' err
fi
# a run that resumes mid-period continues that period's file (a warning
# says so), so two runs over the halves of a capture write what one writes
same_gz () { local f; for f in "$1"/*; do cmp -s <(zcat "$f") <(zcat "$2/${f#"$1"/}") || return 1; done; }
if command -v editcap > /dev/null; then
  editcap -r in/c.pcap in/c1.pcap 1-2345 && editcap -r in/c.pcap in/c2.pcap 2346-1000000
  printf 'pipeline: rs\nstages:\n  cap: {plugin: pcap, path: %s}\n  rows: {plugin: csv, input: cap, path: "p-%%d%%H%%M.csv.gz", rotate: 30m}\n' \
    in/c.pcap > rs.yaml
  sed 's|in/c.pcap|in/c1.pcap|' rs.yaml > rs1.yaml; sed 's|in/c.pcap|in/c2.pcap|' rs.yaml > rs2.yaml
  if "$D" run rs.yaml -q -o rs-one 2>err && "$D" run rs1.yaml -q -o rs-two 2>>err && ! grep -q "is continued" err \
     && "$D" run rs2.yaml -q -o rs-two 2>err2 && [ "$(grep -c "is continued" err2)" = 1 ] \
     && [ "$(ls rs-one | wc -l)" -ge 2 ] && [ "$(ls rs-one)" = "$(ls rs-two)" ] \
     && same_gz rs-one rs-two; then
    ok "rotate: a run resumed mid-period continues its file: two runs over halves write what one writes"
  else
    bad "rotate: resumed mid-period"; sed 's/^/# /' err err2
  fi
else
  ok "rotate: resumed mid-period # SKIP no editcap"
fi
t "rotate needs a template in the path" 2 "" "strftime template" -- check taxonomy --set capture.path=/dev/null --set summary.rotate=1h
# the quick form: an installed pipeline's name and -r
cp in/c.pcap "in/it's, odd.pcap"
if "$D" taxonomy -r "in/it's, odd.pcap" -q -o quick 2>err && diff -r file quick >/dev/null \
   && "$D" taxonomy -r - -q -o quickin < in/c.pcap 2>>err && diff -r file quickin >/dev/null \
   && "$D" run taxonomy -r in/c.pcap -q -o runr 2>>err && diff -r file runr >/dev/null; then
  ok "darkpipe NAME -r FILE runs the installed pipeline on FILE (or stdin), as run --set does"
else
  bad "darkpipe NAME -r FILE"; sed 's/^/# /' err
fi
if "$D" taxonomy -r in/c.pcap -f 'tcp and not port 23' -q -o qf 2>err \
   && "$D" run taxonomy --set capture.path=in/c.pcap --set "capture.filter=tcp and not port 23" -q -o sf 2>>err \
   && diff -r qf sf >/dev/null && ! diff -r qf file >/dev/null; then
  ok "-f sets the capture stage's filter"
else
  bad "-f"; sed 's/^/# /' err
fi
t "-i names the capture stage's interface (an unknown one is refused at check)" 2 "" "no network interface 'nosuch0'" -- taxonomy -i nosuch0
"$D" check darkvec -r in/c.pcap --labels /dev/null >out 2>err; rc=$?
if [ $rc -eq 0 ] && ! grep -q "optional 'truth'" err; then ok "--labels turns the truth stage on"; else bad "--labels (exit $rc)"; sed 's/^/# /' err; fi
t "a quick form of no installed pipeline is named" 2 "" "'nosuch' is neither a command nor an installed pipeline" -- nosuch -r x.pcap
# "-" as a sink's path is the standard output
if "$D" run taxonomy -q --set capture.path=in/c.pcap --set summary.path=- -o so > so.csv 2>err \
   && cmp -s so.csv file/summary.csv && [ ! -e so/- ] && [ -e so/events.csv ]; then
  ok "path: - writes a sink's table to the standard output"
else
  bad "path: - for a sink"; sed 's/^/# /' err
fi
t "two sinks on the standard output are refused" 2 "" "already writes to the standard output" -- check taxonomy --set capture.path=/dev/null --set summary.path=- --set events.path=-
t "a database cannot go to the standard output" 2 "" "a database is a file, not a stream" -- check taxonomy --set capture.path=/dev/null --set database.path=-
t "a swapped plugin without an option of the stage is named" 2 "" "stage 'tax' (labels): unknown option 'window'" -- check taxonomy --set tax.plugin=labels --set capture.path=/dev/null
# a run whose source could read nothing at all exits 1, naming what it skipped
"$D" run taxonomy --set capture.path=bad.pcap -o nothing >out 2>err; rc=$?
if [ $rc -eq 1 ] && grep -q "stage 'capture' (pcap) read no input: all of it was skipped (bad-file: 1" err \
   && [ ! -e nothing/summary.csv ]; then
  ok "a source that read nothing fails the run (exit 1) and writes no table"
else
  bad "a source that read nothing fails the run (exit $rc)"; sed 's/^/# /' err
fi
echo "1..$n"
exit $failed
