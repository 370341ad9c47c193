/* gen_emit.c: turns a plan into m4 definitions (every MM_* macro templates/README.md
 * documents) and expands each template with `m4 -P` (builtins prefixed m4_, quotes [[ ]],
 * no m4 comments: the templates are C, whose '#' and quotes m4 must not touch).
 * Numbers are defined as is; text is quoted twice so that m4 never rescans it. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "model_pipe.h"
#include "util.h"
#include "../runtime/mmrt.h"

/* ---- text escaping ---- */

/* C string literal of S: quotes, backslashes, brackets (m4 quotes), '?' (trigraphs) and
 * control bytes as octal escapes; other bytes, UTF-8 included, as they are. */
static void put_c_string(strbuf *b, const char *s) {
  sb_putc(b, '"');
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '"' || *c == '\\' || *c == '[' || *c == ']' || *c == '?' || *c < 0x20 || *c == 0x7f)
      sb_printf(b, "\\%03o", *c);
    else
      sb_putc(b, (char)*c);
  }
  sb_putc(b, '"');
}

/* Text safe inside a C comment and as m4 quoted text. */
static void put_comment_text(strbuf *b, const char *s) {
  for (const char *c = s; *c; c++) {
    if (c[0] == '*' && c[1] == '/') sb_puts(b, "* ");
    else if (*c == '[') sb_putc(b, '(');
    else if (*c == ']') sb_putc(b, ')');
    else if ((unsigned char)*c < 0x20) sb_putc(b, ' ');
    else sb_putc(b, *c);
  }
}

/* ---- definitions ---- */

static void def_num(strbuf *b, const char *name, long long v) {
  sb_printf(b, "m4_define([[%s]], [[%lld]])\n", name, v);
}

static void def_raw(strbuf *b, const char *name, const char *v) {
  sb_printf(b, "m4_define([[%s]], [[[[%s]]]])\n", name, v);
}

static void def_text(strbuf *b, const char *name, const char *v) {
  strbuf t;
  sb_init(&t);
  put_comment_text(&t, v ? v : "(unknown)");
  def_raw(b, name, t.s);
  sb_free(&t);
}

static void def_cstr(strbuf *b, const char *name, const char *v) {
  strbuf t;
  sb_init(&t);
  if (v) put_c_string(&t, v);
  else sb_puts(&t, "((const char *)0)");
  def_raw(b, name, t.s);
  sb_free(&t);
}

static void def_float(strbuf *b, const char *name, double v) {
  char s[64];
  snprintf(s, sizeof s, "%.9gf", v);
  if (!strpbrk(s, ".e")) snprintf(s, sizeof s, "%.1ff", v);
  def_raw(b, name, s);
}

/* A model-card number (negative: unknown) as two macros: NAME_TEXT for comments ("-" when
 * unknown) and NAME as a C constant (-1 when unknown); integers as long long, accuracies %.2f. */
static void def_card_fact(strbuf *b, const char *name, double v, int is_percent) {
  char text[64], c[80], *tname = xasprintf("%s_TEXT", name);
  if (v < 0) snprintf(text, sizeof text, "-");
  else if (is_percent) snprintf(text, sizeof text, "%.2f", v);
  else snprintf(text, sizeof text, "%lld", (long long)v);
  if (v < 0) snprintf(c, sizeof c, is_percent ? "(-1.0)" : "(-1LL)");
  else snprintf(c, sizeof c, is_percent ? "%s" : "%sLL", text);
  def_text(b, tname, text);
  def_raw(b, name, c);
  free(tname);
}


/* {================================================================== code from the IR
 * The weights struct, the workspace offsets and forward_chunk()'s body, printed as C from
 * the planned graph: one call per op (runtime/mmrt_ops.h) with its shape comment. */

static void put_code_comment(strbuf *b, const char *s);

/* The text of B, B freed. */
static char *take(strbuf *b) {
  char *r = sb_take(b);
  sb_free(b);
  return r;
}

/* An extent: its name when exactly one named extent has this value, else the number. */
static void put_dim(strbuf *b, const ir_graph *g, long long v) {
  int found = -1;
  for (int i = 0; i < g->nconsts; i++)
    if (g->consts[i].value == v) {
      if (found >= 0) {
        found = -2;
        break;
      }
      found = i;
    }
  if (found >= 0) sb_puts(b, g->consts[found].name);
  else sb_printf(b, "%lld", v);
}

static char *emit_constants(const ir_graph *g) {
  strbuf b;
  sb_init(&b);
  for (int i = 0; i < g->nconsts; i++) {
    const ir_const *c = &g->consts[i];
    sb_printf(&b, "#define %s %lld", c->name, c->value);
    if (c->what[0]) {
      sb_puts(&b, " /* ");
      put_code_comment(&b, c->what);
      sb_puts(&b, " */");
    }
    sb_putc(&b, '\n');
  }
  return take(&b);
}

/* A weight as an expression: weights.<field>, or w-><field> inside the layer loop. */
static void put_weight(strbuf *b, const ir_graph *g, int w) {
  if (w < 0) sb_puts(b, "NULL");
  else sb_printf(b, "%s%s", g->wts[w].layer >= 0 ? "w->" : "weights.", g->wts[w].field);
}

/* A buffer (+ float offset) as an expression. */
static void put_buf(strbuf *b, const ir_graph *g, int buf, size_t off) {
  if (off) sb_printf(b, "%s + %zu", g->bufs[buf].name, off);
  else sb_puts(b, g->bufs[buf].name);
}

static void put_eps(strbuf *b, double v) {
  char s[64];
  snprintf(s, sizeof s, "%.9gf", v);
  if (!strpbrk(s, ".e")) snprintf(s, sizeof s, "%.1ff", v);
  sb_puts(b, s);
}

