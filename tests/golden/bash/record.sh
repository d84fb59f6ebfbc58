#!/usr/bin/env bash
# Records what an interactive bash 5.2 prints for each line of cases.sh (stdout and stderr
# together) and its exit status, into language.txt: "$ LINE", the output, "[exit N]".
# Each line runs in a fresh `bash -i` (no rc files, history expansion off) started in /root,
# as a terminal's shell starts; the readline echo, the job-control notices and the closing
# "exit" are dropped.
# usage: record.sh [OUTFILE]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/language.txt}
: >"$out"
while IFS= read -r line; do
  [ -z "$line" ] && continue
  printf '$ %s\n' "$line" >>"$out"
  (cd /root && printf '%s\necho "[exit $?]"\n' "$line" |
    env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb COLUMNS=1000 PS1= PS2= \
      bash --norc --noprofile +H -i 2>&1) |
    grep -v -x -F -e "$line" -e 'echo "[exit $?]"' -e 'exit' \
      -e 'bash: cannot set terminal process group (-1): Inappropriate ioctl for device' \
      -e 'bash: no job control in this shell' |
    grep -v -e "^bash: cannot set terminal process group" -e "tcsetattr: Inappropriate ioctl" >>"$out"
done <"$here/cases.sh"
rm -f /tmp/glob-a1 /tmp/glob-a2 /tmp/glob-b1 /tmp/golden-s[123].sh /tmp/golden-subnet.env /tmp/golden-a.sh /tmp/golden-b.sh /tmp/golden-h.sh /tmp/golden-h2.sh /tmp/golden-h.out
