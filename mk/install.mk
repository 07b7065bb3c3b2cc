# mk/install.mk — the libraries an embedder links, and make install /
# uninstall (included by the Makefile).
#
#   make lib                  libnetstack + libnetstack-sim, static and shared
#   make lib-core             libnetstack only (needs no libpcap, no CUnit)
#   make install              into $(DESTDIR)$(PREFIX) (PREFIX=/usr/local)
#   make uninstall            removes exactly what install put there
#
# libnetstack   the protocol core (src/), the TUN device (netdev/tun.c, netdev/vnet.c) and
#               the real-time loop with its step API (drivers/loop.c): no
#               libpcap, no CUnit, only libc and libm.
# libnetstack-sim  the simulator (sim/), pcap reading/writing, capture,
#               pcap replay and its verdict, and the sample apps the replay
#               starts (apps/); needs libnetstack and libpcap.
# Both are built from position-independent objects ($(BUILD)/pic/), as
# lib*.a and lib*.so.$(NS_VERSION) with SONAME lib*.so.$(NS_SOMAJOR). The
# shared libraries export exactly the functions and variables named in
# their public headers (a version script made from the headers); every
# internal symbol is local. Public headers install flat into
# $(INCLUDEDIR)/netstack/ and include each other as <netstack/x.h>. The man
# pages (man/) say @VERSION@ where install writes NS_VERSION_STRING.

NS_VERSION := $(shell sed -n 's/^\#define NS_VERSION_STRING "\(.*\)"/\1/p' include/netstack/version.h)
NS_SOMAJOR := $(firstword $(subst ., ,$(NS_VERSION)))
PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