/* Text for a comment of generated C: brackets kept (shapes), comment ends broken. */
static void put_code_comment(strbuf *b, const char *s) {
  for (const char *c = s; *c; c++) {
    if (c[0] == '*' && c[1] == '/') sb_puts(b, "* ");
    else if ((unsigned char)*c < 0x20) sb_putc(b, ' ');
    else sb_putc(b, *c);
  }
}

/* A bf16 library's product weights are bf16 (runtime/mmrt_bf16_panel.h). */
static int is_bf16(const ir_graph *g, const ir_weight *w) {
  (void)g;
  return w->bf16;
}

static void field_line(strbuf *b, const char *indent, const ir_weight *w, int bf16) {
  const int pad = 14 - (int)strlen(w->field) - (bf16 ? 3 : 0);
  sb_printf(b, "%sconst %s *%s;%*s/* ", indent, bf16 ? "uint16_t" : "float", w->field,
            pad > 1 ? pad : 1, "");
  if (w->cols > 1 || w->fold == IR_FOLD_PACK) sb_printf(b, "[%d,%d]", w->rows, w->cols);
  else sb_printf(b, "[%d]", w->rows);
  if (w->fold == IR_FOLD_PACK) sb_puts(b, bf16 ? " packed bf16" : " packed");
  else if (bf16) sb_puts(b, w->fold == IR_FOLD_CONV ? " packed bf16" : " bf16");
  if (w->what[0]) {
    sb_puts(b, ", ");
    put_code_comment(b, w->what);
  }
  if (w->layer < 0) {
    sb_puts(b, " <- ");
    put_code_comment(b, w->src);
  }
  sb_puts(b, " */\n");
}

static char *emit_weights(const ir_graph *g) {
  strbuf b;
  sb_init(&b);
  int layers = 0;
  for (int i = 0; i < g->nwts; i++)
    if (g->wts[i].layer + 1 > layers) layers = g->wts[i].layer + 1;
  if (layers) {
    sb_puts(&b, "typedef struct layer_weights { /* the fields of each layer l: "
                "backbone.layers.l.* */\n");
    for (int i = 0; i < g->nwts; i++)
      if (g->wts[i].layer == 0) field_line(&b, "  ", &g->wts[i], is_bf16(g, &g->wts[i]));
    sb_puts(&b, "} layer_weights;\n\n");
  }
  sb_puts(&b, "static const struct model_weights {\n");
  int put_layers = 0;
  for (int i = 0; i < g->nwts; i++) {
    const ir_weight *w = &g->wts[i];
    if (w->layer < 0) field_line(&b, "  ", w, is_bf16(g, w));
    else if (!put_layers++) sb_printf(&b, "  layer_weights layers[%d];\n", layers);
  }
  sb_puts(&b, "} weights = {\n");
  put_layers = 0;
  for (int i = 0; i < g->nwts; i++) {
    const ir_weight *w = &g->wts[i];
    if (w->layer < 0) {
      sb_printf(&b, "  .%s = %s(%zu),\n", w->field, is_bf16(g, w) ? "WB" : "W", w->off);
    } else if (!put_layers++) {
      sb_puts(&b, "  .layers = {\n");
      for (int l = 0; l < layers; l++) {
        sb_puts(&b, "    {");
        int first = 1;
        for (int j = 0; j < g->nwts; j++)
          if (g->wts[j].layer == l) {
            sb_printf(&b, "%s.%s = %s(%zu)", first ? "" : ", ", g->wts[j].field,
                      is_bf16(g, &g->wts[j]) ? "WB" : "W", g->wts[j].off);
            first = 0;
          }
        sb_printf(&b, "}, /* layer %d */\n", l);
      }
      sb_puts(&b, "  },\n");
    }
  }
  sb_puts(&b, "};\n");
  return take(&b);
}

static void upper(strbuf *b, const char *s) {
  for (; *s; s++) sb_putc(b, (char)toupper((unsigned char)*s));
}

static char *emit_workspace(const ir_graph *g) {
  strbuf b;
  sb_init(&b);
  for (int i = 0; i < g->nbufs; i++) {
    const ir_buf *u = &g->bufs[i];
    if (u->kind != IR_BUF_WS || u->first < 0) continue;
    sb_puts(&b, "#define WS_");
    upper(&b, u->name);
    sb_printf(&b, " %zu /* ", u->off);
    put_code_comment(&b, u->what);
    sb_printf(&b, ": %zu floats, ops %d..%d", u->floats, u->first, u->last);
    if (u->alias >= 0) sb_printf(&b, ", in place: the bytes of %s", g->bufs[u->alias].name);
    if (u->image_floats)
      sb_printf(&b, "; in the image loop image im's, + im * %zu floats", u->image_floats);
    sb_puts(&b, " */\n");
    if (u->per_thread) {
      sb_puts(&b, "#define WS_");
      upper(&b, u->name);
      sb_printf(&b, "_STRIDE %zu /* bytes per thread */\n", u->stride);
    }
  }
  return take(&b);
}

static const char *const epi_names[] = {"NULL", "mmrt_epi_bias", "mmrt_epi_bias_gelu",
                                        "mmrt_epi_bias_tanh", "mmrt_epi_add_rows",
                                        "mmrt_epi_tokens"};

/* ", " then extent V (a name where unambiguous). */
static void dim(strbuf *b, const ir_graph *g, long long v) {
  sb_puts(b, ", ");
  put_dim(b, g, v);
}

/* ", " then a number (strides, offsets, flags: never named). */
static void num(strbuf *b, long long v) { sb_printf(b, ", %lld", v); }

/* ", " then the rows of op O: "n * ROWS" when it runs on the chunk's n images at once. */
static void rows(strbuf *b, const ir_graph *g, const ir_op *o) {
  sb_puts(b, o->batched ? ", n * " : ", ");
  put_dim(b, g, o->m);
}

/* ", " then the images op O runs on: the chunk's n when batched, else 1 (one image: in an
 * IR_IMAGES loop, image im's). */
