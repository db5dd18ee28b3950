#!/bin/sh
# test-errors-doc.sh — every error a user can meet is in docs/errors.md:
# each DP_*_ERROR_* code of core/dp-error.h, and each data-error category
# the plugins count (the category argument of dp_stage_data_error, of the
# wrappers that pass a `category` parameter on to it, and the decoder's
# result names when a plugin passes dp_decode_result_name()).  A code or
# category is documented when it appears in backquotes (`bad-line`).  TAP.
top=${DP_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
doc="$top/docs/errors.md"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/errors-doc.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Prints "CATEGORY" lines (and "?EXPR" for an argument this cannot read).
extract_categories () {
  awk '
    # wrappers: a definition line "name (..., const char *category, ...)"
    FNR == 1 { if (text != "") scan(); text = ""; nwrap = 0 }
    /^[a-z_][a-z_0-9]* \(.*const char \*category/ {
      name = $1; head = substr($0, 1, index($0, "const char *category"))
      wrap[++nwrap] = name; warg[nwrap] = gsub(/,/, ",", head)
    }
    { text = text " " $0 }
    END { if (text != "") scan() }

    function scan(   i) {
      calls("dp_stage_data_error", 2)
      for (i = 1; i <= nwrap; i++)
        calls(wrap[i], warg[i])
    }
    # every call "fn (a0, a1, …)": print the literals of argument k
    function calls(fn, k,   rest, at, p, arg) {
      rest = text
      while ((at = match(rest, fn " ?\\(")) > 0) {
        p = at + RLENGTH
        rest = substr(rest, p)
        arg = nth_arg(rest, k)
        literals(arg)
      }
    }
    # argument k (0-based) of the call whose text starts after "("
    function nth_arg(s, k,   i, c, depth, instr, n, cur) {
      depth = 0; instr = 0; n = 0; cur = ""
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (instr) {
          if (c == "\\") { cur = cur c substr(s, i + 1, 1); i++; continue }
          if (c == "\"") instr = 0
        } else if (c == "\"") instr = 1
        else if (c == "(") depth++
        else if (c == ")") { if (depth == 0) break; depth-- }
        else if (c == "," && depth == 0) { if (n == k) return cur; n++; cur = ""; continue }
        if (n == k) cur = cur c
      }
      return n == k ? cur : ""
    }
    function literals(arg,   found, s) {
      found = 0; s = arg
      while (match(s, /"[^"]*"/) > 0) {
        print substr(s, RSTART + 1, RLENGTH - 2); found = 1
        s = substr(s, RSTART + RLENGTH)
      }
      if (found) return
      if (arg ~ /dp_decode_result_name/) print "@decode"
      else if (arg !~ /category/ && arg ~ /[^ ]/) print "?" arg
    }
  ' "$@"
}

find "$top/plugins" -name '*.[ch]' | sort > "$tmp/files"
# shellcheck disable=SC2046
extract_categories $(cat "$tmp/files") | sort -u > "$tmp/raw"
{
  grep -v '^[@?]' "$tmp/raw"
  if grep -q '^@decode$' "$tmp/raw"; then
    # the decoder's names, from its table in core/dp-decode.c
    sed -n '/names\[DP_DECODE_N_RESULTS\]/,/};/p' "$top/core/dp-decode.c" \
      | grep -o '"[^"]*"' | tr -d '"' | grep -v '^ok$'
  fi
} | sort -u > "$tmp/categories"
grep -o 'DP_\(CONFIG\|PLUGIN\|DATA\)_ERROR_[A-Z_]*[A-Z]' "$top/core/dp-error.h" | sort -u > "$tmp/codes"

n=0
fail=0
check () {   # check WORD WHAT
  n=$((n + 1))
  if [ -f "$doc" ] && grep -qF "\`$1\`" "$doc"; then
    echo "ok $n - $2 $1 is in docs/errors.md"
  else
    echo "not ok $n - $2 $1 is not in docs/errors.md (add its cause and what to do)"
    fail=1
  fi
}
while read -r code; do check "$code" "error code"; done < "$tmp/codes"
while read -r cat; do check "$cat" "data-error category"; done < "$tmp/categories"
grep '^?' "$tmp/raw" | sed 's/^?/# category argument not understood (check by hand): /'
# the parsers above read what they should: a dozen codes, several categories
n=$((n + 1))
if [ "$(wc -l < "$tmp/codes")" -ge 20 ] && [ "$(wc -l < "$tmp/categories")" -ge 5 ]; then
  echo "ok $n - found $(wc -l < "$tmp/codes") codes and $(wc -l < "$tmp/categories") categories"
else
  echo "not ok $n - found only $(wc -l < "$tmp/codes") codes and $(wc -l < "$tmp/categories") categories"
  fail=1
fi
echo "1..$n"
exit $fail
