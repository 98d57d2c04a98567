#!/bin/zsh -f
# zcomp.zsh DIR LINE...: the matches zsh's completion offers at the end of
# each LINE, with the completion functions in DIR first in $fpath.
# An interactive zsh runs in a pseudo-terminal (zsh/zpty); a key bound to
# a widget runs complete-word on LINE while a compadd wrapper prints every
# match it is given.  Output, per LINE:
#   ### LINE
#   MATCH            (one line each, as zsh would insert them)
# Exit status 1 if zsh did not answer within 20 s.
zmodload zsh/zpty || exit 2
dir=$1
shift

zpty z zsh -f -i || exit 2
zpty -w z "PS1='' PS2='' RPS1=''; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w z "unsetopt auto_list auto_menu list_beep beep"
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
# the matches of every compadd that adds some (not those that only ask
# for them with -O/-A/-D), then the real compadd
zpty -w z 'compadd() {
  if [[ " ${(j: :)@} " == *\ -[OAD]* ]]; then builtin compadd "$@"; return; fi
  local -a __m
  builtin compadd -A __m "$@"
  local __x; for __x in $__m; do print -r -- "<<M>>$__x"; done
  builtin compadd "$@"
}'
zpty -w z '__zcomp() { print -r -- "<<B>>"; zle complete-word; print -r -- "<<E>>"; BUFFER=""; }'
zpty -w z 'zle -N __zcomp; bindkey "^T" __zcomp'
zpty -w z 'print -r -- "<<READY>>"'

# read lines until one ends with $1; matches go to stdout if $2 is set
readto() {
  local l deadline=$(( SECONDS + 20 ))
  while (( SECONDS < deadline )); do
    if zpty -rt z l; then
      # a marker may follow the editor's own output on the line
      [[ $l == *"$1"* && $l != *print* ]] && return 0
      if [[ -n $2 && $l == *'<<M>>'* ]]; then
        l=${l##*<<M>>}
        l=${l%%$'\r'*}
        print -r -- "${l%%$'\e'*}"
      fi
    else
      sleep 0.05
    fi
  done
  return 1
}

readto '<<READY>>' || { zpty -d z; exit 1; }
st=0
for line in "$@"; do
  print -r -- "### $line"
  zpty -w -n z "$line"$'\x14'
  readto '<<B>>' || { st=1; break; }
  readto '<<E>>' 1 || { st=1; break; }
done
zpty -d z
exit $st
