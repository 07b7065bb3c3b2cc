# netstack — build, test and benchmark.
#
#   make              ./netstack, libnetstack.a and the tools
#   make check        every test (unit, sim scenarios, real peers in a netns)
#   make check SANITIZE=1   the same under ASan + UBSan
#   make CC=clang     the same with clang (any C11 compiler works)
#   make TYPE=debug   -O0, no optimisation (TYPE=release is the default)
#   make bench        benchmarks (numbers, not assertions)
#   make fuzz         libFuzzer targets, FUZZ_TIME seconds each (clang)
#   make mutate       every mutant in mutants/ must make the tests fail
#   make attack       SYN flood / injection / ping floods against netstack (root)
#   make lib          libnetstack + libnetstack-sim for embedders (static + shared)
#   make install      libraries, headers, pkg-config files, tools, man pages
#                     into $(DESTDIR)$(PREFIX) (PREFIX=/usr/local); make uninstall
#   make examples     examples/*.c built against an install, with pkg-config
#
# Every compiler x sanitizer x build type has its own build directory,
# build/<compiler>-<type>[-san|-fuzz] (override with BUILD=DIR), holding
# objects, libraries, tests and tools; builds never overwrite each other.
# ./netstack, ./libnetstack.a, tools/simloss and tools/linkem are symbolic
# links into the latest unsanitized build. `make -j` is always safe, also
# with `clean` among the goals.
#
# The folders are the layers and the link enforces them: each folder is
# its own library, and $(BUILD)/layers/*.ok links each library on its own
# with only the layers it may use, so a call up the layers (or from the
# core to the operating system) fails the build. See DESIGN-NOTES.md.

# `make -j clean all`: clean first, then the other goals in a fresh make
# (one that reads file times after the clean), never both at once.
ifneq ($(and $(filter clean,$(MAKECMDGOALS)),$(filter-out clean,$(MAKECMDGOALS))),)
.PHONY: $(MAKECMDGOALS) clean-then
$(filter-out clean,$(MAKECMDGOALS)): clean-then
	@:
clean: clean-then
	@:
clean-then:
	@$(MAKE) --no-print-directory clean
	@$(MAKE) --no-print-directory $(filter-out clean,$(MAKECMDGOALS))
else

CC      ?= cc
ifeq ($(origin CC),default)
CC      := cc
endif
SANITIZE ?= 0
FUZZ    ?= 0
TYPE    ?= release
CCID    := $(shell printf '__clang__\n' | $(CC) -E -P - 2>/dev/null | grep -q '^1' && echo clang || echo gcc)

ifeq ($(TYPE),release)
OPT     ?= -O2
else ifeq ($(TYPE),debug)
OPT     ?= -O0
else
$(error TYPE must be release or debug, not '$(TYPE)')
endif
CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Werror -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
# Hardening: the binary runs as root on real traffic.
HARDEN  := -fstack-protector-strong -fPIE
HARDEN_LD := -pie -Wl,-z,relro,-z,now
ALLCFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(HARDEN) -MMD -MP -I. -Iinclude
LDLIBS  := -lpcap -lm

ifeq ($(FUZZ),1)
# libFuzzer build (make fuzz): clang only; the library gets coverage hooks.
# UBSan must stop the run (-fno-sanitize-recover): recovering, it only
# printed each finding once into the log and libFuzzer kept no input --
# three in the packetdrill evaluator went unnoticed that way until the
# SANITIZE=1 replay of the corpus (no-recover there) failed on them.
VARIANT := -fuzz
ALLCFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else ifeq ($(SANITIZE),1)
# float-cast-overflow: gcc leaves it out of "undefined" (clang, the fuzz
# build's, has it), and a double too large for an integer field is the
# kind of bug BBR's model arithmetic can have (fuzz/crashes/README.md).
VARIANT := -san
ALLCFLAGS += -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined,float-cast-overflow
else
VARIANT :=
# FORTIFY needs optimisation, and the sanitizers check the same and more.
ifneq ($(TYPE),debug)
ALLCFLAGS += -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3
endif
endif
LDFLAGS += $(HARDEN_LD)
BUILD   ?= build/$(CCID)-$(TYPE)$(VARIANT)

