#!/usr/bin/env bash
# Records what an interactive bash 5.2 with job control prints for the job-control lines
# (`&`, jobs, fg, kill %N, wait, and the notices at the next prompt) into jobs.txt.
# bash runs in a tmux pane (a real terminal, so job control is on), PS1='$ '; each line is
# typed, the pane is captured once the line is over. PIDs vary from run to run.
# The lines and the pauses between them (type_line LINE [SECONDS], sleep SECONDS) are read by
# src/engine/shell/jobs.test.ts too, which replays them on the lab clock.
# usage: record-jobs.sh [OUTFILE]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/jobs.txt}
s=golden-jobs-$$
tmux new-session -d -s "$s" -x 200 -y 50 \
  "env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=xterm PS1='\$ ' bash --norc --noprofile +H -i"
sleep 0.5
type_line() { tmux send-keys -t "$s" -l "$1"; tmux send-keys -t "$s" Enter; sleep "${2:-0.5}"; }
type_line 'sleep 100 &'
type_line 'jobs'
type_line 'kill %1'
type_line 'true'
type_line 'sleep 1 &'
sleep 1.5
type_line 'true'
type_line 'kill %9'
type_line 'fg'
type_line 'sleep 2 &'
type_line 'fg' 2.5
type_line 'sleep 1 &'
type_line 'wait' 1.5
type_line 'echo $?'
type_line 'sleep 100 &'
type_line 'sleep 200 &'
type_line 'jobs'
type_line 'kill %1 %2'
type_line 'jobs'
type_line 'sleep 100 &'
type_line 'bg'
type_line 'kill'
type_line 'echo $?'
type_line 'kill 99999'
type_line 'wait %9'
type_line 'echo $?'
type_line 'fg %9'
type_line 'kill -9 %1'
type_line 'true'
type_line 'sleep 1 &'
type_line 'wait %1' 1.5
type_line 'sleep 1 && false &' 1.5
type_line 'true'
# The pane's blank rows and the last, empty prompt go.
tmux capture-pane -p -t "$s" -S - | sed -e 's/[[:space:]]*$//' | grep -v '^$' | sed -e '$d' >"$out"
tmux kill-session -t "$s"
