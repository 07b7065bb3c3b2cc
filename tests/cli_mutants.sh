#!/bin/sh
# cli_mutants.sh — the mutant list (mutants/*.txt) stays applicable:
# `tools/mutate.sh --check` finds every mutant's original text exactly
# once in its file, so a refactor that moves or rewrites a mutated line
# fails here, in make check, and not months later in `make mutate` (31 of
# 394 had gone stale that way by 2026-12-06). Then the check itself, on a
# scratch tree: a clean list passes; text changed, found twice or in a
# missing file is named STALE with exit 1. No root, no build.
# Exit 0 = pass, else fail.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

out=$(tools/mutate.sh --check 2>&1)
rc=$?
if [ $rc -eq 0 ]; then ok "the project's mutants: ${out##*
}"; else echo "$out" | grep STALE; fail "stale mutants (exit $rc): fix their text in mutants/*.txt"; fi

# A scratch tree: the script, one source file, one mutant list.
mkdir -p "$tmp/t/tools" "$tmp/t/mutants" "$tmp/t/src"
cp tools/mutate.sh "$tmp/t/tools/"
printf 'int f(int x)\n{\n    return x + 1;\n}\n' >"$tmp/t/src/a.c"
cat >"$tmp/t/mutants/a.txt" <<'M'
## a-plus-two  src/a.c  adds two
<<<
    return x + 1;
===
    return x + 2;
>>>
M
check() { out=$(sh "$tmp/t/tools/mutate.sh" --check 2>&1); rc=$?; }
check
[ $rc -eq 0 ] && echo "$out" | grep -q "1 mutants, 0 stale" && ok "clean list: exit 0" ||
    fail "clean list: exit $rc: $out"

printf 'int f(int x)\n{\n    return 1 + x;\n}\n' >"$tmp/t/src/a.c"
check
[ $rc -eq 1 ] && echo "$out" | grep -q "^STALE    a-plus-two (src/a.c): original text found 0 times" &&
    ok "changed text: STALE, exit 1" || fail "changed text: exit $rc: $out"

printf 'int f(int x)\n{\n    return x + 1;\n    return x + 1;\n}\n' >"$tmp/t/src/a.c"
check
[ $rc -eq 1 ] && echo "$out" | grep -q "found 2 times" && ok "text twice: STALE, exit 1" ||
    fail "text twice: exit $rc: $out"

rm "$tmp/t/src/a.c"
check
[ $rc -eq 1 ] && echo "$out" | grep -q "a-plus-two (src/a.c): no such file" && ok "missing file: STALE, exit 1" ||
    fail "missing file: exit $rc: $out"

[ $fails -eq 0 ] && echo "cli_mutants: all passed" || echo "cli_mutants: $fails failed"
[ $fails -eq 0 ]