static void images(strbuf *b, const ir_op *o) { sb_puts(b, o->batched ? ", n" : ", 1"); }

static void arg_buf(strbuf *b, const ir_graph *g, int buf, size_t off) {
  sb_puts(b, ", ");
  put_buf(b, g, buf, off);
}

static void arg_weight(strbuf *b, const ir_graph *g, int w) {
  sb_puts(b, ", ");
  put_weight(b, g, w);
}

/* Whether op O's runtime function takes the team and claims runs of its units (mmrt_claim:
 * a thread slowed by its core gives the back of its share away) rather than a fixed share
 * for thread tid of nt. The bf16 products keep fixed shares. */
static int claims_runs(const ir_graph *g, const ir_op *o) {
  switch (o->kind) {
  case IR_LINEAR:
  case IR_CONV_GEMM: return !g->bf16;
  case IR_LAYERNORM_PACK:
  case IR_KV_PACK:
  case IR_ATTENTION:
  case IR_WINO_PACK:
  case IR_WINO_GEMM:
  case IR_WINO_OUT:
  case IR_MAXPOOL: return 1;
  default: return 0;
  }
}

static void emit_op(strbuf *b, const ir_graph *g, const ir_op *o, const char *in) {
  const int o0 = o->out[0], i0 = o->in[0];
  switch (o->kind) {
  case IR_PATCHES:
    sb_printf(b, "%smmrt_op_patches(%s, img, n", in, g->bufs[o0].name);
    num(b, o->c), num(b, o->h), num(b, o->w), dim(b, g, o->p), dim(b, g, o->gw), dim(b, g, o->m);
    dim(b, g, o->extra);
    break;
  case IR_LINEAR:
    if (g->bf16) { /* the input made ready for the bf16 product, then a barrier */
      sb_printf(b, "%smmrt_op_bf16_pack(%s", in, g->bufs[g->bf16_buf].name);
      arg_buf(b, g, i0, 0);
      rows(b, g, o);
      dim(b, g, o->k);
      sb_printf(b, ", tid, nt);\n%smmrt_team_barrier(team);\n", in);
    }
    sb_printf(b, "%smmrt_op_linear%s%s(", in, o->panels ? "_panels" : "", g->bf16 ? "_bf16" : "");
    put_buf(b, g, o0, o->out_off);
    if (o->panels) num(b, o->ldc);
    else dim(b, g, o->ldc), num(b, o->accumulate);
    arg_buf(b, g, g->bf16 ? g->bf16_buf : i0, 0);
    rows(b, g, o);
    arg_weight(b, g, o->wt[0]);
    dim(b, g, o->n), dim(b, g, o->k);
    sb_printf(b, ",\n%s    %s, ", in, epi_names[o->epi]);
    if (o->epi == IR_EPI_TOKENS) {
      sb_puts(b, "&(const mmrt_tokens){");
      put_weight(b, g, o->wt[1]);
      dim(b, g, o->n);
      dim(b, g, o->m);
      dim(b, g, o->extra);
      arg_weight(b, g, o->wt[2]);
      arg_weight(b, g, o->wt[3]);
      sb_puts(b, "}");
    } else if (o->epi == IR_EPI_ADD_ROWS) {
      sb_puts(b, "&(const mmrt_rows){");
      put_weight(b, g, o->wt[1]);
      dim(b, g, o->n);
      sb_puts(b, "}");
    } else {
      put_weight(b, g, o->epi == IR_EPI_NONE ? -1 : o->wt[1]);
    }
    if (g->bf16) sb_printf(b, ", %s", g->bf16_wbuf >= 0 ? g->bufs[g->bf16_wbuf].name : "NULL");
    break;
  case IR_LAYERNORM_PACK:
    sb_printf(b, "%smmrt_op_layernorm_pack(%s", in, g->bufs[o0].name);
    arg_buf(b, g, i0, o->in_off);
    dim(b, g, o->ld), rows(b, g, o), dim(b, g, o->k);
    arg_weight(b, g, o->wt[0]), arg_weight(b, g, o->wt[1]);
    sb_puts(b, ", ");
    put_eps(b, o->eps);
    break;
  case IR_LAYERNORM:
    sb_printf(b, "%smmrt_op_layernorm(", in);
    put_buf(b, g, o0, o->out_off);
    dim(b, g, o->ld), rows(b, g, o), dim(b, g, o->k);
    arg_weight(b, g, o->wt[0]), arg_weight(b, g, o->wt[1]);
    sb_puts(b, ", ");
    put_eps(b, o->eps);
    break;
  case IR_PACK:
    sb_printf(b, "%smmrt_op_pack(%s", in, g->bufs[o0].name);
    arg_buf(b, g, i0, o->in_off);
    dim(b, g, o->ld), rows(b, g, o), dim(b, g, o->k);
    break;
  case IR_COPY:
    if (o->batched) { /* per image: n floats, image i at i * ld in, i * ldc out */
      sb_printf(b, "%smmrt_op_copy_images(", in);
      put_buf(b, g, o0, o->out_off);
      num(b, o->ldc);
      arg_buf(b, g, i0, o->in_off);
      num(b, o->ld);
      dim(b, g, o->n);
      sb_puts(b, ", n");
      break;
    }
    sb_printf(b, "%smmrt_op_copy(", in);
    put_buf(b, g, o0, o->out_off);
    if (o->wt[0] >= 0) arg_weight(b, g, o->wt[0]);
    else arg_buf(b, g, i0, o->in_off);
    dim(b, g, o->n);
    sb_puts(b, ", tid);\n");
    return;
  case IR_MEAN_ROWS:
    sb_printf(b, "%smmrt_op_mean_rows(%s, %s", in, g->bufs[o0].name, g->bufs[i0].name);
    dim(b, g, o->ld);
    dim(b, g, o->n); /* rows per image */
    dim(b, g, (long long)(o->in_off / (size_t)o->ld));
    dim(b, g, (long long)(o->in_off / (size_t)o->ld) + o->m);
    dim(b, g, o->k);
    sb_puts(b, ", n");
    break;
  case IR_KV_PACK:
    sb_printf(b, "%smmrt_op_kv_pack(%s", in, g->bufs[o->out[0]].name);
    num(b, (long long)o->kps);
    arg_buf(b, g, o->out[1], 0);
    num(b, (long long)o->vps);
    arg_buf(b, g, i0, 0);
    sb_puts(b, ", n");
    dim(b, g, o->m), dim(b, g, o->n), dim(b, g, o->heads), dim(b, g, o->head_dim);
    break;
  case IR_ATTENTION:
    sb_printf(b, "%smmrt_op_attention(%s", in, g->bufs[o->out[0]].name);
    num(b, o->ldc);
    arg_buf(b, g, o->in[0], 0), arg_buf(b, g, o->in[1], 0);
    num(b, (long long)o->kps);
    arg_buf(b, g, o->in[2], 0);
    num(b, (long long)o->vps);
    sb_printf(b, ",\n%s    %s, %s", in, g->bufs[o->out[1]].name, g->bufs[o->out[2]].name);
    num(b, o->lds);
    arg_buf(b, g, o->out[3], 0);
    sb_puts(b, ", n");
    dim(b, g, o->m), dim(b, g, o->n), dim(b, g, o->heads), dim(b, g, o->head_dim);
    num(b, o->qblock);
    break;
  case IR_TO_HWC:
    sb_printf(b, "%smmrt_op_to_hwc(%s, %s", in, g->bufs[o0].name, g->bufs[i0].name);
    num(b, o->c), num(b, o->h), num(b, o->w), num(b, o->pad);
    break;
  case IR_CONV_PACK:
    sb_printf(b, "%smmrt_op_conv_pack(%s, %s", in, g->bufs[o0].name, g->bufs[i0].name);
    images(b, o);
    num(b, o->h), num(b, o->w), num(b, o->c), num(b, o->groups), num(b, o->kh);
    num(b, o->stride), num(b, o->pad), num(b, o->oh), num(b, o->ow);
    break;
  case IR_CONV_GEMM:
    if (g->bf16) { /* the patch panels made ready for the bf16 product, then a barrier */
      sb_printf(b, "%smmrt_op_conv_bf16_pack(%s, %s", in, g->bufs[g->bf16_buf].name,
                g->bufs[i0].name);
      rows(b, g, o), num(b, o->k), num(b, o->groups);
      sb_printf(b, ", tid, nt);\n%smmrt_team_barrier(team);\n", in);
    }
    sb_printf(b, "%smmrt_op_conv_gemm%s(%s, %s", in, g->bf16 ? "_bf16" : "", g->bufs[o0].name,
              g->bufs[g->bf16 ? g->bf16_buf : i0].name);
    rows(b, g, o); /* M = the images' output pixels */
    arg_weight(b, g, o->wt[0]);
    num(b, o->n), num(b, o->k), num(b, o->groups);
    arg_weight(b, g, o->wt[1]);
    sb_printf(b, ", %s", o->in[2] >= 0 ? g->bufs[o->in[2]].name : "NULL"); /* residual */
    num(b, o->relu);
    if (g->bf16) { /* bf16 convolutions read their bf16 patch panels (no direct path) */
      sb_printf(b, ", %s", g->bf16_wbuf >= 0 ? g->bufs[g->bf16_wbuf].name : "NULL");
    } else { /* the NHWC input and its geometry (read in place by a direct convolution) */
      sb_printf(b, ", %s", g->bufs[o->in[1]].name);
      num(b, o->h), num(b, o->w), num(b, o->c), num(b, o->kh);
      num(b, o->stride), num(b, o->pad), num(b, o->oh), num(b, o->ow);
    }
    break;
  case IR_WINO_PACK:
    sb_printf(b, "%smmrt_op_wino_pack(%s, %s", in, g->bufs[o0].name, g->bufs[i0].name);
    images(b, o);
    num(b, o->h), num(b, o->w), num(b, o->c), num(b, o->wino);
    break;
  case IR_WINO_GEMM:
    sb_printf(b, "%smmrt_op_wino_gemm(%s, %s", in, g->bufs[o0].name, g->bufs[i0].name);
    arg_weight(b, g, o->wt[0]);
    rows(b, g, o), num(b, o->k), num(b, o->n), num(b, o->wino); /* the images' tiles */
    break;
  case IR_WINO_OUT:
    sb_printf(b, "%smmrt_op_wino_out(%s, %s", in, g->bufs[o0].name, g->bufs[i0].name);
    arg_weight(b, g, o->wt[1]);
    sb_printf(b, ", %s", o->in[1] >= 0 ? g->bufs[o->in[1]].name : "NULL"); /* residual */
    num(b, o->relu);
    images(b, o);
    num(b, o->oh), num(b, o->ow), num(b, o->n), num(b, o->wino);
    break;
  case IR_MAXPOOL:
    sb_printf(b, "%smmrt_op_maxpool(%s, %s", in, g->bufs[o0].name, g->bufs[i0].name);
    num(b, o->h), num(b, o->w), num(b, o->c), num(b, o->kh), num(b, o->stride), num(b, o->pad);
    num(b, o->oh), num(b, o->ow);
    break;
  case IR_AVGPOOL:
    sb_printf(b, "%smmrt_op_avgpool(%s, %s", in, g->bufs[o0].name, g->bufs[i0].name);
    images(b, o);
    num(b, o->h), num(b, o->w), num(b, o->c), num(b, o->stride), num(b, o->oh), num(b, o->ow);
    break;
  case IR_GAP:
    sb_printf(b, "%smmrt_op_gap(%s, %s", in, g->bufs[o0].name, g->bufs[i0].name);
    images(b, o);
    num(b, o->m), num(b, o->c);
    break;
  case IR_SE_SQUEEZE:
  case IR_SE_EXCITE:
    sb_printf(b, "%smmrt_op_se_%s%s(%s, %s", in, o->kind == IR_SE_SQUEEZE ? "squeeze" : "excite",
              g->bf16 ? "_bf16" : "", g->bufs[o0].name, g->bufs[i0].name);
    arg_weight(b, g, o->wt[0]), arg_weight(b, g, o->wt[1]);
    images(b, o);
    num(b, o->c), num(b, o->n);
    break;
  case IR_SCALE_ADD_RELU:
    sb_printf(b, "%smmrt_op_scale_add_relu(%s, %s, %s", in, g->bufs[o0].name, g->bufs[i0].name,
              g->bufs[o->in[1]].name);
    images(b, o);
    num(b, o->m), num(b, o->c);
    break;
  case IR_IMAGES:
  case IR_LOOP:
  case IR_END:
    return;
  }
  sb_puts(b, claims_runs(g, o) ? ", team, tid);\n" : ", tid, nt);\n");
}

