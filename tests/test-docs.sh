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
# plugins that configure may leave out (PLUGIN:CONFIG_MACRO): their page
# is not checked in a build without them
for opt in anonymize:HAVE_CRYPTO sqlite:HAVE_SQLITE; do
  name=${opt%%:*} macro=${opt#*:}
  if [ ! -f "$tmp/gen/$name.md" ] && ! grep -q "^#define $macro 1" "$B/config.h" \
     && [ -f "$S/docs/plugins/$name.md" ]; then
    echo "# $name is not built ($macro unset): docs/plugins/$name.md not checked"
    cp "$S/docs/plugins/$name.md" "$tmp/gen/"
  fi
done
if diff -ru "$S/docs/plugins" "$tmp/gen" >"$tmp/diff" 2>&1; then
  echo "ok 2 - docs/plugins is up to date"
else
  echo "not ok 2 - docs/plugins is stale: run make update-plugin-docs"
  head -40 "$tmp/diff" | sed 's/^/# /'
fi
