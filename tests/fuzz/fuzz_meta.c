/* fuzz_meta.c: libFuzzer harness for the metafile reader (meta.c over libyaml): the input is
 * a metafile.yml; every model it yields is looked up by name. */
#include <stdint.h>
#include <string.h>

#include "meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  meta_file mf;
  if (meta_parse("fuzz/metafile.yml", (const char *)data, size, &mf) == 0) {
    for (size_t i = 0; i < mf.n_models; i++) {
      const meta_model *m = &mf.models[i];
      if (meta_find(&mf, m->name) == NULL) __builtin_trap();  /* a model must find itself */
      for (char **t = m->training_data; t && *t; t++) (void)strlen(*t);
    }
    meta_free(&mf);
  }
  return 0;
}
