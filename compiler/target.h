/* target.h: what mmcc knows about each target it generates code for, as data (one row per
 * target in target.c, like BLIS's bli_cntx_init_<arch>.c): the gemm micro-kernel, its
 * register blocking and preferred C storage, where the kernel lives, and how to compile for
 * it. A new target is one row in target.c plus a test. */
#ifndef MMCC_TARGET_H
#define MMCC_TARGET_H

/* One code path of a multi-path target: its generated forward is compiled with cflags and
 * calls mmcc's own kernel mmrt_ukr_<name> (runtime/mmrt_ukr.h); taken when the CPU has
 * cpu_features. */
typedef struct target_path {
  const char *name;         /* also the MMRT_PATH value (env var) that forces it */
  const char *cflags;
  const char *cpu_features;
  const char *ukr;          /* the path whose fp32 kernel it calls (NULL: its own) */
  int bf16_dp;              /* 1: a --precision bf16 path only, on mmcc's vdpbf16ps kernel
                               (runtime/mmrt_bf16.h); 0: every library has it (bf16
                               libraries widen the bf16 weights for its fp32 kernel) */
} target_path;

/* Does a library of that precision have path Q? */
int target_path_in(const target_path *q, int bf16);
/* Q's name as a C identifier ('-' -> '_'), in BUF of N bytes. */
const char *target_path_ident(const target_path *q, char *buf, int n);

typedef struct target {
  const char *name;         /* --target NAME */
  const char *triplet;      /* Debian multiarch triplet: /usr/lib/<triplet>/blis-openmp */
  const char *cc;           /* default compiler (host: "cc") */
  const char *tool_prefix;  /* for ar, ld, objcopy ("" on the host) */
  const char *kernel;       /* BLIS 0.9 sgemm micro-kernel symbol, or mmcc's own
                               (runtime/mmrt_ukr.h) when member is NULL */
  const char *member;       /* the libblis.a member object defining it; NULL: own kernel */
  int mr, nr, kc;           /* register blocking, k blocking */
  int col_pref;             /* kernel prefers column-stored C: compute C^T = W X^T */
  const char *cflags;       /* code-generation flags for the generated model.c */
  const char *cpu_features; /* mmrt_cpu_supports() names, space separated ("" = baseline) */
  const char *machine;      /* uname -m of a host that runs it natively */
  long l2_bytes;            /* L2 cache per core assumed by the blocking (MMRT_L2_BYTES) */
  const target_path *paths; /* multi-path: the paths, best first (the last needs nothing
                               beyond cpu_features); NULL: one path (the fields above) */
  int npaths;
  int bf16_dp;              /* --precision bf16 runs mmcc's vdpbf16ps kernel (runtime/
                               mmrt_bf16.h); 0: bf16 weights widened for the fp32 kernel */
} target;

/* NULL (no diagnostic) when there is no target of that name. */
const target *target_find(const char *name);
/* The best target for the host CPU, or NULL when none fits. */
const target *target_default(void);
/* Number of rows, and row i (for --help and tests). */
int target_count(void);
const target *target_at(int i);
/* Path of the static BLIS library holding t's kernel (newly allocated). */
char *target_blis_archive(const target *t);

#endif
