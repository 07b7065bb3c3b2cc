#!/bin/sh
# pd_suite.sh — run a directory of packetdrill scripts (a public suite kept
# outside the repository: Google's gtests/net/tcp, FreeBSD's tcp-testsuite)
# through netstack's tools/packetdrill and count what passes, so a change
# that breaks scripts which passed is seen before it lands.
#
#   tools/pd_suite.sh [options] SUITE_DIR [-- PACKETDRILL_ARGS...]
#     --pd PATH        the packetdrill to run (default: build/gcc-release/tools/packetdrill)
#     --skip REGEX     leave out scripts whose path under SUITE_DIR matches the
#                      extended regex
#     --skip-using REGEX  leave out scripts whose text matches it (the features
#                      netstack does not have: README, "Against the public
#                      suites", gives the one that defines "portable")
#     --out FILE       write one line per script: path TAB exit status TAB the
#                      first line packetdrill printed (default: none)
#     --compare FILE   an earlier --out file: list the scripts whose outcome
#                      changed, and exit 1 if one that passed there fails now
#     --timeout SECS   per script (default 60)
#     PACKETDRILL_ARGS go to every run (e.g. --profile=freebsd)
#
# Each script runs from its own directory (suites include files by relative
# path), on netstack's virtual clock: nothing leaves the process, so no
# namespace is needed. Prints "scripts N  pass P  fail F  skipped S".
# Exit: 0, or 1 on a regression against --compare, 2 on bad usage.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
pd=$here/build/gcc-release/tools/packetdrill
skip="" using="" out="" cmp="" tmo=60
usage() { sed -n '7,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
    case $1 in
    --pd) [ $# -ge 2 ] || usage; pd=$2; shift 2 ;;
    --skip) [ $# -ge 2 ] || usage; skip=$2; shift 2 ;;
    --skip-using) [ $# -ge 2 ] || usage; using=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    --compare) [ $# -ge 2 ] || usage; cmp=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; tmo=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    -*) echo "pd_suite: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || usage
dir=$1; shift
[ "${1:-}" = "--" ] && shift
case $pd in /*) ;; *) pd=$(pwd)/$pd ;; esac
[ -x "$pd" ] || { echo "pd_suite: $pd: not an executable packetdrill (make it first)" >&2; exit 2; }
[ -d "$dir" ] || { echo "pd_suite: $dir: not a directory" >&2; exit 2; }
[ -z "$cmp" ] || [ -r "$cmp" ] || { echo "pd_suite: $cmp: cannot read" >&2; exit 2; }
case $tmo in ''|*[!0-9]*) echo "pd_suite: --timeout wants whole seconds" >&2; exit 2 ;; esac
dir=$(cd "$dir" && pwd)
res=$(mktemp)
trap 'rm -f "$res"' EXIT
n=0 pass=0 fail=0 skipped=0
# One path per line (a path with a newline in it is not a script anyone
# ships); read in this shell, not a pipe's subshell, so the counts stay.
list=$(cd "$dir" && find . -name '*.pkt' -type f | sed 's|^\./||' | LC_ALL=C sort)
while IFS= read -r f; do
    [ -n "$f" ] || continue
    if { [ -n "$skip" ] && printf '%s\n' "$f" | grep -Eq -- "$skip"; } ||
        { [ -n "$using" ] && grep -Eq -- "$using" "$dir/$f"; }; then
        skipped=$((skipped + 1))
        continue
    fi
    n=$((n + 1))
    o=$(cd "$dir/$(dirname "$f")" && timeout -k 5 "$tmo" "$pd" "$@" "$(basename "$f")" 2>&1 </dev/null)
    rc=$?
    first=$(printf '%s\n' "$o" | grep -v '^$' | head -n 1 | tr '\t' ' ')
    printf '%s\t%s\t%s\n' "$f" "$rc" "$first" >>"$res"
    if [ "$rc" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done <<EOF
$list
EOF
[ -n "$out" ] && cp "$res" "$out"
echo "scripts $n  pass $pass  fail $fail  skipped $skipped"
[ -n "$cmp" ] || exit 0
# Outcome changes against the earlier run: "now fails" lines are regressions.
awk -F'\t' 'NR == FNR { was[$1] = $2; next }
    ($1 in was) && (was[$1] == 0) != ($2 == 0) {
        printf "%s %s: %s\n", ($2 == 0 ? "now passes" : "now fails "), $1, $3
        if ($2 != 0) bad = 1
    }
    END { exit bad }' "$cmp" "$res"
