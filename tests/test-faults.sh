#!/bin/sh
# test-faults.sh — darkpipe under faults, end to end (TAP): an output
# directory that cannot be created, a full disk (under a file or a SQLite
# database), failing fsync and rename (through the LD_PRELOAD shim
# tests/fault-write.c), capture files that vanish or become unreadable
# in the middle of a list, and SIGINT/SIGTERM while packets are read and
# while a model trains.  Each run must end with
# a clear message and exit status 1, leave no temp file and no partial
# output, and keep what was there before.
#
# DP_TEST_WRAPPER (e.g. valgrind) wraps the runs that are not timed by a
# signal.  Tests run as root in CI, so nothing here relies on permissions.
build=${DP_TOP_BUILDDIR:-$(pwd)}
dp="$build/darkpipe"
shim="$build/tests/.libs/fault-write.so"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dp-faults.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
# In a sanitizer build the shim is preloaded before libasan: allow it.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; failed=1; sed 's/^/# /' "$tmp/err" 2>/dev/null | head -20; }
check () {   # check DESCRIPTION COMMAND...
  what=$1; shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# Runs a pipeline (extra environment first, as VAR=value words): status in
# $rc, stderr in $tmp/err.  The libtool wrapper runs the real program.
run () {
  case "$DP_TEST_WRAPPER" in
    *--mode=execute*) env "$@" $DP_TEST_WRAPPER "$dp" run "$pipe" >"$tmp/out" 2>"$tmp/err" ;;
    *) env "$@" "$build/libtool" --mode=execute $DP_TEST_WRAPPER "$dp" run "$pipe" >"$tmp/out" 2>"$tmp/err" ;;
  esac
  rc=$?
}
no_temps () { [ -z "$(find "$1" -name '.*.tmp-*' 2>/dev/null)" ]; }
has () { grep -q -- "$1" "$tmp/err"; }

# ------------------------------------------------------------------
# fixtures: three captures an hour apart, made by darkpipe itself

make_pcap () {   # make_pcap NAME START
  cat > "$tmp/mk.yaml" <<EOF
pipeline: mk
output_dir: $tmp
stages:
  s: {plugin: synth_telescope, seed: 3, packets: 800, duration: 10m, start: "$2"}
  o: {plugin: pcap_out, input: s, path: $1}
EOF
  "$dp" run --quiet "$tmp/mk.yaml" 2>"$tmp/err"
}
if make_pcap a.pcap 2021-03-01T00:00:00Z && make_pcap b.pcap 2021-03-01T01:00:00Z \
   && make_pcap c.pcap 2021-03-01T02:00:00Z && [ -s "$tmp/c.pcap" ]; then
  ok "fixture captures made with synth_telescope and pcap_out"
else
  not_ok "fixture captures made with synth_telescope and pcap_out"
  echo "1..$n"
  exit 1
fi

write_csv_pipeline () {   # OUTPUT_DIR [csv options] — a, b, c -> packets.csv
  pipe="$tmp/p.yaml"
  cat > "$pipe" <<EOF
pipeline: faults
output_dir: $1
stages:
  src: {plugin: pcap, paths: [$tmp/a.pcap, $tmp/b.pcap, $tmp/c.pcap]}
  out: {plugin: csv, input: src, path: packets.csv $2}
EOF
}

# ------------------------------------------------------------------
# outputs

: > "$tmp/plainfile"
write_csv_pipeline "$tmp/plainfile/out"
run
check "output dir below a regular file: exit 1" [ "$rc" = 1 ]
check "output dir below a regular file: the message names the path and the cause" \
  sh -c "grep -q 'plainfile/out' '$tmp/err' && grep -q 'Not a directory' '$tmp/err'"

