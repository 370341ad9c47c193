/* gen_lib.c: everything around the generated sources that makes lib<id>.a: the runtime
 * copy, the BLIS kernel object (extracted from the target's static libblis.a and checked to
 * need nothing but libc), the export list, the licence notice, and the run of the
 * generated Makefile, whose result is checked (only <id>_* symbols global). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gen.h"
#include "util.h"

int gen_run(const char *cwd, char *const argv[], const char *out_path, const char *err_path) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (cwd && chdir(cwd) != 0) _exit(126);
    if (out_path) {
      int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || dup2(fd, 1) < 0) _exit(126);
      close(fd);
    }
    if (err_path) {
      int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || dup2(fd, 2) < 0) _exit(126);
      close(fd);
    }
    execvp(argv[0], argv);
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  if (!WIFEXITED(st)) return -1;
  return WEXITSTATUS(st);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int copy_file(const char *from, const char *to) {
  size_t n;
  char *data = read_file(from, &n);
  if (!data) return -1;
  int rc = write_file(to, data, n);
  free(data);
  return rc;
}

/* Copies the .c and .h files of share/runtime into DIR/src/runtime and lists the objects
 * (sorted) in
 * DIR/src/runtime/objects.txt for gen_emit. */
static int copy_runtime(const char *dir) {
  char *from = xasprintf("%s/runtime", mmcc_share_dir());
  char *to = xasprintf("%s/src/runtime", dir);
  DIR *d = opendir(from);
  char **names = NULL;
  size_t n = 0;
  int rc = -1;
  if (!d) {
    diag_error(from, 0, 0, "cannot open the runtime directory: %s", strerror(errno));
    goto out;
  }
  for (struct dirent *e; (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len > 2 && e->d_name[0] != '.' && e->d_name[len - 2] == '.' &&
        (e->d_name[len - 1] == 'c' || e->d_name[len - 1] == 'h')) {
      names = xrealloc(names, (n + 1) * sizeof *names);
      names[n++] = xstrdup(e->d_name);
    }
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_str);
  if (mkdir_p(to)) goto out;
  strbuf objs;
  sb_init(&objs);
  rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    char *src = xasprintf("%s/%s", from, names[i]), *dst = xasprintf("%s/%s", to, names[i]);
    rc = copy_file(src, dst);
    size_t len = strlen(names[i]);
    if (names[i][len - 1] == 'c')
      sb_printf(&objs, "%ssrc/runtime/%.*s.o", objs.len ? "\n" : "", (int)(len - 2), names[i]);
    free(src);
    free(dst);
  }
  if (rc == 0) {
    char *list = xasprintf("%s/objects.txt", to);
    rc = write_file(list, objs.s, objs.len);
    free(list);
  }
  sb_free(&objs);
out:
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  free(from);
  free(to);
  return rc;
}

/* Symbols the kernel object may need: libc only (facts.md: the named kernels do). */
static int allowed_undefined(const char *s) {
  static const char *const ok[] = {"__stack_chk_fail", "__stack_chk_guard", "memmove",
                                   "memcpy", "memset",
                                   "_GLOBAL_OFFSET_TABLE_", "abort", NULL};
  for (int i = 0; ok[i]; i++)
    if (!strcmp(s, ok[i])) return 1;
  return 0;
}

/* Runs `<prefix>nm ARGS file` into a string (NULL on failure). */
static char *nm_output(const target *t, const char *opt, const char *file, const char *tmp) {
  char *nm = xasprintf("%snm", t->tool_prefix);
  char *argv[] = {nm, (char *)opt, (char *)file, NULL};
  char *out = NULL;
  if (gen_run(NULL, argv, tmp, "/dev/null") == 0) out = read_file(tmp, NULL);
  remove(tmp);
  free(nm);
  return out;
}

