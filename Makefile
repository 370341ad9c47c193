# mmcc: ahead-of-time compiler for mmpretrain image classifiers.
#
#   make            build build/mmcc
#   make test       build, then run the test suite (tests/run); ends with "N passed, N failed"
#   make test-full  also the slow full-size checks
#   make san        build build-san/mmcc with -fsanitize=address,undefined
#   make bench      side-by-side benchmark against ONNX Runtime (bench/run; needs bench/deps)
#   make clean
#
# The compiler is every compiler/*.c; nothing else needs listing here.

CC      ?= cc
CFLAGS  ?= -O2 -g
WERROR  ?= -Werror
MMCC_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) \
              -DMMCC_SHARE_DIR='"$(CURDIR)"' -DMMCC_VERSION='"$(VERSION)"'
LDLIBS  = -lyaml -lm
VERSION = 0.1.0

SRCS    = $(wildcard compiler/*.c)
HDRS    = $(wildcard compiler/*.h)

BUILD     = build
SAN_BUILD = build-san
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all san test test-full bench clean

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

# BENCH_ARGS: options of bench/run (e.g. --models p32-224 --rounds 5)
bench: $(BUILD)/mmcc
	bench/deps
	bench/run $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) tests/out
