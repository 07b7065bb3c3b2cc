#!/bin/sh
# run_all.sh BUILD — run every CUnit program in BUILD/tests, then the
# real-peer shell tests (tests/netns_*.sh, which make their own network
# namespace), and print one closing "N passed, N failed" line.
# NETSTACK_SKIP_NETNS=1 skips the real-peer tests (each skip is printed).
build=${1:-build}
# Shell tests run the binaries of this build (sanitized under SANITIZE=1).
NETSTACK=${NETSTACK:-$build/netstack}
SIMLOSS=${SIMLOSS:-$build/tools/simloss}
LINKEM=${LINKEM:-$build/tools/linkem}
export NETSTACK SIMLOSS LINKEM
passed=0 failed=0 skipped=0 bad=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.o|*.d) continue ;; esac
    if "$t" >"$log" 2>&1; then rc=0; else rc=$?; fi
    line=$(grep '^RESULT ' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        cat "$log"
        echo "FAIL $t: crashed or printed no result (exit $rc)"
        failed=$((failed + 1)); bad="$bad $t"
        continue
    fi
    p=$(echo "$line" | sed 's/.*: \([0-9]*\) passed.*/\1/')
    f=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
        cat "$log"; bad="$bad $t"
        [ "$f" -eq 0 ] && failed=$((failed + 1))
    else
        echo "$line"
    fi
done
# Fuzz corpus replay: every saved input and every crash ever found.
for r in "$build"/fuzz/*-replay; do
    [ -x "$r" ] || continue
    name=$(basename "$r" -replay)
    if "$r" "fuzz/corpus/$name" "fuzz/crashes/$name" >"$log" 2>&1; then
        echo "RESULT $name: $(tail -n 1 "$log")"; passed=$((passed + 1))
    else
        cat "$log"; echo "FAIL $r: an input crashed it"
        failed=$((failed + 1)); bad="$bad $r"
    fi
done
for t in tests/cli_*.sh tests/netns_*.sh; do
    [ -f "$t" ] || continue
    case "$t" in
    tests/netns_*)
        if [ "${NETSTACK_SKIP_NETNS:-0}" = 1 ]; then
            echo "SKIP $t: real-peer test, not run by check-unit (NETSTACK_SKIP_NETNS=1)"
            skipped=$((skipped + 1)); continue
        fi ;;
    esac
    if sh "$t" >"$log" 2>&1; then rc=0; else rc=$?; fi
    if [ "$rc" -eq 77 ]; then
        echo "SKIP $t: $(tail -n 1 "$log")"; skipped=$((skipped + 1))
    elif [ "$rc" -eq 0 ]; then
        echo "RESULT $t: $(grep -c '^ok ' "$log") checks passed"; passed=$((passed + 1))
    else
        cat "$log"; echo "FAIL $t (exit $rc)"
        failed=$((failed + 1)); bad="$bad $t"
    fi
done
[ -n "$bad" ] && echo "failing:$bad"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
