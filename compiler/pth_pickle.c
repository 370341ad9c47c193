/* pth_pickle.c: the pickle machine (see pth_pickle.h). Opcodes and their arguments follow
 * CPython's Lib/pickletools.py; only the binary opcodes of protocols 2-5 are accepted.
 * Persistent ids and the tensor rebuild calls follow torch/serialization.py (_load) and
 * torch/_utils.py. The stack, the mark stack, the memo and the number of values are bounded. */
#include "pth_pickle.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum {
  MAX_VALUES = 1 << 23,    /* values built by one pickle */
  MAX_STACK = 1 << 22,
  MAX_MARKS = 1 << 16,
  MAX_MEMO = 1 << 22,
  CHUNK = 1024             /* values per arena chunk */
};

typedef struct chunk { struct chunk *next; size_t used; pk_value v[CHUNK]; } chunk;

struct pk_machine {
  const char *path, *entry;
  const uint8_t *data;
  size_t size, pos;
  size_t op_at;            /* offset of the opcode being run */
  int op;
  chunk *chunks;
  size_t nvalues;
  pk_value **stack;
  size_t sp, stack_cap;
  size_t *marks;
  size_t nmarks, marks_cap;
  pk_value **memo;
  size_t memo_cap, memo_len;  /* memo_len: slots stored (MEMOIZE's next index) */
};

static const struct { const char *module, *name; pk_global id; } known_globals[] = {
    /* ORDER GLOBALS */
    {"collections", "OrderedDict", PK_G_ORDERED_DICT},
    {"torch._utils", "_rebuild_tensor_v2", PK_G_REBUILD_TENSOR},
    {"torch._utils", "_rebuild_parameter", PK_G_REBUILD_PARAMETER},
    {"torch", "FloatStorage", PK_G_FLOAT_STORAGE},
    {"torch", "HalfStorage", PK_G_HALF_STORAGE},
    {"torch", "BFloat16Storage", PK_G_BFLOAT16_STORAGE},
    {"torch", "DoubleStorage", PK_G_DOUBLE_STORAGE},
    {"torch", "LongStorage", PK_G_LONG_STORAGE},  /* BatchNorm num_batches_tracked */
};

/* {====================================================================== errors and reads */

