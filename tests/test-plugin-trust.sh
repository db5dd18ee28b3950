#!/bin/bash
# test-plugin-trust.sh — plugins load only from trusted places (issue #21
# item 12): a directory or file others can write is refused, relative
# DARKPIPE_PLUGIN_PATH entries are ignored, only DIR (and libtool's .libs)
# is searched, and one plugin name in two files is an error naming both.  TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
D="$B/darkpipe"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
unset DARKPIPE_PLUGIN_PATH
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' log; }
csv=$(ls "$B"/plugins/sink/.libs/csv.so)
printf 'pipeline: t\nstages:\n  s: {plugin: synth_telescope, packets: 100, duration: 1m}\n  o: {plugin: csv, input: s.packets, path: o.csv}\n' > p.yaml

mkdir -p other && cp "$csv" other/csv.so && chmod 755 other other/csv.so
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q "plugin 'csv' is in two files on the search path: $tmp/other/csv.so and .*csv.so" log; then
  ok "a second csv.so is an error naming both files"
else
  bad "a second csv.so is an error naming both files (exit $rc)"
fi

chmod 777 other
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "plugin directory $tmp/other is writable by others (mode 0777); not searched" log; then
  ok "a world-writable plugin directory is refused with a warning"
else
  bad "a world-writable plugin directory is refused (exit $rc)"
fi
chmod 755 other; chmod 664 other/csv.so
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "plugin file $tmp/other/csv.so is writable by its group (mode 0664); not loaded" log; then
  ok "a group-writable plugin file is refused with a warning"
else
  bad "a group-writable plugin file is refused (exit $rc)"
fi

rm other/csv.so; mkdir -p other/deep && cp "$csv" other/deep/csv.so
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 0 ] && ! grep -q "two files" log; then
  ok "a subdirectory of a plugin directory is not searched"
else
  bad "a subdirectory of a plugin directory is not searched (exit $rc)"
fi

mv other/deep/csv.so other/csv.so
DARKPIPE_PLUGIN_PATH=other $D check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "DARKPIPE_PLUGIN_PATH entry 'other' is relative; ignored" log; then
  ok "a relative DARKPIPE_PLUGIN_PATH entry is ignored with a warning"
else
  bad "a relative DARKPIPE_PLUGIN_PATH entry is ignored (exit $rc)"
fi

# the ELF check: a .so without the descriptor symbol is refused before
# dlopen, so its constructor (which would create $TMARKER_FILE) never runs
marker=$(ls "$B"/tests/plugins/.libs/tmarker.so)
mkdir -p m && chmod 755 m && cp "$marker" m/tmarker.so && chmod 755 m/tmarker.so
TMARKER_FILE="$tmp/marker" $D --plugin-dir m plugins tmarker >log 2>&1; rc=$?
TMARKER_FILE="$tmp/marker" $D --plugin-dir m plugins >>log 2>&1
if [ $rc -ne 0 ] && grep -q "$tmp/m/tmarker.so: not a darkpipe plugin (no symbol dp_plugin_tmarker_get_desc); not loaded" log \
   && [ ! -e "$tmp/marker" ]; then
  ok "a .so without the descriptor symbol is refused and its constructor does not run"
else
  bad "a .so without the descriptor symbol is refused, constructor not run (exit $rc)"
fi
# control: the same file does write the marker when it is loaded
if TMARKER_FILE="$tmp/control" LD_PRELOAD="$tmp/m/tmarker.so" /bin/true 2>/dev/null && [ -e "$tmp/control" ]; then
  ok "control: tmarker.so's constructor writes the marker when loaded"
else
  ok "# SKIP control: cannot LD_PRELOAD tmarker.so here"
fi
rm m/tmarker.so

