/* plan.c: the one planner. Every byte offset the generated library uses comes from here:
 *   - the weight blob: each weight the ops name, in the order the ops first use them (a
 *     loop's weights layer by layer, so a layer's table is contiguous), 64-byte aligned;
 *   - the workspace: each buffer's lifetime is the op range that touches it (a buffer a loop
 *     carries from one iteration to the next, or that lives outside the loop too, lives for
 *     the whole loop; of an image loop, one whose value crosses its iterations: read before
 *     written in it, or written in it and read after it); buffers are placed first fit,
 *     largest first, so buffers whose
 *     lifetimes do not overlap share bytes. Per-thread buffers take MMRT_MAX_THREADS slots.
 *     The output of an in-place op (ir_op.inplace) whose residual it is the last to read
 *     takes the residual's bytes: one buffer, live from the residual's first use to the
 *     output's last.
 * gen_pack.c writes the blob at these offsets, gen_emit.c prints them as constants. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "util.h"
#include "../runtime/mmrt.h"
#include "../runtime/mmrt_bf16_panel.h"

static size_t align64(size_t b) { return (b + 63) / 64 * 64; }

static size_t weight_bytes(const ir_graph *g, const ir_weight *w) {
  if (w->bf16 && w->fold == IR_FOLD_PACK)
    return MMRT_BF16_PACKED_HALVES(w->rows, w->cols, g->wr) * sizeof(uint16_t);
  if (w->bf16 && w->fold == IR_FOLD_CONV)
    return (size_t)w->groups * MMRT_BF16_PACKED_HALVES(w->rows / w->groups, w->cols, g->wr) *
           sizeof(uint16_t);
  if (w->bf16) return (size_t)w->rows * (size_t)w->cols * sizeof(uint16_t);
  if (w->fold == IR_FOLD_PACK) return ir_packed_floats(w->rows, w->cols, g->wr) * sizeof(float);
  if (w->fold == IR_FOLD_WINO) /* A*A matrices [rows, cols] in weight panels */
    return (size_t)(w->wino + 2) * (w->wino + 2) * ir_packed_floats(w->rows, w->cols, g->wr) *
           sizeof(float);
  if (w->fold == IR_FOLD_CONV)
    return (size_t)w->groups * ir_packed_floats(w->rows / w->groups, w->cols, g->wr) * sizeof(float);
  return (size_t)w->rows * (size_t)w->cols * sizeof(float);
}

static void place_weight(ir_graph *g, int i, size_t *cursor) {
  ir_weight *w = &g->wts[i];
  if (w->bytes) return; /* used again: placed already */
  w->bytes = weight_bytes(g, w);
  w->off = *cursor;
  *cursor = align64(*cursor + w->bytes);
}

/* Index of the IR_END matching the IR_LOOP or IR_IMAGES at B (-1: none). */
static int loop_end(const ir_graph *g, int b) {
  for (int i = b + 1; i < g->nops; i++) {
    if (g->ops[i].kind == IR_LOOP || g->ops[i].kind == IR_IMAGES) return -1; /* no nesting */
    if (g->ops[i].kind == IR_END) return i;
  }
  return -1;
}

static int plan_blob(ir_graph *g, const char *what) {
  size_t cur = 0;
  for (int i = 0; i < g->nops; i++) {
    const ir_op *o = &g->ops[i];
    if ((o->kind == IR_LOOP || o->kind == IR_IMAGES) && loop_end(g, i) < 0) {
      diag_error(what, 0, 0, "internal error: IR_%s at op %d has no IR_END",
                 o->kind == IR_LOOP ? "LOOP" : "IMAGES", i);
      return -1;
    }
    if (o->kind == IR_LOOP) {
      const int e = loop_end(g, i);
      for (int l = 0; l < o->count; l++)
        for (int j = i + 1; j < e; j++)
          for (int r = 0; r < IR_MAX_WT; r++) {
            const int w0 = g->ops[j].wt[r];
            if (w0 < 0) continue;
            const int w = g->wts[w0].layer < 0 ? w0 : ir_weight_find(g, g->wts[w0].field, l);
            if (w < 0) {
              diag_error(what, 0, 0, "internal error: no weight '%s' for layer %d",
                         g->wts[w0].field, l);
              return -1;
            }
            place_weight(g, w, &cur);
          }
      i = e;
      continue;
    }
    for (int r = 0; r < IR_MAX_WT; r++)
      if (o->wt[r] >= 0) place_weight(g, o->wt[r], &cur);
  }
  for (int i = 0; i < g->nwts; i++)
    if (!g->wts[i].bytes) {
      diag_error(what, 0, 0, "internal error: weight '%s' (layer %d) is used by no op",
                 g->wts[i].field, g->wts[i].layer);
      return -1;
    }
  g->blob_bytes = cur;
  if (cur > 0x7fffffff) {
    diag_error(what, 0, 0, "a weight blob of 2 GiB or more is not supported by mmcc build");
    return -1;
  }
  return 0;
}

