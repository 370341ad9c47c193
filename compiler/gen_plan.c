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
#include "../runtime/mmrt_bf16_panel.h"

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

/* --precision bf16: every product (IR_LINEAR) also writes the buffer its input is made
 * ready in, shared by the threads, and when widening a per-thread widened weight block; each
 * as large as the largest product needs (mmrt_bf16_panel.h), so the planner places them. */
static void plan_bf16(ir_graph *g, const target *t) {
  size_t act = 0;
  const size_t wblk = MMRT_BF16_WBLK_FLOATS(t->kc, g->wr, t->bf16_dp);
  g->bf16 = 1;
  g->bf16_dp = t->bf16_dp;
  g->bf16_buf = ir_buf_add(g, "bf16x", IR_BUF_WS, 0,
                           t->bf16_dp ? "a product's input as bf16 panels"
                                      : "a product's input rounded to bf16");
  g->bf16_wbuf = wblk ? ir_buf_add(g, "bf16w", IR_BUF_WS, 1, "a weight block widened to fp32")
                      : -1;
  for (int i = 0; i < g->nops; i++) {
    ir_op *o = &g->ops[i];
    if (o->kind != IR_LINEAR) continue;
    /* a batched product's input holds the rows of a whole chunk of images */
    const int rows = o->batched ? g->chunk * o->m : o->m;
    const size_t f = MMRT_BF16_ACT_FLOATS(rows, o->k, g->xr, t->bf16_dp);
    if (f > act) act = f;
    ir_op_out(o, g->bf16_buf);
    if (g->bf16_wbuf >= 0) ir_op_out(o, g->bf16_wbuf);
  }
  ir_buf_need(g, g->bf16_buf, act ? act : 1);
  if (g->bf16_wbuf >= 0) ir_buf_need(g, g->bf16_wbuf, wblk);
}

int gen_plan_make(gen_plan *p, const model_desc *m, const model_weights *w, const target *t,
                  const char *command) {
  return gen_plan_make_prec(p, m, w, t, command, 0);
}

int gen_plan_make_prec(gen_plan *p, const model_desc *m, const model_weights *w,
                       const target *t, const char *command, int bf16) {
  memset(p, 0, sizeof *p);
  p->m = m;
  p->w = w;
  p->t = t;
  p->command = command;
  p->has_head = m->head != HEAD_NONE;
  ir_init(&p->g, MMRT_XR_OF(t->mr, t->nr, t->col_pref), MMRT_WR_OF(t->mr, t->nr, t->col_pref));
  p->bf16 = bf16;
  if (bf16 && m->resnet) {
    diag_error(m->config_path, 0, 0, "--precision bf16: the ResNet family is not supported yet "
               "(its convolutions have no bf16 path)");
    return -1;
  }
  if (m->resnet ? lower_resnet(m, &p->g) : lower_vit(m, &p->g)) return -1;
  if (bf16) plan_bf16(&p->g, t);
  if (plan_graph(&p->g, m->config_path)) return -1;
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
