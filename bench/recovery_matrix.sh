#!/bin/sh
# recovery_matrix.sh — mean goodput (Mbit/s) over seeds of the simloss paths
# issue 12 judges loss recovery on; every run is deterministic.
# usage: bench/recovery_matrix.sh [SEEDS] [extra simloss options...]
# Prints one line per path x cc: path, cc, mean goodput, total RTOs, total retransmits.
SIM=${SIMLOSS:-tools/simloss}
SEEDS=${1:-5}
[ $# -gt 0 ] && shift
for path in "default:" "reorder3:--reorder 3" "drop1:--drop 1" "drop5:--drop 5" \
            "drop10:--drop 10 --bytes 2M" "q64:--rate 50mbit --queue 64" \
            "flows2:--bytes 4M --rate 20mbit --queue 32 --flows 2"; do
    name=${path%%:*}; opts=${path#*:}
    for cc in newreno cubic bbr; do
        s=1; tot=0; rto=0; rtx=0; bad=0
        while [ $s -le "$SEEDS" ]; do
            j=$($SIM --json --cc $cc --seed $s $opts "$@")
            g=$(printf '%s' "$j" | sed -n 's/.*"goodput_bps": \([0-9]*\).*/\1/p')
            r=$(printf '%s' "$j" | sed -n 's/.*"rto_count": \([0-9]*\).*/\1/p')
            x=$(printf '%s' "$j" | sed -n 's/.*"retransmits": \([0-9]*\).*/\1/p')
            printf '%s' "$j" | grep -q '"intact": true' || bad=$((bad+1))
            tot=$((tot + g)); rto=$((rto + r)); rtx=$((rtx + x)); s=$((s+1))
        done
        awk -v n="$name" -v c="$cc" -v t="$tot" -v k="$SEEDS" -v r="$rto" -v x="$rtx" -v b="$bad" \
            'BEGIN { printf "%-9s %-8s %8.2f Mbit/s  rto %4d  rtx %6d%s\n", n, c, t / k / 1e6, r, x, b ? "  NOT INTACT " b : "" }'
    done
done