static void touch(ir_buf *b, int i) {
  if (b->first < 0 || i < b->first) b->first = i;
  if (i > b->last) b->last = i;
}

static int in_list(const int *list, int buf) {
  for (int i = 0; i < IR_MAX_IO && list[i] >= 0; i++)
    if (list[i] == buf) return 1;
  return 0;
}

/* How ops FROM..TO-1 first touch buffer K: 'r' (read, whether or not also written), 'w'
 * (written), or 0 (not at all). */
static int first_touch(const ir_graph *g, int k, int from, int to) {
  for (int i = from; i < to; i++) {
    if (in_list(g->ops[i].in, k)) return 'r';
    if (in_list(g->ops[i].out, k)) return 'w';
  }
  return 0;
}

static void lifetimes(ir_graph *g) {
  for (int i = 0; i < g->nops; i++) {
    const ir_op *o = &g->ops[i];
    for (int k = 0; k < IR_MAX_IO && o->out[k] >= 0; k++) touch(&g->bufs[o->out[k]], i);
    for (int k = 0; k < IR_MAX_IO && o->in[k] >= 0; k++) touch(&g->bufs[o->in[k]], i);
  }
  for (int b = 0; b < g->nops; b++) {
    if (g->ops[b].kind != IR_LOOP && g->ops[b].kind != IR_IMAGES) continue;
    const int e = loop_end(g, b), images = g->ops[b].kind == IR_IMAGES;
    for (int k = 0; k < g->nbufs; k++) {
      ir_buf *buf = &g->bufs[k];
      if (buf->last < b || buf->first > e) continue; /* not touched by the loop */
      /* a layer loop's buffer used outside it too; an image loop's read after it before
       * anything there writes it: image 0's result waits while image 1 runs; or the first
       * touch inside the loop is a read: the value comes from the previous iteration */
      const int carried = (images ? first_touch(g, k, e + 1, g->nops) == 'r'
                                  : buf->first < b || buf->last > e) ||
                          first_touch(g, k, b + 1, e) == 'r';
      if (carried) {
        if (buf->first > b) buf->first = b;
        if (buf->last < e) buf->last = e;
      }
    }
  }
}

/* The buffer whose bytes K uses (itself, or the end of its alias chain). */
static int root(const ir_graph *g, int k) {
  while (g->bufs[k].alias >= 0) k = g->bufs[k].alias;
  return k;
}

/* In-place ops, in order: the output joins its residual's buffer when the op is the
 * residual's last use and the output's first, both plain workspace buffers outside any
 * layer loop (a loop's lifetimes are widened to the whole loop: lifetimes()) and the output
 * no larger. The joined buffer lives until the output's last use. Why: ResNet's bottleneck
 * ends read the residual and write the output element by element, and an output line that
 * is already in the cache needs no read for ownership (ResNet-50: 3.2 MB per stage-1 block).
 * Not in bf16 builds: their products (mmrt_op_conv_gemm_bf16) add the residual after. */