static int extract_kernel(const gen_plan *p, const char *dir) {
  const target *t = p->t;
  if (!t->member) return 0; /* mmcc's own kernels: in the runtime */
  char *archive = target_blis_archive(t);
  char *bdir = xasprintf("%s/src/blis", dir);
  char *obj = xasprintf("%s/%s", bdir, t->member);
  char *tmp = xasprintf("%s/nm.txt", bdir);
  char *ar = xasprintf("%sar", t->tool_prefix);
  char *und = NULL, *def = NULL;
  int rc = -1;
  if (!file_exists(archive)) {
    diag_error(archive, 0, 0,
               "BLIS static library for target '%s' not found (Debian: install "
               "libblis-openmp-dev%s)",
               t->name, strcmp(t->triplet, "x86_64-linux-gnu") ? " for that architecture" : "");
    goto out;
  }
  if (mkdir_p(bdir)) goto out;
  char *argv[] = {ar, "p", archive, (char *)t->member, NULL};
  if (gen_run(NULL, argv, obj, "/dev/null") != 0) {
    diag_error(archive, 0, 0, "cannot extract member '%s' (kernel %s)", t->member, t->kernel);
    goto out;
  }
  def = nm_output(t, "--defined-only", obj, tmp);
  und = nm_output(t, "-u", obj, tmp);
  if (!def || !und) {
    diag_error(obj, 0, 0, "cannot list the symbols of the kernel object (%snm)", t->tool_prefix);
    goto out;
  }
  char *want = xasprintf(" T %s\n", t->kernel);
  int found = strstr(def, want) != NULL;
  free(want);
  if (!found) {
    diag_error(archive, 0, 0, "member '%s' does not define %s", t->member, t->kernel);
    goto out;
  }
  for (char *line = strtok(und, "\n"); line; line = strtok(NULL, "\n")) {
    char *sym = strrchr(line, ' ');
    sym = sym ? sym + 1 : line;
    if (!allowed_undefined(sym)) {
      diag_error(obj, 0, 0, "kernel object needs '%s' (only libc symbols are allowed)", sym);
      goto out;
    }
  }
  rc = 0;
out:
  free(und);
  free(def);
  free(archive);
  free(bdir);
  free(obj);
  free(tmp);
  free(ar);
  return rc;
}

static int copy_licence(const gen_plan *p, const char *dir) {
  if (!p->t->member) return 0; /* no BLIS code in the library */
  static const char *const docs[] = {"/usr/share/doc/libblis-dev/copyright",
                                     "/usr/share/doc/libblis-openmp-dev/copyright",
                                     "/usr/share/doc/libblis4/copyright",
                                     "/usr/share/doc/libblis4-openmp/copyright", NULL};
  for (int i = 0; docs[i]; i++)
    if (file_exists(docs[i])) {
      size_t n;
      char *text = read_file(docs[i], &n);
      if (!text) return -1;
      strbuf b;
      sb_init(&b);
      sb_printf(&b, "lib*.a in this directory contains a micro-kernel object of BLIS (from\n"
                    "Debian's libblis.a). BLIS's licence notice (%s) follows.\n\n", docs[i]);
      sb_put(&b, text, n);
      free(text);
      char *to = xasprintf("%s/LICENSE.blis", dir);
      int rc = write_file(to, b.s, b.len);
      free(to);
      sb_free(&b);
      return rc;
    }
  diag_error("/usr/share/doc/libblis-dev/copyright", 0, 0,
             "BLIS licence notice not found (install libblis-dev)");
  return -1;
}

static void m4_def(strbuf *b, const char *name, const char *v) {
  sb_printf(b, "m4_define([[%s]], [[[[%s]]]])\n", name, v);
}

/* The m4 definitions of the target's kernel and code paths (templates/README.md):
 * MM_UKR_OWN, MM_L2_BYTES, MM_KERNEL_OBJECTS, and for a multi-path target MM_PATHS (names),
 * MM_PATH_CFLAGS (Makefile lines), MM_PATH_DECLS and MM_PATH_TABLE (C for api.c). */
char *gen_lib_target_defs(const target *t, int bf16) {
  strbuf b, names, flags, decls, table;
  sb_init(&b);
  sb_init(&names);
  sb_init(&flags);
  sb_init(&decls);
  sb_init(&table);
  sb_printf(&b, "m4_define([[MM_UKR_OWN]], [[%d]])\n", t->member ? 0 : 1);
  sb_printf(&b, "m4_define([[MM_L2_BYTES]], [[%ld]])\n", t->l2_bytes);
  char *obj = t->member ? xasprintf("src/blis/%s", t->member) : xstrdup("");
  m4_def(&b, "MM_KERNEL_OBJECTS", obj);
  free(obj);
  for (int i = 0; t->paths && i < t->npaths; i++) {
    const target_path *q = &t->paths[i];
    char id[64];
    if (!target_path_in(q, bf16)) continue;
    target_path_ident(q, id, sizeof id);
    sb_printf(&names, "%s%s", names.len ? " " : "", id);
    sb_printf(&flags, "PATH_CFLAGS_%s = %s", id, q->cflags);
    if (q->ukr) sb_printf(&flags, " -DMMRT_UKR_PATH=%s", q->ukr); /* its fp32 kernel */
    if (bf16) sb_printf(&flags, " -DMMRT_BF16_DP=%d", q->bf16_dp);
    sb_putc(&flags, '\n');
    sb_printf(&decls, "void mm_forward_%s(const float *in, int n, float *out, void *workspace, "
                      "int num_threads);\n", id);
    sb_printf(&table, "  {\"%s\", \"%s\", mm_forward_%s},\n", q->name, q->cpu_features, id);
  }
  m4_def(&b, "MM_PATHS", names.len ? names.s : "");
  m4_def(&b, "MM_PATH_CFLAGS", flags.len ? flags.s : "");
  m4_def(&b, "MM_PATH_DECLS", decls.len ? decls.s : "");
  m4_def(&b, "MM_PATH_TABLE", table.len ? table.s : "");
  sb_free(&names);
  sb_free(&flags);
  sb_free(&decls);
  sb_free(&table);
  char *r = sb_take(&b);
  sb_free(&b);
  return r;
}

