/* cmd_ckpt.c: 'mmcc ckpt FILE': list the tensors (name, dtype, shape, bytes) and meta keys of
 * a checkpoint, as text or JSON; --dump writes tensor values as float32 (for tests and tools). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "cmd.h"
#include "util.h"

static void help(void) {
  printf(
      "usage: mmcc ckpt FILE [--json] [--sha256] [--dump NAME | --dump-all]\n"
      "\n"
      "Lists the tensors of a checkpoint: a torch.save zip archive (.pth, torch >= 1.6) or a\n"
      ".safetensors file. The state dict is taken from 'state_dict', 'model' or 'module' (or\n"
      "is the whole file); a leading 'module.' is removed from names. Nothing in the file is\n"
      "executed.\n"
      "\n"
      "  --json       print {\"file\", \"format\", \"tensors\": [{\"name\", \"dtype\", \"shape\",\n"
      "               \"bytes\"}, ...], \"parameters\", \"meta_keys\" (keys of meta),\n"
      "               \"top_level_keys\" (besides the state dict), \"classes\"[, \"sha256\"]}\n"
      "  --sha256     also compute the file's sha256\n"
      "  --dump NAME  write tensor NAME to stdout as contiguous row-major float32 (host byte\n"
      "               order; float16/bfloat16/float64 converted exactly as torch's .float())\n"
      "  --dump-all   the same for every tensor, concatenated in file order\n");
}

static void shape_str(strbuf *b, const ckpt_tensor *t, const char *open, const char *close) {
  sb_puts(b, open);
  for (int i = 0; i < t->ndim; i++) sb_printf(b, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
  sb_puts(b, close);
}

static int dump(const ckpt_tensor *t) {
  size_t n = (size_t)ckpt_numel(t);
  float *buf;
  int ok;
  if (n > (size_t)1 << 32) {  /* only a stride-0 view can claim more than its file holds */
    diag_error(NULL, 0, 0, "tensor '%s' has %zu elements: too many to dump", t->name, n);
    return -1;
  }
  buf = xmalloc(n * sizeof *buf);
  ckpt_read_f32(t, buf);
  ok = fwrite(buf, sizeof *buf, n, stdout) == n;
  free(buf);
  if (!ok) diag_error(NULL, 0, 0, "cannot write tensor '%s' to stdout", t->name);
  return ok ? 0 : -1;
}

