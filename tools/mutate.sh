#!/bin/sh
# mutate.sh — mutation testing: every mutant in mutants/*.txt must make the
# tests fail (`make mutate`, or tools/mutate.sh [options] [ID...]).
#
# A mutant is a realistic one-line bug, written as a block:
#
#   ## <id>  <path/to/file.c>  <what it breaks, and the RFC rule>
#   <<<
#   exact original text (whole lines; must occur exactly once in the file)
#   ===
#   replacement text
#   >>>
#
# The tree (the files git tracks or would add, as they are in the work tree) is copied to a scratch
# directory and built once there; then, for each mutant, the original text
# is replaced, the build is brought up to date, and the tests run until the
# first one fails: the CUnit programs (quickest first), the fuzz corpus
# replays, then tests/cli_*.sh. A failing test (or one that runs past
# MUTATE_TIMEOUT seconds, default 120) KILLS the mutant; a mutant every
# test passes SURVIVED, which means a test is missing. A mutant whose text
# is not found exactly once, or that does not compile, is an ERROR: the
# list has gone stale against the code. The scratch directory is removed
# at the end, whatever happens.
#
# Options:
#   --list      print the mutants (id, file, reason) and exit
#   --check     only check that every mutant's original text is in its file
#               exactly once (no build, seconds; make check runs it, so a
#               refactor that leaves a mutant stale fails at once)
#   --netns     also run the real-peer tests (tests/netns_*.sh; root)
#   --keep      keep the scratch directory (its path is printed)
#   -h, --help  this text
# Exit: 0 when every mutant was killed (--check: none is stale), 1 when
# one survived or errored (--check: a STALE line for each), 2 on bad
# usage.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
list=0 check=0 netns=0 keep=0 ids=""
for a in "$@"; do
    case "$a" in
    --list) list=1 ;;
    --check) check=1 ;;
    --netns) netns=1 ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "mutate: unknown option $a (see --help)" >&2; exit 2 ;;
    *) ids="$ids $a" ;;
    esac
done
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || { echo "mutate: needs python3" >&2; exit 2; }