static int fail(pk_machine *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(pk_machine *m, const char *fmt, ...) {
  char *msg;
  va_list ap;
  va_start(ap, fmt);
  msg = xvasprintf(fmt, ap);
  va_end(ap);
  if (m->op < 0) /* no opcode read yet: the data ended (or is empty) where one should start */
    diag_error(m->path, 0, 0, "%s: pickle offset %zu (at end of data, where an opcode should "
               "start): %s", m->entry, m->op_at, msg);
  else
    diag_error(m->path, 0, 0, "%s: pickle offset %zu (opcode 0x%02x): %s", m->entry, m->op_at,
               m->op & 0xff, msg);
  free(msg);
  return -1;
}

/* The only way the machine reads its input: N bytes at the current position, or NULL after
 * a "truncated" diagnostic (as lundump.c's loadBlock). */
static const uint8_t *load_block(pk_machine *m, uint64_t n) {
  const uint8_t *p;
  if (n > m->size - m->pos) {
    fail(m, "truncated pickle: needs %llu bytes at offset %zu, %zu left",
         (unsigned long long)n, m->pos, m->size - m->pos);
    return NULL;
  }
  p = m->data + m->pos;
  m->pos += (size_t)n;
  return p;
}

static int load_uint(pk_machine *m, int nbytes, uint64_t *v) {
  const uint8_t *p = load_block(m, (uint64_t)nbytes);
  if (!p) return -1;
  *v = 0;
  for (int i = nbytes; i-- > 0;) *v = *v << 8 | p[i];
  return 0;
}

/* A text line (GLOBAL's module and name), without its newline. */
static const char *load_line(pk_machine *m, size_t *len) {
  const uint8_t *nl = memchr(m->data + m->pos, '\n', m->size - m->pos);
  const uint8_t *p;
  if (!nl) {
    fail(m, "truncated pickle: no end of line after offset %zu", m->pos);
    return NULL;
  }
  *len = (size_t)(nl - (m->data + m->pos));
  p = load_block(m, *len + 1);
  return (const char *)p;
}

/* }====================================================================== */

/* {====================================================================== values */

static pk_value *new_value(pk_machine *m, pk_kind k) {
  pk_value *v;
  if (!m->chunks || m->chunks->used == CHUNK) {
    chunk *c = xmalloc(sizeof *c);
    c->next = m->chunks;
    c->used = 0;
    m->chunks = c;
  }
  v = &m->chunks->v[m->chunks->used++];
  memset(v, 0, sizeof *v);
  v->kind = k;
  m->nvalues++;
  return v;
}

static void add_item(pk_value *v, pk_value *item) {
  if (v->n == v->cap) {
    v->cap = v->cap ? 2 * v->cap : 4;
    v->items = xrealloc(v->items, v->cap * sizeof *v->items);
  }
  v->items[v->n++] = item;
}

static pk_value *new_string(pk_machine *m, pk_kind k, const void *s, size_t len) {
  pk_value *v = new_value(m, k);
  v->s = xstrndup(s, len);
  v->len = len;
  return v;
}

const pk_value *pk_dict_get(const pk_value *d, const char *key) {
  if (!d || (d->kind != PK_DICT && d->kind != PK_OBJECT)) return NULL;
  for (size_t i = 0; i + 1 < d->n; i += 2)
    if (d->items[i]->kind == PK_STR && !strcmp(d->items[i]->s, key)) return d->items[i + 1];
  return NULL;
}

const char *pk_kind_name(pk_kind k) {
  static const char *const names[] = {"None", "bool", "int", "int", "float", "str", "bytes",
                                      "tuple", "list", "dict", "set", "global", "object",
                                      "storage", "tensor"};
  return names[k];
}

/* The kind name with its indefinite article, for messages: "a list", "an object". */
static const char *pk_kind_a(pk_kind k) {
  static const char *const names[] = {"None", "a bool", "an int", "an int", "a float", "a str",
                                      "a bytes object", "a tuple", "a list", "a dict", "a set",
                                      "a global", "an object", "a storage", "a tensor"};
  return names[k];
}

/* }====================================================================== */

/* {====================================================================== stacks and memo */

static int push(pk_machine *m, pk_value *v) {
  if (m->sp == m->stack_cap) {
    if (m->stack_cap >= MAX_STACK) return fail(m, "pickle stack deeper than %d", MAX_STACK);
    m->stack_cap = m->stack_cap ? 2 * m->stack_cap : 64;
    m->stack = xrealloc(m->stack, m->stack_cap * sizeof *m->stack);
  }
  m->stack[m->sp++] = v;
  return 0;
}

/* The stack above the innermost mark must hold at least N values. */
static int need(pk_machine *m, size_t n) {
  size_t floor = m->nmarks ? m->marks[m->nmarks - 1] : 0;
  if (m->sp - floor < n) return fail(m, "pickle stack underflow");
  return 0;
}

static pk_value *pop(pk_machine *m) { return m->stack[--m->sp]; }

static int push_mark(pk_machine *m) {
  if (m->nmarks == m->marks_cap) {
    if (m->marks_cap >= MAX_MARKS) return fail(m, "more than %d nested marks", MAX_MARKS);
    m->marks_cap = m->marks_cap ? 2 * m->marks_cap : 16;
    m->marks = xrealloc(m->marks, m->marks_cap * sizeof *m->marks);
  }
  m->marks[m->nmarks++] = m->sp;
  return 0;
}

/* Pops the innermost mark; *FROM is the stack index of the first value above it. */
static int pop_mark(pk_machine *m, size_t *from) {
  if (!m->nmarks) return fail(m, "no mark on the pickle stack");
  *from = m->marks[--m->nmarks];
  return 0;
}

static int memo_put(pk_machine *m, uint64_t idx) {
  if (!m->sp || (m->nmarks && m->marks[m->nmarks - 1] == m->sp))
    return fail(m, "memo store from an empty stack");
  if (idx >= MAX_MEMO) return fail(m, "memo index %llu too large", (unsigned long long)idx);
  if (idx >= m->memo_cap) {
    size_t cap = m->memo_cap ? m->memo_cap : 64;
    while (cap <= idx) cap *= 2;
    m->memo = xrealloc(m->memo, cap * sizeof *m->memo);
    memset(m->memo + m->memo_cap, 0, (cap - m->memo_cap) * sizeof *m->memo);
    m->memo_cap = cap;
  }
  if (!m->memo[idx]) m->memo_len++;
  m->memo[idx] = m->stack[m->sp - 1];
  return 0;
}

static int memo_get(pk_machine *m, uint64_t idx) {
  if (idx >= m->memo_cap || !m->memo[idx])
    return fail(m, "memo index %llu was never stored", (unsigned long long)idx);
  return push(m, m->memo[idx]);
}

/* }====================================================================== */

/* {====================================================================== calls (nothing runs) */

static pk_value *make_global(pk_machine *m, const char *mod, size_t modlen, const char *name,
                             size_t namelen) {
  pk_value *g = new_value(m, PK_GLOBAL);
  strbuf b;
  sb_init(&b);
  sb_put(&b, mod, modlen);
  sb_putc(&b, '.');
  sb_put(&b, name, namelen);
  g->len = b.len;
  g->s = sb_take(&b);
  sb_free(&b);
  for (size_t i = 0; i < sizeof known_globals / sizeof *known_globals; i++) {
    const char *km = known_globals[i].module, *kn = known_globals[i].name;
    if (strlen(km) == modlen && !memcmp(km, mod, modlen) && strlen(kn) == namelen &&
        !memcmp(kn, name, namelen))
      g->known = known_globals[i].id;
  }
  return g;
}

static pk_value *opaque(pk_machine *m, pk_value *fn, pk_value *args) {
  pk_value *o = new_value(m, PK_OBJECT);
  o->fn = fn;
  o->args = args;
  return o;
}

/* REDUCE: fn(*args) for the known functions; an opaque value for anything else. */
static int reduce(pk_machine *m) {
  pk_value *args, *fn, *r;
  if (need(m, 2) < 0) return -1;
  args = pop(m);
  fn = pop(m);
  if (args->kind != PK_TUPLE) return fail(m, "REDUCE arguments are %s, not a tuple",
                                          pk_kind_a(args->kind));
  r = NULL;
  if (fn->kind == PK_GLOBAL && fn->known == PK_G_ORDERED_DICT) {
    if (args->n == 0) r = new_value(m, PK_DICT);
  } else if (fn->kind == PK_GLOBAL && fn->known == PK_G_REBUILD_TENSOR) {
    if (args->n < 4) return fail(m, "_rebuild_tensor_v2 with %zu arguments (at least 4)", args->n);
    r = new_value(m, PK_TENSOR);
    for (int i = 0; i < 4; i++) add_item(r, args->items[i]);
  } else if (fn->kind == PK_GLOBAL && fn->known == PK_G_REBUILD_PARAMETER) {
    if (args->n >= 1 && args->items[0]->kind == PK_TENSOR) r = args->items[0];
  }
  if (!r) r = opaque(m, fn, args);
  return push(m, r);
}

/* BINPERSID: torch's persistent ids name storages: ('storage', type, key, location, numel). */
static int persistent_load(pk_machine *m) {
  pk_value *pid, *st;
  if (need(m, 1) < 0) return -1;
  pid = pop(m);
  if (pid->kind != PK_TUPLE || pid->n < 5 || pid->items[0]->kind != PK_STR ||
      strcmp(pid->items[0]->s, "storage") || pid->items[1]->kind != PK_GLOBAL ||
      pid->items[2]->kind != PK_STR || pid->items[4]->kind != PK_INT)
    return fail(m, "unsupported persistent id (not ('storage', type, key, location, numel))");
  st = new_value(m, PK_STORAGE);
  st->known = pid->items[1]->known;
  st->fn = pid->items[1];
  st->s = xstrdup(pid->items[2]->s);
  st->len = strlen(st->s);
  st->i = pid->items[4]->i;
  return push(m, st);
}

/* }====================================================================== */

/* {====================================================================== the machine */

static int push_int(pk_machine *m, int64_t i) {
  pk_value *v = new_value(m, PK_INT);
  v->i = i;
  return push(m, v);
}

/* LONG1/LONG4: little-endian two's complement of N bytes. */
static int load_long(pk_machine *m, uint64_t n) {
  const uint8_t *p = load_block(m, n);
  pk_value *v;
  uint64_t u = 0;
  if (!p) return -1;
  if (n > 8) return push(m, new_value(m, PK_BIGINT));
  for (uint64_t i = n; i-- > 0;) u = u << 8 | p[i];
  if (n > 0 && n < 8 && (p[n - 1] & 0x80)) u |= ~(uint64_t)0 << (8 * n);
  v = new_value(m, PK_INT);
  v->i = (int64_t)u;
  return push(m, v);
}

static int load_string(pk_machine *m, pk_kind k, int lenbytes) {
  uint64_t n;
  const uint8_t *p;
  if (load_uint(m, lenbytes, &n) < 0 || !(p = load_block(m, n))) return -1;
  return push(m, new_string(m, k, p, (size_t)n));
}

/* The container below the innermost mark's values: APPENDS, SETITEMS, ADDITEMS act on it. */
static int marked_items(pk_machine *m, pk_value **target, size_t *from) {
  size_t floor;
  if (pop_mark(m, from) < 0) return -1;
  floor = m->nmarks ? m->marks[m->nmarks - 1] : 0;
  if (*from <= floor) return fail(m, "no container below the mark");
  *target = m->stack[*from - 1];
  return 0;
}

/* KIND: PK_DICT for SETITEM(S), PK_LIST for APPEND(S), PK_SET for ADDITEMS. */
static int add_items(pk_machine *m, pk_value *t, size_t from, pk_kind kind) {
  size_t n = m->sp - from;
  if (kind == PK_DICT) {
    if (n % 2) return fail(m, "odd number of values for SETITEMS");
    if (t->kind != PK_DICT && t->kind != PK_OBJECT)
      return fail(m, "SETITEM(S) on %s", pk_kind_a(t->kind));
  } else if (t->kind == PK_OBJECT) {
    n = 0;  /* appends to an opaque list-like object are not kept */
  } else if (t->kind != kind) {
    return fail(m, "%s on %s", kind == PK_SET ? "ADDITEMS" : "APPEND(S)",
                pk_kind_a(t->kind));
  }
  for (size_t i = 0; i < n; i++) add_item(t, m->stack[from + i]);
  m->sp = from;
  return 0;
}

/* TUPLE, LIST, DICT, FROZENSET: a new container from the values above the innermost mark. */
static int from_mark(pk_machine *m, pk_kind k) {
  size_t from = 0;
  pk_value *v;
  if (pop_mark(m, &from) < 0) return -1;
  if (k == PK_DICT && (m->sp - from) % 2) return fail(m, "odd number of values for DICT");
  v = new_value(m, k);
  for (size_t i = from; i < m->sp; i++) add_item(v, m->stack[i]);
  m->sp = from;
  return push(m, v);
}

static int tuple_n(pk_machine *m, size_t n) {
  pk_value *v;
  if (need(m, n) < 0) return -1;
  v = new_value(m, PK_TUPLE);
  for (size_t i = m->sp - n; i < m->sp; i++) add_item(v, m->stack[i]);
  m->sp -= n;
  return push(m, v);
}

static int stack_global(pk_machine *m) {
  pk_value *name, *mod;
  if (need(m, 2) < 0) return -1;
  name = pop(m);
  mod = pop(m);
  if (name->kind != PK_STR || mod->kind != PK_STR)
    return fail(m, "STACK_GLOBAL needs two strings");
  return push(m, make_global(m, mod->s, mod->len, name->s, name->len));
}

static int build(pk_machine *m) {
  pk_value *state;
  if (need(m, 2) < 0) return -1;
  state = pop(m);
  if (m->stack[m->sp - 1]->kind == PK_OBJECT) m->stack[m->sp - 1]->state = state;
  return 0;  /* state of dicts (OrderedDict._metadata) and tensors is not needed */
}

static int newobj(pk_machine *m, int ex) {
  pk_value *args, *cls;
  if (need(m, ex ? 3 : 2) < 0) return -1;
  if (ex) pop(m);  /* kwargs */
  args = pop(m);
  cls = pop(m);
  return push(m, opaque(m, cls, args));
}

enum {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', BININT = 'J', BININT1 = 'K',
  BININT2 = 'M', NONE = 'N', BINPERSID = 'Q', REDUCE = 'R', BINSTRING = 'T',
  SHORT_BINSTRING = 'U', BINUNICODE = 'X', APPEND = 'a', BUILD = 'b', GLOBAL = 'c', DICT = 'd',
  EMPTY_DICT = '}', APPENDS = 'e', BINGET = 'h', LONG_BINGET = 'j', LIST = 'l',
  EMPTY_LIST = ']', BINPUT = 'q', LONG_BINPUT = 'r', SETITEM = 's', TUPLE = 't',
  EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G', BINBYTES = 'B', SHORT_BINBYTES = 'C',
  PROTO = 0x80, NEWOBJ = 0x81, TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88,
  NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b, SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d,
  BINBYTES8 = 0x8e, EMPTY_SET = 0x8f, ADDITEMS = 0x90, FROZENSET = 0x91, NEWOBJ_EX = 0x92,
  STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95, BYTEARRAY8 = 0x96
};

/* Runs one opcode; *STOP set at STOP. */
static int step(pk_machine *m, int *stop) {
  const uint8_t *p;
  uint64_t u;
  size_t from = 0;
  pk_value *v = NULL;
  m->op_at = m->pos;
  m->op = -1;
  if (!(p = load_block(m, 1))) return -1;
  m->op = *p;
  if (m->nvalues >= MAX_VALUES) return fail(m, "more than %d values in one pickle", MAX_VALUES);
  switch (m->op) {
    case PROTO:
      if (load_uint(m, 1, &u) < 0) return -1;
      if (u < 2 || u > 5) return fail(m, "pickle protocol %llu (mmcc reads 2 to 5)",
                                      (unsigned long long)u);
      return 0;
    case FRAME: return load_uint(m, 8, &u);  /* frames only group opcodes */
    case STOP:
      if (need(m, 1) < 0) return -1;
      *stop = 1;
      return 0;
    case MARK: return push_mark(m);
    case POP:
      if (m->nmarks && m->marks[m->nmarks - 1] == m->sp) return pop_mark(m, &from);
      if (need(m, 1) < 0) return -1;
      m->sp--;
      return 0;
    case POP_MARK:
      if (pop_mark(m, &from) < 0) return -1;
      m->sp = from;
      return 0;
    case DUP:
      if (need(m, 1) < 0) return -1;
      return push(m, m->stack[m->sp - 1]);
    case BININT:
      if (load_uint(m, 4, &u) < 0) return -1;
      return push_int(m, (int32_t)(uint32_t)u);
    case BININT1:
    case BININT2:
      if (load_uint(m, m->op == BININT1 ? 1 : 2, &u) < 0) return -1;
      return push_int(m, (int64_t)u);
    case LONG1:
    case LONG4:
      if (load_uint(m, m->op == LONG1 ? 1 : 4, &u) < 0) return -1;
      return load_long(m, u);
    case BINFLOAT: {
      double d;
      if (load_uint(m, 8, &u) < 0) return -1;
      /* big-endian IEEE 754 double: load_uint reads little-endian, so swap */
      u = __builtin_bswap64(u);
      memcpy(&d, &u, sizeof d);
      v = new_value(m, PK_FLOAT);
      v->f = d;
      return push(m, v);
    }
    case NONE: return push(m, new_value(m, PK_NONE));
    case NEWTRUE:
    case NEWFALSE:
      v = new_value(m, PK_BOOL);
      v->i = m->op == NEWTRUE;
      return push(m, v);
    case SHORT_BINUNICODE: return load_string(m, PK_STR, 1);
    case BINUNICODE: return load_string(m, PK_STR, 4);
    case BINUNICODE8: return load_string(m, PK_STR, 8);
    case SHORT_BINSTRING: return load_string(m, PK_STR, 1);
    case BINSTRING: return load_string(m, PK_STR, 4);
    case SHORT_BINBYTES: return load_string(m, PK_BYTES, 1);
    case BINBYTES: return load_string(m, PK_BYTES, 4);
    case BINBYTES8:
    case BYTEARRAY8: return load_string(m, PK_BYTES, 8);
    case EMPTY_LIST: return push(m, new_value(m, PK_LIST));
    case EMPTY_DICT: return push(m, new_value(m, PK_DICT));
    case EMPTY_TUPLE: return push(m, new_value(m, PK_TUPLE));
    case EMPTY_SET: return push(m, new_value(m, PK_SET));
    case TUPLE1: return tuple_n(m, 1);
    case TUPLE2: return tuple_n(m, 2);
    case TUPLE3: return tuple_n(m, 3);
    case TUPLE: return from_mark(m, PK_TUPLE);
    case LIST: return from_mark(m, PK_LIST);
    case DICT: return from_mark(m, PK_DICT);
    case FROZENSET: return from_mark(m, PK_SET);
    case APPEND:
      if (need(m, 2) < 0) return -1;
      return add_items(m, m->stack[m->sp - 2], m->sp - 1, PK_LIST);
    case SETITEM:
      if (need(m, 3) < 0) return -1;
      return add_items(m, m->stack[m->sp - 3], m->sp - 2, PK_DICT);
    case APPENDS:
    case SETITEMS:
    case ADDITEMS:
      if (marked_items(m, &v, &from) < 0) return -1;
      return add_items(m, v, from,
                       m->op == SETITEMS ? PK_DICT : m->op == ADDITEMS ? PK_SET : PK_LIST);
    case BINPUT:
    case LONG_BINPUT:
      if (load_uint(m, m->op == BINPUT ? 1 : 4, &u) < 0) return -1;
      return memo_put(m, u);
    case MEMOIZE: return memo_put(m, m->memo_len);  /* the next index is the memo's size */
    case BINGET:
    case LONG_BINGET:
      if (load_uint(m, m->op == BINGET ? 1 : 4, &u) < 0) return -1;
      return memo_get(m, u);
    case GLOBAL: {
      size_t mlen, nlen;
      const char *mod = load_line(m, &mlen), *name;
      if (!mod || !(name = load_line(m, &nlen))) return -1;
      return push(m, make_global(m, mod, mlen, name, nlen));
    }
    case STACK_GLOBAL: return stack_global(m);
    case REDUCE: return reduce(m);
    case BUILD: return build(m);
    case NEWOBJ: return newobj(m, 0);
    case NEWOBJ_EX: return newobj(m, 1);
    case BINPERSID: return persistent_load(m);
    default:
      return fail(m, "unknown or unsupported pickle opcode 0x%02x", m->op);
  }
}

pk_machine *pk_load(const uint8_t *data, size_t n, const char *path, const char *entry,
                    const pk_value **root) {
  pk_machine *m = xcalloc(1, sizeof *m);
  int stop = 0;
  m->path = path;
  m->entry = entry;
  m->data = data;
  m->size = n;
  while (!stop)
    if (step(m, &stop) < 0) {
      pk_free(m);
      return NULL;
    }
  *root = m->stack[m->sp - 1];
  return m;
}

void pk_free(pk_machine *m) {
  if (!m) return;
  while (m->chunks) {
    chunk *c = m->chunks;
    for (size_t i = 0; i < c->used; i++) {
      free(c->v[i].s);
      free(c->v[i].items);
    }
    m->chunks = c->next;
    free(c);
  }
  free(m->stack);
  free(m->marks);
  free(m->memo);
  free(m);
}

/* }====================================================================== */