static void print_json(const ckpt *c, const char *path, const char *sha) {
  strbuf b;
  const char *const *cl = ckpt_classes(c);
  long long params = 0;
  sb_init(&b);
  sb_puts(&b, "{\"file\": ");
  json_put_string(&b, path, strlen(path));
  sb_printf(&b, ", \"format\": \"%s\", \"tensors\": [", ckpt_format(c));
  for (size_t i = 0; i < ckpt_count(c); i++) {
    const ckpt_tensor *t = ckpt_at(c, i);
    params += ckpt_numel(t);
    sb_puts(&b, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
    json_put_string(&b, t->name, strlen(t->name));
    sb_printf(&b, ", \"dtype\": \"%s\", \"shape\": ", ckpt_dtype_name(t->dtype));
    shape_str(&b, t, "[", "]");
    sb_printf(&b, ", \"bytes\": %zu}", t->nbytes);
  }
  sb_printf(&b, "],\n \"parameters\": %lld, \"meta_keys\": [", params);
  for (size_t i = 0; i < ckpt_meta_count(c); i++) {
    if (i) sb_puts(&b, ", ");
    json_put_string(&b, ckpt_meta_key(c, i), strlen(ckpt_meta_key(c, i)));
  }
  sb_puts(&b, "], \"top_level_keys\": [");
  for (size_t i = 0; i < ckpt_top_count(c); i++) {
    if (i) sb_puts(&b, ", ");
    json_put_string(&b, ckpt_top_key(c, i), strlen(ckpt_top_key(c, i)));
  }
  sb_puts(&b, "], \"classes\": ");
  if (!cl) {
    sb_puts(&b, "null");
  } else {
    sb_putc(&b, '[');
    for (size_t i = 0; cl[i]; i++) {
      if (i) sb_puts(&b, ", ");
      json_put_string(&b, cl[i], strlen(cl[i]));
    }
    sb_putc(&b, ']');
  }
  if (sha) sb_printf(&b, ", \"sha256\": \"%s\"", sha);
  sb_puts(&b, "}\n");
  fputs(b.s, stdout);
  sb_free(&b);
}

static void print_text(const ckpt *c, const char *path, const char *sha) {
  const char *const *cl = ckpt_classes(c);
  long long params = 0;
  size_t bytes = 0, width = 4;
  strbuf b;
  for (size_t i = 0; i < ckpt_count(c); i++) {
    const ckpt_tensor *t = ckpt_at(c, i);
    params += ckpt_numel(t);
    bytes += t->nbytes;
    if (strlen(t->name) > width) width = strlen(t->name);
  }
  printf("%s: %s, %zu tensors, %lld parameters, %zu bytes of tensor data\n", path, ckpt_format(c),
         ckpt_count(c), params, bytes);
  if (sha) printf("sha256: %s\n", sha);
  printf("  %-*s  %-8s  %-18s  %s\n", (int)width, "name", "dtype", "shape", "bytes");
  sb_init(&b);
  for (size_t i = 0; i < ckpt_count(c); i++) {
    const ckpt_tensor *t = ckpt_at(c, i);
    b.len = 0;
    shape_str(&b, t, "[", "]");
    printf("  %-*s  %-8s  %-18s  %zu\n", (int)width, t->name, ckpt_dtype_name(t->dtype), b.s,
           t->nbytes);
  }
  sb_free(&b);
  printf("meta keys:");
  for (size_t i = 0; i < ckpt_meta_count(c); i++) printf(" %s", ckpt_meta_key(c, i));
  printf("%s\n", ckpt_meta_count(c) ? "" : " (none)");
  printf("top-level keys:");
  for (size_t i = 0; i < ckpt_top_count(c); i++) printf(" %s", ckpt_top_key(c, i));
  printf("%s\n", ckpt_top_count(c) ? "" : " (none)");
  if (cl) {
    size_t n = 0;
    while (cl[n]) n++;
    printf("classes: %zu (%s%s%s%s)\n", n, n ? cl[0] : "", n > 1 ? ", " : "",
           n > 1 ? cl[1] : "", n > 2 ? ", ..." : "");
  }
}

int cmd_ckpt(int argc, char **argv) {
  const char *path = NULL, *dump_name = NULL;
  int json = 0, dump_all = 0, want_sha = 0, rc = 0;
  char sha[65];
  ckpt *c;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i])) {
      help();
      return 0;
    } else if (!strcmp(argv[i], "--json")) {
      json = 1;
    } else if (!strcmp(argv[i], "--sha256")) {
      want_sha = 1;
    } else if (!strcmp(argv[i], "--dump-all")) {
      dump_all = 1;
    } else if (!strcmp(argv[i], "--dump")) {
      if (++i == argc) return usage_error("ckpt", "--dump needs a tensor name");
      dump_name = argv[i];
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error("ckpt", "unknown option '%s'", argv[i]);
    } else if (path) {
      return usage_error("ckpt", "more than one FILE");
    } else {
      path = argv[i];
    }
  }
  if (!path) return usage_error("ckpt", "FILE expected");
  if ((dump_name || dump_all) && (json || want_sha || (dump_name && dump_all)))
    return usage_error("ckpt", "--dump/--dump-all go alone");
  if (!(c = ckpt_open(path))) return 1;
  if (dump_name) {
    const ckpt_tensor *t = ckpt_find(c, dump_name);
    if (!t) {
      diag_error(path, 0, 0, "no tensor named '%s'", dump_name);
      rc = 1;
    } else if (dump(t) < 0) {
      rc = 1;
    }
  } else if (dump_all) {
    for (size_t i = 0; i < ckpt_count(c) && !rc; i++)
      if (dump(ckpt_at(c, i)) < 0) rc = 1;
  } else if (want_sha && ckpt_sha256(path, sha) < 0) {
    rc = 1;
  } else if (json) {
    print_json(c, path, want_sha ? sha : NULL);
  } else {
    print_text(c, path, want_sha ? sha : NULL);
  }
  ckpt_close(c);
  if (fflush(stdout) != 0) rc = 1;
  return rc;
}
