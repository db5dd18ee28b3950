#!/bin/bash
# The report sink's page: a small pipeline writes it, its header names the
# pipeline and the input, and it renders in headless Chromium (--dump-dom
# and --screenshot must exit 0 and produce output; those are skipped when
# no chromium is installed; CI: apt-get install chromium).
# Then three short captures days apart (tests/data/report/gaps*.yaml): the
# page counts the hours observed, and Chromium, running a script added to
# a copy of the page, measures where it drew the bars and the axis labels:
# bars at x proportional to their time (gaps kept), a date label at every
# day change, inside the figure.  REPORT_SHOTS=DIR keeps the screenshots.  TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..7"
if "$B/darkpipe" --plugin-dir "$B/plugins" run "$S/tests/data/report/render.yaml" -q \
     --output-dir "$tmp/out" >"$tmp/run.log" 2>&1 && [ -s "$tmp/out/report.html" ]; then
  echo "ok 1 - the pipeline wrote report.html"
else
  echo "not ok 1 - the pipeline wrote report.html"; sed 's/^/# /' "$tmp/run.log"; exit 0
fi
# the header says which pipeline (name and file) and which input made the page
if grep -q "of pipeline ‘report-render’ ($S/tests/data/report/render.yaml)" "$tmp/out/report.html" \
     && grep -Eq '<p class="meta">Input: telescope \(synth_telescope\), synthetic telescope, seed 3, [0-9]+ packets from 20[0-9-]+ [0-9:]+ to 20[0-9-]+ [0-9:]+ UTC</p>' "$tmp/out/report.html"; then
  echo "ok 2 - the header names the pipeline, its file and its input"
else
  echo "not ok 2 - the header names the pipeline, its file and its input"
  grep -o '<p class="meta">[^<]*</p>' "$tmp/out/report.html" | sed 's/^/# /'
fi
browser=${CHROMIUM:-}
for c in chromium chromium-browser google-chrome; do
  [ -n "$browser" ] && break
  command -v "$c" >/dev/null 2>&1 && browser=$c
done
# the captures with gaps and their report (test 5 needs no browser)
gaps=$tmp/gaps
if "$B/darkpipe" --plugin-dir "$B/plugins" run "$S/tests/data/report/gaps-captures.yaml" -q --output-dir "$gaps" \
     >"$tmp/gaps.log" 2>&1 \
   && "$B/darkpipe" --plugin-dir "$B/plugins" run "$S/tests/data/report/gaps.yaml" -q --output-dir "$gaps" \
     --set capture.paths="$gaps/a.pcap,$gaps/b.pcap,$gaps/c.pcap" >>"$tmp/gaps.log" 2>&1 \
   && grep -q '<div class="l">observed, in 3 stretches over 7.7 d</div>' "$gaps/report.html" \
   && grep -q 'no data from 2021-03-01 08:00 to 2021-03-04 13:00 UTC' "$gaps/report.html"; then
  echo "ok 3 - three captures days apart: hours observed in 3 stretches, the gaps named"
else
  echo "not ok 3 - three captures days apart: hours observed in 3 stretches, the gaps named"
  sed 's/^/# /' "$tmp/gaps.log"; grep -o '<div class="kpi">.*' "$gaps/report.html" 2>/dev/null | sed 's/^/# /'
fi
if [ -z "$browser" ]; then
  for n in 4 5 6 7; do echo "ok $n # SKIP chromium not installed"; done
  exit 0
fi
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --user-data-dir="$tmp/profile")
url="file://$tmp/out/report.html"
if timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" >"$tmp/dom.html" 2>"$tmp/dom.err" \
     && grep -q '<svg' "$tmp/dom.html" && grep -q 'Render test' "$tmp/dom.html" \
     && grep -q 'id="taxonomy-sources"' "$tmp/dom.html"; then
  echo "ok 4 - chromium loads the page (DOM has the title and the charts)"
else
  echo "not ok 4 - chromium loads the page"; tail -5 "$tmp/dom.err" | sed 's/^/# /'
fi
if timeout 120 "$browser" "${flags[@]}" --screenshot="$tmp/shot.png" --window-size=1280,2000 "$url" \
     >"$tmp/shot.log" 2>&1 && [ "$(head -c 4 "$tmp/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' ')" = "89504e47" ] \
     && [ "$(stat -c %s "$tmp/shot.png")" -gt 20000 ]; then
  echo "ok 5 - chromium renders a screenshot ($(stat -c %s "$tmp/shot.png") bytes)"
else
  echo "not ok 5 - chromium renders a screenshot"; tail -5 "$tmp/shot.log" | sed 's/^/# /'
