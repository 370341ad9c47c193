/* ir.h: mmcc's op-level IR: a model as a list of ops with constant shapes, between the model
 * description and the emitter.
 *
 *   lower_vit.c  model_desc -> ir_graph (the only file that knows the ViT architecture)
 *   ir.c         building a graph; the panel arithmetic (runtime/mmrt_panel.h)
 *   plan.c       the one planner: weight blob by walking the ops' weight references, the
 *                workspace by buffer lifetimes; nothing else computes an offset
 *   gen_pack.c   writes the blob (each weight's fold), gen_emit.c prints forward()
 *
 * Ops read and write buffers (activations in the workspace, the input image, the output) and
 * name the weights they need; a weight is a field of the generated weights struct made from
 * state-dict tensors by a fold done at compile time. A repeated block is IR_LOOP .. IR_END
 * over a per-layer weight table: its ops name layer 0's weights; layer l uses the same fields
 * of layers[l]. IR_IMAGES .. IR_END runs its ops once per image of the chunk (loops do not
 * nest). Every op maps to one runtime function (runtime/mmrt_ops.h). */
#ifndef MMCC_IR_H
#define MMCC_IR_H

#include <stddef.h>

/* ORDER IR OPS: gen_emit.c prints each (emit_op), plan.c walks them. */
typedef enum {
  IR_PATCHES,       /* image -> activation panels of its patches (im2col, Conv2d k = s) */
  IR_LINEAR,        /* packed activations x packed weights, epilogue, C rows or panels */
  IR_LAYERNORM_PACK,/* LayerNorm of rows, fused into the next product's packing */
  IR_LAYERNORM,     /* LayerNorm of rows in place */
  IR_PACK,          /* rows -> activation panels */
  IR_COPY,          /* n floats (a row: a class token in, a token out) */
  IR_MEAN_ROWS,     /* token pooling: mean over rows */
  IR_KV_PACK,       /* attention: K and V of each head packed as weight operands */
  IR_ATTENTION,     /* softmax(q k^T) v per head, into the next product's panels */
  /* convolutional networks (lower_resnet.c; runtime/mmrt_conv.h), activations NHWC */
  IR_TO_HWC,        /* image [C, H, W] -> [H * W, C] */
  IR_CONV_PACK,     /* NHWC input -> the patch panels of a convolution, every group */
  IR_CONV_GEMM,     /* the packed patches x folded weights, bias (+ residual) (ReLU) */
  IR_MAXPOOL,       /* MaxPool2d(k, stride, padding) */
  IR_AVGPOOL,       /* AvgPool2d(kernel = stride, ceil_mode=True, count_include_pad=False) */
  IR_GAP,           /* global average pool [H * W, C] -> [C] */
  IR_SE_SQUEEZE,    /* SE: relu(conv1(pooled)) */
  IR_SE_EXCITE,     /* SE: sigmoid(conv2(.)) */
  IR_SCALE_ADD_RELU,/* SE: relu(y * gate + shortcut) in place */
  IR_WINO_PACK,     /* 3x3 stride-1 conv by Winograd F(m,3) (runtime/mmrt_wino.h): the input
                       tiles transformed, A*A activation-panel matrices */
  IR_WINO_GEMM,     /* ... the A*A products with the transformed weights */
  IR_WINO_OUT,      /* ... the output transform, bias (+ residual) (ReLU) */
  IR_IMAGES,        /* run the ops up to the matching IR_END once per image of the chunk, on
                       that image alone (a network's head; the batched ops after it take the
                       chunk's images at once): the image input and the buffers that carry
                       a result out (ir_buf.image_floats) are image im's */
  IR_LOOP,          /* repeat the ops up to the matching IR_END `count` times */
  IR_END,
} ir_kind;

/* Epilogue of an IR_LINEAR (runtime mmrt_epi_*); ORDER IR EPI: gen_emit.c epi_names. */
typedef enum { IR_EPI_NONE, IR_EPI_BIAS, IR_EPI_BIAS_GELU, IR_EPI_BIAS_TANH, IR_EPI_ADD_ROWS,
               IR_EPI_TOKENS } ir_epi;
/* IR_EPI_TOKENS: + the row of each image's token: wt[2], wt[3] for the first `extra` tokens
 * (class, distillation), then rows of wt[1] (positions): the patch embedding of all images. */