CORE_DIST_SRC := $(wildcard src/*.c) netdev/tun.c netdev/vnet.c drivers/loop.c
SIM_DIST_SRC  := $(wildcard sim/*.c) netdev/pcap_read.c netdev/pcapout.c drivers/capture.c \
                 drivers/pcap_pkt.c drivers/pcap_replay.c drivers/pcap_verdict.c $(wildcard apps/*.c)
CORE_PUBLIC_H := include/netstack/types.h include/netstack/config.h include/netstack/stats.h include/netstack/pkt.h include/netstack/stack.h include/netstack/socket.h \
                 include/netstack/netdev.h include/netstack/addr.h include/netstack/version.h include/netstack/loop.h include/netstack/tun.h
SIM_PUBLIC_H  := include/netstack/sim.h include/netstack/qdisc.h sim/rate_trace.h include/netstack/pcapout.h include/netstack/pcap_read.h include/netstack/capture.h \
                 include/netstack/pcap_replay.h include/netstack/app.h
INSTALL_TOOLS := netstack tools/simloss tools/linkem
INSTALL_MAN   := man/netstack.1 man/simloss.1

# Core helpers the simulator and replay use that are not public API
# (checksum, heap, PRNG, wire dissector, trace lines, offload cutter): libnetstack-sim.so
# carries its own local copy, so libnetstack.so exports only its API.
SIM_SO_PRIVATE := $(patsubst %,$(BUILD)/pic/src/%.o,checksum heap rng wire trace offload)

DIST := $(BUILD)/dist
PIC_CFLAGS := $(filter-out -fPIE,$(ALLCFLAGS)) -fPIC
CORE_PIC := $(CORE_DIST_SRC:%.c=$(BUILD)/pic/%.o)
SIM_PIC  := $(SIM_DIST_SRC:%.c=$(BUILD)/pic/%.o)
DIST_LIBS := $(DIST)/libnetstack.a $(DIST)/libnetstack.so.$(NS_VERSION) \
             $(DIST)/libnetstack-sim.a $(DIST)/libnetstack-sim.so.$(NS_VERSION)

.PHONY: lib lib-core install uninstall
lib: $(DIST_LIBS) $(DIST)/netstack.pc $(DIST)/netstack-sim.pc
# libnetstack alone: a C compiler and libc are all it needs.
lib-core: $(DIST)/libnetstack.a $(DIST)/libnetstack.so.$(NS_VERSION)

$(BUILD)/pic/%.o: %.c | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(PIC_CFLAGS) -c $< -o $@

$(DIST)/libnetstack.a: $(CORE_PIC)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^
$(DIST)/libnetstack-sim.a: $(SIM_PIC)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# The export list: global symbols of the archive that a public header names.
$(DIST)/%.map: $(DIST)/%.a
	@nm -g --defined-only --format=posix $< | awk '$$2 ~ /^[TDBRCVW]$$/ { print $$1 }' | sort -u >$@.syms
	@cat $(if $(filter libnetstack-sim,$*),$(SIM_PUBLIC_H),$(CORE_PUBLIC_H)) | tr -c 'A-Za-z0-9_' '\n' | sort -u >$@.words
	@{ echo '{ global:'; comm -12 $@.syms $@.words | sed 's/$$/;/'; echo 'local: *; };'; } >$@
	@rm -f $@.syms $@.words

$(DIST)/libnetstack.so.$(NS_VERSION): $(CORE_PIC) $(DIST)/libnetstack.map
	$(CC) -shared -Wl,-soname,libnetstack.so.$(NS_SOMAJOR) -Wl,--version-script=$(DIST)/libnetstack.map \
	    -Wl,-z,relro,-z,now,-z,defs -o $@ $(CORE_PIC) -lm \
	    $(filter -fsanitize=%,$(LDFLAGS))
	ln -sfn libnetstack.so.$(NS_VERSION) $(DIST)/libnetstack.so.$(NS_SOMAJOR)
	ln -sfn libnetstack.so.$(NS_SOMAJOR) $(DIST)/libnetstack.so
$(DIST)/libnetstack-sim.so.$(NS_VERSION): $(SIM_PIC) $(SIM_SO_PRIVATE) $(DIST)/libnetstack-sim.map $(DIST)/libnetstack.so.$(NS_VERSION)
	$(CC) -shared -Wl,-soname,libnetstack-sim.so.$(NS_SOMAJOR) -Wl,--version-script=$(DIST)/libnetstack-sim.map \
	    -Wl,-z,relro,-z,now,-z,defs -o $@ $(SIM_PIC) $(SIM_SO_PRIVATE) -L$(DIST) -lnetstack -lpcap -lm \
	    $(filter -fsanitize=%,$(LDFLAGS))
	ln -sfn libnetstack-sim.so.$(NS_VERSION) $(DIST)/libnetstack-sim.so.$(NS_SOMAJOR)
	ln -sfn libnetstack-sim.so.$(NS_SOMAJOR) $(DIST)/libnetstack-sim.so

$(DIST)/%.pc: mk/%.pc.in include/netstack/version.h
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(NS_VERSION)|g' $< >$@

# Headers go in flat; their includes of each other become <netstack/x.h>.
NS_HDR_SED := s|^\#include "([a-z_]+/)*([a-z_0-9]+\.h)"|\#include <netstack/\2>|

# The .pc files name PREFIX, so they are made at install time.
install: all lib $(INSTALL_MAN)
	rm -f $(DIST)/netstack.pc $(DIST)/netstack-sim.pc
	$(MAKE) --no-print-directory $(DIST)/netstack.pc $(DIST)/netstack-sim.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(INCLUDEDIR)/netstack \
	    $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(DIST)/libnetstack.a $(DIST)/libnetstack-sim.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(DIST)/libnetstack.so.$(NS_VERSION) $(DIST)/libnetstack-sim.so.$(NS_VERSION) $(DESTDIR)$(LIBDIR)/
	for l in libnetstack libnetstack-sim; do \
	    ln -sfn $$l.so.$(NS_VERSION) $(DESTDIR)$(LIBDIR)/$$l.so.$(NS_SOMAJOR) && \
	    ln -sfn $$l.so.$(NS_SOMAJOR) $(DESTDIR)$(LIBDIR)/$$l.so || exit 1; done
	install -m 644 $(DIST)/netstack.pc $(DIST)/netstack-sim.pc $(DESTDIR)$(PKGCONFIGDIR)/
	for h in $(CORE_PUBLIC_H) $(SIM_PUBLIC_H); do \
	    d=$(DESTDIR)$(INCLUDEDIR)/netstack/$$(basename $$h); \
	    sed -E '$(NS_HDR_SED)' $$h >$$d && chmod 644 $$d || exit 1; done
	install -m 755 $(BUILD)/netstack $(BUILD)/tools/simloss $(BUILD)/tools/linkem $(DESTDIR)$(BINDIR)/
	for m in $(INSTALL_MAN); do \
	    d=$(DESTDIR)$(MANDIR)/man1/$$(basename $$m); \
	    sed 's|@VERSION@|$(NS_VERSION)|g' $$m >$$d && chmod 644 $$d || exit 1; done

uninstall:
	for l in libnetstack libnetstack-sim; do \
	    rm -f $(DESTDIR)$(LIBDIR)/$$l.a $(DESTDIR)$(LIBDIR)/$$l.so $(DESTDIR)$(LIBDIR)/$$l.so.$(NS_SOMAJOR) \
	          $(DESTDIR)$(LIBDIR)/$$l.so.$(NS_VERSION); done
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/netstack.pc $(DESTDIR)$(PKGCONFIGDIR)/netstack-sim.pc
	rm -f $(foreach h,$(CORE_PUBLIC_H) $(SIM_PUBLIC_H),$(DESTDIR)$(INCLUDEDIR)/netstack/$(notdir $(h)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/netstack 2>/dev/null
	rm -f $(foreach t,$(INSTALL_TOOLS),$(DESTDIR)$(BINDIR)/$(notdir $(t)))
	rm -f $(foreach m,$(INSTALL_MAN),$(DESTDIR)$(MANDIR)/man1/$(notdir $(m)))

-include $(CORE_PIC:.o=.d) $(SIM_PIC:.o=.d)
