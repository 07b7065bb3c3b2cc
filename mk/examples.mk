# mk/examples.mk — `make examples`: every examples/*.c built the way a user
# builds it, against an install of this tree (into $(BUILD)/examples/prefix)
# with pkg-config only: netstack-sim for programs that include
# <netstack/sim.h>, netstack otherwise. tests/cli_examples.sh and
# tests/netns_examples.sh run them. The flags are the strict set a user may
# compile with (-Wextra keeps unused-parameter: callbacks mark theirs).
EX_PREFIX := $(abspath $(BUILD))/examples/prefix
EXAMPLES  := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
EX_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -Wpedantic

.PHONY: examples
examples: $(EXAMPLES)

$(EX_PREFIX)/.installed: $(DIST_LIBS) $(CORE_PUBLIC_H) $(SIM_PUBLIC_H) mk/install.mk
	$(MAKE) --no-print-directory -s install PREFIX=$(EX_PREFIX) >/dev/null
	touch $@

$(BUILD)/examples/%: examples/%.c $(EX_PREFIX)/.installed
	PKG_CONFIG_PATH=$(EX_PREFIX)/lib/pkgconfig; export PKG_CONFIG_PATH; \
	pc=$$(grep -q '<netstack/sim.h>' $< && echo netstack-sim || echo netstack); \
	$(CC) $(EX_CFLAGS) $$(pkg-config --cflags $$pc) $< -o $@ $$(pkg-config --libs $$pc) \
	    -Wl,-rpath,$(EX_PREFIX)/lib
