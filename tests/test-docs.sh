#!/bin/bash
# docs/plugins/*.md must be what `darkpipe plugins --markdown` generates
# from the option tables (regenerate: make update-plugin-docs).  TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..2"
mkdir "$tmp/gen"
if "$B/darkpipe" --plugin-dir "$B/plugins" plugins --markdown --output-dir "$tmp/gen" 2>"$tmp/err"; then
  echo "ok 1 - plugin reference generated"
else
  echo "not ok 1 - plugin reference generated"; sed 's/^/# /' "$tmp/err"; exit 0
fi
if diff -ru "$S/docs/plugins" "$tmp/gen" >"$tmp/diff" 2>&1; then
  echo "ok 2 - docs/plugins is up to date"
else
  echo "not ok 2 - docs/plugins is stale: run make update-plugin-docs"
  head -40 "$tmp/diff" | sed 's/^/# /'
fi
