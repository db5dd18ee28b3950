#!/bin/bash
# The man page (man/darkpipe.1) renders without groff warnings and names
# every command, option and exit status that `darkpipe help` does.  TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
M="$S/man/darkpipe.1"
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
if ! command -v groff >/dev/null; then
  echo "1..0 # SKIP groff is not installed"
  exit 0
fi
warn=$(groff -man -Tutf8 -ww -z "$M" 2>&1)
if [ -z "$warn" ]; then ok "groff renders it without warnings"; else bad "groff warns"; echo "$warn" | sed 's/^/# /'; fi
text=$(groff -man -Tutf8 "$M" 2>/dev/null | col -b)
# the commands of the usage
for c in $("$B/darkpipe" help | sed -n 's/^  \([a-z]\+\) .*/\1/p'); do
  if printf '%s\n' "$text" | grep -q "^       $c\b\|^   *$c\b"; then ok "command $c"; else bad "command $c is not in the man page"; fi
done
# every long option of run's help
for o in $("$B/darkpipe" help run | grep -o -- '--[a-z-]\+' | sort -u); do
  if printf '%s\n' "$text" | grep -q -- "$o"; then ok "option $o"; else bad "option $o is not in the man page"; fi
done
for s in 0 1 2 130 143; do
  if printf '%s\n' "$text" | grep -q "^       $s\b\|^       .*\b$s\b"; then ok "exit status $s"; else bad "exit status $s"; fi
done
echo "1..$n"
exit $failed