# ---- the layers: one folder, one library each ----
# name  folder    may use (lower layers)
#  core  src/      nothing: no OS, no other layer (netdev.h is its interface)
#  apps  apps/     core
#  dev   netdev/   core                  device backends: TUN, pcap files
#  sim   sim/      core                  the simulated network and its loop
#  drivers drivers/ apps dev core        real-time loop, replay, verdict, capture
#  lab   lab/      sim apps core         simloss engine, reports, plots, scenario
#  pdrill pdrill/  dev core              packetdrill scripts: parser, runner, profiles
LAYERS       := core apps dev sim drivers lab pdrill
core_DIR     := src
apps_DIR     := apps
dev_DIR      := netdev
sim_DIR      := sim
drivers_DIR  := drivers
lab_DIR      := lab
pdrill_DIR   := pdrill
core_USES    :=
apps_USES    := core
dev_USES     := core
sim_USES     := core
drivers_USES := apps dev core
lab_USES     := sim apps core
pdrill_USES  := dev core
core_LIBS    :=
apps_LIBS    := -lm
dev_LIBS     := -lpcap -lm
sim_LIBS     := -lm
drivers_LIBS := -lpcap -lm
lab_LIBS     := -lpcap -lm
pdrill_LIBS  := -lpcap -lm

layer_src = $(wildcard $($(1)_DIR)/*.c)
layer_obj = $(patsubst %.c,$(BUILD)/%.o,$(call layer_src,$(1)))
layer_lib = $(BUILD)/lib/libns_$(1).a
LIB_OBJ  := $(foreach l,$(LAYERS),$(call layer_obj,$(l)))
LAYER_OK := $(LAYERS:%=$(BUILD)/layers/%.ok)

TOOL_SRC := $(filter-out tools/netstack.c,$(wildcard tools/*.c))
TOOLS    := $(TOOL_SRC:%.c=$(BUILD)/%)
TEST_SRC := $(wildcard tests/test_*.c)
TESTS    := $(TEST_SRC:%.c=$(BUILD)/%)
TESTSUP_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(filter-out $(TEST_SRC),$(wildcard tests/*.c)))
FUZZ_NAMES := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FIXTURES := $(wildcard fixtures/*.pcap)
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%-replay)
BENCH_SRC := $(wildcard bench/*.c)
BENCHES  := $(BENCH_SRC:%.c=$(BUILD)/%)
ALL_OBJ  := $(LIB_OBJ) $(TOOL_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tools/netstack.o \
            $(TEST_SRC:%.c=$(BUILD)/%.o) $(TESTSUP_OBJ) $(BENCH_SRC:%.c=$(BUILD)/%.o) \
            $(patsubst %.c,$(BUILD)/%.o,$(wildcard fuzz/*.c)) $(BUILD)/layers/main.o

.PHONY: all clean check check-unit bench deps fuzz fuzz-run attack links sweep mutate builddir tests
# Keep every object and intermediate: a test object is built once.
.SECONDARY:
.DELETE_ON_ERROR:

all: $(BUILD)/netstack $(BUILD)/libnetstack.a $(TOOLS) $(LAYER_OK) links

# Installs missing Debian packages as root, or prints the command to run.
# `make lib-core` alone needs only a compiler (no libpcap, no CUnit), and
# leaves the stamp unset so a full build still checks everything.
DEPS_MODE := $(if $(MAKECMDGOALS),$(if $(filter-out lib-core,$(MAKECMDGOALS)),build,lib),build)
$(BUILD)/.deps: tools/deps.sh
	@tools/deps.sh $(DEPS_MODE)
	@mkdir -p $(BUILD) && $(if $(filter build,$(DEPS_MODE)),touch $@,:)
deps:
	@tools/deps.sh check

$(BUILD)/%.o: %.c | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c $< -o $@

# One archive per layer, and libnetstack.a holding them all (what an
# embedding program links).
define layer_rules
$(call layer_lib,$(1)): $(call layer_obj,$(1))
	@mkdir -p $$(dir $$@)
	rm -f $$@
	ar rcs $$@ $$^
# The layer linked alone with what it may use: an undefined symbol here is
# an arrow pointing up (or, for the core, a call into the OS).
$(BUILD)/layers/$(1).ok: $(BUILD)/layers/main.o $(call layer_lib,$(1)) $(foreach u,$($(1)_USES),$(call layer_lib,$(u)))
	@$(CC) $(LDFLAGS) -o $(BUILD)/layers/$(1) $(BUILD)/layers/main.o \
	    -Wl,--whole-archive $(call layer_lib,$(1)) -Wl,--no-whole-archive \
	    $(foreach u,$($(1)_USES),$(call layer_lib,$(u))) $($(1)_LIBS) \
	    || { echo "layers: $($(1)_DIR)/ uses something its layer may not (allowed: $(or $($(1)_USES),nothing)); see the undefined symbols above" >&2; exit 1; }
	@touch $$@
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rules,$(l))))

# The core may not touch the OS: besides other layers, the only outside
# symbols it may use are these pure libc/libm functions.
CORE_LIBC := memcpy memmove memset memcmp memchr strlen strcmp strncmp strchr strnlen strcspn \
             inet_pton inet_ntop \
             malloc calloc realloc free snprintf vsnprintf abort __assert_fail \
             __stack_chk_fail __stack_chk_guard __memcpy_chk __memmove_chk __memset_chk \
             __snprintf_chk __vsnprintf_chk __strnlen_chk __fprintf_chk \
             sqrt cbrt log exp pow floor ceil fabs
$(BUILD)/layers/core.ok: $(BUILD)/layers/core-os.ok
$(BUILD)/layers/core-os.ok: $(call layer_lib,core)
	@nm -u --format=posix $< | awk '$$2 == "U" { sub(/@.*/, "", $$1); print $$1 }' | sort -u >$@.undef
	@nm --defined-only --format=posix $< | awk '$$2 ~ /^[TDBRCVW]$$/ { print $$1 }' | sort -u >$@.def
	@bad=$$(comm -23 $@.undef $@.def | grep -v -x -F $(CORE_LIBC:%=-e %) | \
	    grep -v -e '^__asan' -e '^__ubsan' -e '^__sanitizer' -e '^__sancov' -e '^_GLOBAL_OFFSET_TABLE_$$' | tr '\n' ' '); \
	if [ -n "$$bad" ]; then echo "layers: src/ (the core) calls outside itself: $$bad" >&2; \
	    echo "layers: the core never touches the OS (DESIGN-NOTES.md): hand it time, randomness and packets" >&2; exit 1; fi
	@touch $@

