/* ir.c: building an ir_graph (ir.h) and the panel arithmetic every layout uses, which is
 * runtime/mmrt_panel.h's (the same macros the generated code and the runtime use). */
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "util.h"
#include "../runtime/mmrt_panel.h"

void ir_init(ir_graph *g, int xr, int wr) {
  memset(g, 0, sizeof *g);
  g->xr = xr;
  g->wr = wr;
  g->chunk = 1;
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

void ir_free(ir_graph *g) {
  for (int i = 0; i < g->nconsts; i++) {
    free(g->consts[i].name);
    free(g->consts[i].what);
  }
  free(g->consts);
  for (int i = 0; i < g->nops; i++) {
    free(g->ops[i].label);
    free(g->ops[i].shape);
  }
  for (int i = 0; i < g->nbufs; i++) {
    free(g->bufs[i].name);
    free(g->bufs[i].what);
  }
  for (int i = 0; i < g->nwts; i++) {
    ir_weight *w = &g->wts[i];
    free(w->field);
    free(w->src);
    free(w->add);
    free(w->scale);
    free(w->cat);
    free(w->bn.mean);
    free(w->bn.var);
    free(w->bn.w);
    free(w->bn.b);
    free(w->bn.lin);
    free(w->what);
  }
  free(g->ops);
  free(g->bufs);
  free(g->wts);
  memset(g, 0, sizeof *g);
}

ir_op *ir_op_add(ir_graph *g, ir_kind kind, const char *label) {
  if (g->nops == g->cap_ops) {
    g->cap_ops = g->cap_ops ? 2 * g->cap_ops : 32;
    g->ops = xrealloc(g->ops, (size_t)g->cap_ops * sizeof *g->ops);
  }
  ir_op *o = &g->ops[g->nops++];
  memset(o, 0, sizeof *o);
  o->kind = kind;
  o->label = xstrdup(label);
  for (int i = 0; i < IR_MAX_IO; i++) o->out[i] = o->in[i] = -1;
  for (int i = 0; i < IR_MAX_WT; i++) o->wt[i] = -1;
  return o;
}

static void io_push(int *list, int buf) {
  for (int i = 0; i < IR_MAX_IO - 1; i++)
    if (list[i] < 0) {
      list[i] = buf;
      return;
    }
  abort(); /* an op with more buffers than IR_MAX_IO - 1: a lowering bug */
}

void ir_op_out(ir_op *o, int buf) { io_push(o->out, buf); }
void ir_op_in(ir_op *o, int buf) { io_push(o->in, buf); }

int ir_buf_add(ir_graph *g, const char *name, ir_buf_kind kind, int per_thread, const char *what) {
  if (g->nbufs == g->cap_bufs) {
    g->cap_bufs = g->cap_bufs ? 2 * g->cap_bufs : 16;
    g->bufs = xrealloc(g->bufs, (size_t)g->cap_bufs * sizeof *g->bufs);
  }
  ir_buf *b = &g->bufs[g->nbufs];
  memset(b, 0, sizeof *b);
  b->name = xstrdup(name);
  b->kind = kind;
  b->per_thread = per_thread;
  b->what = xstrdup(what);
  b->first = b->last = b->alias = -1;
  return g->nbufs++;
}

void ir_buf_need(ir_graph *g, int buf, size_t floats) {
  if (g->bufs[buf].floats < floats) g->bufs[buf].floats = floats;
}

void ir_const_add(ir_graph *g, const char *name, long long value, const char *what) {
  if (g->nconsts == g->cap_consts) {
    g->cap_consts = g->cap_consts ? 2 * g->cap_consts : 16;
    g->consts = xrealloc(g->consts, (size_t)g->cap_consts * sizeof *g->consts);
  }
  ir_const *c = &g->consts[g->nconsts++];
  c->name = xstrdup(name);
  c->what = xstrdup(what);
  c->value = value;
}

int ir_weight_add(ir_graph *g, const ir_weight *w) {
  if (g->nwts == g->cap_wts) {
    g->cap_wts = g->cap_wts ? 2 * g->cap_wts : 64;
    g->wts = xrealloc(g->wts, (size_t)g->cap_wts * sizeof *g->wts);
  }
  ir_weight *d = &g->wts[g->nwts];
  *d = *w;
  d->field = xstrdup(w->field);
  d->src = xstrdup(w->src);
  d->add = dup_or_null(w->add);
  d->scale = dup_or_null(w->scale);
  d->cat = dup_or_null(w->cat);
  d->bn.mean = dup_or_null(w->bn.mean);
  d->bn.var = dup_or_null(w->bn.var);
  d->bn.w = dup_or_null(w->bn.w);
  d->bn.b = dup_or_null(w->bn.b);
  d->bn.lin = dup_or_null(w->bn.lin);
  d->what = xstrdup(w->what ? w->what : "");
  d->off = d->bytes = 0;
  return g->nwts++;
}

int ir_weight_find(const ir_graph *g, const char *field, int layer) {
  for (int i = 0; i < g->nwts; i++)
    if (g->wts[i].layer == layer && !strcmp(g->wts[i].field, field)) return i;
  return -1;
}

size_t ir_panel_floats(int K, int R) { return (size_t)MMRT_PANEL_FLOATS(K, R); }
size_t ir_packed_floats(int N, int K, int R) { return MMRT_PACKED_FLOATS(N, K, R); }

/* ORDER IR OPS */
static const char *const kind_names[] = {
  "patches", "linear", "layernorm_pack", "layernorm", "pack", "copy", "mean_rows", "kv_pack",
  "attention", "to_hwc", "conv_pack", "conv_gemm", "maxpool", "avgpool", "gap", "se_squeeze",
  "se_excite", "scale_add_relu", "wino_pack", "wino_gemm", "wino_out", "images", "loop", "end",
};
_Static_assert(sizeof kind_names / sizeof *kind_names == IR_END + 1, "ORDER IR OPS");

const char *ir_kind_name(ir_kind k) { return kind_names[k]; }

long long ir_op_flops(const ir_op *o) {
  switch (o->kind) {
  case IR_LINEAR:     /* m rows per image x n features x k */
  case IR_CONV_GEMM:  /* m pixels x n = Cout channels x k = the columns of one group */
    return 2LL * o->m * o->n * o->k;
  case IR_WINO_GEMM:  /* (m + 2)^2 products of m tiles x n = Cout x k = Cin */
    return 2LL * (o->wino + 2) * (o->wino + 2) * o->m * o->n * o->k;
  case IR_ATTENTION:  /* per head: [m, hd] x [hd, m], then [m, m] x [m, hd] */
    return 4LL * o->heads * o->m * o->m * o->head_dim;
  case IR_SE_SQUEEZE: /* [c] -> [n] and back */
  case IR_SE_EXCITE:
    return 2LL * o->c * o->n;
  default:
    return 0;
  }
}
