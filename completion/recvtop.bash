# bash completion for recvtop(1)                           -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0
#
# Installed as share/bash-completion/completions/recvtop (bash-completion
# loads it on first use), or source it from ~/.bashrc.  Works with and
# without the bash-completion package.

# the options of a command (the same lists as 'recvtop COMMAND --help')
_recvtop_options()
{
	case $1 in
	top)
		printf '%s\n' "-i --input --speed -d --delay -n --iterations -b --batch" \
			"--json -p --pid -c --comm --cgroup --container --backend" \
			"--direction --uprobes --no-uprobes --buffer-kb -h --help -V --version" ;;
	record)
		printf '%s\n' "-o --output -d --delay -n --iterations -b --batch --json" \
			"-p --pid -c --comm --cgroup --container --backend" \
			"--direction --uprobes --no-uprobes --buffer-kb --file-version --compress --live --sched --no-kallsyms" \
			"--force -h --help -V --version" ;;
	report)
		printf '%s\n' "-i --input -d --delay --json --cgroup --container" \
			"-h --help -V --version" ;;
	reset)
		printf '%s\n' "-h --help -V --version" ;;
	probes)
		printf '%s\n' "--backend --direction --uprobes --no-uprobes --libc-file -h --help -V --version" ;;
	export)
		printf '%s\n' "-d --delay -n --iterations -p --pid -c --comm --cgroup" \
			"--container --backend --direction --uprobes --no-uprobes --buffer-kb --listen --labels --max-series" \
			"--series-grace --web-config -h --help -V --version" ;;
	esac
}

# the options that take a value
_recvtop_takes_value()
{
	case $1 in
	-o | --output | -i | --input | --speed | -d | --delay | -n | \
	--iterations | -p | --pid | -c | --comm | --backend | --direction | \
	--buffer-kb | --cgroup | --container | \
	--file-version | --listen | --labels | --max-series | --series-grace | \
	--web-config | --libc-file)
		return 0 ;;
	esac
	return 1
}

# the option a word names: itself, the long option it abbreviates (as
# getopt_long takes unambiguous prefixes), or the last of bundled short
# options ("-bp" -> "-p"); empty if none
_recvtop_option_of()
{
	local cmd=$1 word=${2%%=*} o found=""

	case $word in
	--?*)
		for o in $(_recvtop_options "$cmd"); do
			[ "$o" = "$word" ] && { printf '%s\n' "$o"; return; }
			case $o in
			"$word"*) [ -n "$found" ] && return; found=$o ;;
			esac
		done
		printf '%s\n' "$found" ;;
	-[!-]*)
		# a short option with its value attached takes no further word
		o=${word:1}
		while [ -n "$o" ]; do
			if _recvtop_takes_value "-${o:0:1}"; then
				[ ${#o} = 1 ] && printf '%s\n' "-$o"
				return
			fi
			o=${o:1}
		done ;;
	esac
}

# the distinct cgroup v2 paths (the "0::" lines) of the running processes
_recvtop_cgroups()
{
	sed -n 's/^0:://p' /proc/[0-9]*/cgroup 2>/dev/null | sort -u
}

# complete the value of option $1 from the word $2
_recvtop_value()
{
	# one match per line: file and command names may hold spaces
	local opt=$1 cur=$2 pre IFS=$'\n'

	case $opt in
	-i | --input | -o | --output)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur")
			   $(compgen -f -X '!*.dat' -- "$cur")) ;;
	-p | --pid)
		# a comma-separated list: complete its last element
		pre=""
		[[ $cur == *,* ]] && pre=${cur%,*},
		COMPREPLY=($(compgen -P "$pre" -W "$(cd /proc 2>/dev/null &&
			printf '%s\n' [0-9]*)" -- "${cur##*,}"))
		compopt -o nospace 2>/dev/null ;;
	-c | --comm)
		COMPREPLY=($(compgen -W "$(cat /proc/[0-9]*/comm 2>/dev/null |
			sort -u)" -- "$cur")) ;;
	--cgroup)
		# the cgroup v2 paths of the running processes
		COMPREPLY=($(compgen -W "$(_recvtop_cgroups)" -- "$cur")) ;;
	--container)
		# their containers' short ids and their services
		COMPREPLY=($(compgen -W "$(_recvtop_cgroups | sed -n \
			-e 's/.*[/-]\([0-9a-f]\{12\}\)[0-9a-f]\{52\}\(\.scope\)\{0,1\}\(\/.*\)\{0,1\}$/\1/p' \
			-e 's/.*\/\([^/]*\.service\)\(\/.*\)\{0,1\}$/\1/p' |
			sort -u)" -- "$cur")) ;;
	--backend)
		COMPREPLY=($(compgen -W "$(printf '%s\n' auto kprobe \
			sock tracepoint)" -- "$cur")) ;;
	--direction)
		COMPREPLY=($(compgen -W "$(printf '%s\n' rx tx both)" -- "$cur")) ;;
	--speed)
		COMPREPLY=($(compgen -W "$(printf '%s\n' 0.5 1 2 5 10 100 1000 \
			max)" -- "$cur")) ;;
	--file-version)
		COMPREPLY=($(compgen -W "$(printf '%s\n' 6 7)" -- "$cur")) ;;
	--labels)
		# a comma-separated list: complete its last element
		pre=""
		[[ $cur == *,* ]] && pre=${cur%,*},
		COMPREPLY=($(compgen -P "$pre" -W "$(printf '%s\n' pid proto via \
			peer)" -- "${cur##*,}"))
		compopt -o nospace 2>/dev/null ;;
	--listen)
		COMPREPLY=($(compgen -W "$(printf '%s\n' 127.0.0.1:19420 \
			localhost:19420 '[::1]:19420' :19420)" -- "$cur")) ;;
	--web-config)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur")
			   $(compgen -f -X '!*.yml' -- "$cur")
			   $(compgen -f -X '!*.yaml' -- "$cur")) ;;
	--libc-file)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	*)
		# -d, -n, --buffer-kb, --max-series, --series-grace: a number
		COMPREPLY=() ;;
	esac
}