$(BUILD)/layers/main.o: | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	@printf 'int main(void);\nint main(void) { return 0; }\n' | $(CC) $(ALLCFLAGS) -x c -c - -o $@

$(BUILD)/libnetstack.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/netstack: $(BUILD)/tools/netstack.o $(BUILD)/libnetstack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tools/%: $(BUILD)/tools/%.o $(BUILD)/libnetstack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ./netstack, ./libnetstack.a and tools/<tool>: links into the latest
# unsanitized build (a SANITIZE=1 or fuzz build never replaces them; its
# tests run $(BUILD)/netstack — tests/run_all.sh exports the paths).
links: $(BUILD)/netstack $(BUILD)/libnetstack.a $(TOOLS)
ifeq ($(VARIANT),)
	@ln -sfn $(abspath $(BUILD))/netstack netstack
	@ln -sfn $(abspath $(BUILD))/libnetstack.a libnetstack.a
	@$(foreach t,$(TOOLS),ln -sfn $(abspath $(t)) tools/$(notdir $(t));)
else
	@:
endif

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TESTSUP_OBJ) $(BUILD)/libnetstack.a
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit $(LDLIBS)

# test_tcp_mem makes one allocation fail (its __wrap_calloc).
$(BUILD)/tests/test_tcp_mem: LDFLAGS += -Wl,--wrap=calloc
# test_loop counts the loop's calls to glibc's malloc_trim (__wrap_malloc_trim)
# and its waits (__wrap_ppoll).
$(BUILD)/tests/test_loop: LDFLAGS += -Wl,--wrap=malloc_trim -Wl,--wrap=ppoll

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
check: all $(TESTS) $(FUZZ_REPLAY) examples
	@tools/deps.sh check
	@tests/run_all.sh $(BUILD)

# Everything but the real-peer tests (no root, no network namespace).
check-unit: all $(TESTS) $(FUZZ_REPLAY) examples
	@NETSTACK_SKIP_NETNS=1 tests/run_all.sh $(BUILD)

# Every test program, built but not run (tools/mutate.sh builds this).
tests: all $(TESTS) $(FUZZ_REPLAY)

# Mutation testing: each mutant in mutants/*.txt (a one-line bug) applied
# to a scratch copy must make the tests fail; minutes, so not in check.
# MUTANTS="ID ..." picks some (tools/mutate.sh --list shows them all).
mutate:
	@tools/mutate.sh $(MUTANTS)

# SYN flood, blind injection and ping floods with real tools in a private
# network namespace (root; tools/attack.sh --help).
attack: all
	@tools/deps.sh attack
	@NETSTACK=$(BUILD)/netstack tools/attack.sh

bench: all $(BENCHES)
	@tools/deps.sh bench
	@bench/run.sh $(BUILD)

# A long randomized sweep of tools/simloss (make check runs 200 seeds of
# 1M; this runs SWEEP_SEEDS of up to SWEEP_BYTES, several minutes).
SWEEP_SEEDS ?= 1-20000
SWEEP_BYTES ?= 4M
sweep: all
	$(BUILD)/tools/simloss --seeds $(SWEEP_SEEDS) --bytes $(SWEEP_BYTES)

# Libraries for embedders, make install / uninstall (mk/install.mk).
include mk/install.mk
include mk/examples.mk

# The build directory of this configuration, for scripts (`make -s builddir`).
builddir:
	@echo $(BUILD)

clean:
	rm -rf build build-* libnetstack.a netstack $(foreach t,$(TOOL_SRC),$(t:%.c=%))

-include $(ALL_OBJ:.o=.d)

endif