/* MMRT_PREPROCESS_WORKSPACE_BYTES of this model's pipeline and MMRT_MAX_IMAGE_SIDE,
 * evaluated by the host compiler (plain integer arithmetic in runtime/mmrt_preprocess.h), so
 * that the public header can state them as numbers. */
static int preprocess_bytes(gen_plan *p, const char *dir) {
  char *src = xasprintf("%s/src/probe.c", dir), *exe = xasprintf("%s/src/probe", dir);
  char *out = xasprintf("%s/src/probe.txt", dir), *inc = xasprintf("-I%s/src/runtime", dir);
  char *text = xasprintf("#include <stdio.h>\n#include \"mmrt_preprocess.h\"\n"
                         "int main(void) { printf(\"%%llu %%d\\n\", (unsigned long long)"
                         "(MMRT_PREPROCESS_WORKSPACE_BYTES(%d, %d, %d)), MMRT_MAX_IMAGE_SIDE);"
                         " return 0; }\n",
                         p->m->resize_scale, p->in_h, p->in_w);
  char *cc[] = {"cc", "-std=c11", inc, "-o", exe, src, NULL};
  char *run[] = {exe, NULL};
  char *val = NULL;
  int rc = -1;
  if (write_file(src, text, strlen(text)) == 0 &&
      gen_run(NULL, cc, "/dev/null", "/dev/null") == 0 &&
      gen_run(NULL, run, out, "/dev/null") == 0 && (val = read_file(out, NULL))) {
    char *end;
    p->preprocess_ws_bytes = strtoull(val, &end, 10);
    p->max_image_side = (int)strtol(end, NULL, 10);
    rc = 0;
  } else {
    diag_error(src, 0, 0, "cannot evaluate MMRT_PREPROCESS_WORKSPACE_BYTES with the host cc");
  }
  remove(src);
  remove(exe);
  remove(out);
  free(val);
  free(src);
  free(exe);
  free(out);
  free(inc);
  free(text);
  return rc;
}

int gen_lib_prepare(gen_plan *p, const char *dir) {
  char *src = xasprintf("%s/src", dir);
  int rc = mkdir_p(src);
  free(src);
  if (rc || copy_runtime(dir) || extract_kernel(p, dir) || copy_licence(p, dir) ||
      preprocess_bytes(p, dir))
    return -1;
  char *exports = xasprintf("%s/src/exports.txt", dir);
  char *text = xasprintf("%s_forward\n%s_preprocess_rgb8\n%s_classify_rgb8\n%s_topk\n"
                         "%s_class_name\n", p->id, p->id, p->id, p->id, p->id);
  if (p->profile) { /* mmcc build --profile: the profile's two entry points */
    char *more = xasprintf("%s%s_profile\n%s_profile_reset\n", text, p->id, p->id);
    free(text);
    text = more;
  }
  rc = write_file(exports, text, strlen(text));
  free(exports);
  free(text);
  size_t image = ((size_t)p->in_c * p->in_h * p->in_w * 4 + 63) / 64 * 64;
  size_t rest = p->forward_ws_bytes > p->preprocess_ws_bytes ? p->forward_ws_bytes
                                                             : p->preprocess_ws_bytes;
  p->ws_bytes = image + rest;
  return rc;
}

/* Runs make in DIR for TARGET, its output (stdout and stderr merged) into LOG, with
 * progress counted in recipe lines (TOTAL expected). Returns make's exit status or -1. */
