/* fuzz_pickle.c: libFuzzer harness for the pickle machine (pth_pickle.c): the input is the
 * data.pkl of a torch.save archive; the resulting value is walked completely. */
#include <stdint.h>
#include <string.h>

#include "pth_pickle.h"

/* Visits at most *budget values: memo references share values, so the tree a pickle
 * describes may be exponentially larger than the pickle. */
static void walk(const pk_value *v, int depth, long *budget) {
  if (!v || depth > 200 || --*budget < 0) return;
  if (v->s) (void)strlen(v->s);
  for (size_t i = 0; i < v->n; i++) walk(v->items[i], depth + 1, budget);
  walk(v->fn, depth + 1, budget);
  walk(v->args, depth + 1, budget);
  walk(v->state, depth + 1, budget);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const pk_value *root;
  pk_machine *m = pk_load(data, size, "fuzz.pth", "archive/data.pkl", &root);
  if (m) {
    long budget = 100000;
    walk(root, 0, &budget);
    (void)pk_dict_get(root, "state_dict");
    (void)pk_kind_name(root->kind);
    pk_free(m);
  }
  return 0;
}
