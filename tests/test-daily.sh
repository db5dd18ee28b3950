#!/bin/bash
# The daily update end to end, through separate darkpipe processes:
# pipelines/darkvec-daily.yaml run once a day on three days' captures
# gives the same model and activity state, byte for byte, as one run over
# the three days with w2v.rounds=daily; a damaged model stops the next day
# with a message naming it and leaves the state as it was (issue #19).
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
D="$B/darkpipe"
command -v editcap >/dev/null || { echo "1..0 # SKIP editcap (tshark) not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
echo "1..5"
fail=0
ok () { echo "ok $1 - $2"; }
bad () { echo "not ok $1 - $2"; fail=1; }

cat > make.yaml <<YAML
pipeline: make
output_dir: $tmp/in
stages:
  s: {plugin: synth_telescope, seed: 4, start: "2021-03-01T00:00:00Z", duration: 3d, packets: 45000}
  cap: {plugin: pcap_out, input: s, path: all.pcap}
YAML
$D run make.yaml --quiet || { echo "Bail out! cannot make the capture"; exit 1; }
days=()
for d in 0 1 2; do
  TZ=UTC editcap -A "2021-03-0$((d + 1)) 00:00:00" -B "2021-03-0$((d + 2)) 00:00:00" in/all.pcap "in/day$d.pcap"
  days+=("in/day$d.pcap")
done
small=(--threads 2 --set w2v.vector_size=16 --set w2v.threads=1 --set corpus.min_packets=3 --quiet)

for d in 0 1 2; do
  $D run "$S/pipelines/darkvec-daily.yaml" "${small[@]}" --output-dir each --set "capture.path=${days[$d]}" \
    >/dev/null 2>"each-$d.err" || { cat "each-$d.err"; bad 1 "day $d alone"; }
done
$D run "$S/pipelines/darkvec-daily.yaml" "${small[@]}" --output-dir one --set "capture.paths=${days[0]},${days[1]},${days[2]}" \
  --set w2v.rounds=daily >/dev/null 2>one.err || { cat one.err; bad 1 "the three days in one run"; }
if cmp each/model/model.dpw2v one/model/model.dpw2v && cmp each/state/activity.state one/state/activity.state; then
  ok 1 "one run a day = one run over the days (model.dpw2v $(stat -c %s one/model/model.dpw2v) bytes, activity.state)"
else
  bad 1 "one run a day differs from one run over the days"
fi

# the day's outputs: a summary row for day 3 and the transitions
if grep -q "^2021-03-03," each/summary.csv && [ "$(head -1 each/transitions.csv)" = "day,cluster,track,previous,kind,size,previous_size,overlap,flag" ]; then
  ok 2 "summary.csv and transitions.csv of the third day"
else
  bad 2 "summary.csv and transitions.csv of the third day"
fi

# the same day again is refused, naming the model; nothing is replaced
cp each/model/model.dpw2v before.dpw2v
if $D run "$S/pipelines/darkvec-daily.yaml" "${small[@]}" --output-dir each --set "capture.path=${days[2]}" >/dev/null 2>again.err; then
  bad 3 "a day trained twice is refused"
elif grep -q "trained up to 2021-03-03" again.err && cmp -s before.dpw2v each/model/model.dpw2v; then
  ok 3 "a day trained twice is refused (exit 1, the model kept)"
else
  cat again.err; bad 3 "a day trained twice: message or model"
fi

# a truncated model: a clear error naming it, the state kept
head -c 1000 before.dpw2v > each/model/model.dpw2v
cp each/state/activity.state act.before
$D run "$S/pipelines/darkvec-daily.yaml" "${small[@]}" --output-dir each --set "capture.path=${days[2]}" >/dev/null 2>trunc.err
rc=$?
if [ $rc -eq 1 ] && grep -q "model.dpw2v: truncated" trunc.err && cmp -s act.before each/state/activity.state; then
  ok 4 "a truncated model: exit 1, message naming it, activity state kept"
else
  cat trunc.err; bad 4 "a truncated model (exit $rc)"
fi
# the new campaigns of each day: in the database (appended day after day,
# nothing from the two refused runs above) as one 'new campaign' row per
# emerged cluster, and in the report
if command -v sqlite3 >/dev/null; then
  q () { sqlite3 each/daily.db "$1"; }
  emerged=$(q "select group_concat(day || ':' || emerged, ' ') from (select day, emerged from daily_summary order by day)")
  rows=$(q "select group_concat(day || ':' || n, ' ') from (select day, count(*) as n from new_campaigns group by day order by day)")
  flags=$(q "select count(*) from new_campaigns where flag <> 'new campaign' or patterns = '' or top_ports = ''")
  if [ "$emerged" = "$rows" ] && [ "$(q 'select count(distinct day) from new_campaigns')" = 3 ] && [ "$flags" = 0 ] \
     && grep -q 'id="new-campaigns"' each/report.html && grep -q '<span class="tag">new campaign</span>' each/report.html; then
    ok 5 "new campaigns: one flagged row per emerged cluster each day in daily.db ($rows), with ports and patterns; in report.html"
  else
    bad 5 "new campaigns in daily.db and report.html (emerged per day: $emerged; rows: $rows; unflagged or empty: $flags)"
  fi
else
  echo "ok 5 # SKIP sqlite3 not installed"
fi

exit $fail