/* Whether C text T uses NAME as an identifier of its own (not a member: .NAME, ->NAME). */
static int uses_name(const char *t, const char *name) {
  const size_t len = strlen(name);
  for (const char *p = strstr(t, name); p; p = strstr(p + 1, name)) {
    int before = p > t && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.' ||
                           (p[-1] == '>' && p - t >= 2 && p[-2] == '-'));
    int after = isalnum((unsigned char)p[len]) || p[len] == '_';
    if (!before && !after) return 1;
  }
  return 0;
}

/* The locals C text T needs, declared (IN: the indentation): nt, and the workspace
 * buffers it names; IMAGE (an op of an IR_IMAGES loop): a buffer holding each image's
 * result is image im's. */
static void put_locals(strbuf *b, const ir_graph *g, const char *t, const char *in, int image) {
  if (uses_name(t, "nt")) sb_printf(b, "%sconst int nt = team->n;\n", in);
  for (int i = 0; i < g->nbufs; i++) {
    const ir_buf *u = &g->bufs[i];
    if (u->kind != IR_BUF_WS || u->first < 0 || !uses_name(t, u->name)) continue;
    sb_printf(b, "%sfloat *%s = (float *)(ws + WS_", in, u->name);
    upper(b, u->name);
    if (u->per_thread) {
      sb_puts(b, " + (size_t)tid * WS_");
      upper(b, u->name);
      sb_puts(b, "_STRIDE");
    }
    sb_puts(b, ")");
    if (image && u->image_floats) sb_printf(b, " + (size_t)im * %zu", u->image_floats);
    sb_puts(b, ";\n");
  }
}

