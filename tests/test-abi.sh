#!/bin/bash
# libdarkpipe exports exactly the functions of its installed headers that
# are marked DP_API, held against tests/data/abi/symbols.txt: a function
# that leaves the list breaks plugins built against it (bump DP_ABI_VERSION),
# one that joins it is new API (add it to the list, with its doc comment).
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
lib=$(ls "$B"/.libs/libdarkpipe.so.[0-9]* 2>/dev/null | head -1)
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
if ! command -v nm >/dev/null || [ -z "$lib" ]; then
  echo "1..0 # SKIP no nm or no shared libdarkpipe"
  exit 0
fi
got=$(nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "D" || $2 == "B" || $2 == "R" { print $3 }' | sort)
want=$(grep -v '^#' "$S/tests/data/abi/symbols.txt" | sort)
if [ "$got" = "$want" ]; then
  ok "libdarkpipe exports the $(echo "$got" | wc -l) symbols of the list"
else
  diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
  bad "libdarkpipe's exports differ from tests/data/abi/symbols.txt (< listed, > exported)"
fi
# every DP_API declaration of the installed headers is in the list
declared=$(cat "$S"/core/dp-*.h | grep -o '^DP_API [^(]*' | grep -o 'dp_[a-z0-9_]*$' | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$want"))
if [ -z "$missing" ]; then
  ok "every DP_API function is exported"
else
  echo "$missing" | sed 's/^/# declared, not exported: /'
  bad "every DP_API function is exported"
fi
echo "1..$n"
exit $failed