for mode in plain gzip; do
  mkdir -p "$tmp/full-$mode"
  echo "earlier results" > "$tmp/full-$mode/packets.csv"
  opt=""
  [ $mode = gzip ] && opt=", gzip: true"
  write_csv_pipeline "$tmp/full-$mode" "$opt"
  run DP_FAULT_WRITE_PATH="$tmp/full-$mode/" DP_FAULT_WRITE_AFTER=20000 LD_PRELOAD="$shim"
  check "disk full ($mode): exit 1" [ "$rc" = 1 ]
  check "disk full ($mode): 'No space left on device' naming packets.csv" \
    sh -c "grep -q 'No space left on device' '$tmp/err' && grep -q 'packets.csv' '$tmp/err'"
  check "disk full ($mode): the earlier packets.csv is intact" \
    [ "$(cat "$tmp/full-$mode/packets.csv")" = "earlier results" ]
  check "disk full ($mode): no temp file left" no_temps "$tmp/full-$mode"
done

for fault in FSYNC RENAME; do
  d="$tmp/$fault"
  mkdir -p "$d"
  echo "earlier results" > "$d/packets.csv"
  write_csv_pipeline "$d"
  run "DP_FAULT_${fault}_PATH=$d/" LD_PRELOAD="$shim"
  check "$fault fails: exit 1 with 'Input/output error'" sh -c "[ $rc = 1 ] && grep -q 'Input/output error' '$tmp/err'"
  check "$fault fails: earlier packets.csv intact, no temp file" \
    sh -c "[ \"\$(cat '$d/packets.csv')\" = 'earlier results' ] && [ -z \"\$(find '$d' -name '.*.tmp-*')\" ]"
done

# the sqlite sink on a disk that fills up: the batch being written is
# rolled back, the windows committed before stay whole (issue #18)
sqlite3=${SQLITE3:-$(command -v sqlite3 || true)}
sqlite_pipeline () {   # OUTPUT_DIR
  pipe="$tmp/q.yaml"
  cat > "$pipe" <<EOF
pipeline: faults-sqlite
output_dir: $1
stages:
  src: {plugin: pcap, paths: [$tmp/a.pcap, $tmp/b.pcap, $tmp/c.pcap]}
  tax: {plugin: taxonomy, input: src, window: 10m}
  db: {plugin: sqlite, input: [tax.sources, tax.events, tax.summary], path: t.db}
EOF
}
if grep -q '^#define HAVE_SQLITE 1' "$build/config.h" && [ -n "$sqlite3" ]; then
  sqlite_pipeline "$tmp/sql-ok"
  run
  check "sqlite: a database of the three captures is written" [ "$rc" = 0 ]
  d="$tmp/sql-full"
  sqlite_pipeline "$d"
  # about half of what a whole run writes (its WAL, then the checkpoints)
  run DP_FAULT_WRITE_PATH="$d/" DP_FAULT_WRITE_AFTER="$(wc -c < "$tmp/sql-ok/t.db")" LD_PRELOAD="$shim"
  check "sqlite, disk full: exit 1 with SQLite's message naming the table and row" \
    sh -c "[ $rc = 1 ] && grep -q \"t.db: table '[a-z]*', row [0-9]* (.*): .*database or disk is full\" '$tmp/err'"
  check "sqlite, disk full: the database is intact" [ "$("$sqlite3" "$d/t.db" 'pragma integrity_check')" = ok ]
  done_windows=$("$sqlite3" "$d/t.db" 'select group_concat(w) from (select distinct window_start w from summary order by 1)')
  n_done=$(echo "$done_windows" | tr ',' '\n' | grep -c .)
  n_all=$("$sqlite3" "$tmp/sql-ok/t.db" 'select count(distinct window_start) from summary')
  check "sqlite, disk full: some windows committed before the disk filled ($n_done of $n_all)" \
    sh -c "[ '$n_done' -ge 1 ] && [ '$n_done' -lt '$n_all' ]"
  q="select window_start, count(*) from events where window_start in ($done_windows) group by 1"
  check "sqlite, disk full: the committed windows hold all their events" \
    [ "$("$sqlite3" "$d/t.db" "$q")" = "$("$sqlite3" "$tmp/sql-ok/t.db" "$q")" ]
else
  echo "# sqlite fault tests skipped: no sqlite plugin or no sqlite3 shell"
fi