/* forward_chunk's parameters (templates/model.c.m4 has its signature, in this order) and
 * an image loop's im that an op function's text T uses, as the function's parameter list
 * (DECL) or as the arguments of its call (IMAGE: in an image loop, the input is image im's). */
static void put_op_params(strbuf *b, const char *t, int decl, int image) {
  static const struct { const char *type, *name; } params[] = {
      {"const float *", "img"}, {"int ", "n"},           {"float *", "out"},
      {"char *", "ws"},         {"mmrt_team *", "team"}, {"int ", "tid"},
      {"int ", "im"}};
  int first = 1;
  for (size_t i = 0; i < sizeof params / sizeof *params; i++)
    if (uses_name(t, params[i].name)) {
      sb_printf(b, "%s%s%s", first ? "" : ", ", decl ? params[i].type : "", params[i].name);
      if (!decl && image && !strcmp(params[i].name, "img")) sb_puts(b, " + (size_t)im * IN_FLOATS");
      first = 0;
    }
  if (first && decl) sb_puts(b, "void");
}

/* forward_chunk()'s body (*FORWARD) and the op functions it calls (*OPS). Each op outside a
 * layer loop is a function of its own, called once, never inlined: the C compiler's time
 * grows faster than the size of a function (templates/README.md has the figures); a layer
 * loop's ops stay in the loop's body (compiled once for all layers).
 * PROFILE (mmcc build --profile): each op is timed (mm_prof_*, api.c) from its start to
 * the end of the barrier after it, as op number 0, 1, ... (the table of emit_prof_table). */
