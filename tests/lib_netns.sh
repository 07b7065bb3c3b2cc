# lib_netns.sh — sourced by the real-peer tests (tests/netns_*.sh); not a
# test itself (run_all.sh runs netns_*.sh and cli_*.sh).
#
# netns_enter SECONDS TOOL...: unless already inside ("--inside" as the
# script's first argument, passed on here as $NETNS_ARG1), check that the
# test can run — root, each TOOL on PATH, /dev/net/tun, network namespaces,
# the netstack binary $ns built — and re-run the calling script inside a
# private network namespace of its own (unshare -n), the whole bounded by
# SECONDS. A missing prerequisite exits 77 (skip) with the reason as the
# last line; a missing binary is a failure. Inside, it returns.
skip() { echo "$1"; exit 77; }

netns_enter() {
    limit=$1
    shift
    [ "${NETNS_ARG1:-}" = --inside ] && return 0
    [ "$(id -u)" = 0 ] || skip "not root: the TUN test needs root (CAP_NET_ADMIN)"
    for tool in unshare ip timeout "$@"; do
        command -v "$tool" >/dev/null 2>&1 || skip "no $tool: install it (tools/deps.sh check lists the packages)"
    done
    [ -c /dev/net/tun ] || skip "no /dev/net/tun (modprobe tun)"
    unshare -n true 2>/dev/null || skip "unshare -n does not work here (no network namespaces)"
    [ -x "$ns" ] || { echo "FAIL: $ns not built (run make)"; exit 1; }
    # The namespace lives as long as the processes in it; the script kills
    # what it started before it exits, and timeout bounds the whole.
    exec timeout -k 5 "$limit" unshare -n sh "$0" --inside
}

# wait_for SECONDS CMD...: runs CMD every 50 ms until it succeeds (0) or
# SECONDS pass (1). Tests wait on conditions, never on bare sleeps.
wait_for() {
    wf_n=$(awk -v s="$1" 'BEGIN { printf "%d", s * 20 }')
    shift
    while [ "$wf_n" -gt 0 ]; do
        "$@" && return 0
        wf_n=$((wf_n - 1))
        sleep 0.05
    done
    return 1
}

# stop_pid PID: SIGTERM, then SIGKILL if it is still there after 2 s; reaps it.
stop_pid() {
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null || return 0
    wait_for 2 sh -c "! kill -0 $1 2>/dev/null" || kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}
