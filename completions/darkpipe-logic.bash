# The logic of darkpipe's bash completion; the words it completes (the
# _darkpipe_* variables) come before it, generated from the command line's
# description (core/darkpipe-cli.c).  Completes commands, their options,
# installed pipelines and .yaml files, plugin names, and for --set the
# stages of the pipeline on the line and the options of each stage's plugin
# (read from `darkpipe plugins NAME`).

# The pipeline file named on the line: a .yaml path, or an installed name.
_darkpipe_pipeline_file ()
{
  local w dir
  for w in "${COMP_WORDS[@]:1}"; do
    case $w in
      *.yaml) [ -f "$w" ] && { printf '%s\n' "$w"; return; } ;;
    esac
  done
  dir=$(_darkpipe_pipeline_dir)
  for w in "${COMP_WORDS[@]:1}"; do
    [ -n "$dir" ] && [ -f "$dir/$w.yaml" ] && { printf '%s\n' "$dir/$w.yaml"; return; }
  done
}

# Where the installed pipelines are, as `darkpipe help run` says.
_darkpipe_pipeline_dir ()
{
  "${COMP_WORDS[0]}" help run 2>/dev/null | sed -n 's/^installed pipelines (\(.*\)):.*/\1/p'
}

_darkpipe_pipelines ()
{
  "${COMP_WORDS[0]}" help run 2>/dev/null | sed -n 's/^installed pipelines ([^)]*)://p'
}

# Stage names of a pipeline file: the keys two spaces in, under stages:.
_darkpipe_stages ()
{
  awk '/^stages:/ { in_st = 1; next } /^[^ #]/ { in_st = 0 }
       in_st && /^  [A-Za-z0-9_-]+:/ { sub (/^  /, ""); sub (/:.*/, ""); print }' "$1"
}

# The plugin of stage $2 in pipeline file $1 (block or flow style).
_darkpipe_stage_plugin ()
{
  awk -v st="$2" '
    /^  [A-Za-z0-9_-]+:/ { name = $1; sub (/:$/, "", name); sub (/:.*/, "", name); cur = name
                            if (cur == st && match ($0, /plugin: *[A-Za-z0-9_]+/)) {
                              p = substr ($0, RSTART, RLENGTH); sub (/plugin: */, "", p); print p; exit } next }
    cur == st && /^    plugin:/ { p = $2; print p; exit }' "$1"
}

_darkpipe_plugin_options ()
{
  "${COMP_WORDS[0]}" plugins "$1" 2>/dev/null | awk '/^## Options/ { on = 1; next } /^## / { on = 0 }
    on && /^\| `/ { o = $2; gsub (/`/, "", o); print o }'
}

# Whether word $1 is in the space-separated list $2.
_darkpipe_in ()
{
  case " $2 " in *" $1 "*) return 0 ;; esac
  return 1
}

_darkpipe ()
{
  local cur prev cmd="" i
  COMPREPLY=()
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}

  if _darkpipe_in "$prev" "$_darkpipe_value_dir"; then
    COMPREPLY=($(compgen -d -- "$cur")); return
  elif _darkpipe_in "$prev" "$_darkpipe_value_file"; then
    COMPREPLY=($(compgen -f -- "$cur")); return
  elif _darkpipe_in "$prev" "$_darkpipe_value_iface"; then
    COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null) any" -- "$cur")); return
  elif _darkpipe_in "$prev" "$_darkpipe_value_count"; then
    COMPREPLY=($(compgen -W "1 2 4 8" -- "$cur")); return
  elif _darkpipe_in "$prev" "$_darkpipe_value_set"; then
    local file stage
    file=$(_darkpipe_pipeline_file)
    [ -z "$file" ] && return
    if [[ $cur == *.* ]]; then
      stage=${cur%%.*}
      local plugin opts
      plugin=$(_darkpipe_stage_plugin "$file" "$stage")
      opts="plugin"
      [ -n "$plugin" ] && opts="$opts $(_darkpipe_plugin_options "$plugin")"
      COMPREPLY=($(compgen -P "$stage." -S = -W "$opts" -- "${cur#*.}"))
    else
      COMPREPLY=($(compgen -S . -W "$(_darkpipe_stages "$file")" -- "$cur"))
    fi
    compopt -o nospace 2>/dev/null
    return
  elif _darkpipe_in "$prev" "$_darkpipe_value_other"; then
    return
  fi

  # the command: the first word that is not an option (or its value)
  for ((i = 1; i < COMP_CWORD; i++)); do
    if _darkpipe_in "${COMP_WORDS[i]}" "$_darkpipe_valued"; then
      ((i++))
    elif [[ ${COMP_WORDS[i]} != -* ]]; then
      cmd=${COMP_WORDS[i]}
      break
    fi
  done

  if [ -z "$cmd" ]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$_darkpipe_options" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$_darkpipe_commands $(_darkpipe_pipelines)" -- "$cur"))
    fi
    return
  fi
  local opts_var=_darkpipe_opts_quick
  _darkpipe_in "$cmd" "$_darkpipe_commands" && opts_var=_darkpipe_opts_$cmd
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "${!opts_var}" -- "$cur"))
    return
  fi
  case $cmd in
    run|check)
      [ $i -eq $((COMP_CWORD - 1)) ] \
        && COMPREPLY=($(compgen -W "$(_darkpipe_pipelines)" -- "$cur") $(compgen -f -X '!*.yaml' -- "$cur") \
                      $(compgen -d -- "$cur")) ;;
    plugins)
      COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" plugins 2>/dev/null | awk '$1 ~ /^[a-z0-9_]+$/ { print $1 }')" -- "$cur")) ;;
    help)
      COMPREPLY=($(compgen -W "$_darkpipe_commands" -- "$cur")) ;;
  esac
}
complete -F _darkpipe darkpipe
