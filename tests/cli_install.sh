#!/bin/sh
# cli_install.sh — make install / uninstall from the outside, into a
# temporary prefix: the static and shared libraries (SONAME, symlinks),
# netstack.pc and netstack-sim.pc, the headers under include/netstack/
# (each compiles alone, as C11, and includes only <netstack/...>), the
# tools and man pages (each carrying NS_VERSION_STRING and an entry for
# every option its tool's --help lists); a program built with pkg-config
# only (shared and static) runs; every symbol the installed libraries export starts with
# ns_ and internals are hidden in the shared libraries; DESTDIR staging
# and uninstall leave nothing behind. Needs no root. Exit 0 = pass.
set -u
NETSTACK=${NETSTACK:-./netstack}
build=$(dirname "$NETSTACK")
# ./netstack links into the build directory: build there, never with
# BUILD=. (that put objects and libraries into the source tree once).
[ "$build" = . ] && build=$(make -s --no-print-directory builddir)
case "$build" in
*-san | *-fuzz) echo "sanitized build: the installed libraries are the plain build's"; exit 77 ;;
esac
command -v pkg-config >/dev/null || { echo "pkg-config not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }
mk() { make -s --no-print-directory BUILD="$build" "$@"; }

p=$tmp/usr
if mk install PREFIX="$p" >"$tmp/log" 2>&1; then ok "make install PREFIX=$p"; else cat "$tmp/log"; fail "make install"; exit 1; fi
ver=$(sed -n 's/^#define NS_VERSION_STRING "\(.*\)"/\1/p' include/netstack/version.h)
major=${ver%%.*}
for f in lib/libnetstack.a lib/libnetstack-sim.a lib/libnetstack.so.$ver lib/libnetstack-sim.so.$ver \
         lib/pkgconfig/netstack.pc lib/pkgconfig/netstack-sim.pc include/netstack/stack.h \
         include/netstack/socket.h include/netstack/version.h include/netstack/loop.h \
         include/netstack/sim.h bin/netstack bin/simloss bin/linkem share/man/man1/netstack.1 \
         share/man/man1/simloss.1; do
    [ -f "$p/$f" ] || fail "missing $f"
done
for l in libnetstack libnetstack-sim; do
    [ "$(readlink "$p/lib/$l.so")" = "$l.so.$major" ] || fail "$l.so does not point to $l.so.$major"
    [ "$(readlink "$p/lib/$l.so.$major")" = "$l.so.$ver" ] || fail "$l.so.$major does not point to $l.so.$ver"
    readelf -d "$p/lib/$l.so.$ver" | grep -q "SONAME.*\[$l.so.$major\]" || fail "$l: SONAME is not $l.so.$major"
done
ok "libraries, symlinks and SONAMEs"
man -l "$p/share/man/man1/netstack.1" >/dev/null 2>&1 || command -v man >/dev/null || true
grep -q '^\.TH NETSTACK 1' "$p/share/man/man1/netstack.1" || fail "netstack.1 is not a man page"
grep -q '^\.TH SIMLOSS 1' "$p/share/man/man1/simloss.1" || fail "simloss.1 is not a man page"
# Each installed man page carries NS_VERSION_STRING and has an entry
# (a .BR line of OPTIONS) for every option its tool's --help lists.
for m in netstack simloss; do
    page=$p/share/man/man1/$m.1
    grep -q "^\.TH [A-Z]* 1 \"[^\"]*\" \"netstack $ver\"" "$page" || fail "$m.1 does not carry version $ver"
    grep -q '@VERSION@' "$page" && fail "$m.1 still says @VERSION@"
    opts=$("$p/bin/$m" --help | awk '/^ +-/ { for (i = 1; i <= NF && $i ~ /^-/; i++) { sub(/,$/, "", $i); print $i } }' | sort -u)
    [ -n "$opts" ] || fail "no options found in $m --help"
    sed -n 's/^\.BR //p' "$page" | sed -e 's/\\-/-/g' -e 's/\\f[BIR]//g' >"$tmp/entries"
    for o in $opts; do
        grep -qE -- "(^|[^a-zA-Z0-9_-])$o([^a-zA-Z0-9_-]|\$)" "$tmp/entries" || fail "$m.1 has no entry for $o"
    done
done
ok "man pages: version $ver, an entry for every --help option"

# Headers: only <netstack/...> between them; each compiles alone.
if grep -n '#include "' "$p"/include/netstack/*.h; then fail "an installed header includes a quoted path"; fi
for h in "$p"/include/netstack/*.h; do
    printf '#include <netstack/%s>\nint ns_hdr_probe;\n' "$(basename "$h")" >"$tmp/h.c"
    cc -std=c11 -Wall -Wextra -Werror -Wpedantic -I"$p/include" -c "$tmp/h.c" -o "$tmp/h.o" 2>"$tmp/herr" ||
        { cat "$tmp/herr"; fail "$(basename "$h") does not compile alone"; }
done
ok "every installed header compiles alone"

# A program built with pkg-config only.
cat >"$tmp/prog.c" <<'PROG'
#include <netstack/stack.h>
#include <netstack/socket.h>
#include <netstack/version.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    struct ns_config c;
    ns_config_default(&c);
    char err[128];
    c.mtu = 10;
    if (ns_stack_new(&c, 0, err, sizeof err) || strncmp(err, "mtu", 3) != 0)
        return 1;
    ns_config_default(&c);
    struct ns_stack *s = ns_stack_new(&c, 1000, err, sizeof err);
    if (!s || ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM) != 0)
        return 2;
    ns_stack_free(s);
    printf("%s %s\n", ns_version(), NS_VERSION_STRING);
    return strcmp(ns_version(), NS_VERSION_STRING) != 0;
}
PROG
export PKG_CONFIG_PATH="$p/lib/pkgconfig"
[ "$(pkg-config --modversion netstack)" = "$ver" ] || fail "pkg-config --modversion netstack"
if cc -std=c11 $(pkg-config --cflags netstack) "$tmp/prog.c" -o "$tmp/prog" $(pkg-config --libs netstack) 2>"$tmp/err" &&
   out=$(LD_LIBRARY_PATH="$p/lib" "$tmp/prog") && [ "$out" = "$ver $ver" ]; then
    ok "a program built with pkg-config (shared) runs: $out"
else
    cat "$tmp/err"; fail "pkg-config build against the shared library"
fi
ldd "$tmp/prog" 2>/dev/null | grep -q "libnetstack.so.$major => $p/lib" ||
    LD_LIBRARY_PATH="$p/lib" ldd "$tmp/prog" | grep -q "libnetstack.so.$major => $p/lib" || fail "prog is not linked to libnetstack.so.$major"
if cc -std=c11 $(pkg-config --cflags netstack) "$tmp/prog.c" -o "$tmp/prog-static" \
        "$p/lib/libnetstack.a" $(pkg-config --static --libs-only-l netstack | sed 's/-lnetstack//') 2>"$tmp/err" &&
   "$tmp/prog-static" >/dev/null; then
    ok "the same program linked statically runs"
else
    cat "$tmp/err"; fail "static build"
fi
pkg-config --libs netstack-sim | grep -q -- -lnetstack-sim || fail "netstack-sim.pc"

# Symbols: exported = ns_*; internals hidden in the .so.
pending='^$' # every exported name is ns_ (i13-rename.sh)
for l in libnetstack libnetstack-sim; do
    bad=$(nm -D --defined-only "$p/lib/$l.so.$ver" | awk '{ print $3 }' | grep -v '^ns_' | grep -Ev "$pending" | tr '\n' ' ')
    [ -z "$bad" ] || fail "$l.so exports symbols without the ns_ prefix: $bad"
    bad=$(nm -g --defined-only --format=posix "$p/lib/$l.a" | awk '$2 ~ /^[TDBRCVW]$/ { print $1 }' |
          grep -v '^ns_' | grep -Ev "$pending" | sort -u | tr '\n' ' ')
    [ -z "$bad" ] || fail "$l.a defines global symbols without the ns_ prefix: $bad"
done
for internal in ns_tcp_send_seg ns_ip_output ns_sock_dispatch ns_udp_icmp_error; do
    nm -D --defined-only "$p/lib/libnetstack.so.$ver" | grep -q " $internal\$" && fail "libnetstack.so exports internal $internal"
done
nm -D --defined-only "$p/lib/libnetstack.so.$ver" | grep -q ' ns_stack_new$' || fail "libnetstack.so does not export ns_stack_new"
ok "exported symbols are ns_*, internals hidden"

# The core library alone needs only a compiler: no CUnit, no libpcap.
mk -n lib-core BUILD="$tmp/lc" >"$tmp/n" 2>&1
grep -q 'deps.sh lib' "$tmp/n" || fail "make lib-core does not ask for the minimal dependencies"
if grep -E -e '-lcunit|-lpcap|tests/|netdev/pcap|sim/' "$tmp/n"; then fail "make lib-core builds more than the core"; fi
ldd "$p/lib/libnetstack.so.$ver" | grep -E 'pcap|cunit' && fail "libnetstack.so needs libpcap or CUnit"
ok "libnetstack builds and links without CUnit or libpcap"

# DESTDIR staging, then uninstall removes everything it installed.
st=$tmp/stage
if mk install DESTDIR="$st" PREFIX=/opt/ns >"$tmp/log" 2>&1; then ok "make install DESTDIR PREFIX"; else cat "$tmp/log"; fail "DESTDIR install"; fi
[ -f "$st/opt/ns/lib/libnetstack.so.$ver" ] || fail "DESTDIR: library not under DESTDIR/PREFIX"
grep -q '^prefix=/opt/ns$' "$st/opt/ns/lib/pkgconfig/netstack.pc" || fail "DESTDIR: netstack.pc does not name PREFIX"
mk uninstall DESTDIR="$st" PREFIX=/opt/ns >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make uninstall"; }
left=$(find "$st" -type f -o -type l | tr '\n' ' ')
[ -z "$left" ] && ok "make uninstall removes everything" || fail "uninstall left: $left"

[ "$fails" -eq 0 ] || exit 1
