/* pth_pickle.h: a pickle machine for what torch.save writes (protocols 2-5). It builds values
 * and never executes anything: the few globals a checkpoint needs are recognised by name
 * (OrderedDict, torch's tensor/parameter rebuild functions, the float storage types); every
 * other global and whatever is built from it (numpy scalars, mmengine objects in 'meta') is an
 * opaque value. Storages come from persistent ids ('storage', <type>, key, location, numel). */
#ifndef MMCC_PTH_PICKLE_H
#define MMCC_PTH_PICKLE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  PK_NONE, PK_BOOL, PK_INT, PK_BIGINT, PK_FLOAT, PK_STR, PK_BYTES,
  PK_TUPLE, PK_LIST, PK_DICT, PK_SET,
  PK_GLOBAL,   /* s = "module.name", known = PK_G_* */
  PK_OBJECT,   /* opaque: fn(args), state from BUILD; SETITEM pairs kept in items */
  PK_STORAGE,  /* s = key, i = numel, known = storage type (PK_G_*), fn = the type global */
  PK_TENSOR    /* items = [storage, offset, size, stride] as passed to _rebuild_tensor_v2 */
} pk_kind;

/* ORDER GLOBALS: pth_pickle.c's known_globals[] maps names to these. */
typedef enum {
  PK_G_OTHER, PK_G_ORDERED_DICT, PK_G_REBUILD_TENSOR, PK_G_REBUILD_PARAMETER,
  PK_G_FLOAT_STORAGE, PK_G_HALF_STORAGE, PK_G_BFLOAT16_STORAGE, PK_G_DOUBLE_STORAGE,
  PK_G_LONG_STORAGE
} pk_global;

typedef struct pk_value pk_value;
struct pk_value {
  pk_kind kind;
  pk_global known;
  int64_t i;               /* BOOL, INT; STORAGE: numel */
  double f;
  char *s;                 /* STR, BYTES (NUL added), GLOBAL, STORAGE key */
  size_t len;
  pk_value **items;        /* TUPLE/LIST/SET: elements; DICT/OBJECT: key0, val0, key1, ... */
  size_t n, cap;
  pk_value *fn, *args, *state;  /* OBJECT (fn also for STORAGE) */
};

typedef struct pk_machine pk_machine;

/* Runs the pickle DATA[0..N) (ENTRY of the file PATH, both for diagnostics). Returns the
 * machine owning every value, with *ROOT the unpickled object; NULL after a diagnostic naming
 * the entry, the offset and the opcode. */
pk_machine *pk_load(const uint8_t *data, size_t n, const char *path, const char *entry,
                    const pk_value **root);
void pk_free(pk_machine *m);

/* DICT (or OBJECT with items) lookup by string key; NULL when absent. */
const pk_value *pk_dict_get(const pk_value *d, const char *key);
const char *pk_kind_name(pk_kind k);

#endif