/* Compile-time fold that makes a weight from state-dict tensors. */
typedef enum {
  IR_FOLD_VEC,      /* src[src_off + i] (* row scale), i < rows: a vector */
  IR_FOLD_ADD,      /* src[src_off + i] + (add ? add[add_off + i % add_len] : 0.0f),
                       i < rows * cols */
  IR_FOLD_PACK,     /* src [rows, cols] (row r * row scale) packed in panels of WR rows */
  IR_FOLD_CONV,     /* a Conv2d weight src (rows = cout, cin / groups, kh, kh) with the
                       BatchNorm after it (bn: mean, var, w, b, eps) folded in, columns in
                       (ky, kx, ci) order (compiler/fold_bn.c), each group's rows packed in
                       panels of WR rows: groups x MMRT_PACKED_FLOATS(rows / groups, cols) */
  IR_FOLD_CONV_BIAS,/* ... its bias: bn.b - bn.mean * s (src: the conv weight, as above) */
  IR_FOLD_WINO,     /* a 3x3 Conv2d weight (rows = cout, cols = cin, no groups) with its
                       BatchNorm folded in, transformed for Winograd F(wino, 3) (G g G^T,
                       runtime/mmrt_wino_tab.h, in double): A*A matrices [cout, cin], each
                       packed in panels of WR rows */
} ir_fold;
/* Every fold then multiplies by `mul` when it is not 0, and may merge:
 *   cat (IR_FOLD_PACK): row r is [src row r | cat row r], src [rows, cols - cat_cols] and
 *     cat [rows, cat_cols] (two products of two inputs summed become one product);
 *   bn: a BatchNorm in eval mode on the product's input folded into it: s = w / sqrt(var +
 *     eps) (w = 1 without affine), t = b - mean * s (b = 0); IR_FOLD_PACK: column k * s[k];
 *     IR_FOLD_VEC (the bias): + sum_k lin[r][k] * t[k], lin the product's weight. */
typedef struct ir_bn { char *mean, *var, *w, *b, *lin; double eps; } ir_bn;

typedef struct ir_weight {
  char *field;            /* field of the weights struct (of layers[l] when layer >= 0) */
  int layer;              /* -1: once; else the loop iteration it belongs to */
  ir_fold fold;
  char *src;              /* state-dict name */
  long long src_off;      /* first element used */
  long long src_numel;    /* elements the tensor must have */
  char *add;              /* IR_FOLD_ADD: tensor added (NULL: + 0.0f) */
  long long add_off;
  int add_len;
  char *cat;              /* IR_FOLD_PACK: columns appended from this tensor (NULL: none) */
  int cat_cols;
  float mul;              /* 0: none */
  ir_bn bn;               /* bn.mean NULL: none */
  char *scale;            /* row scale tensor of `rows` elements (NULL: none) */
  float qscale;           /* rows < qrows times qscale (qrows 0: none) */
  int qrows;
  int rows, cols;         /* shape of the result (a vector: cols 1) */
  int kh, groups;         /* IR_FOLD_CONV*: kernel side, groups (cols = kh * kh * cin / groups) */
  int wino;               /* IR_FOLD_WINO: the output tile side m (2 or 4) */
  char *what;             /* comment: shape and fold */
  int bf16;               /* stored as bfloat16 (--precision bf16: gen_plan.c sets it on the
                             weight of every matrix product; IR_FOLD_PACK / IR_FOLD_CONV as
                             bf16 panels, runtime/mmrt_bf16_panel.h, others row-major) */
  size_t off, bytes;      /* plan.c */
} ir_weight;

typedef enum { IR_BUF_WS, IR_BUF_IMAGE, IR_BUF_OUT } ir_buf_kind;

typedef struct ir_buf {
  char *name;             /* C name in forward() */
  ir_buf_kind kind;
  size_t floats;          /* largest use (per thread when per_thread) */
  int per_thread;
  char *what;             /* comment */
  int first, last;        /* op index range it is live in (plan.c) */
  int alias;              /* >= 0: shares that buffer's bytes (an in-place op's output; plan.c) */
  size_t image_floats;    /* > 0: holds the chunk's images one after another, this many floats
                             each, and an op inside an IR_IMAGES loop sees image im's */
  size_t off, stride;     /* workspace byte offset, per-thread stride (plan.c) */
} ir_buf;

#define IR_MAX_IO 5
#define IR_MAX_WT 4
typedef struct ir_op {
  ir_kind kind;
  char *label;            /* what the step is, for the shape comment */
  char *shape;            /* "[50,768] -> [50,2304]" */
  int out[IR_MAX_IO];     /* buffers written, then read (-1 ends each list) */
  int in[IR_MAX_IO];
  size_t out_off, in_off; /* float offset into out[0] / in[0] (a row range) */
  int wt[IR_MAX_WT];      /* weights: product weight / norm gamma, then bias / beta / ctx,
                             then IR_EPI_TOKENS's token rows (-1: none) */
  ir_epi epi;
  int accumulate, panels; /* C += ...; C written as the next product's panels */
  int m, n, k;            /* rows, output features, reduction (products); rows, K (norms) */
  int ld, ldc;            /* row stride of the input / the output (panels: panel floats) */
  double eps;
  int c, h, w, p, gw;     /* IR_PATCHES: image, patch, grid width */
  int heads, head_dim, qblock, lds; /* attention */
  size_t kps, vps;        /* attention: floats per head of packed K / V */
  int count;              /* IR_LOOP */
  int batched;            /* the op runs on the rows of the chunk's n images at once: m (and
                             the buffers) per image, M = n * m at run time (rows stacked
                             image after image), or a loop over the n images inside the op */
  int extra;              /* IR_PATCHES, IR_EPI_TOKENS: zero / token rows before each image's
                             patches; IR_COPY batched: floats between images in / out: ld, ldc */
  int kh, stride, pad, groups, oh, ow, relu; /* convolutions and pools: c, h, w = input */
  int wino;               /* IR_WINO_*: the output tile side m; m = its tiles */
  int inplace;            /* IR_CONV_GEMM: out[0] may take the bytes of the residual (in[2])
                             when this op is the residual's last reader: every output element
                             is computed from its own residual element only (the runtime's
                             mmrt_op_conv_gemm, a 1x1 convolution: one pass per element);
                             plan.c decides */
} ir_op;