static int run_make(const char *dir, const char *target, int total, strbuf *log) {
  char *argv[] = {"make", "--no-print-directory", "-C", (char *)dir, "-j4", (char *)target, NULL};
  const char *label = "compiling";
  int fds[2];
  fflush(stdout);
  fflush(stderr);
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    close(fds[0]);
    if (dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0) _exit(126);
    close(fds[1]);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  FILE *f = fdopen(fds[0], "r");
  int steps = 0;
  char line[4096];
  progress(label, 0, (uint64_t)total);
  while (f && fgets(line, sizeof line, f)) {
    sb_puts(log, line);
    if (line[0] != ' ' && strncmp(line, "make", 4) && steps < total)
      progress(label, (uint64_t)++steps, (uint64_t)total);
  }
  if (f) fclose(f);
  else close(fds[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  if (!WIFEXITED(st)) return -1;
  if (WEXITSTATUS(st) == 0) {
    progress(label, (uint64_t)total, (uint64_t)total);
    progress_done(label);
  }
  return WEXITSTATUS(st);
}

/* .c files of DIR/src/runtime: one compile step each. */
static int runtime_sources(const char *dir) {
  char *rt = xasprintf("%s/src/runtime", dir);
  DIR *d = opendir(rt);
  int n = 0;
  free(rt);
  if (!d) return 0;
  for (struct dirent *e; (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len > 2 && !strcmp(e->d_name + len - 2, ".c")) n++;
  }
  closedir(d);
  return n;
}

int gen_lib_build(const gen_plan *p, const char *dir) {
  char *lib = xasprintf("lib%s.a", p->id);
  strbuf log;
  sb_init(&log);
  diag_note("compiling lib%s.a (make -C %s)", p->id, dir);
  /* compile steps: runtime, model.c, api.c, weights.S; then ld, objcopy, rm, rm, ar */
  int paths = p->t->paths ? 0 : 1;
  for (int i = 0; p->t->paths && i < p->t->npaths; i++)
    paths += target_path_in(&p->t->paths[i], p->bf16);
  int rc = run_make(dir, lib, runtime_sources(dir) + paths + 2 + 5, &log);
  if (rc != 0) {
    diag_error(dir, 0, 0, "building lib%s.a failed (make status %d):\n%s", p->id, rc, log.s);
    sb_free(&log);
    free(lib);
    return -1;
  }
  sb_free(&log);

  /* only <id>_* symbols may be global */
  char *path = xasprintf("%s/%s", dir, lib), *tmp = xasprintf("%s/src/nm.txt", dir);
  char *syms = nm_output(p->t, "-g", path, tmp);
  int bad = !syms;
  size_t idlen = strlen(p->id);
  if (syms)
    for (char *line = strtok(syms, "\n"); line; line = strtok(NULL, "\n")) {
      char *sp = strrchr(line, ' ');
      if (!sp || sp == line) continue;           /* archive member header line */
      char type = sp[-1];
      if (type == 'U' || type == 'w' || type == 'v') continue;
      const char *sym = sp + 1;
      if (strncmp(sym, p->id, idlen) || sym[idlen] != '_') {
        diag_error(path, 0, 0, "global symbol '%s' is not prefixed '%s_'", sym, p->id);
        bad = 1;
      }
    }
  free(syms);
  free(path);
  free(tmp);
  free(lib);
  return bad ? -1 : 0;
}

int gen_build(gen_plan *p, const char *dir, int build_library) {
  if (gen_lib_prepare(p, dir)) return -1;
  char *blob = xasprintf("%s/src/weights.bin", dir);
  int rc = gen_pack_weights(p, blob);
  free(blob);
  if (rc || gen_emit(p, dir)) return -1;
  return build_library ? gen_lib_build(p, dir) : 0;
}

/* Objects: in src/, src/runtime/ (the BLIS kernel in src/blis/ is kept: only mmcc can
 * extract it again). */
static int remove_objects(const char *sub) {
  DIR *d = opendir(sub);
  if (!d) return 0;
  int rc = 0;
  for (struct dirent *e; (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len > 2 && !strcmp(e->d_name + len - 2, ".o")) {
      char *f = xasprintf("%s/%s", sub, e->d_name);
      if (remove(f) != 0) {
        diag_error(f, 0, 0, "cannot remove: %s", strerror(errno));
        rc = -1;
      }
      free(f);
    }
  }
  closedir(d);
  return rc;
}

int gen_lib_trim(const char *dir) {
  char *blob = xasprintf("%s/src/weights.bin", dir), *src = xasprintf("%s/src", dir),
       *rt = xasprintf("%s/src/runtime", dir);
  int rc = 0;
  if (remove(blob) != 0 && errno != ENOENT) {
    diag_error(blob, 0, 0, "cannot remove: %s", strerror(errno));
    rc = -1;
  }
  if (remove_objects(src) || remove_objects(rt)) rc = -1;
  free(blob);
  free(src);
  free(rt);
  return rc;
}
