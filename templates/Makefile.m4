MM_FRONT_MATTER_MAKE
# Builds lib[[]]MM_ID.a from src/ (written by mmcc; `make` here rebuilds it, honouring CC, AR,
# CFLAGS, LD and OBJCOPY). Only MM_ID[[]]_* symbols stay global: the code is linked into
# one object (ld -r) and everything but the entry points is made local (objcopy
# --keep-global-symbols), so several mmcc libraries, or one and -lblis, link into one
# program.
ifeq ($(origin CC),default)
CC = MM_TARGET_CC
endif
ifeq ($(origin AR),default)
AR = MM_TARGET_AR
endif
ifeq ($(origin LD),default)
LD = MM_TARGET_LD
endif
OBJCOPY ?= MM_TARGET_OBJCOPY
CFLAGS ?= -O3
# Always: C11, position independent (the archive may go into a shared object), no errno
# from libm, no trapping-math (lets the branch-free exp / erf loops vectorise; neither
# changes a result).
MM_CFLAGS = -std=c11 -fPIC -fno-math-errno -fno-trapping-math -Isrc -Isrc/runtime
# Code generation flags of target MM_TARGET_NAME, for model.c only (api.c checks the CPU).
TARGET_CFLAGS = MM_TARGET_CFLAGS
m4_ifelse(MM_PATHS, [[]], [[m4_dnl
MODEL_OBJS = src/model.o
]], [[m4_dnl
# Code paths (best first): model.c is compiled once per path, with the path's flags and
# -DMMRT_PATH=<path> (symbols mm_forward_<path>, kernel mmrt_ukr_<path>); api.c picks one
# by CPUID at the first call.
PATHS = MM_PATHS
MM_PATH_CFLAGS[[]]m4_dnl
MODEL_OBJS = $(PATHS:%=src/model_%.o)
]])m4_dnl

RUNTIME_OBJS = MM_RUNTIME_OBJS
CODE_OBJS = $(MODEL_OBJS) src/api.o $(RUNTIME_OBJS) MM_KERNEL_OBJECTS

# Two members: the code (one relocatable object, everything but the entry points local)
# and the weights (only the symbol MM_ID[[]]_weights_blob_), so the blob is copied once.
lib[[]]MM_ID.a: src/code.o src/weights.o
	rm -f $@
	$(AR) rcs $@ src/code.o src/weights.o

src/code.o: $(CODE_OBJS) src/exports.txt
	$(LD) -r -o src/linked.o $(CODE_OBJS)
	$(OBJCOPY) --keep-global-symbols=src/exports.txt src/linked.o $@
	rm -f src/linked.o

src/model.o: src/model.c src/internal.h src/runtime/mmrt_gemm.h src/runtime/mmrt_math.h src/runtime/mmrt.h
	$(CC) $(MM_CFLAGS) $(CFLAGS) $(TARGET_CFLAGS) -c -o $@ src/model.c

src/model_%.o: src/model.c src/internal.h src/runtime/mmrt_gemm.h src/runtime/mmrt_math.h src/runtime/mmrt.h
	$(CC) $(MM_CFLAGS) $(CFLAGS) $(PATH_CFLAGS_$*) -DMMRT_PATH=$* -c -o $@ src/model.c

src/api.o: src/api.c src/internal.h MM_ID.h src/runtime/mmrt.h
	$(CC) $(MM_CFLAGS) -I. $(CFLAGS) -c -o $@ src/api.c

src/weights.o: src/weights.S src/weights.bin
	$(CC) $(MM_CFLAGS) -c -o $@ src/weights.S

src/runtime/%.o: src/runtime/%.c src/runtime/mmrt.h
	$(CC) $(MM_CFLAGS) $(CFLAGS) -c -o $@ $<

# mmcc build keeps src/weights.bin only with --keep-sources (the weights are in the archive).
src/weights.bin:
	@echo "$@: not kept (the weights are in lib[[]]MM_ID.a); to rerun this Makefile, rebuild with 'mmcc build ... --keep-sources'" >&2; exit 1

# The assembled blob is as large as the weights: not kept.
.INTERMEDIATE: src/weights.o

clean:
	rm -f lib[[]]MM_ID.a src/*.o src/runtime/*.o

.PHONY: clean
