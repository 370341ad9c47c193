/* ckpt.c: checkpoints as named tensors (the contract in ckpt.h). The file is mmapped once;
 * the container (pth_zip.c or safetensors.c) and the pickle machine (pth_pickle.c) only
 * describe where each tensor's bytes are. Layout handling follows mmengine's
 * runner/checkpoint.py (_load_checkpoint_to_model: 'state_dict' key, 'module.' prefix). */
#include "ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pth_pickle.h"
#include "pth_zip.h"
#include "safetensors.h"
#include "sha256.h"
#include "util.h"

struct ckpt {
  char *path;
  const uint8_t *map;
  size_t size;
  const char *format;      /* "pth" or "safetensors" */
  size_t n;
  ckpt_tensor *t;          /* file (state dict) order */
  ckpt_tensor **by_name;   /* t sorted by name */
  size_t nmeta;
  char **meta;             /* keys of the `meta` dict (safetensors: of __metadata__) */
  size_t ntop;
  char **top;              /* top-level keys besides the state dict ("meta", "optimizer") */
  char **classes;          /* NULL-terminated, or NULL */
};

static size_t dtype_size(ckpt_dtype d) {
  return d == CKPT_F64 || d == CKPT_I64 ? 8 : d == CKPT_F32 ? 4 : 2;
}

const char *ckpt_dtype_name(ckpt_dtype d) {
  static const char *const names[] = {"float32", "float16", "bfloat16", "float64", "int64"};
  return names[d];
}

/* {====================================================================== pth: pickle -> tensors */

typedef struct loader {
  ckpt *c;
  pth_zip zip;
} loader;

static void add_string(char ***list, size_t *n, const char *s) {
  if (*n % 16 == 0) *list = xrealloc(*list, (*n + 16) * sizeof **list);
  (*list)[(*n)++] = xstrdup(s);
}

static int tensor_error(loader *L, const char *name, const char *what) {
  diag_error(L->c->path, 0, 0, "tensor '%s': %s", name, what);
  return -1;
}