fi

# Chromium lays out a copy of the gaps page with a script that writes what
# it drew into the DOM: "bar LEFT WIDTH TITLE" for the packet chart's bars,
# "text LEFT RIGHT TEXT" for its labels, "svg LEFT RIGHT" for the figure.
measure='<script>
var out = [], fig = document.querySelector("#taxonomy-protocols svg"), f = fig.getBoundingClientRect();
out.push("svg " + f.left.toFixed(2) + " " + f.right.toFixed(2));
fig.querySelectorAll("rect").forEach(function (r) {
  var t = r.querySelector("title"), b = r.getBoundingClientRect();
  if (t && / — TCP: /.test(t.textContent)) out.push("bar " + b.left.toFixed(3) + " " + b.width.toFixed(3) + " " + t.textContent);
});
fig.querySelectorAll("text").forEach(function (e) {
  var b = e.getBoundingClientRect();
  out.push("text " + b.left.toFixed(2) + " " + b.right.toFixed(2) + " " + e.textContent);
});
var pre = document.createElement("pre"); pre.id = "measured"; pre.textContent = out.join("\n"); document.body.appendChild(pre);
</script>'
MEASURE=$measure awk '/<\/body>/ { print ENVIRON["MEASURE"] } { print }' "$gaps/report.html" >"$gaps/measure.html"
timeout 120 "$browser" "${flags[@]}" --window-size=1280,2000 --dump-dom "file://$gaps/measure.html" >"$tmp/gaps-dom.html" 2>"$tmp/gaps-dom.err"
sed -n '/<pre id="measured">/,/<\/pre>/p' "$tmp/gaps-dom.html" | sed 's/.*<pre id="measured">//; s/<\/pre>.*//' >"$tmp/measured"
# each bar's time from its title, then x = a + b t through the first and
# last bar: every bar within a pixel of that line (side by side, the
# second capture's bars would sit hundreds of pixels off it)
grep '^bar ' "$tmp/measured" | while read -r _ left width date clock _; do
  echo "$(date -u -d "$date $clock" +%s) $left"
done | sort -n >"$tmp/bars"
if [ "$(wc -l <"$tmp/bars")" -ge 5 ] && awk '
    { t[NR] = $1; x[NR] = $2 }
    END {
      b = (x[NR] - x[1]) / (t[NR] - t[1]); worst = 0
      for (i = 1; i <= NR; i++) { d = x[i] - (x[1] + b * (t[i] - t[1])); if (d < 0) d = -d; if (d > worst) worst = d }
      printf "# %d bars, %.4f px per hour, worst offset %.3f px\n", NR, b * 3600, worst
      exit !(worst < 1 && b > 0)
    }' "$tmp/bars"; then
  echo "ok 6 - chromium draws the bars at x proportional to their time"
else
  echo "not ok 6 - chromium draws the bars at x proportional to their time"
  sed 's/^/# /' "$tmp/bars" "$tmp/gaps-dom.err" | head -20
fi
# a date label at each day change from the first capture to the last, left to
# right, all inside the figure
read -r _ svg_left svg_right < <(grep "^svg " "$tmp/measured")
missing=""
prev=0
for d in 02 03 04 05 06 07 08; do
  line=$(grep -E "^text [0-9.]+ [0-9.]+ 2021-03-$d\$" "$tmp/measured" | head -1)
  if [ -z "$line" ]; then missing="$missing 2021-03-$d"; continue; fi
  read -r _ l r _ <<<"$line"
  awk -v l="$l" -v r="$r" -v a="$svg_left" -v b="$svg_right" -v p="$prev" 'BEGIN { exit !(l >= a && r <= b && l > p) }' \
    || missing="$missing 2021-03-$d(at $l..$r)"
  prev=$l
done
if [ -z "$missing" ] && [ -n "${svg_left:-}" ]; then
  echo "ok 7 - every day change has its date label, in order, inside the figure"
else
  echo "not ok 7 - every day change has its date label, in order, inside the figure:${missing:- no figure}"
  grep -E "^(svg|text) " "$tmp/measured" | sed "s/^/# /" | head -30
fi
if [ -n "${REPORT_SHOTS:-}" ]; then
  mkdir -p "$REPORT_SHOTS"
  timeout 120 "$browser" "${flags[@]}" --hide-scrollbars --screenshot="$REPORT_SHOTS/report-gaps.png" --window-size=1280,2400 \
    "file://$gaps/report.html" >/dev/null 2>&1
  cp "$tmp/shot.png" "$REPORT_SHOTS/report-render.png" 2>/dev/null
fi