static void join_inplace(ir_graph *g) {
  if (g->bf16) return;
  int loop = 0, images = -1; /* in a layer loop; the IR_IMAGES op of the image loop we are in */
  for (int i = 0; i < g->nops; i++) {
    const ir_op *o = &g->ops[i];
    if (o->kind == IR_LOOP) loop = 1;
    if (o->kind == IR_IMAGES) images = i;
    if (o->kind == IR_END) loop = 0, images = -1;
    if (!o->inplace || loop || o->out[0] < 0 || o->in[0] < 0 || o->in[1] < 0 || o->in[2] < 0)
      continue;
    const int y = o->out[0], r = root(g, o->in[2]);
    ir_buf *by = &g->bufs[y], *br = &g->bufs[r];
    /* an image loop's result (lives from the loop's start: lifetimes()) may join a residual
     * of the loop's own: the joined buffer then holds each image's, from the loop's start */
    const int result = images >= 0 && by->image_floats && by->first == images && !br->image_floats;
    const size_t yfloats = result ? by->image_floats : by->floats;
    if (by->kind != IR_BUF_WS || br->kind != IR_BUF_WS || by->per_thread || br->per_thread ||
        by->alias >= 0 || (by->first != i && !result) || br->last != i || yfloats > br->floats ||
        root(g, o->in[0]) == r || root(g, o->in[1]) == r ||
        (result && first_touch(g, y, images + 1, i))) /* the result's first touch is here */
      continue;
    by->alias = r;
    br->last = by->last;
    if (result) {
      br->first = images;
      br->floats = by->floats;
      br->image_floats = by->image_floats;
    }
  }
}

static size_t buf_bytes(const ir_buf *b) {
  return align64(b->floats * sizeof(float)) * (b->per_thread ? MMRT_MAX_THREADS : 1);
}

static int overlaps(const ir_buf *a, const ir_buf *b) {
  return a->first <= b->last && b->first <= a->last;
}

/* Placement order of workspace buffers a, b: larger first, then earlier first use. */
static int before(const ir_graph *g, int a, int b) {
  const size_t sa = buf_bytes(&g->bufs[a]), sb = buf_bytes(&g->bufs[b]);
  return sa != sb ? sa > sb : g->bufs[a].first < g->bufs[b].first;
}

static void plan_workspace(ir_graph *g) {
  lifetimes(g);
  join_inplace(g);
  int n = 0, *order = xmalloc((size_t)(g->nbufs ? g->nbufs : 1) * sizeof(int));
  for (int k = 0; k < g->nbufs; k++)
    if (g->bufs[k].kind == IR_BUF_WS && g->bufs[k].first >= 0 && g->bufs[k].alias < 0)
      order[n++] = k;
  /* largest first, then in order of first use (stable): a large buffer placed late has to
   * go above every smaller one live with it, so first-use order left gaps (ResNet-50: 20.3 MB
   * of workspace, 14.8 MB of it touched on the AVX-512 path; largest first: 16.5 and 10.9) */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && before(g, order[j], order[j - 1]); j--) {
      int t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  size_t end = 0;
  for (int i = 0; i < n; i++) {
    ir_buf *b = &g->bufs[order[i]];
    const size_t size = buf_bytes(b);
    b->stride = align64(b->floats * sizeof(float));
    /* lowest offset clear of every placed buffer that is live at the same time */
    size_t off = 0;
    for (int moved = 1; moved;) {
      moved = 0;
      for (int j = 0; j < i; j++) {
        const ir_buf *p = &g->bufs[order[j]];
        if (overlaps(b, p) && off < p->off + buf_bytes(p) && p->off < off + size) {
          off = p->off + buf_bytes(p);
          moved = 1;
        }
      }
    }
    b->off = off;
    if (off + size > end) end = off + size;
  }
  for (int k = 0; k < g->nbufs; k++)
    if (g->bufs[k].alias >= 0) {
      const ir_buf *r = &g->bufs[root(g, k)];
      g->bufs[k].off = r->off, g->bufs[k].stride = r->stride;
      g->bufs[k].image_floats = r->image_floats; /* inside an image loop: image im's */
    }
  free(order);
  g->ws_bytes = end;
}

int plan_graph(ir_graph *g, const char *what) {
  if (plan_blob(g, what)) return -1;
  plan_workspace(g);
  return 0;
}