/* A _rebuild_tensor_v2 value: storage, offset, size, stride -> a view into the mapping. */
static int make_tensor(loader *L, const char *name, const pk_value *v, ckpt_tensor *t) {
  const pk_value *st = v->items[0], *off = v->items[1], *size = v->items[2],
                 *stride = v->items[3];
  const pth_zip_entry *e;
  uint64_t esize, numel = 1, last, need;
  char *key;
  memset(t, 0, sizeof *t);
  if (st->kind != PK_STORAGE) return tensor_error(L, name, "its storage is not a torch storage");
  switch (st->known) {
    case PK_G_FLOAT_STORAGE: t->dtype = CKPT_F32; break;
    case PK_G_HALF_STORAGE: t->dtype = CKPT_F16; break;
    case PK_G_BFLOAT16_STORAGE: t->dtype = CKPT_BF16; break;
    case PK_G_DOUBLE_STORAGE: t->dtype = CKPT_F64; break;
    case PK_G_LONG_STORAGE: t->dtype = CKPT_I64; break;  /* scalars only: below */
    default:
      diag_error(L->c->path, 0, 0,
                 "tensor '%s': storage type %s is not supported (float32, float16, bfloat16 and "
                 "float64 are)",
                 name, st->fn ? st->fn->s : "?");
      return -1;
  }
  esize = dtype_size(t->dtype);
  if (off->kind != PK_INT || off->i < 0) return tensor_error(L, name, "bad storage offset");
  if (size->kind != PK_TUPLE || stride->kind != PK_TUPLE || size->n != stride->n)
    return tensor_error(L, name, "size and stride are not tuples of the same length");
  if (size->n > 8) {
    diag_error(L->c->path, 0, 0, "tensor '%s': %zu dimensions (mmcc reads at most 8)", name,
               size->n);
    return -1;
  }
  t->ndim = (int)size->n;
  if (t->dtype == CKPT_I64 && t->ndim != 0) {
    /* int64 is read for 0-dim counters only (BatchNorm num_batches_tracked): an integer
     * array is no model weight */
    diag_error(L->c->path, 0, 0,
               "tensor '%s': storage type %s is not supported (float32, float16, bfloat16 and "
               "float64 are; int64 only for scalar counters such as num_batches_tracked)",
               name, st->fn ? st->fn->s : "?");
    return -1;
  }
  last = (uint64_t)off->i;
  for (int i = 0; i < t->ndim; i++) {
    const pk_value *s = size->items[i], *d = stride->items[i];
    if (s->kind != PK_INT || d->kind != PK_INT || s->i < 0 || d->i < 0)
      return tensor_error(L, name, "size and stride must be non-negative integers");
    t->shape[i] = s->i;
    t->stride[i] = d->i;
    if (__builtin_mul_overflow(numel, (uint64_t)s->i, &numel))
      return tensor_error(L, name, "size overflows");
  }
  for (int i = 0; numel && i < t->ndim; i++) {
    uint64_t span;
    if (__builtin_mul_overflow((uint64_t)(t->shape[i] - 1), (uint64_t)t->stride[i], &span) ||
        __builtin_add_overflow(last, span, &last))
      return tensor_error(L, name, "stride overflows");
  }
  key = xasprintf("data/%s", st->s);
  e = pth_zip_find(&L->zip, key);
  if (!e) {
    diag_error(L->c->path, 0, 0, "tensor '%s': storage entry '%s/%s' is missing", name,
               L->zip.prefix, key);
    free(key);
    return -1;
  }
  free(key);
  if (st->i < 0 || __builtin_mul_overflow((uint64_t)st->i, esize, &need) || need > e->size) {
    diag_error(L->c->path, 0, 0,
               "tensor '%s': storage '%s' of %lld %s elements needs more than its %llu bytes",
               name, e->name, (long long)st->i, ckpt_dtype_name(t->dtype),
               (unsigned long long)e->size);
    return -1;
  }
  if (numel && last >= (uint64_t)st->i) {
    diag_error(L->c->path, 0, 0,
               "tensor '%s': view (offset %lld, last element %llu) lies outside its storage "
               "'%s' of %lld elements",
               name, (long long)off->i, (unsigned long long)last, e->name, (long long)st->i);
    return -1;
  }
  /* a stride-0 (expanded) view may be larger than its storage, but not absurdly */
  if (numel > (uint64_t)1 << 40) return tensor_error(L, name, "more than 2^40 elements");
  t->data = L->zip.base + e->offset + (uint64_t)off->i * esize;
  t->nbytes = (size_t)(numel * esize);
  return 0;
}

static void find_classes(ckpt *c, const pk_value *root) {
  const pk_value *meta = pk_dict_get(root, "meta"), *cl;
  size_t n = 0;
  cl = pk_dict_get(pk_dict_get(meta, "dataset_meta"), "classes");
  if (!cl) cl = pk_dict_get(meta, "CLASSES");  /* mmcls 0.x */
  if (!cl || (cl->kind != PK_LIST && cl->kind != PK_TUPLE)) return;
  for (size_t i = 0; i < cl->n; i++)
    if (cl->items[i]->kind != PK_STR) return;
  c->classes = xcalloc(cl->n + 1, sizeof *c->classes);
  for (size_t i = 0; i < cl->n; i++) c->classes[n++] = xstrdup(cl->items[i]->s);
}

