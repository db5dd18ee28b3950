#!/bin/bash
# The pcap source's decoder against tshark on IPv4/IPv6 captures made at
# test time with scapy (issue #17 item 5): tests/decode-tshark.py does the
# work and speaks TAP.  Skipped without tshark (configure's TSHARK) or
# without Debian's python3-scapy (scripts/setup --test-deps installs both).
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
PY=/usr/bin/python3
if [ -z "${TSHARK:-}" ] || [ ! -x "$TSHARK" ]; then
  echo "1..0 # SKIP tshark not found by configure (scripts/setup --test-deps installs it)"
  exit 0
fi
if [ ! -x "$PY" ] || ! "$PY" -c 'import scapy.all' > /dev/null 2>&1; then
  echo "1..0 # SKIP no scapy for $PY (Debian python3-scapy: scripts/setup --test-deps)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# scapy warns on stderr about routes and interfaces it does not need here
"$PY" "$S/tests/decode-tshark.py" "$B" "$tmp" 2> "$tmp/stderr"
rc=$?
grep -v '^WARNING' "$tmp/stderr" | sed 's/^/# /'
exit $rc
