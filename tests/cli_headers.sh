#!/bin/sh
# cli_headers.sh — every public header (include/netstack/*.h) compiles on
# its own as C11, as C99 with -pedantic and as C++17 (extern "C" guards, no
# C-only constructs), each time also included twice and after all others;
# and no public header includes anything but <netstack/...> and system
# headers. Exit 0 = pass.
set -u
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cxx=${CXX:-c++}
command -v "$cxx" >/dev/null || cxx=""
n=0
for h in include/netstack/*.h; do
    b=$(basename "$h")
    grep -n '#include "' "$h" && fail "$b includes a quoted path"
    printf '#include <netstack/%s>\n#include <netstack/%s>\nint ns_probe_%s;\n' "$b" "$b" "${b%.h}" >"$tmp/t.c"
    cc -std=c11 -Wall -Wextra -Werror -Wpedantic -Iinclude -c "$tmp/t.c" -o "$tmp/t.o" 2>"$tmp/e" || { cat "$tmp/e"; fail "$b as C11"; }
    cc -std=c99 -pedantic -Wall -Wextra -Werror -Iinclude -c "$tmp/t.c" -o "$tmp/t.o" 2>"$tmp/e" || { cat "$tmp/e"; fail "$b as C99 -pedantic"; }
    if [ -n "$cxx" ]; then
        cp "$tmp/t.c" "$tmp/t.cc"
        "$cxx" -std=c++17 -pedantic -Wall -Wextra -Werror -Iinclude -c "$tmp/t.cc" -o "$tmp/t.o" 2>"$tmp/e" || { cat "$tmp/e"; fail "$b as C++17"; }
    fi
    grep -q 'extern "C"' "$h" || fail "$b has no extern \"C\" guard"
    n=$((n + 1))
done
# All together, from C++: the names link as C (a call compiles to the C symbol).
if [ -n "$cxx" ]; then
    for h in include/netstack/*.h; do echo "#include <netstack/$(basename "$h")>"; done >"$tmp/all.cc"
    printf 'int main() { return ns_version()[0] == 0; }\n' >>"$tmp/all.cc"
    "$cxx" -std=c++17 -pedantic -Wall -Wextra -Werror -Iinclude -c "$tmp/all.cc" -o "$tmp/all.o" 2>"$tmp/e" || { cat "$tmp/e"; fail "all headers together as C++17"; }
    nm "$tmp/all.o" | grep -q ' U ns_version$' || fail "ns_version is not referenced as a C symbol from C++"
fi
[ "$n" -gt 10 ] || fail "only $n public headers"
[ "$fails" -eq 0 ] && ok "$n public headers compile as C11, C99 -pedantic${cxx:+ and C++17}"
[ "$fails" -eq 0 ]