static int load_state_dict(loader *L, const pk_value *root) {
  static const char *const wrappers[] = {"state_dict", "model", "module"};
  ckpt *c = L->c;
  const pk_value *sd = root;
  const char *wkey = NULL;
  if (root->kind != PK_DICT) {
    diag_error(c->path, 0, 0, "%s/data.pkl holds %s %s, not a dict (a state dict or "
               "{'state_dict': ...})", L->zip.prefix,
               root->kind == PK_NONE ? "" : strchr("io", pk_kind_name(root->kind)[0]) ? "an" : "a",
               pk_kind_name(root->kind));
    return -1;
  }
  for (size_t i = 0; i < sizeof wrappers / sizeof *wrappers && !wkey; i++) {
    const pk_value *v = pk_dict_get(root, wrappers[i]);
    if (v && v->kind == PK_DICT) {
      sd = v;
      wkey = wrappers[i];
    }
  }
  if (wkey) {
    const pk_value *meta = pk_dict_get(root, "meta");
    for (size_t i = 0; i + 1 < root->n; i += 2)
      if (root->items[i]->kind == PK_STR && strcmp(root->items[i]->s, wkey))
        add_string(&c->top, &c->ntop, root->items[i]->s);
    if (meta && meta->kind == PK_DICT)  /* string keys of meta (epoch, dataset_meta, ...) */
      for (size_t i = 0; i + 1 < meta->n; i += 2)
        if (meta->items[i]->kind == PK_STR) add_string(&c->meta, &c->nmeta, meta->items[i]->s);
  }
  find_classes(c, root);
  c->t = xcalloc(sd->n / 2 + 1, sizeof *c->t);
  for (size_t i = 0; i + 1 < sd->n; i += 2) {
    const pk_value *k = sd->items[i], *v = sd->items[i + 1];
    const char *name;
    if (k->kind != PK_STR) continue;
    name = k->s;
    if (!strncmp(name, "module.", 7)) name += 7;
    if (v->kind != PK_TENSOR) {
      if (v->kind == PK_OBJECT && v->fn && v->fn->kind == PK_GLOBAL &&
          !strncmp(v->fn->s, "torch.", 6)) {
        diag_error(c->path, 0, 0, "tensor '%s': built by %s, which mmcc does not read", name,
                   v->fn->s);
        return -1;
      }
      continue;  /* plain values in a state dict (none in mmpretrain's) */
    }
    if (make_tensor(L, name, v, &c->t[c->n]) < 0) return -1;
    c->t[c->n++].name = xstrdup(name);
  }
  return 0;
}

static int open_pth(ckpt *c) {
  loader L = {c, {0}};
  const pth_zip_entry *e;
  pk_machine *pm = NULL;
  const pk_value *root;
  int rc = -1;
  if (pth_zip_open(&L.zip, c->path, c->map, c->size) < 0) return -1;
  if ((e = pth_zip_find(&L.zip, "byteorder"))) {
    if (pth_zip_check_crc(&L.zip, e) < 0) goto done;
    if (e->size != 6 || memcmp(c->map + e->offset, "little", 6)) {
      diag_error(c->path, 0, 0, "entry '%s': byte order is not 'little' (big-endian "
                 "checkpoints are not supported)", e->name);
      goto done;
    }
  }
  if (!(e = pth_zip_find(&L.zip, "data.pkl"))) {
    diag_error(c->path, 0, 0, "zip archive has no '%s/data.pkl': not a torch.save checkpoint",
               L.zip.prefix);
    goto done;
  }
  if (pth_zip_check_crc(&L.zip, e) < 0) goto done;
  if (!(pm = pk_load(c->map + e->offset, (size_t)e->size, c->path, e->name, &root))) goto done;
  rc = load_state_dict(&L, root);
done:
  pk_free(pm);
  pth_zip_free(&L.zip);
  return rc;
}

/* }====================================================================== */

static int open_safetensors(ckpt *c) {
  st_file f;
  if (st_parse(&f, c->path, c->map, c->size) < 0) return -1;
  c->n = f.n;
  c->t = f.t;
  c->nmeta = f.nmeta;
  c->meta = f.meta_keys;
  for (size_t i = 0; i < c->n; i++)
    if (!strncmp(c->t[i].name, "module.", 7))
      memmove(c->t[i].name, c->t[i].name + 7, strlen(c->t[i].name + 7) + 1);
  return 0;
}

static int cmp_name(const void *a, const void *b) {
  return strcmp((*(const ckpt_tensor *const *)a)->name, (*(const ckpt_tensor *const *)b)->name);
}

static int index_names(ckpt *c) {
  c->by_name = xmalloc((c->n + 1) * sizeof *c->by_name);
  for (size_t i = 0; i < c->n; i++) c->by_name[i] = &c->t[i];
  qsort(c->by_name, c->n, sizeof *c->by_name, cmp_name);
  for (size_t i = 1; i < c->n; i++)
    if (!strcmp(c->by_name[i]->name, c->by_name[i - 1]->name)) {
      diag_error(c->path, 0, 0, "tensor '%s' appears twice (after removing the 'module.' prefix)",
                 c->by_name[i]->name);
      return -1;
    }
  return 0;
}

/* Legacy torch.save (< 1.6, or _use_new_zipfile_serialization=False) starts with the pickle of
 * the magic number 0x1950a86a20f9469cfc6c (torch/serialization.py MAGIC_NUMBER). */