# a report and its figures appear together: a disk that fills half-way
# through them leaves the earlier page and figures as they were, with no
# new figure beside them (issue #21 item 9)
report_pipeline () {   # OUTPUT_DIR
  pipe="$tmp/r.yaml"
  cat > "$pipe" <<EOF
pipeline: faults-report
output_dir: $1
stages:
  src: {plugin: pcap, paths: [$tmp/a.pcap, $tmp/b.pcap, $tmp/c.pcap]}
  tax: {plugin: taxonomy, input: src, window: 10m}
  page: {plugin: report, input: {taxonomy_summary: tax.summary, taxonomy_events: tax.events, taxonomy_sources: tax.sources}, path: report.html, svg_dir: figs}
EOF
}
report_pipeline "$tmp/rep-ok"
run
n_svg=$(ls "$tmp/rep-ok/figs" 2>/dev/null | wc -l)
total=$(cat "$tmp/rep-ok/report.html" "$tmp/rep-ok/figs/"*.svg 2>/dev/null | wc -c)
check "a report with figures is written ($n_svg SVGs, $total bytes)" [ "$rc" = 0 ] && [ "$n_svg" -ge 3 ]
d="$tmp/rep-full"
mkdir -p "$d/figs"
echo "earlier page" > "$d/report.html"
first=$(ls "$tmp/rep-ok/figs" | head -1)
echo "earlier figure" > "$d/figs/$first"
report_pipeline "$d"
run DP_FAULT_WRITE_PATH="$d/" DP_FAULT_WRITE_AFTER=$((total / 2)) LD_PRELOAD="$shim"
check "report, disk full half-way: exit 1 with 'No space left on device'" \
  sh -c "[ $rc = 1 ] && grep -q 'No space left on device' '$tmp/err'"
report_unchanged () {
  [ "$(cat "$d/report.html")" = "earlier page" ] && [ "$(cat "$d/figs/$first")" = "earlier figure" ] \
    && [ "$(ls -A "$d/figs")" = "$first" ] && [ "$(ls -A "$d" | tr '\n' ' ')" = "figs report.html " ]
}
check "report, disk full half-way: the earlier page and figure are unchanged, no new or temp file" report_unchanged

# the same run without faults writes the file: the faults above caused the failures
mkdir -p "$tmp/good"
write_csv_pipeline "$tmp/good"
run
check "without faults the same pipeline succeeds" sh -c "[ $rc = 0 ] && [ -s '$tmp/good/packets.csv' ]"

# ------------------------------------------------------------------
# inputs vanishing in the middle of the list: b.pcap opens while the
# files are probed at the start, and fails once c.pcap has been opened

pipe_ac="$tmp/ac.yaml"
sed "s|$tmp/b.pcap, ||; s|output_dir: .*|output_dir: $tmp/ac|" "$tmp/p.yaml" > "$pipe_ac"
pipe=$pipe_ac
run
rows_ac=$(wc -l < "$tmp/ac/packets.csv")
check "a.pcap and c.pcap alone give packets (the reference for the runs below)" [ "${rows_ac:-0}" -gt 1 ]

for how in ENOENT EACCES; do
  mkdir -p "$tmp/v-$how"
  write_csv_pipeline "$tmp/v-$how"
  extra=""
  [ $how = EACCES ] && extra="DP_FAULT_OPEN_EACCES=1"
  run DP_FAULT_OPEN_PATH=b.pcap DP_FAULT_OPEN_ARM=c.pcap $extra LD_PRELOAD="$shim"
  want="No such file or directory"
  [ $how = EACCES ] && want="Permission denied"
  check "b.pcap gone mid-list ($how), on_error skip: exit 0" [ "$rc" = 0 ]
  check "b.pcap gone mid-list ($how), on_error skip: a warning names b.pcap, '$want' and bad-file" \
    sh -c "grep 'b.pcap' '$tmp/err' | grep '$want' | grep -q 'bad-file'"
  check "b.pcap gone mid-list ($how): the other files are read whole" \
    [ "$(wc -l < "$tmp/v-$how/packets.csv")" = "$rows_ac" ]
  sed -i 's|^  src: {plugin: pcap, |  src: {plugin: pcap, on_error: fail, |' "$pipe"
  rm -f "$tmp/v-$how/packets.csv"
  run DP_FAULT_OPEN_PATH=b.pcap DP_FAULT_OPEN_ARM=c.pcap $extra LD_PRELOAD="$shim"
  check "b.pcap gone mid-list ($how), on_error fail: exit 1 naming b.pcap and '$want'" \
    sh -c "[ $rc = 1 ] && grep -q 'b.pcap' '$tmp/err' && grep -q '$want' '$tmp/err'"
  check "b.pcap gone mid-list ($how), on_error fail: no output, no temp file" \
    sh -c "[ ! -e '$tmp/v-$how/packets.csv' ] && [ -z \"\$(find '$tmp/v-$how' -name '.*.tmp-*')\" ]"
