# mmcc: ahead-of-time compiler for mmpretrain image classifiers.
#
#   make            build build/mmcc
#   make test       build, then run the test suite (tests/run); ends with
#                   "N passed, N failed, N skipped"
#   make test-full  also the slow full-size checks
#   make san        build build-san/mmcc with -fsanitize=address,undefined
#   make fuzz       build the libFuzzer harnesses (clang) and run each FUZZ_SECONDS (default 20)
#   make install    PREFIX=/usr/local DESTDIR=: bin/mmcc and share/mmcc/{templates,runtime,
#                   examples/classify} (mmcc finds its data relative to its executable)
#   make uninstall  the same PREFIX and DESTDIR
#   make bench      side-by-side benchmark against ONNX Runtime (bench/run; needs bench/deps)
#   make clean
#
# The compiler is every compiler/*.c; nothing else needs listing here.

CC      ?= cc
CFLAGS  ?= -O2 -g
WERROR  ?= -Werror
MMCC_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) \
              -DMMCC_VERSION='"$(VERSION)"' -DMMCC_SHARE_SUBDIR='"$(SHARE_SUBDIR)"'
LDLIBS  = -lyaml -lm
VERSION = 0.1.0

SRCS    = $(wildcard compiler/*.c)
HDRS    = $(wildcard compiler/*.h)

BUILD     = build
SAN_BUILD = build-san
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all san test test-full bench clean install uninstall

all: $(BUILD)/mmcc

$(BUILD)/%.o: compiler/%.c $(HDRS) | $(BUILD)
	$(CC) $(MMCC_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/mmcc: $(SRCS:compiler/%.c=$(BUILD)/%.o)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(SAN_BUILD)/%.o: compiler/%.c $(HDRS) | $(SAN_BUILD)
	$(CC) $(MMCC_CFLAGS) -O1 -g $(SAN_FLAGS) -c -o $@ $<

$(SAN_BUILD)/mmcc: $(SRCS:compiler/%.c=$(SAN_BUILD)/%.o)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

san: $(SAN_BUILD)/mmcc

$(BUILD) $(SAN_BUILD):
	mkdir -p $@

test: $(BUILD)/mmcc $(SAN_BUILD)/mmcc
	tests/run

test-full: $(BUILD)/mmcc $(SAN_BUILD)/mmcc
	MMCC_TEST_FULL=1 tests/run

# {====================================================================== fuzz
include tests/fuzz/fuzz.mk
# }======================================================================

# BENCH_ARGS: options of bench/run (e.g. --models p32-224 --rounds 5)
bench: $(BUILD)/mmcc
	bench/deps
	bench/run $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD) tests/out

# {====================================================================== install
# mmcc looks for its data at <bin>/../$(SHARE_SUBDIR) (given to util.c: mmcc_share_dir), so
# the layout below is the whole contract; MMCC_SHARE_DIR overrides it.
PREFIX  ?= /usr/local
DESTDIR ?=
SHARE_SUBDIR = share/mmcc
SHARE_FILES = $(wildcard templates/*.m4 runtime/*.c runtime/*.h) \
              $(wildcard examples/classify/*.c examples/classify/*.h) examples/classify/Makefile

install: $(BUILD)/mmcc
	install -d '$(DESTDIR)$(PREFIX)/bin'
	install -m 755 $(BUILD)/mmcc '$(DESTDIR)$(PREFIX)/bin/mmcc'
	for f in $(SHARE_FILES); do \
	  install -D -m 644 "$$f" "$(DESTDIR)$(PREFIX)/$(SHARE_SUBDIR)/$$f" || exit 1; done

uninstall:
	rm -f '$(DESTDIR)$(PREFIX)/bin/mmcc'
	rm -rf '$(DESTDIR)$(PREFIX)/$(SHARE_SUBDIR)'
# }======================================================================
