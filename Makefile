# netstack — build, test and benchmark.
#
#   make              ./netstack, libnetstack.a and the tools
#   make check        every test (unit, sim scenarios, real peers in a netns)
#   make check SANITIZE=1   the same under ASan + UBSan
#   make bench        benchmarks (numbers, not assertions)
#   make fuzz         libFuzzer targets, FUZZ_TIME seconds each (clang)
#   make attack       SYN flood / injection / ping floods against netstack (root)
#   make CC=clang     any C11 compiler works
#
# Objects go to build/ (build-san/ with SANITIZE=1) so both coexist.

CC      ?= cc
ifeq ($(origin CC),default)
CC      := cc
endif
SANITIZE ?= 0
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ALLCFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -MMD -MP -I.
LDLIBS  := -lpcap -lm

ifeq ($(FUZZ),1)
# libFuzzer build (make fuzz): clang only; the library gets coverage hooks.
BUILD   := build-fuzz
ALLCFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else ifeq ($(SANITIZE),1)
BUILD   := build-san
ALLCFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
else
BUILD   := build
endif

LIB_SRC  := $(wildcard src/*.c src/apps/*.c netdev/*.c sim/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC := $(wildcard tools/*.c)
TOOLS    := $(TOOL_SRC:%.c=%)
TEST_SRC := $(filter-out tests/testlib.c,$(wildcard tests/test_*.c))
TESTS    := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
FUZZ_NAMES := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FIXTURES := $(wildcard fixtures/*.pcap)
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%-replay)
BENCH_SRC := $(wildcard bench/*.c)
BENCHES  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all clean check check-unit bench deps fuzz fuzz-run attack
all: $(BUILD)/.deps libnetstack.a netstack $(filter-out tools/netstack,$(TOOLS))

# Installs missing Debian packages as root, or prints the command to run.
$(BUILD)/.deps: tools/deps.sh
	@tools/deps.sh build
	@mkdir -p $(BUILD) && touch $@
deps:
	@tools/deps.sh check

$(BUILD)/%.o: %.c | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c $< -o $@

$(BUILD)/libnetstack.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^


# The binary is built per build dir; ./netstack is the default build's.
# A sanitized build (SANITIZE=1) never replaces ./netstack: its tests run
# $(BUILD)/netstack (tests/run_all.sh exports NETSTACK).
$(BUILD)/netstack: $(BUILD)/tools/netstack.o $(BUILD)/libnetstack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

ifeq ($(BUILD),build)
netstack: $(BUILD)/netstack
	cp $< $@
libnetstack.a: $(BUILD)/libnetstack.a
	cp $< $@
else
.PHONY: netstack libnetstack.a
netstack: $(BUILD)/netstack
libnetstack.a: $(BUILD)/libnetstack.a
endif

tools/%: $(BUILD)/tools/%.o $(BUILD)/libnetstack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/tests/testlib.o $(BUILD)/libnetstack.a
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BUILD)/libnetstack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Fuzz targets (fuzz/fuzz_*.c): a plain driver replays the saved corpus
# and every crash found (fuzz/corpus/NAME, fuzz/crashes/NAME) in make check;
# `make fuzz` runs each under libFuzzer for FUZZ_TIME seconds (clang).
$(BUILD)/fuzz/%-replay: $(BUILD)/fuzz/%.o $(BUILD)/fuzz/replay_main.o $(BUILD)/libnetstack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/fuzz/%-fuzzer: $(BUILD)/fuzz/%.o $(BUILD)/libnetstack.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
FUZZ_TIME ?= 60
fuzz:
	@tools/deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZ=1 CC=clang fuzz-run
$(BUILD)/fuzz/seed: $(BUILD)/fuzz/seed.o $(BUILD)/libnetstack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
fuzz-run: $(FUZZ_NAMES:%=$(BUILD)/fuzz/%-fuzzer) $(BUILD)/fuzz/seed
	@mkdir -p fuzz/corpus/fuzz_packet
	@$(BUILD)/fuzz/seed fuzz/corpus/fuzz_packet $(FIXTURES)
	@fuzz/run.sh $(BUILD) $(FUZZ_TIME) $(FUZZ_NAMES)

# Unit tests and sim scenarios, then the real-peer tests in a private
# network namespace (skipped with a notice when not root).
check: all $(TESTS) $(FUZZ_REPLAY)
	@tools/deps.sh check
	@tests/run_all.sh $(BUILD)

check-unit: all $(TESTS) $(FUZZ_REPLAY)
	@NETSTACK_SKIP_NETNS=1 tests/run_all.sh $(BUILD)

# SYN flood, blind injection and ping floods with real tools in a private
# network namespace (root; tools/attack.sh --help).
attack: all
	@tools/deps.sh attack
	@tools/attack.sh

bench: all $(BENCHES)
	@tools/deps.sh bench
	@bench/run.sh $(BUILD)

# A long randomized sweep of tools/simloss (make check runs 200 seeds of
# 1M; this runs SWEEP_SEEDS of up to SWEEP_BYTES, several minutes).
SWEEP_SEEDS ?= 1-20000
SWEEP_BYTES ?= 4M
.PHONY: sweep
sweep: all
	./tools/simloss --seeds $(SWEEP_SEEDS) --bytes $(SWEEP_BYTES)

clean:
	rm -rf build build-san build-clang build-fuzz libnetstack.a netstack $(filter-out tools/%.py tools/%.sh,$(TOOLS))

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# tests/tcp_table.c: the table-driven TCP scenario runner (tests/tcp_table.h),
# linked into the test programs whose scenarios are tables.
$(BUILD)/tests/test_tcp_basic $(BUILD)/tests/test_tcp_script: $(BUILD)/tests/tcp_table.o
