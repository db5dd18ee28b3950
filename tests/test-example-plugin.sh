#!/bin/bash
# Installs darkpipe into a scratch DESTDIR, builds examples/port_count and
# examples/port_filter against the installed headers and darkpipe.pc only,
# runs the filter's own harness test, and runs both through the installed
# darkpipe.  Speaks TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
echo "1..9"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

unset MAKEFLAGS MFLAGS MAKELEVEL
eval "$(make -s --no-print-directory -C "$B" print-install-dirs)"
if make -s --no-print-directory -C "$B" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1; then
  echo "ok 1 - make install into DESTDIR"
else
  echo "not ok 1 - make install into DESTDIR"; sed 's/^/# /' "$tmp/install.log"; exit 1
fi

cp -r "$S/examples/port_count" "$tmp/ex"
chmod -R u+w "$tmp/ex"
# relocate the installed darkpipe.pc into the scratch root
mkdir -p "$tmp/pc"
sed "s|^prefix=.*|prefix=$tmp/root$prefix|" "$tmp/root$libdir/pkgconfig/darkpipe.pc" >"$tmp/pc/darkpipe.pc"
export PKG_CONFIG_PATH="$tmp/pc"
if make -s --no-print-directory -C "$tmp/ex" >"$tmp/build.log" 2>&1 && [ -f "$tmp/ex/port_count.so" ]; then
  echo "ok 2 - example plugin builds against the installed tree"
else
  echo "not ok 2 - example plugin builds against the installed tree"; sed 's/^/# /' "$tmp/build.log"; exit 1
fi

# a raw-IP capture: 3 packets to 23/tcp, 2 to 2323/tcp, 1 to 53/udp
python3 - "$tmp/ex/capture.pcap" <<'PY'
import struct, sys
def pkt(proto, dport):
    l4 = struct.pack('>HHIIBBHHH', 40000, dport, 0, 0, 0x50, 2, 1024, 0, 0) if proto == 6 \
         else struct.pack('>HHHH', 40000, dport, 8, 0)
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                     bytes([10, 0, 0, 1]), bytes([192, 0, 2, 7]))
    return ip + l4
pkts = [pkt(6, 23)] * 3 + [pkt(6, 2323)] * 2 + [pkt(17, 53)]
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate(pkts):
        f.write(struct.pack('<IIII', 1600000000 + i, 0, len(p), len(p)) + p)
PY

cd "$tmp/ex"
export LD_LIBRARY_PATH="$tmp/root$libdir"
unset DARKPIPE_PLUGIN_PATH
if "$tmp/root$bindir/darkpipe" --plugin-dir "$tmp/ex" --plugin-dir "$tmp/root$plugindir" \
     run example.yaml --quiet >"$tmp/run.log" 2>&1; then
  echo "ok 3 - installed darkpipe runs the example pipeline"
else
  echo "not ok 3 - installed darkpipe runs the example pipeline"; sed 's/^/# /' "$tmp/run.log"; exit 1
fi
expected=$'port,proto,packets\n23,tcp,3\n2323,tcp,2\n53,udp,1'
got=$(cat out/port-count/ports.csv 2>/dev/null)
if [ "$got" = "$expected" ]; then
  echo "ok 4 - example plugin counted the ports"
else
  echo "not ok 4 - example plugin counted the ports"; printf '%s\n' "$got" | sed 's/^/# got: /'
fi

# the example filter: built, tested through the installed harness, run
cp -r "$S/examples/port_filter" "$tmp/fx"
chmod -R u+w "$tmp/fx"
cp "$tmp/ex/capture.pcap" "$tmp/fx/"
cd "$tmp/fx"
if make -s --no-print-directory >"$tmp/fbuild.log" 2>&1 && [ -f port_filter.so ]; then
  echo "ok 5 - example filter builds against the installed tree"
else
  echo "not ok 5 - example filter builds against the installed tree"; sed 's/^/# /' "$tmp/fbuild.log"
fi
# the test program links libdarkpipe: built with the library's flags (a
# sanitizer build's library needs its runtime in the program too)
if make -s --no-print-directory check CFLAGS="-g -Wall -Wno-unused-parameter $build_flags" >"$tmp/fcheck.log" 2>&1 \
   && grep -q "^ok 3 " "$tmp/fcheck.log"; then
  echo "ok 6 - its harness test passes against the installed tree"
else
  echo "not ok 6 - its harness test passes against the installed tree"; sed 's/^/# /' "$tmp/fcheck.log"
fi
run_filter () {
  "$tmp/root$bindir/darkpipe" --plugin-dir "$tmp/fx" --plugin-dir "$tmp/root$plugindir" \
    run example.yaml --quiet "$@" >"$tmp/frun.log" 2>&1
}
if run_filter && [ "$(tail -n +2 out/port-filter/telnet.csv | cut -d, -f6 | sort | uniq -c | tr -s ' ')" = "$(printf ' 3 23\n 2 2323')" ]; then
  echo "ok 7 - the filter keeps the 5 packets to 23 and 2323"
else
  echo "not ok 7 - the filter keeps the 5 packets to 23 and 2323"; sed 's/^/# /' "$tmp/frun.log" out/port-filter/telnet.csv
fi
if run_filter --set telnet.limit=4 && [ "$(tail -n +2 out/port-filter/telnet.csv | wc -l)" = 4 ]; then
  echo "ok 8 - with limit 4 it passes 4 and stops"
else
  echo "not ok 8 - with limit 4 it passes 4 and stops"; sed 's/^/# /' "$tmp/frun.log"
fi
if ! run_filter --set 'telnet.ports=23,telnet' && grep -q "example.yaml:[0-9]*:[0-9]*: .*'telnet' is not a port number" "$tmp/frun.log"; then
  echo "ok 9 - a bad port is refused before any data, at its line"
else
  echo "not ok 9 - a bad port is refused before any data, at its line"; sed 's/^/# /' "$tmp/frun.log"
fi
