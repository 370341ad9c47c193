# tests/fuzz/fuzz.mk: libFuzzer harnesses (clang, ASan + UBSan), included by the Makefile.
#
#   make fuzz-build                 build build-fuzz/fuzz_<name> for every tests/fuzz/fuzz_*.c
#   make fuzz FUZZ_SECONDS=N        build, replay tests/fuzz/regress/<name>/, fuzz each N s
#
# The compiler's sources (all but main.c) go into one instrumented archive; the image
# decoders come from examples/classify; fuzz_preprocess links two tiny libraries that mmcc
# generates here (--weights random) and compiles with the same instrumentation.

FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  = -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LDFLAGS = $(FUZZ_SAN) -fsanitize=fuzzer
# The config evaluator's size limits, 64x lower than mmcc's: work up to the limits is linear
# but, at mmcc's own (4 M-item lists, 8 M values written out), a 27-byte config that zips a
# 2.8 M-character string takes seconds (12 s under ASan) and hides the harness's other inputs;
# the limits' checks run the same at any value.
FUZZ_LIMITS  = -DCFGE_MAX_SEQ_LEN='(1u << 16)' -DCFG_MAX_EXPANDED='(1u << 17)'
FUZZ_NAMES   = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_LIB_SRCS = $(filter-out compiler/main.c,$(SRCS))
FUZZ_IMG_SRCS = $(addprefix examples/classify/,image.c image_jpeg.c image_png.c image_ppm.c exif.c)
FUZZ_GEN     = $(FUZZ_BUILD)/gen

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run

$(FUZZ_BUILD)/obj/%.o: compiler/%.c $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(MMCC_CFLAGS) $(FUZZ_CFLAGS) $(FUZZ_LIMITS) -c -o $@ $<

$(FUZZ_BUILD)/libmmcc.a: $(FUZZ_LIB_SRCS:compiler/%.c=$(FUZZ_BUILD)/obj/%.o)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_image: tests/fuzz/fuzz_image.c $(FUZZ_IMG_SRCS) examples/classify/image.h
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) $(FUZZ_CFLAGS) -Iexamples/classify -DIMAGE_MAX_SIDE=1024 \
	  -o $@ tests/fuzz/fuzz_image.c $(FUZZ_IMG_SRCS) $(FUZZ_LDFLAGS) -ljpeg -lpng

# Two tiny libraries: tiny-a as written (short edge 44, crop 40) and tiny-b compiled for a
# non-square input (--input-size 24x20), both built by their generated Makefile. Edge
# coverage but no comparison tracing: in the per-pixel loops of the resize it cost 70% of
# the time (3x fewer runs, less coverage in the same time); the argument checks' limits
# are in preprocess.dict and the harness's own decoding keeps it.
$(FUZZ_GEN)/%/stamp: tests/build/%.py $(BUILD)/mmcc $(wildcard runtime/*.c runtime/*.h templates/*) tests/fuzz/fuzz.mk
	rm -rf $(FUZZ_GEN)/$*
	$(BUILD)/mmcc build $< --weights random:7 --out $(FUZZ_GEN) --no-build \
	  $(if $(filter tiny-b,$*),--input-size 24x20) 2>$(FUZZ_GEN)-$*.log
	$(MAKE) -s -C $(FUZZ_GEN)/$* CC=$(FUZZ_CC) CFLAGS='$(FUZZ_CFLAGS) -fno-sanitize-coverage=trace-cmp' >/dev/null
	touch $@

$(FUZZ_BUILD)/fuzz_preprocess: tests/fuzz/fuzz_preprocess.c $(FUZZ_GEN)/tiny-a/stamp $(FUZZ_GEN)/tiny-b/stamp
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) $(FUZZ_CFLAGS) \
	  -I$(FUZZ_GEN)/tiny-a -I$(FUZZ_GEN)/tiny-b -o $@ $< \
	  $(FUZZ_GEN)/tiny-a/libtiny_a.a $(FUZZ_GEN)/tiny-b/libtiny_b.a $(FUZZ_LDFLAGS) -lm -lpthread

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libmmcc.a
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) $(FUZZ_CFLAGS) -Icompiler \
	  -o $@ $< $(FUZZ_BUILD)/libmmcc.a $(FUZZ_LDFLAGS) $(LDLIBS)
