# bash completion for litbox (installed as share/bash-completion/completions/litbox).
# Options come from `litbox --help` (read once per shell), so they stay in step with the binary.
_litbox() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  if [ -z "${_litbox_options:-}" ]; then
    _litbox_options=$("${COMP_WORDS[0]}" --help 2>/dev/null | grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' |
                      sed 's/^[ ,]*//' | sort -u | tr '\n' ' ')
  fi
  case $prev in
    --sandbox) mapfile -t COMPREPLY < <(compgen -W 'require auto off' -- "$cur"); return ;;
    --order) mapfile -t COMPREPLY < <(compgen -W 'lexical random smart' -- "$cur"); return ;;
    -o|--output|--xunit-xml-output|--resultdb-output|--time-trace-output|--site)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
  esac
  if [ "$COMP_CWORD" = 1 ] && [[ $cur != -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W 'shell translate merge-results diff-runs slurm' -- "$cur"; compgen -f -- "$cur")
    return
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$_litbox_options" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -o filenames -F _litbox litbox
