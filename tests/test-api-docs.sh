#!/bin/sh
# test-api-docs.sh — every public function of the installed headers has a
# doc comment: each DP_API declaration, and each static inline function of
# a header (dp-hash.h is header-only), has a comment ending on the line
# directly above it.  A run of consecutive DP_API declarations under one
# comment counts as covered by it.  The comment of a function that returns
# a pointer says who owns it: the word "transfer" (full, none, container).
# Static inline names ending in "_" are private.  TAP.
top=${DP_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
headers="batch error output outgroup hash decode harness options pipeline plugin"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/api-docs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Prints "FILE<TAB>NAME<TAB>KIND<TAB>COMMENTED<TAB>POINTER<TAB>TRANSFER",
# KIND "api" or "inline", the others 0 or 1.
extract () {
  awk '
    FNR == 1 { in_c = 0; in_decl = 0; in_inl = 0; c_end = -10; d_end = -10; ctext = "" }
    in_c {
      ctext = ctext "\n" $0
      if ($0 ~ /\*\//) { in_c = 0; c_end = FNR }
      next
    }
    in_decl {
      decl = decl " " $0
      if ($0 ~ /;/) { in_decl = 0; d_end = FNR; emit("api", decl) }
      next
    }
    in_inl {
      decl = decl " " $0
      if ($0 ~ /\(/) { in_inl = 0; emit("inline", decl) }
      next
    }
    /^[ \t]*\/\*/ {
      ctext = $0
      if ($0 ~ /\*\/[ \t]*$/) c_end = FNR
      else if ($0 !~ /\*\//) in_c = 1
      next
    }
    /^DP_API[ \t]/ {
      if (d_end == FNR - 1) {            # the run of declarations goes on
        commented = run_commented; comment = run_comment
      } else {
        commented = (c_end == FNR - 1); comment = commented ? ctext : ""
        run_commented = commented; run_comment = comment
      }
      decl = $0
      if ($0 ~ /;/) { d_end = FNR; emit("api", decl) } else in_decl = 1
      next
    }
    /^static inline([ \t]|$)/ {
      commented = (c_end == FNR - 1); comment = commented ? ctext : ""
      decl = $0
      if ($0 ~ /\(/) emit("inline", decl); else in_inl = 1
      next
    }
    function emit(kind, d,   name, ret) {
      if (!match(d, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) return
      name = substr(d, RSTART, RLENGTH)
      sub(/[ \t]*\($/, "", name)
      ret = substr(d, 1, RSTART - 1)
      if (kind == "inline" && name ~ /_$/) return
      printf "%s\t%s\t%s\t%d\t%d\t%d\n", FILENAME, name, kind, commented,
             (ret ~ /\*/ || ret ~ /(^|[^A-Za-z_])gpointer([^A-Za-z_]|$)/), (comment ~ /transfer/)
    }
  ' "$@"
}

files=""
for h in $headers; do files="$files core/dp-$h.h"; done
# shellcheck disable=SC2086
(cd "$top" && extract $files) > "$tmp/funcs" || exit 1

n=0
fail=0
tab=$(printf '\t')
while IFS="$tab" read -r file name _ commented pointer transfer; do
  n=$((n + 1))
  why=""
  if [ "$commented" != 1 ]; then
    why="has no doc comment ending on the line above it"
  elif [ "$pointer" = 1 ] && [ "$transfer" != 1 ]; then
    why="returns a pointer but its comment does not say transfer (full, none, container)"
  fi
  if [ -z "$why" ]; then
    echo "ok $n - $file: $name is documented"
  else
    echo "not ok $n - $file: $name $why"
    fail=1
  fi
done < "$tmp/funcs"

# the parser above read what it should: every exported symbol, and the
# inline functions
n=$((n + 1))
awk -F "$tab" '$3 == "api" { print $2 }' "$tmp/funcs" | sort > "$tmp/declared"
grep -v '^#' "$top/tests/data/abi/symbols.txt" | sort > "$tmp/exported"
if cmp -s "$tmp/declared" "$tmp/exported"; then
  echo "ok $n - found the $(wc -l < "$tmp/declared") DP_API functions of tests/data/abi/symbols.txt"
else
  diff "$tmp/exported" "$tmp/declared" | sed 's/^/# /'
  echo "not ok $n - the DP_API declarations found differ from tests/data/abi/symbols.txt (< listed, > found)"
  fail=1
fi
n=$((n + 1))
inline=$(awk -F "$tab" '$3 == "inline"' "$tmp/funcs" | wc -l)
if [ "$inline" -ge 8 ]; then
  echo "ok $n - found $inline static inline functions"
else
  echo "not ok $n - found only $inline static inline functions"
  fail=1
fi
echo "1..$n"
exit $fail