/* A named extent of the model (TOKENS, EMBED_DIMS, ...): printed as a #define on top of the
 * generated code, and in place of the number in op calls where no other extent shares it. */
typedef struct ir_const { char *name, *what; long long value; } ir_const;

typedef struct ir_graph {
  ir_const *consts;
  int nconsts, cap_consts;
  ir_op *ops;
  int nops, cap_ops;
  ir_buf *bufs;
  int nbufs, cap_bufs;
  ir_weight *wts;
  int nwts, cap_wts;
  int xr, wr;             /* activation / weight panel rows of the target */
  int in_c, in_h, in_w;   /* one input image [C, H, W] (the lowering sets them) */
  int out_dim;            /* floats out per image */
  int chunk;              /* images per pass of the forward (batched ops; the workspace holds
                             this many images' activations): the lowering sets it (>= 1) */
  size_t blob_bytes, ws_bytes; /* plan.c */
  /* --precision bf16 (set before planning, gen_plan.c): the product weights are bf16
   * (ir_weight.bf16) and every IR_LINEAR / IR_CONV_GEMM also writes bf16_buf (its
   * input made ready for the bf16 product) and, when a path widens (!bf16_dp), the
   * per-thread bf16_wbuf (a widened weight block); -1: none */
  int bf16, bf16_dp, bf16_buf, bf16_wbuf;
  /* 3x3 stride-1 convolutions by Winograd (set before lowering: mmcc build --winograd):
   * -1 where lower_resnet.c's rule says so (auto), 0 never, 2 or 4 every one with that tile */
  int wino;
} ir_graph;

void ir_init(ir_graph *g, int xr, int wr);
void ir_free(ir_graph *g);
/* A new op of KIND (outputs, inputs, weights empty); returns it (valid until the next add). */
ir_op *ir_op_add(ir_graph *g, ir_kind kind, const char *label);
void ir_op_out(ir_op *o, int buf);
void ir_op_in(ir_op *o, int buf);
int ir_buf_add(ir_graph *g, const char *name, ir_buf_kind kind, int per_thread, const char *what);
/* The buffer holds at least FLOATS. */
void ir_buf_need(ir_graph *g, int buf, size_t floats);
void ir_const_add(ir_graph *g, const char *name, long long value, const char *what);
/* A weight; returns its index. */
int ir_weight_add(ir_graph *g, const ir_weight *w);
/* The weight of FIELD in LAYER (-1 when absent). */
int ir_weight_find(const ir_graph *g, const char *field, int layer);
/* Panel arithmetic of runtime/mmrt_panel.h. */
size_t ir_panel_floats(int K, int R);
size_t ir_packed_floats(int N, int K, int R);

/* For the per-op profile (mmcc build --profile): the op's runtime function without its
 * mmrt_op_ prefix ("linear", "attention", ...; ORDER IR OPS), and its floating-point work
 * per image: 2 x the multiply-adds of its products (2*M*N*K; attention: q k^T and p v), 0
 * for ops without products. */
const char *ir_kind_name(ir_kind k);
long long ir_op_flops(const ir_op *o);

/* lower_vit.c: a VisionTransformer classifier (backbone, neck, head of M) as ops into G
 * (ir_init'ed). 0, or -1 after a diagnostic naming the config and what is unsupported. */
struct model_desc;
int lower_vit(const struct model_desc *m, ir_graph *g);

/* lower_resnet.c: a ResNet-family classifier (model_resnet.h: ResNet, ResNetV1c/V1d, ResNeXt,
 * SEResNet, ResNet_CIFAR; GlobalAveragePooling neck, LinearClsHead) as ops into G. */
int lower_resnet(const struct model_desc *m, ir_graph *g);

/* plan.c: lays out the weight blob (weights in the order the ops first use them, a loop's
 * layer by layer) and the workspace (first fit by lifetime, largest first). 0, or -1 after a
 * diagnostic. */
int plan_graph(ir_graph *g, const char *what);

#endif
