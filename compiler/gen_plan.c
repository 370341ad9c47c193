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

/* --precision bf16: the weight of every matrix product is stored as bf16 (every layer's
 * weight of that field: a loop's ops name layer 0's); every product (IR_LINEAR,
 * IR_CONV_GEMM) also writes the buffer its input is made ready in, shared by the threads,
 * and when a path widens, a per-thread widened weight block; each as large as the largest
 * product needs on any path of the target (mmrt_bf16_panel.h), so the planner places them
 * once for every path. SE's two 1x1 convolutions are matrix products too: their weights
 * are bf16, their inputs rounded (mmrt_bf16.h). */
static void bf16_mark(ir_graph *g, int w0) {
  for (int i = 0; i < g->nwts; i++)
    if (!strcmp(g->wts[i].field, g->wts[w0].field)) g->wts[i].bf16 = 1;
}

static size_t bf16_act(const ir_op *o, int rows, int xr, int dp) {
  if (o->kind == IR_CONV_GEMM)
    return (size_t)o->groups * MMRT_PANELS(rows, xr) * MMRT_BF16_ACT_PANEL_FLOATS(o->k, xr, dp);
  return MMRT_BF16_ACT_FLOATS(rows, o->k, xr, dp);
}

static void plan_bf16(ir_graph *g, const target *t) {
  int dp = t->bf16_dp, wide = !t->bf16_dp; /* the kinds of bf16 product the paths run */
  if (t->paths) {
    dp = wide = 0;
    for (int i = 0; i < t->npaths; i++) {
      if (t->paths[i].bf16_dp) dp = 1;
      else wide = 1;
    }
  }
  size_t act = 0;
  const size_t wblk = wide ? MMRT_BF16_WBLK_FLOATS(t->kc, g->wr, 0) : 0;
  g->bf16 = 1;
  g->bf16_dp = dp && !wide;
  g->bf16_buf = ir_buf_add(g, "bf16x", IR_BUF_WS, 0,
                           !wide ? "a product's input as bf16 panels"
                           : dp  ? "a product's input as bf16 panels (vdpbf16ps) or rounded to bf16"
                                 : "a product's input rounded to bf16");
  g->bf16_wbuf = wblk ? ir_buf_add(g, "bf16w", IR_BUF_WS, 1, "a weight block widened to fp32")
                      : -1;
  for (int i = 0; i < g->nops; i++) {
    ir_op *o = &g->ops[i];
    if ((o->kind == IR_SE_SQUEEZE || o->kind == IR_SE_EXCITE) && o->wt[0] >= 0)
      bf16_mark(g, o->wt[0]);
    if (o->kind != IR_LINEAR && o->kind != IR_CONV_GEMM) continue;
    bf16_mark(g, o->wt[0]);
    /* a batched product's input holds the rows of a whole chunk of images */
    const int rows = o->batched ? g->chunk * o->m : o->m;
    for (int d = 0; d < 2; d++)
      if (d ? dp : wide) {
        const size_t f = bf16_act(o, rows, g->xr, d);
        if (f > act) act = f;
      }
    ir_op_out(o, g->bf16_buf);
    if (g->bf16_wbuf >= 0) ir_op_out(o, g->bf16_wbuf);
  }
  ir_buf_need(g, g->bf16_buf, act ? act : 1);
  if (g->bf16_wbuf >= 0) ir_buf_need(g, g->bf16_wbuf, wblk);
}

int gen_plan_make(gen_plan *p, const model_desc *m, const model_weights *w, const target *t,
                  const char *command) {
  return gen_plan_make_prec(p, m, w, t, command, 0, -1);
}

int gen_plan_make_prec(gen_plan *p, const model_desc *m, const model_weights *w,
                       const target *t, const char *command, int bf16, int wino) {
  memset(p, 0, sizeof *p);
  p->m = m;
  p->w = w;
  p->t = t;
  p->command = command;
  p->has_head = m->head != HEAD_NONE;
  ir_init(&p->g, MMRT_XR_OF(t->mr, t->nr, t->col_pref), MMRT_WR_OF(t->mr, t->nr, t->col_pref));
  p->bf16 = bf16;
  p->g.wino = bf16 ? 0 : wino; /* the bf16 products take patch panels only */
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
