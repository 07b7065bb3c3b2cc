#!/bin/sh
# run.sh BUILD SECONDS NAME... — `make fuzz`: runs each libFuzzer target
# for SECONDS on its corpus (fuzz/corpus/NAME, grown in place), writing any
# crash to fuzz/crashes/NAME/ (replayed by make check from then on), and
# prints libFuzzer's final stats (executions, coverage).
set -u
build=$1 secs=$2
shift 2
status=0
for name in "$@"; do
    mkdir -p "fuzz/corpus/$name" "fuzz/crashes/$name"
    echo "== $name: $secs s"
    # fuzz_pcap: captures (its seeds, the fixtures, run to 16 KB), and
    # the replay's one-line errors to bad input kept out of the log
    # (-close_fd_mask=2: libFuzzer and the sanitizers keep their own copy
    # of stderr, so reports still arrive).
    extra="-max_len=4096"
    [ "$name" = fuzz_pcap ] && extra="-max_len=16384 -close_fd_mask=2"
    # shellcheck disable=SC2086 # $extra is two words on purpose
    "$build/fuzz/$name-fuzzer" -max_total_time="$secs" $extra -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="fuzz/crashes/$name/" "fuzz/corpus/$name" 2>"$build/fuzz/$name.log"
    rc=$?
    grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss|cov:' "$build/fuzz/$name.log" | tail -n 3
    if [ $rc -ne 0 ]; then
        echo "$name: crash (exit $rc), input saved in fuzz/crashes/$name/:"
        grep -E 'ERROR|invariant|SUMMARY' "$build/fuzz/$name.log" | head -n 5
        status=1
    fi
done
exit $status
