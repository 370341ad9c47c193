/* cmd_run.c: 'mmcc run DIR IMAGE... [--threads N] [--bench N] [--top K]': builds the example
 * program examples/classify against the generated library in DIR (found through DIR/<id>.pc)
 * in a temporary directory, runs it on the images, and removes the build. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"

static void help(FILE *f) {
  fprintf(f,
          "usage: mmcc run DIR IMAGE... [--threads N] [--bench N] [--top K]\n"
          "\n"
          "Builds examples/classify against the library mmcc generated in DIR (DIR/<id>.h,\n"
          "DIR/lib<id>.a, DIR/<id>.pc) and classifies the images (JPEG, PNG, binary PPM):\n"
          "top classes with scores, and the time taken.\n"
          "\n"
          "  --threads N   threads for the forward pass (default 1)\n"
          "  --bench N     repeat each classification N times, report min / median\n"
          "  --top K       print the K best classes (default 5)\n"
          "\n"
          "Needs make, pkg-config, a C compiler, libjpeg and libpng (Debian: libjpeg-dev,\n"
          "libpng-dev). Exit status: 0, 1 (bad library or image), 2 (usage).\n");
}

/* The library id: the one <id>.pc in dir. NULL + diagnostic when there is none or several. */
static char *find_id(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char *id = NULL;
  int n = 0;
  if (!d) {
    diag_error(dir, 0, 0, "cannot open library directory: %s", strerror(errno));
    return NULL;
  }
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len > 3 && !strcmp(e->d_name + len - 3, ".pc")) {
      n++;
      if (!id) id = xstrndup(e->d_name, len - 3);
    }
  }
  closedir(d);
  if (n != 1) {
    diag_error(dir, 0, 0,
               n ? "%d pkg-config files; expected the one of a single library"
                 : "no <id>.pc: not a library directory written by 'mmcc build'",
               n);
    free(id);
    return NULL;
  }
  for (const char *c = id; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          *c == '_')) {
      diag_error(dir, 0, 0, "'%s.pc': library id is not a C identifier", id);
      free(id);
      return NULL;
    }
  return id;
}

/* Runs argv; returns its exit status, or -1 (diagnostic printed) if it did not run/exit. */
static int run(char **argv) {
  pid_t pid;
  int status;
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0) {
    diag_error(NULL, 0, 0, "fork: %s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    execvp(argv[0], argv);
    fprintf(stderr, "mmcc: error: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      diag_error(NULL, 0, 0, "waitpid: %s", strerror(errno));
      return -1;
    }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  diag_error(NULL, 0, 0, "%s killed by signal %d", argv[0], WTERMSIG(status));
  return -1;
}

static int count_arg(const char *opt, const char *v, long lo, long hi) {
  char *end;
  long n = v ? strtol(v, &end, 10) : 0;
  if (!v || !*v || *end || n < lo || n > hi) {
    usage_error("run", "%s needs an integer in %ld..%ld", opt, lo, hi);
    return -1;
  }
  return 0;
}

int cmd_run(int argc, char **argv) {
  const char *dir = NULL;
  char **images = xcalloc((size_t)argc + 1, sizeof *images), **opts = xcalloc(7, sizeof *opts);
  int nimages = 0, nopts = 0, rc = 1;
  char *id = NULL, *absdir = NULL, *build = NULL, *lib_arg = NULL, *id_arg = NULL, *o_arg = NULL,
       *src = NULL, *exe = NULL;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (is_help(a)) {
      help(stdout);
      rc = 0;
      goto out;
    }
    if (!strcmp(a, "--threads") || !strcmp(a, "--bench") || !strcmp(a, "--top")) {
      long hi = a[2] == 't' && a[3] == 'h' ? 1024 : 1000000; /* classify's limits */
      if (count_arg(a, i + 1 < argc ? argv[i + 1] : NULL, 1, hi)) {
        rc = 2;
        goto out;
      }
      for (int k = 0; k < nopts; k += 2)
        if (!strcmp(opts[k], a)) {
          rc = usage_error("run", "%s given twice", a);
          goto out;
        }
      opts[nopts++] = argv[i];
      opts[nopts++] = argv[++i];
    } else if (a[0] == '-' && a[1]) {
      rc = usage_error("run", "unknown option '%s'", a);
      goto out;
    } else if (!dir) {
      dir = a;
    } else {
      images[nimages++] = argv[i];
    }
  }
  if (!dir || !nimages) {
    rc = usage_error("run", "expected a library directory and at least one image");
    goto out;
  }
  if (!is_dir(dir)) {
    diag_error(dir, 0, 0, "%s (give the library directory written by 'mmcc build')",
               access(dir, F_OK) != 0 ? strerror(errno) : "not a directory");
    goto out;
  }
  if (mmcc_share_check()) goto out;
  if (!(id = find_id(dir))) goto out;
  if (!(absdir = realpath(dir, NULL))) {
    diag_error(dir, 0, 0, "%s", strerror(errno));
    goto out;
  }
  {
    const char *tmp = getenv("TMPDIR");
    build = xasprintf("%s/mmcc-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(build)) {
      diag_error(build, 0, 0, "cannot make a build directory: %s", strerror(errno));
      free(build);
      build = NULL;
      goto out;
    }
  }
  src = path_join(mmcc_share_dir(), "examples/classify");
  lib_arg = xasprintf("LIB=%s", absdir);
  id_arg = xasprintf("ID=%s", id);
  o_arg = xasprintf("O=%s", build);
  {
    char *make[] = {"make", "-s", "-C", src, lib_arg, id_arg, o_arg, NULL};
    int st = run(make);
    if (st != 0) {
      if (st > 0) diag_error(dir, 0, 0, "building %s/classify against lib%s.a failed", src, id);
      goto out;
    }
  }
  exe = xasprintf("%s/classify", build);
  {
    char **cmd = xcalloc((size_t)nopts + nimages + 2, sizeof *cmd);
    int n = 0, st;
    cmd[n++] = exe;
    for (int i = 0; i < nopts; i++) cmd[n++] = opts[i];
    for (int i = 0; i < nimages; i++) cmd[n++] = images[i];
    cmd[n] = NULL;
    st = run(cmd);
    free(cmd);
    rc = st == 0 ? 0 : 1;
  }

out:
  if (build) rm_rf(build);
  free(images), free(opts), free(id), free(absdir), free(build), free(lib_arg), free(id_arg);
  free(o_arg), free(src), free(exe);
  return rc;
}