# a command to run and its arguments, from word $1 on
_recvtop_command()
{
	local i=$1 cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\n'

	if declare -F _command_offset >/dev/null; then
		_command_offset "$i"
	elif [ "$COMP_CWORD" = "$i" ]; then
		COMPREPLY=($(compgen -c -- "$cur" | sort -u))
	else
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

_recvtop()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev="" cmd=top i=1 w o opt=""
	local cmds="top record report reset probes export help"

	COMPREPLY=()
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# the command, always the first word
	if [ "$COMP_CWORD" = 1 ] && [[ $cur != -* ]]; then
		COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		return
	fi
	case " $cmds " in
	*" ${COMP_WORDS[1]} "*)
		cmd=${COMP_WORDS[1]}
		i=2 ;;
	esac
	[ "$cmd" = help ] && return

	# the words before the cursor: options, their values, "--", COMMAND
	while [ "$i" -lt "$COMP_CWORD" ]; do
		w=${COMP_WORDS[i]}
		if [ "$w" = -- ]; then
			[ "$cmd" = top ] || [ "$cmd" = record ] || return
			_recvtop_command $((i + 1))
			return
		fi
		case $w in
		-*)
			o=$(_recvtop_option_of "$cmd" "$w")
			if [ -n "$o" ] && _recvtop_takes_value "$o" &&
			   [[ $w != *=* ]]; then
				# "--opt value" or "--opt = value" (bash splits on =)
				if [ "${COMP_WORDS[i + 1]}" = "=" ]; then
					i=$((i + 1))
				fi
				i=$((i + 1))
			fi ;;
		*)
			if [ "$cmd" = top ] || [ "$cmd" = record ]; then
				# the first word that is no option starts COMMAND
				_recvtop_command "$i"
				return
			fi ;;
		esac
		i=$((i + 1))
	done

	# the value of an option: "--opt VALUE", "--opt=VALUE"
	if [[ $cur == --*=* ]]; then
		# COMP_WORDBREAKS without "=": the option is in the word
		opt=$(_recvtop_option_of "$cmd" "$cur")
		if [ -n "$opt" ] && _recvtop_takes_value "$opt"; then
			_recvtop_value "$opt" "${cur#*=}"
			COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
		fi
		return
	fi
	if [ "$cur" = "=" ]; then
		opt=$(_recvtop_option_of "$cmd" "$prev")
		cur=""
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
		opt=$(_recvtop_option_of "$cmd" "${COMP_WORDS[COMP_CWORD - 2]}")
	elif [[ $prev == -* ]]; then
		opt=$(_recvtop_option_of "$cmd" "$prev")
	fi
	if [ -n "$opt" ] && _recvtop_takes_value "$opt"; then
		_recvtop_value "$opt" "$cur"
		return
	fi

	case $cur in
	-*)
		COMPREPLY=($(compgen -W "$(_recvtop_options "$cmd")" -- "$cur")) ;;
	"")
		COMPREPLY=($(compgen -W "$(_recvtop_options "$cmd")" -- "")) ;;
	*)
		if [ "$cmd" = top ] || [ "$cmd" = record ]; then
			_recvtop_command "$COMP_CWORD"
		fi ;;
	esac
}
complete -F _recvtop recvtop