static void emit_forward(const ir_graph *g, int profile, char **forward, char **ops) {
  strbuf b, f, body, text;
  sb_init(&b);
  sb_init(&f);
  int prof_op = 0, in_loop = 0, in_images = 0;
  const char *in = "  ";
  for (int i = 0; i < g->nops; i++) {
    const ir_op *o = &g->ops[i];
    if (o->kind == IR_END) {
      sb_puts(&b, "  }\n");
      in = "  ";
      in_loop = in_images = 0;
      continue;
    }
    strbuf comment;
    sb_init(&comment);
    put_code_comment(&comment, o->label);
    sb_puts(&comment, o->batched ? ": n x " : ": "); /* per image, on the chunk's n images */
    put_code_comment(&comment, o->shape);
    if (o->kind == IR_LOOP) {
      sb_printf(&b, "\n  /* %s */\n  for (int l = 0; l < ", comment.s);
      put_dim(&b, g, o->count);
      sb_puts(&b, "; l++) {\n    const layer_weights *w = &weights.layers[l];\n");
      in = "    ";
      in_loop = 1;
      sb_free(&comment);
      continue;
    }
    if (o->kind == IR_IMAGES) {
      sb_printf(&b, "\n  /* %s */\n  for (int im = 0; im < n; im++) {\n", o->label);
      in = "    ";
      in_images = 1;
      sb_free(&comment);
      continue;
    }
    sb_putc(&b, '\n');
    if (in_loop) { /* the op itself */
      sb_printf(&b, "%s/* %s */\n", in, comment.s);
      if (profile) sb_printf(&b, "%smm_prof_start(&pm);\n", in);
      emit_op(&b, g, o, in);
    } else { /* a function: the buffers it names, the op; the call */
      sb_init(&body);
      sb_init(&text);
      emit_op(&body, g, o, "  ");
      put_locals(&text, g, body.s, "  ", in_images);
      sb_puts(&text, body.s);
      sb_printf(&f, "\n/* %s */\nstatic MM_OP void op%d_%s(", comment.s, i, ir_kind_name(o->kind));
      put_op_params(&f, text.s, 1, 0);
      sb_printf(&f, ") {\n%s}\n", text.s);
      if (profile) sb_printf(&b, "%smm_prof_start(&pm);\n", in);
      sb_printf(&b, "%sop%d_%s(", in, i, ir_kind_name(o->kind));
      put_op_params(&b, text.s, 0, in_images);
      sb_puts(&b, "); /* ");
      put_code_comment(&b, o->label);
      sb_puts(&b, " */\n");
      sb_free(&body);
      sb_free(&text);
    }
    sb_free(&comment);
    if (profile) sb_printf(&b, "%smm_prof_work(&pm);\n", in);
    /* every op ends at a barrier, the last too: the next chunk reuses the workspace; but
     * the pack of a direct convolution does nothing (mmrt_op_conv_pack), so nothing to wait
     * for (the condition is a constant of the path's compile; 0 in bf16 libraries) */
    if (o->kind == IR_CONV_PACK)
      sb_printf(&b, "%sif (!MMRT_CONV_IS_DIRECT(%lld, %lld))\n  ", in, (long long)o->groups,
                (long long)(o->c / o->groups));
    sb_printf(&b, "%smmrt_team_barrier(team);\n", in);
    if (profile) /* images: an image loop's op runs once per image */
      sb_printf(&b, "%smm_prof_op(&pm, tid, %d, %s);\n", in, prof_op++, in_images ? "1" : "n");
  }
  /* forward_chunk's own locals: those its loop's ops need, the profile's mark */
  strbuf head;
  sb_init(&head);
  put_locals(&head, g, b.s, "  ", 0);
  if (profile) sb_puts(&head, "  mm_prof_mark pm; /* --profile: the current op's start, end of work */\n");
  sb_puts(&head, b.s);
  sb_free(&b);
  *forward = take(&head);
  *ops = take(&f);
  if (strstr(*forward, "[[") || strstr(*forward, "]]") || strstr(*ops, "[[") ||
      strstr(*ops, "]]"))
    abort(); /* m4 quotes: an emitter bug */
}
/* The profile's table (api.c): per timed op, in emit_forward's order, its kind, label,
 * shape and flops per image (compiler/ir.c). */
static char *emit_prof_table(const ir_graph *g, int *nops) {
  strbuf b;
  sb_init(&b);
  *nops = 0;
  for (int i = 0; i < g->nops; i++) {
    const ir_op *o = &g->ops[i];
    if (o->kind == IR_LOOP || o->kind == IR_IMAGES || o->kind == IR_END) continue;
    sb_printf(&b, "  {\"%s\", ", ir_kind_name(o->kind));
    put_c_string(&b, o->label);
    sb_puts(&b, ", ");
    char *shape = xasprintf("%s%s", o->batched ? "n x " : "", o->shape);
    put_c_string(&b, shape);
    free(shape);
    sb_printf(&b, ", %lldLL},\n", ir_op_flops(o));
    ++*nops;
  }
  return take(&b);
}
/* }================================================================== */

/* The front matter of every generated file: what made it (no timestamps: output
 * regenerates byte for byte). */
static char *front_matter(const gen_plan *p, const char *open, const char *line,
                          const char *close) {
  const model_desc *m = p->m;
  strbuf b, t;
  sb_init(&b);
  sb_init(&t);
#define FM(label, value)                              \
  do {                                                \
    sb_printf(&b, "%s%-9s ", line, label);            \
    sb_free(&t);                                      \
    sb_init(&t);                                      \
    put_comment_text(&t, value ? value : "-");        \
    sb_puts(&b, t.s);                                 \
    sb_putc(&b, '\n');                                \
  } while (0)
  sb_printf(&b, "%sGenerated by mmcc %s -- do not edit; regenerate with the command below.\n",
            open, MMCC_VERSION);
  FM("command:", p->command);
  FM("model:", m->name);
  FM("metafile:", m->metafile);
  FM("config:", m->config_path);
  FM("weights:", p->w->source);
  FM("sha256:", p->w->sha256[0] ? p->w->sha256 : "- (synthetic weights)");
  FM("target:", p->t->name);
  if (p->bf16) FM("precision:", "bf16");
  if (p->profile) FM("profile:", "per-op timers (--profile)");
#undef FM
  sb_puts(&b, close);
  sb_free(&t);
  char *r = sb_take(&b);
  sb_free(&b);
  return r;
}

static const char *norm_name(norm_style n) {
  return n == NORM_MMCV ? "MMRT_NORM_MMCV" : n == NORM_DIV ? "MMRT_NORM_DIV" : "MMRT_NORM_NONE";
}

