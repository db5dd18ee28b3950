#!/bin/bash
# The report sink's page: a small pipeline writes it, its header names the
# pipeline and the input, and it renders in headless Chromium (--dump-dom
# and --screenshot must exit 0 and produce output; those two are skipped
# when no chromium is installed; CI: apt-get install chromium).  TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
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
if [ -z "$browser" ]; then
  echo "ok 3 # SKIP chromium not installed"
  echo "ok 4 # SKIP chromium not installed"
  exit 0
fi
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --user-data-dir="$tmp/profile")
url="file://$tmp/out/report.html"
if timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" >"$tmp/dom.html" 2>"$tmp/dom.err" \
     && grep -q '<svg' "$tmp/dom.html" && grep -q 'Render test' "$tmp/dom.html" \
     && grep -q 'id="taxonomy-sources"' "$tmp/dom.html"; then
  echo "ok 3 - chromium loads the page (DOM has the title and the charts)"
else
  echo "not ok 3 - chromium loads the page"; tail -5 "$tmp/dom.err" | sed 's/^/# /'
fi
if timeout 120 "$browser" "${flags[@]}" --screenshot="$tmp/shot.png" --window-size=1280,2000 "$url" \
     >"$tmp/shot.log" 2>&1 && [ "$(head -c 4 "$tmp/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' ')" = "89504e47" ] \
     && [ "$(stat -c %s "$tmp/shot.png")" -gt 20000 ]; then
  echo "ok 4 - chromium renders a screenshot ($(stat -c %s "$tmp/shot.png") bytes)"
else
  echo "not ok 4 - chromium renders a screenshot"; tail -5 "$tmp/shot.log" | sed 's/^/# /'
fi