static int is_legacy(const uint8_t *p, size_t n) {
  static const uint8_t magic[] = {0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                  0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
  return n >= 2 + sizeof magic && p[0] == 0x80 && !memcmp(p + 2, magic, sizeof magic);
}

ckpt *ckpt_open(const char *path) {
  ckpt *c = xcalloc(1, sizeof *c);
  struct stat st;
  int fd, rc = -1;
  c->path = xstrdup(path);
  if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) < 0) {
    diag_error(path, 0, 0, "cannot open: %s", strerror(errno));
    if (fd >= 0) close(fd);
    goto done;
  }
  if (!S_ISREG(st.st_mode) || st.st_size == 0) {
    diag_error(path, 0, 0, "%s", S_ISREG(st.st_mode) ? "empty file" : "not a regular file");
    close(fd);
    goto done;
  }
  c->size = (size_t)st.st_size;
  c->map = mmap(NULL, c->size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (c->map == MAP_FAILED) {
    c->map = NULL;
    diag_error(path, 0, 0, "cannot map: %s", strerror(errno));
    goto done;
  }
  if (c->size >= 4 && !memcmp(c->map, "PK\3\4", 4)) {
    c->format = "pth";
    rc = open_pth(c);
  } else if (is_legacy(c->map, c->size) || (c->size > 262 && !memcmp(c->map + 257, "ustar", 5))) {
    diag_error(path, 0, 0,
               "legacy PyTorch checkpoint format (torch < 1.6, or saved with "
               "_use_new_zipfile_serialization=False); mmcc reads the zip format only: re-save it "
               "with a recent torch: torch.save(torch.load('%s', map_location='cpu'), 'new.pth', "
               "_use_new_zipfile_serialization=True)",
               path);
  } else if (st_sniff(c->map, c->size)) {
    c->format = "safetensors";
    rc = open_safetensors(c);
  } else {
    diag_error(path, 0, 0,
               "not a checkpoint: unknown magic %02x %02x %02x %02x (mmcc reads torch.save zip "
               "archives and safetensors files)",
               c->map[0], c->size > 1 ? c->map[1] : 0, c->size > 2 ? c->map[2] : 0,
               c->size > 3 ? c->map[3] : 0);
  }
  if (rc == 0) rc = index_names(c);
done:
  if (rc < 0) {
    ckpt_close(c);
    return NULL;
  }
  return c;
}

void ckpt_close(ckpt *c) {
  if (!c) return;
  for (size_t i = 0; i < c->n; i++) free(c->t[i].name);
  free(c->t);
  free(c->by_name);
  for (size_t i = 0; i < c->nmeta; i++) free(c->meta[i]);
  free(c->meta);
  for (size_t i = 0; i < c->ntop; i++) free(c->top[i]);
  free(c->top);
  strv_free(c->classes);
  if (c->map) munmap((void *)c->map, c->size);
  free(c->path);
  free(c);
}

size_t ckpt_count(const ckpt *c) { return c->n; }
const ckpt_tensor *ckpt_at(const ckpt *c, size_t i) { return i < c->n ? &c->t[i] : NULL; }
const char *ckpt_format(const ckpt *c) { return c->format; }
size_t ckpt_meta_count(const ckpt *c) { return c->nmeta; }
const char *ckpt_meta_key(const ckpt *c, size_t i) { return i < c->nmeta ? c->meta[i] : NULL; }
size_t ckpt_top_count(const ckpt *c) { return c->ntop; }
const char *ckpt_top_key(const ckpt *c, size_t i) { return i < c->ntop ? c->top[i] : NULL; }
const char *const *ckpt_classes(const ckpt *c) { return (const char *const *)c->classes; }

const ckpt_tensor *ckpt_find(const ckpt *c, const char *name) {
  size_t lo = 0, hi = c->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int r = strcmp(name, c->by_name[mid]->name);
    if (!r) return c->by_name[mid];
    if (r < 0) hi = mid;
    else lo = mid + 1;
  }
  return NULL;
}

int64_t ckpt_numel(const ckpt_tensor *t) {
  int64_t n = 1;
  for (int i = 0; i < t->ndim; i++) n *= t->shape[i];
  return n;
}

/* {====================================================================== float32 conversion */