static char *defs_text(const gen_plan *p, const char *runtime_objs, int have_imagenet) {
  const model_desc *m = p->m;
  const target *t = p->t;
  strbuf b;
  char tmp[128];
  sb_init(&b);
  sb_puts(&b, "m4_divert(-1)\nm4_changequote(`[[', `]]')\nm4_changecom()\n");

  char *fm = front_matter(p, "/* ", " * ", " */");
  def_raw(&b, "MM_FRONT_MATTER", fm);
  def_raw(&b, "MM_FRONT_MATTER_ASM", fm);
  free(fm);
  fm = front_matter(p, "# ", "# ", "");
  if (fm[0] && fm[strlen(fm) - 1] == '\n') fm[strlen(fm) - 1] = 0;
  def_raw(&b, "MM_FRONT_MATTER_MAKE", fm);
  free(fm);

  /* identity and card */
  def_raw(&b, "MM_ID", p->id);
  def_raw(&b, "MM_ID_UPPER", p->id_upper);
  def_text(&b, "MM_NAME", m->name);
  def_raw(&b, "MM_VERSION", MMCC_VERSION);
  def_cstr(&b, "MM_NAME_C", m->name);
  def_text(&b, "MM_CONFIG_TEXT", m->config_path);
  def_cstr(&b, "MM_CONFIG_C", m->config_path);
  def_text(&b, "MM_WEIGHTS_TEXT", p->w->source);
  def_cstr(&b, "MM_WEIGHTS_SOURCE_C", p->w->source);
  def_text(&b, "MM_WEIGHTS_URL_TEXT", m->weights_url ? m->weights_url : "-");
  def_cstr(&b, "MM_WEIGHTS_URL_C", m->weights_url);
  def_card_fact(&b, "MM_PARAMETERS", m->parameters, 0);
  def_card_fact(&b, "MM_FLOPS", m->flops, 0);
  def_card_fact(&b, "MM_TOP1", m->top1, 1);
  def_card_fact(&b, "MM_TOP5", m->top5, 1);

  /* target */
  /* bf16's measured deviation from fp32 (README, "--precision bf16"; bench/bf16_deviation on
   * synthetic checkpoints with trained-like statistics, not on these weights) */
  const char *bf16_dev =
      m->resnet ? "; vs fp32 on a synthetic ResNet-50, 200 images: max |dlogit| 5.2e-3 x max "
                  "|logit|, top-1 agreement 100%, top-5 94% (not measured on these weights)"
                : "; vs fp32 on a synthetic ViT-B/32, 200 images: max |dlogit| 6.8e-3 x max "
                  "|logit|, top-1 agreement 96.5%, top-5 93% (not measured on these weights)";
  def_raw(&b, "MM_TARGET_NAME", t->name);
  def_raw(&b, "MM_PRECISION", p->bf16 ? "bf16" : "fp32");
  def_num(&b, "MM_BF16_DP", t->bf16_dp);
  if (p->bf16 && t->paths) { /* the paths in the order the library prefers them */
    strbuf pt;
    sb_init(&pt);
    sb_puts(&pt, "bf16 (products: bf16 weights and inputs, fp32 sums; paths best first:");
    for (int i = 0; i < t->npaths; i++)
      sb_printf(&pt, "%s %s (%s)", i ? "," : "", t->paths[i].name,
                t->paths[i].bf16_dp ? "vdpbf16ps kernel" : "weights widened for its fp32 kernel");
    sb_puts(&pt, ")");
    sb_puts(&pt, bf16_dev);
    def_text(&b, "MM_PRECISION_TEXT", pt.s);
    sb_free(&pt);
  } else if (!p->bf16) {
    def_text(&b, "MM_PRECISION_TEXT", "fp32");
  } else {
    strbuf pt;
    sb_init(&pt);
    sb_puts(&pt, t->bf16_dp ? "bf16 (products: bf16 weights and inputs, fp32 sums; vdpbf16ps kernel)"
                            : "bf16 (products: bf16 weights and inputs, fp32 sums; weights widened "
                              "for the fp32 kernel)");
    sb_puts(&pt, bf16_dev);
    def_text(&b, "MM_PRECISION_TEXT", pt.s);
    sb_free(&pt);
  }
  def_raw(&b, "MM_UKR", t->kernel);
  def_num(&b, "MM_MR", t->mr);
  def_num(&b, "MM_NR", t->nr);
  def_num(&b, "MM_KC", t->kc);
  def_num(&b, "MM_COL_PREF", t->col_pref);
  def_raw(&b, "MM_CPU_FEATURES", t->cpu_features);
  def_text(&b, "MM_CPU_FEATURES_TEXT",
           t->cpu_features[0] ? t->cpu_features : "nothing beyond the baseline");
  def_raw(&b, "MM_TARGET_CC", t->cc);
  snprintf(tmp, sizeof tmp, "%sar", t->tool_prefix);
  def_raw(&b, "MM_TARGET_AR", tmp);
  snprintf(tmp, sizeof tmp, "%sld", t->tool_prefix);
  def_raw(&b, "MM_TARGET_LD", tmp);
  snprintf(tmp, sizeof tmp, "%sobjcopy", t->tool_prefix);
  def_raw(&b, "MM_TARGET_OBJCOPY", tmp);
  def_raw(&b, "MM_TARGET_CFLAGS", t->cflags);
  char *tdefs = gen_lib_target_defs(t, p->bf16); /* kernel objects, code paths */
  sb_puts(&b, tdefs);
  free(tdefs);
  def_raw(&b, "MM_RUNTIME_OBJS", runtime_objs);
  def_num(&b, "MM_MAX_THREADS", MMRT_MAX_THREADS);

  /* the model's interface, and the code printed from the IR */
  const ir_graph *g = &p->g;
  def_num(&b, "MM_IN_CHANNELS", g->in_c);
  def_num(&b, "MM_IN_H", g->in_h);
  def_num(&b, "MM_IN_W", g->in_w);
  def_num(&b, "MM_OUTPUT_DIMS", g->out_dim);
  def_raw(&b, "MM_OUT_NAME", p->has_head ? "NUM_CLASSES" : "OUTPUT_DIM");
  def_num(&b, "MM_HAS_HEAD", p->has_head);
  def_num(&b, "MM_BLOB_BYTES", (long long)g->blob_bytes);
  def_num(&b, "MM_FORWARD_WS_BYTES", (long long)p->forward_ws_bytes);
  def_num(&b, "MM_CHUNK", g->chunk);
  def_num(&b, "MM_WORKSPACE_BYTES", (long long)p->ws_bytes);
  def_num(&b, "MM_MAX_IMAGE_SIDE", p->max_image_side);
  char *code = emit_constants(g);
  def_raw(&b, "MM_CONSTANTS", code);
  free(code);
  code = emit_weights(g);
  def_raw(&b, "MM_WEIGHTS", code);
  free(code);
  code = emit_workspace(g);
  def_raw(&b, "MM_WORKSPACE", code);
  free(code);
  char *ops;
  emit_forward(g, p->profile, &code, &ops);
  def_raw(&b, "MM_FORWARD", code);
  def_raw(&b, "MM_OPS", ops);
  free(code);
  free(ops);
  def_num(&b, "MM_PROFILE", p->profile);
  if (p->profile) {
    int nprof;
    code = emit_prof_table(g, &nprof);
    def_raw(&b, "MM_PROF_TABLE", code);
    def_num(&b, "MM_PROF_OPS", nprof);
    free(code);
  }

  /* preprocessing (the test pipeline) */
  def_num(&b, "MM_RESIZE_SCALE", m->resize_scale);
  def_raw(&b, "MM_RESIZE_EDGE", model_pipe_rt_edge(m));
  def_raw(&b, "MM_RESIZE_METHOD", model_pipe_rt_method(m));
  def_text(&b, "MM_RESIZE_EDGE_TEXT", model_pipe_edge_name(m->resize_edge));
  snprintf(tmp, sizeof tmp, "%s %s", m->resize_backend ? m->resize_backend : "-",
           m->resize_interp ? m->resize_interp : "-");
  def_text(&b, "MM_RESIZE_TEXT", tmp);
  def_num(&b, "MM_CROP_H", m->crop_size[0]);
  def_num(&b, "MM_CROP_W", m->crop_size[1]);
  def_num(&b, "MM_TO_RGB", m->to_rgb ? 1 : 0);
  def_raw(&b, "MM_NORM", norm_name(m->norm));
  def_float(&b, "MM_MEAN0", m->mean[0]);
  def_float(&b, "MM_MEAN1", m->mean[1]);
  def_float(&b, "MM_MEAN2", m->mean[2]);
  def_float(&b, "MM_STD0", m->std[0]);
  def_float(&b, "MM_STD1", m->std[1]);
  def_float(&b, "MM_STD2", m->std[2]);

  /* class names */
  if (p->has_head && p->w->classes) {
    strbuf c;
    sb_init(&c);
    int n = 0;
    for (; p->w->classes[n] && n < p->out_dim; n++) {
      sb_puts(&c, "  ");
      put_c_string(&c, p->w->classes[n]);
      sb_puts(&c, ",\n");
    }
    for (; n < p->out_dim; n++) sb_puts(&c, "  ((const char *)0),\n");
    def_raw(&b, "MM_CLASSES", "table");
    def_raw(&b, "MM_CLASS_TABLE", c.s);
    sb_free(&c);
  } else if (p->has_head && p->out_dim == 1000 && have_imagenet) {
    def_raw(&b, "MM_CLASSES", "imagenet1k");
  } else {
    def_raw(&b, "MM_CLASSES", "none");
  }
  sb_puts(&b, "m4_divert(0)m4_dnl\n");
  char *r = sb_take(&b);
  sb_free(&b);
  return r;
}