head -c 200 "$csv" > m/short.so; printf 'not elf\n' > m/text.so; chmod 755 m/*.so
$D --plugin-dir m plugins short >log 2>&1; rc1=$?
$D --plugin-dir m plugins text >>log 2>&1; rc2=$?
if [ $rc1 -ne 0 ] && [ $rc2 -ne 0 ] && grep -q "short.so: not a darkpipe plugin (an ELF file without a usable section table)" log \
   && grep -q "text.so: not a darkpipe plugin (not an ELF file)" log; then
  ok "a truncated ELF file and a text file named .so are refused"
else
  bad "a truncated ELF file and a text file named .so are refused"
fi
rm m/short.so m/text.so

# libtool's .libs counts only for a NAME.so with NAME.la beside .libs
rm -f other/csv.so; mkdir -p other/.libs && cp "$csv" other/.libs/csv.so
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 0 ] && ! grep -q "two files" log; then
  ok "DIR/.libs/NAME.so without DIR/NAME.la is not searched"
else
  bad "DIR/.libs/NAME.so without DIR/NAME.la is not searched (exit $rc)"
fi
touch other/csv.la
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q "plugin 'csv' is in two files on the search path: $tmp/other/.libs/csv.so and " log; then
  ok "DIR/.libs/NAME.so with DIR/NAME.la is searched (a duplicate here)"
else
  bad "DIR/.libs/NAME.so with DIR/NAME.la is searched (exit $rc)"
fi
rm -rf other/.libs other/csv.la

# a symbolic link into a directory others can write is refused
mkdir -p ww && cp "$csv" ww/csv.so && chmod 755 ww/csv.so && chmod 777 ww
ln -sf "$tmp/ww/csv.so" other/csv.so
$D --plugin-dir other check p.yaml >log 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "plugin file $tmp/other/csv.so links into $tmp/ww, which is writable by others (mode 0777); not loaded" log; then
  ok "a link to a .so in a world-writable directory is refused"
else
  bad "a link to a .so in a world-writable directory is refused (exit $rc)"
fi
rm other/csv.so

# the ELF check reads 32-bit files too: a hand-made ELF32 shared object
# whose .dynsym holds dp_plugin_t32_get_desc passes it (dlopen then fails:
# wrong class), one whose symbol is named otherwise is refused before dlopen
mk32 () {
  python3 - "$1" "$2" <<'PYEOF'
import struct, sys
out, symname = sys.argv[1], sys.argv[2].encode()
strtab = b"\0" + symname + b"\0"
ehsize, shentsize = 52, 40
stroff = ehsize
symoff = (stroff + len(strtab) + 3) & ~3
syms = b"\0" * 16 + struct.pack("<IIIBBH", 1, 0x1000, 0, (1 << 4) | 2, 0, 1)
shoff = symoff + len(syms)
ident = b"\x7fELF" + bytes([1, 1, 1]) + b"\0" * 9
eh = ident + struct.pack("<HHIIIIIHHHHHH", 3, 3, 1, 0, 0, shoff, 0, ehsize, 0, 0, shentsize, 3, 0)
sh = b"\0" * 40
sh += struct.pack("<IIIIIIIIII", 0, 11, 2, 0, symoff, len(syms), 2, 1, 4, 16)   # SHT_DYNSYM
sh += struct.pack("<IIIIIIIIII", 0, 3, 2, 0, stroff, len(strtab), 0, 0, 1, 0)   # SHT_STRTAB
data = eh + strtab + b"\0" * (symoff - stroff - len(strtab)) + syms + sh
open(out, "wb").write(data)
PYEOF
}
if command -v python3 >/dev/null 2>&1 && [ "$(printf '\001\000' | od -An -tu2 | tr -d ' ')" = 1 ]; then
  mk32 m/t32.so dp_plugin_t32_get_desc && mk32 m/u32.so dp_plugin_x32_get_desc && chmod 755 m/t32.so m/u32.so
  $D --plugin-dir m plugins t32 >log 2>&1; rc1=$?
  $D --plugin-dir m plugins u32 >>log 2>&1; rc2=$?
  if [ $rc1 -ne 0 ] && [ $rc2 -ne 0 ] && grep -q "t32.so: cannot load plugin" log \
     && grep -q "u32.so: not a darkpipe plugin (no symbol dp_plugin_u32_get_desc); not loaded" log; then
    ok "a 32-bit ELF file's dynamic symbol table is read"
  else
    bad "a 32-bit ELF file's dynamic symbol table is read"
  fi
  rm -f m/t32.so m/u32.so
else
  ok "# SKIP no python3 or not little-endian: no hand-made ELF32 file"
fi

# a directory owned by another user (needs root to make one: else skipped)
if [ "$(id -u)" = 0 ] && mkdir -p alien && cp "$csv" alien/csv.so && chown -R 65534 alien 2>/dev/null; then
  $D --plugin-dir alien check p.yaml >log 2>&1; rc=$?
  if [ $rc -eq 0 ] && grep -q "plugin directory $tmp/alien is owned by uid 65534, neither you nor root; not searched" log; then
    ok "a plugin directory owned by another user is refused"
  else
    bad "a plugin directory owned by another user is refused (exit $rc)"
  fi
else
  ok "# SKIP not root: cannot make a directory owned by another user"
fi
echo "1..$n"
