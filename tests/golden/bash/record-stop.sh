#!/usr/bin/env bash
# Records what an interactive bash 5.2 prints when Ctrl-Z stops the foreground job: the
# `Stopped` line, `jobs`, `bg`/`fg` resuming it, `$!`, and `exit` while a job is stopped,
# into stop.txt. As record-jobs.sh: bash in a tmux pane, PS1='$ ', each line typed.
# Lines (type_line LINE [SECONDS]), keys (press KEY [SECONDS]) and pauses (sleep SECONDS) are
# read by src/engine/shell/stop.test.ts too, which replays them on the lab clock.
# usage: record-stop.sh [OUTFILE]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/stop.txt}
s=golden-stop-$$
# A tmux server of its own: another recording may stop the default one meanwhile.
t() { tmux -L "$s" "$@"; }
t new-session -d -s "$s" -x 200 -y 50 \
  "env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=xterm PS1='\$ ' bash --norc --noprofile +H -i"
sleep 0.5
type_line() { t send-keys -t "$s" -l "$1"; t send-keys -t "$s" Enter; sleep "${2:-0.5}"; }
press() { t send-keys -t "$s" "$1"; sleep "${2:-0.5}"; }
type_line 'sleep 100'
press C-z
type_line 'echo $?'
type_line 'jobs'
type_line 'bg'
type_line 'jobs'
type_line 'sleep 3'
press C-z
type_line 'jobs'
type_line 'true'
type_line 'exit'
type_line 'fg' 3.5
type_line 'echo $?'
type_line 'sleep 200'
press C-z
type_line 'bg %2'
type_line 'sleep 300'
press C-z
type_line 'exit'
type_line 'jobs'
type_line 'fg'
press C-c
type_line 'echo $?'
type_line 'kill %1 %2'
type_line 'true'
type_line 'sleep 1 &'
type_line 'echo $!' 1.5
type_line 'true'
# The pane's blank rows and the last, empty prompt go.
t capture-pane -p -t "$s" -S - | sed -e 's/[[:space:]]*$//' | grep -v '^$' | sed -e '$d' >"$out"
t kill-server