# The mutants, one record per line: id \t file \t reason \t index.
parse() {
    "$py" - "$here" <<'EOF'
import glob, os, sys
here = sys.argv[1]
out = []
for path in sorted(glob.glob(os.path.join(here, "mutants", "*.txt"))):
    lines = open(path).read().split("\n")
    i = 0
    while i < len(lines):
        l = lines[i]
        if not l.startswith("## "):
            i += 1
            continue
        head = l[3:].split(None, 2)
        if len(head) < 3:
            sys.exit("mutate: %s:%d: want '## ID FILE REASON'" % (path, i + 1))
        try:
            a = lines.index("<<<", i + 1)
            m = lines.index("===", a + 1)
            b = lines.index(">>>", m + 1)
        except ValueError:
            sys.exit("mutate: %s:%d: block without <<< === >>>" % (path, i + 1))
        out.append((head[0], head[1], head[2], "\n".join(lines[a + 1:m]), "\n".join(lines[m + 1:b])))
        i = b + 1
ids = [o[0] for o in out]
dup = sorted(set(x for x in ids if ids.count(x) > 1))
if dup:
    sys.exit("mutate: duplicate mutant ids: " + " ".join(dup))
import json
json.dump(out, open(os.environ["MUT_DB"], "w"))
for o in out:
    print("%s\t%s\t%s" % o[:3])
EOF
}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/ns-mutate.XXXXXX")
cleanup() { [ "$keep" = 1 ] && echo "mutate: scratch kept in $scratch" || rm -rf "$scratch"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
MUT_DB=$scratch/mutants.json
export MUT_DB
parse >"$scratch/index" || exit 2
if [ "$list" = 1 ]; then
    cat "$scratch/index"
    exit 0
fi
if [ "$check" = 1 ]; then
    # The test apply() makes, on the work tree, for every mutant.
    "$py" - "$here" <<'EOF'
import json, os, sys
here = sys.argv[1]
db = json.load(open(os.environ["MUT_DB"]))
stale = 0
for mid, path, why, old, new in db:
    try:
        n = open(os.path.join(here, path)).read().count(old + "\n")
    except OSError:
        n = -1
    if n != 1:
        stale += 1
        print("STALE    %s (%s): %s" % (mid, path, "no such file" if n < 0 else "original text found %d times" % n))
print("mutate: %d mutants, %d stale" % (len(db), stale))
sys.exit(1 if stale else 0)
EOF
    exit $?
fi
if [ -n "$ids" ]; then
    for id in $ids; do
        grep -q "^$id	" "$scratch/index" || { echo "mutate: no mutant $id (see --list)" >&2; exit 2; }
    done
fi

# A copy of the tree as it is now, built once.
tree=$scratch/tree
mkdir -p "$tree"
(cd "$here" && git ls-files -z --cached --others --exclude-standard |
    "$py" -c 'import os, sys; sys.stdout.write("".join(f + "\0" for f in sys.stdin.read().split("\0") if f and os.path.lexists(f)))' |
    tar cf - --null -T -) | (cd "$tree" && tar xf -) ||
    { echo "mutate: cannot copy the tree" >&2; exit 2; }
build=$(cd "$tree" && make -s builddir)
echo "mutate: building the unmutated tree in $tree"
if ! (cd "$tree" && make -s -j2 all tests) >"$scratch/build.log" 2>&1; then
    cat "$scratch/build.log"; echo "mutate: the unmutated tree does not build" >&2; exit 1
fi

# run_tests: 0 when every test passes, else 1 (with the first failure's
# name in $scratch/killer).
limit=${MUTATE_TIMEOUT:-120}
run_tests() {
    (
        cd "$tree" || exit 1
        NETSTACK=$build/netstack SIMLOSS=$build/tools/simloss LINKEM=$build/tools/linkem
        export NETSTACK SIMLOSS LINKEM
        for t in $(ls -S -r "$build"/tests/test_* | grep -v '\.[od]$'); do
            out=$(timeout -k 5 "$limit" "$t" 2>&1) || { echo "$(basename "$t")" >"$scratch/killer"; exit 1; }
            echo "$out" | grep -q '^RESULT .* 0 failed' || { echo "$(basename "$t")" >"$scratch/killer"; exit 1; }
        done
        for r in "$build"/fuzz/*-replay; do
            n=$(basename "$r" -replay)
            timeout -k 5 "$limit" "$r" "fuzz/corpus/$n" "fuzz/crashes/$n" >/dev/null 2>&1 ||
                { echo "$n corpus replay" >"$scratch/killer"; exit 1; }
        done
        scripts="tests/cli_*.sh"
        [ "$netns" = 1 ] && scripts="$scripts tests/netns_*.sh"
        for s in $scripts; do
            # cli_mutants.sh checks the list against the tree, which the
            # applied mutant has just changed: it would "kill" every one.
            [ "$s" = tests/cli_mutants.sh ] && continue
            timeout -k 5 "$limit" sh "$s" >/dev/null 2>&1
            rc=$?
            [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || { echo "$s" >"$scratch/killer"; exit 1; }
        done
        exit 0
    )
}
if ! run_tests; then
    echo "mutate: the unmutated tree fails $(cat "$scratch/killer"); fix that first" >&2
    exit 1
fi

# apply ID: replaces the mutant's text in the scratch tree (the original
# file is saved as $scratch/orig); 0, or 1 when the text is not there
# exactly once.
apply() {
    "$py" - "$tree" "$1" "$scratch/orig" <<'EOF'
import json, os, shutil, sys
tree, want, orig = sys.argv[1:4]
for mid, path, why, old, new in json.load(open(os.environ["MUT_DB"])):
    if mid != want:
        continue
    f = os.path.join(tree, path)
    try:
        s = open(f).read()
    except OSError as e:
        sys.exit("no such file %s" % path)
    n = s.count(old + "\n")
    if n != 1:
        sys.exit("original text found %d times in %s" % (n, path))
    shutil.copy2(f, orig)
    open(f, "w").write(s.replace(old + "\n", new + "\n", 1))
    sys.exit(0)
sys.exit("unknown id")
EOF
}

killed=0 survived=0 errors=0 bad=""
t_all=$(date +%s)
while IFS='	' read -r id file why; do
    if [ -n "$ids" ]; then
        case " $ids " in *" $id "*) ;; *) continue ;; esac
    fi
    t0=$(date +%s)
    if ! msg=$(apply "$id" 2>&1); then
        echo "ERROR    $id ($file): $msg"
        errors=$((errors + 1)); bad="$bad $id"; continue
    fi
    if ! (cd "$tree" && make -s -j2 all tests) >"$scratch/build.log" 2>&1; then
        verdict="ERROR    $id ($file): does not build: $(grep -m1 'error' "$scratch/build.log")"
        errors=$((errors + 1)); bad="$bad $id"
    elif run_tests; then
        verdict="SURVIVED $id ($file): $why"
        survived=$((survived + 1)); bad="$bad $id"
    else
        verdict="KILLED   $id by $(cat "$scratch/killer")"
        killed=$((killed + 1))
    fi
    # Restore the original (a fresh mtime, so make rebuilds it next time).
    cp "$scratch/orig" "$tree/$file" && touch "$tree/$file"
    echo "$verdict ($(($(date +%s) - t0)) s)"
done <"$scratch/index"
echo "mutate: $killed killed, $survived survived, $errors errors ($(($(date +%s) - t_all)) s)"
[ -n "$bad" ] && echo "mutate: not killed:$bad"
[ "$survived" -eq 0 ] && [ "$errors" -eq 0 ]
