/* gen_plan.c: the decisions code generation makes before writing anything: the library's
 * identity, the model lowered to IR ops by its family's lowering (lower_vit.c,
 * lower_resnet.c), and the
 * planner's layouts of the weight blob and the workspace (plan.c). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "util.h"
#include "../runtime/mmrt_panel.h"

char *gen_c_identifier(const char *name) {
  strbuf b;
  sb_init(&b);
  if (!isalpha((unsigned char)name[0])) sb_putc(&b, 'm');
  for (const char *s = name; *s; s++)
    sb_putc(&b, isalnum((unsigned char)*s) ? (char)tolower((unsigned char)*s) : '_');
  char *r = sb_take(&b);
  sb_free(&b);
  return r;
}

int gen_plan_make(gen_plan *p, const model_desc *m, const model_weights *w, const target *t,
                  const char *command) {
  memset(p, 0, sizeof *p);
  p->m = m;
  p->w = w;
  p->t = t;
  p->command = command;
  p->has_head = m->head != HEAD_NONE;
  ir_init(&p->g, MMRT_XR_OF(t->mr, t->nr, t->col_pref), MMRT_WR_OF(t->mr, t->nr, t->col_pref));
  if ((m->resnet ? lower_resnet(m, &p->g) : lower_vit(m, &p->g)) || plan_graph(&p->g, m->config_path)) return -1;
  p->forward_ws_bytes = p->g.ws_bytes;
  p->in_c = p->g.in_c;
  p->in_h = p->g.in_h;
  p->in_w = p->g.in_w;
  p->out_dim = p->g.out_dim;
  p->id = gen_c_identifier(m->name);
  p->id_upper = xstrdup(p->id);
  for (char *s = p->id_upper; *s; s++) *s = (char)toupper((unsigned char)*s);
  return 0;
}

void gen_plan_free(gen_plan *p) {
  ir_free(&p->g);
  free(p->id);
  free(p->id_upper);
  p->id = p->id_upper = NULL;
}
