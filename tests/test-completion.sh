#!/bin/bash
# The bash completion script (completions/darkpipe) against the built
# darkpipe: commands, installed pipelines, options, plugin names, and for
# --set the stages of the pipeline on the line and their plugins' options.
# The script's words are generated from the command line's description
# (darkpipe --help-completion): a stale script fails here.  TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
gen=$( { "$B/darkpipe" --help-completion && cat "$S/completions/darkpipe-logic.bash"; } )
if [ "$gen" = "$(cat "$S/completions/darkpipe")" ]; then
  ok "completions/darkpipe is what make completion makes"
else
  bad "completions/darkpipe is stale: run make completion"
  diff <(printf '%s\n' "$gen") "$S/completions/darkpipe" | head -20 | sed 's/^/# /'
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
# compopt works only inside a real completion; a stand-in keeps it quiet
compopt () { :; }
# shellcheck source=/dev/null
. "$S/completions/darkpipe"
complete_line () {   # complete_line WORD... : COMPREPLY for the last word
  COMP_WORDS=("$B/darkpipe" "$@")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMPREPLY=()
  _darkpipe
  printf '%s\n' "${COMPREPLY[@]}" | sort
}
has () {   # has DESCRIPTION WANT -- WORD...
  local what=$1 want=$2; shift 3
  local got; got=$(complete_line "$@")
  if printf '%s\n' "$got" | grep -qx -- "$want"; then ok "$what"; else bad "$what"; printf '%s\n' "$got" | sed 's/^/# got: /'; fi
}
lacks () {
  local what=$1 want=$2; shift 3
  local got; got=$(complete_line "$@")
  if printf '%s\n' "$got" | grep -qx -- "$want"; then bad "$what"; else ok "$what"; fi
}
has "commands" run -- r
has "installed pipelines as a quick form" taxonomy -- tax
has "run takes an installed pipeline" taxonomy -- run tax
printf 'stages:\n  src: {plugin: pcap, path: x.pcap}\n  out:\n    plugin: csv\n    input: src\n' > my.yaml
has "run takes a .yaml file" my.yaml -- run my
has "run's options" --threads -- run taxonomy --th
has "--set gives the stages of an installed pipeline" capture. -- run taxonomy --set cap
has "--set gives a stage's plugin's options" capture.path= -- run taxonomy --set capture.pa
has "--set offers a plugin swap" capture.plugin= -- run taxonomy --set capture.pl
has "--set gives the taxonomy's options" tax.window= -- run taxonomy --set tax.wi
has "--set reads a pipeline file's stages (flow style)" src. -- check my.yaml --set s
has "--set reads a block-style stage's plugin" out.path= -- check my.yaml --set out.pa
lacks "--set does not offer another plugin's options" out.window= -- check my.yaml --set out.wi
has "plugins gives plugin names" taxonomy -- plugins taxo
has "help gives commands" check -- help ch
has "the quick form takes -r" --read -- taxonomy --re
has "the quick form takes -i" -i -- taxonomy -
lacks "check does not offer run's --threads" --threads -- check taxonomy --th
has "anonymize takes --new-key" --new-key -- anonymize --
mkdir -p outdir
has "--output-dir completes folders" outdir -- run taxonomy --output-dir out
has "-o completes folders" outdir -- taxonomy -r x.pcap -o out
has "-i completes interfaces" lo -- taxonomy -i l
# a value is not the command: `--plugin-dir DIR run` still finds run
has "the command after an option's value" --sequential -- --plugin-dir outdir run taxonomy --seq
# every command and every option that the help names is completed
for c in $("$B/darkpipe" help | sed -n '/^commands:/,/^$/s/^  \([a-z]\+\)\( .*\)\?$/\1/p'); do
  has "command $c" "$c" -- "${c:0:2}"
  # the options the command's help describes (its lines "  -x, --name ARG")
  for o in $("$B/darkpipe" help "$c" | sed -n 's/^  \(-[a-zA-Z], \)\?\(--[a-z-]\+\).*/\2/p' | sort -u); do
    [ "$o" = --help ] && continue
    has "$c: option $o" "$o" -- "$c" "${o:0:4}"
  done
done
echo "1..$n"
exit $failed