/* ---- expansion ---- */

static int expand(const char *defs, const char *tmpl, const char *out) {
  const char *share = mmcc_share_dir();
  char *common = xasprintf("%s/templates/common.m4", share);
  char *t = xasprintf("%s/templates/%s", share, tmpl);
  char *err = xasprintf("%s.m4err", out);
  char *argv[] = {"m4", "-P", (char *)defs, common, t, NULL};
  int rc = gen_run(NULL, argv, out, err);
  if (rc != 0) {
    size_t n = 0;
    char *msg = read_file(err, &n);
    diag_error(t, 0, 0, "m4 failed (status %d)%s%s", rc, msg && n ? ": " : "", msg && n ? msg : "");
    free(msg);
  }
  remove(err);
  free(common);
  free(t);
  free(err);
  return rc == 0 ? 0 : -1;
}

int gen_emit(const gen_plan *p, const char *dir) {
  /* runtime objects: every runtime .c file copied by gen_lib_prepare (sorted) */
  char *list_path = xasprintf("%s/src/runtime/objects.txt", dir);
  char *objs = read_file(list_path, NULL);
  int rc = -1;
  if (!objs) goto out;
  for (char *s = objs; *s; s++)
    if (*s == '\n') *s = ' ';
  char *imagenet = xasprintf("%s/src/runtime/mmrt_imagenet1k.c", dir);
  char *imagenet_alt = xasprintf("%s/src/runtime/imagenet1k_classes.c", dir);
  int have_imagenet = file_exists(imagenet) || file_exists(imagenet_alt);
  free(imagenet);
  free(imagenet_alt);
  char *defs = defs_text(p, objs, have_imagenet);
  char *defs_path = xasprintf("%s/src/defs.m4", dir);
  if (write_file(defs_path, defs, strlen(defs)) == 0) {
    static const struct { const char *tmpl, *out; } files[] = {
      {"model.c.m4", "src/model.c"},   {"api.c.m4", "src/api.c"},
      {"internal.h.m4", "src/internal.h"}, {"weights.S.m4", "src/weights.S"},
      {"header.h.m4", NULL},          {"Makefile.m4", "Makefile"},
      {"pc.m4", NULL},
    };
    rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof files / sizeof *files; i++) {
      char *out = files[i].out ? xasprintf("%s/%s", dir, files[i].out)
                  : !strcmp(files[i].tmpl, "pc.m4") ? xasprintf("%s/%s.pc", dir, p->id)
                                                    : xasprintf("%s/%s.h", dir, p->id);
      rc = expand(defs_path, files[i].tmpl, out);
      free(out);
    }
    remove(defs_path);
  }
  remove(list_path);
  free(defs_path);
  free(defs);
out:
  free(list_path);
  free(objs);
  return rc;
}
