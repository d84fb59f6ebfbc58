for n in node2 node3; do echo $n; done
x=$((1+2)); echo $x
b=vxlan; case $b in vxlan) echo v;; *) echo other;; esac
b=udp; case $b in vxlan) echo v;; host-gw|udp) echo other;; esac
f() { echo "arg $1"; }; f a
f() { echo $# "$@" $1; }; f a "b c"
f() { local x=2; echo $x; }; x=1; f; echo $x
f() { return 3; }; f; echo $?
f() { echo in; }; f | wc -l
if echo 10.244.0.0/16 dev flannel.1 | grep -q flannel.1; then echo vxlan; fi
if false; then echo a; elif true; then echo b; else echo c; fi
if false; then echo a; fi; echo $?
for i in {1..3}; do echo ok $i > /dev/null && echo ok $i; done
echo {a,b}{1..2} x{,y} {01..03} {a..c} {5..1..2} {x}
i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo $i; done
i=3; until [ $i -eq 0 ]; do echo $i; i=$((i-1)); done
for i in 1 2 3; do for j in a b; do [ $j = b ] && continue 2; echo $i$j; done; done
for i in 1 2 3 4; do [ $i = 3 ] && break; echo $i; done
echo $(echo a   b) "$(echo a   b)" `echo c`
x=$(echo one; echo two); echo "$x"
x=$(false); echo $?
echo $((2**10)) $((7/2)) $((-7%3)) $((1<<4)) $((0x1f)) $((010)) $((1 ? 2 : 3)) $((1 == 2 || 3 > 2))
i=5; echo $((i++)) $i $((++i)) $((i+=10)) $i
echo $((1/0)); echo after
echo $((1+))
echo $((08))
echo ${x:-default} ${#HOME} ${HOME}
unset y; echo ${y:=set} $y ${y:+alt}
read -r a b <<< "  one two   three  "; echo "[$a][$b]"
read <<< "  x y  "; echo "[$REPLY]"
read a < /dev/null; echo $? [$a]
echo "a b" | read v; echo "[$v]"
echo hi > /dev/null; echo $?
cat /dev/null | wc -c
[ -c /dev/zero ] && [ ! -f /dev/null ] && echo char devices
(cd /tmp; pwd); pwd
cd /tmp; pwd; cd; pwd
cd /nope
cd /etc/hostname
cd a b
x=1; (x=2; echo $x); echo $x
{ echo a; echo b; } | wc -l
[ 1 -lt a ]
[ a
[ a b ]
[ a -xx b ]
[ 1 -eq 1 -a 2 -gt 1 ]; echo $?
[ ! -z "" ]; echo $?
test -n "" || echo empty
[ -d /tmp ] && [ -f /tmp ] || echo notfile
[[ abc == a* ]]; echo $?
[[ abc == "a*" ]]; echo $?
[[ a =~ ^a ]] && [[ ! -z x ]] && echo yes
[[ 1 -lt a ]]; echo $?
[[ -e /dev/null && ( 1 -eq 2 || b > a ) ]]; echo $?
true; echo $?; false; echo $?; ! true; echo $?
: ; echo $?
break
continue 2
return
local x=1
shift 5; echo $?
a b c
if true; then echo x; fi fi
case x in x) echo a;; esac esac
for 1 in a; do :; done
f() echo
)
fi
done
seq 3
seq 2 4
seq 1 2 7
seq 5 -2 1
seq -s, 3
seq -w 8 10
seq 0.5 1.5 3
seq
seq a
seq 1 0 3
seq 1 2 3 4
yes | head -3
yes a b | head -2
yes --x
echo 'a b c' | cut -d' ' -f1
echo 'a b c' | cut -d' ' -f2-
echo 'a:b:c' | cut -d: -f1,3
echo abcdef | cut -c2-4
echo nodelim | cut -d: -f2
echo nodelim | cut -s -d: -f2
cut
cut -f1 -c1 < /dev/null
cut -c1 -d: < /dev/null
cut -d'  ' -f1 < /dev/null
cut -f0 < /dev/null
cut -f 3-1 < /dev/null
cut -f a < /dev/null
cut -x
cut -c1 /nope
cut --complement -d: -f2 <<< 'a:b:c'
cut -d: -f2,3 --output-delimiter=, <<< 'a:b:c'
cd /tmp && echo x > glob-a1 && echo y > glob-a2 && echo z > glob-b1; echo glob-a*; echo glob-*1; echo "glob-a*"; echo glob-c*; echo glob-a? glob-[ab]2
bash -c 'echo a; fi'
bash -c 'if true; then'
bash -c "echo 'a"
bash -c 'nope; echo $?'
bash -c 'nope' foo
bash -c 'echo $((1/0)); echo x'
bash -c 'cd /nope; [ 1 -lt a ]; echo $0 $1 $2' x y z
echo 'fi' | bash
echo -e 'echo a\nif' > /tmp/golden-s1.sh; bash /tmp/golden-s1.sh
echo -e 'echo a\nfi' > /tmp/golden-s2.sh; bash /tmp/golden-s2.sh
echo -e 'echo a\nnope\ncd /x\n[ 1 -lt a ]\necho $((1/0)); echo dropped\necho after' > /tmp/golden-s3.sh; bash /tmp/golden-s3.sh; echo $?
echo -e 'for i in 1 2\ndo\n  echo $i\ndone | wc -l\nf() {\n  echo "f $1 $#"\n}\nf "a b" c' | bash
echo -e 'FLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450' > /tmp/golden-subnet.env; source /tmp/golden-subnet.env; echo $FLANNEL_SUBNET $FLANNEL_MTU
source
. /nope; echo $?
source /tmp
echo -e 'echo $1 $#\nnope\nf() { echo in f; }' > /tmp/golden-a.sh; . /tmp/golden-a.sh x y; f
echo -e 'echo $1 $#\nnope' > /tmp/golden-b.sh; bash -c 'source /tmp/golden-b.sh a'
echo -e 'cat <<EOF\na $HOME $(echo sub) "q" \\$x\n  b\nEOF\necho after\ncat <<-X\n\tTAB\n\tX\ncat <<"Q" > /tmp/golden-h.out\n$HOME\nQ\ncat /tmp/golden-h.out' > /tmp/golden-h.sh; bash /tmp/golden-h.sh
echo -e 'cat <<EOF\nno end' > /tmp/golden-h2.sh; bash /tmp/golden-h2.sh
echo -e 'cat <<EOF | wc -l\none\ntwo\nEOF\necho $?' | bash
printf "%s-%d\n" a 5 b 6 c
printf "%5s|%-5s|%05d|%x|%o|%c|%%|%.2s|%X|%+d\n" ab cd 42 255 8 xyz hello 255 3
printf "%d\n" abc
printf
printf "a\tb\\n"
printf "%b|%s\n" "x\ty" "x\ty"
printf "%d %s|\n" 3
printf "%.3f %e %i\n" 3.14159 1234.5 7
printf -v x "%s=%s" k v; echo $x
printf "%d\n" 3.5
printf "%q\n" "a b" "it's"
for n in node2 node3; do printf '%s has %s\n' $n "10.244.$((${n#node} - 1)).0/24"; done
f=/run/flannel/subnet.env; echo ${f#*/} ${f##*/} ${f%/*} ${f%%.*} ${f%.nope} ${#f}
ip=10.244.1.0/24; echo ${ip%/*} ${ip#*.} "${ip##*.}"