/* IEEE half -> float, exact (subnormals normalised); NaN payloads kept and quieted, as
 * torch's conversion does (c10/util/Half.h fp16_ieee_to_fp32_value computes NaNs by a float
 * multiply, F16C's vcvtph2ps quiets them too). */
static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = h >> 10 & 0x1f, man = h & 0x3ff, bits;
  float f;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | man << 13 | (man ? 0x400000u : 0);
  } else if (exp == 0) {
    if (!man) {
      bits = sign;
    } else {  /* subnormal: man * 2^-24 */
      int e = 113;
      while (!(man & 0x400)) {
        man <<= 1;
        e--;
      }
      bits = sign | (uint32_t)e << 23 | (man & 0x3ff) << 13;
    }
  } else {
    bits = sign | (exp + 112) << 23 | man << 13;
  }
  memcpy(&f, &bits, 4);
  return f;
}

static float load_elem(ckpt_dtype d, const uint8_t *p) {
  float f;
  uint16_t h;
  uint32_t u;
  double x;
  int64_t i;
  switch (d) {
    case CKPT_F32: memcpy(&f, p, 4); return f;
    case CKPT_F16: memcpy(&h, p, 2); return half_to_float(h);
    case CKPT_BF16:
      memcpy(&h, p, 2);
      u = (uint32_t)h << 16;
      memcpy(&f, &u, 4);
      return f;
    case CKPT_F64: memcpy(&x, p, 8); return (float)x;
    case CKPT_I64: memcpy(&i, p, 8); return (float)i;
  }
  return 0;
}

void ckpt_read_f32(const ckpt_tensor *t, float *dst) {
  int64_t n = ckpt_numel(t), expect = 1, idx[8] = {0};
  size_t es = dtype_size(t->dtype);
  int contiguous = 1, nd = t->ndim;
  const uint8_t *base = t->data;
  for (int i = nd; i-- > 0;) {
    if (t->shape[i] != 1 && t->stride[i] != expect) contiguous = 0;
    expect *= t->shape[i];
  }
  if (n == 0) return;
  if (contiguous) {
    if (t->dtype == CKPT_F32) {
      memcpy(dst, base, (size_t)n * 4);
    } else {
      for (int64_t i = 0; i < n; i++) dst[i] = load_elem(t->dtype, base + (size_t)i * es);
    }
    return;
  }
  /* strided: walk the index space in row-major order, innermost dimension in a loop */
  {
    int64_t inner = nd ? t->shape[nd - 1] : 1, istride = nd ? t->stride[nd - 1] : 0;
    for (int64_t done = 0; done < n; done += inner) {
      int64_t off = 0;
      for (int i = 0; i < nd - 1; i++) off += idx[i] * t->stride[i];
      for (int64_t j = 0; j < inner; j++)
        *dst++ = load_elem(t->dtype, base + (size_t)(off + j * istride) * es);
      for (int i = nd - 1; i-- > 0;) {
        if (++idx[i] < t->shape[i]) break;
        idx[i] = 0;
      }
    }
  }
}

/* }====================================================================== */

int ckpt_sha256(const char *path, char hex[65]) {
  enum { STEP = 16 << 20 };
  struct stat st;
  sha256_ctx s;
  uint8_t digest[32];
  const uint8_t *map = NULL;
  size_t size;
  char *label;
  int fd = open(path, O_RDONLY);
  if (fd < 0 || fstat(fd, &st) < 0) {
    diag_error(path, 0, 0, "cannot open: %s", strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  size = (size_t)st.st_size;
  if (size) {
    map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      diag_error(path, 0, 0, "cannot map: %s", strerror(errno));
      close(fd);
      return -1;
    }
    madvise((void *)map, size, MADV_SEQUENTIAL);
  }
  close(fd);
  label = xasprintf("sha256 %s", path_basename(path));
  sha256_init(&s);
  for (size_t done = 0; done < size;) {
    size_t n = size - done < STEP ? size - done : STEP;
    sha256_update(&s, map + done, n);
    done += n;
    if (size > 4 * (size_t)STEP) progress(label, done, size);
  }
  if (size > 4 * (size_t)STEP) progress_done(label);
  sha256_final(&s, digest);
  sha256_hex(digest, hex);
  if (map) munmap((void *)map, size);
  free(label);
  return 0;
}