done

# ------------------------------------------------------------------
# signals.  Not wrapped: the timing matters, not the memory.

# TRUE once process $1 catches SIGINT and SIGTERM (darkpipe installs its
# handlers just before the run starts): a signal sent earlier would kill it
# the default way and test nothing.
catches_signals () {
  mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
  [ -n "$mask" ] && [ $(( 0x$mask & 0x4002 )) = $(( 0x4002 )) ]
}

# Starts pipeline $pipe in the background, waits until it handles signals
# and file $1 exists (when given), then $2 seconds, sends signal $3 and
# waits: status in $rc.
signal_run () {
  "$dp" run "$pipe" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  i=0
  while { ! catches_signals $pid || { [ -n "$1" ] && [ ! -e "$1" ]; }; } \
        && [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do
    sleep 0.05
    i=$((i + 1))
  done
  sleep "$2"
  kill -"$3" $pid
  wait $pid
  rc=$?
}

for sig in INT TERM; do
  out="$tmp/read-$sig"
  pipe="$tmp/read.yaml"
  cat > "$pipe" <<EOF
pipeline: big
output_dir: $out
stages:
  s: {plugin: synth_telescope, seed: 1, packets: 2000000000, duration: 30d}
  tax: {plugin: taxonomy, input: s}
  sources: {plugin: csv, input: tax.sources, path: sources.csv}
  events: {plugin: jsonl, input: tax.events, path: events.jsonl}
EOF
  signal_run "" 0.5 $sig
  want=130; [ $sig = TERM ] && want=143
  check "SIG$sig while reading: exit $want (128 + the signal)" [ "$rc" = $want ]
  check "SIG$sig while reading: says it was interrupted while reading and what was done" \
    sh -c "grep -q 'interrupted during reading' '$tmp/err' && grep -q 'completed: s read [1-9][0-9]* rows' '$tmp/err'"
  check "SIG$sig while reading: no output and no temp file" \
    sh -c "[ -z \"\$(find '$out' -type f 2>/dev/null)\" ]"
done

for sig in INT TERM; do
  out="$tmp/train-$sig"
  pipe="$tmp/train.yaml"
  cat > "$pipe" <<EOF
pipeline: train
output_dir: $out
stages:
  s: {plugin: synth_telescope, seed: 1, packets: 50000, duration: 1d}
  corpus: {plugin: darkvec_corpus, input: s, min_packets: 1, text_path: corpus.txt}
  w2v: {plugin: word2vec, input: corpus, epochs: 100000, min_count: 1, vector_size: 8, threads: 1}
  vectors: {plugin: w2v, input: w2v, path: vectors.txt}
EOF
  # the corpus file is committed when the corpus stage finishes: training runs then
  signal_run "$out/corpus.txt" 0.5 $sig
  want=130; [ $sig = TERM ] && want=143
  check "SIG$sig while training: exit $want (128 + the signal)" [ "$rc" = $want ]
  check "SIG$sig while training: says the trainer was interrupted" has "interrupted during w2v"
  check "SIG$sig while training: the finished corpus is kept, no vectors, no temp file" \
    sh -c "[ -s '$out/corpus.txt' ] && [ ! -e '$out/vectors.txt' ] && [ -z \"\$(find '$out' -name '.*.tmp-*')\" ]"
done

echo "1..$n"
exit $failed
