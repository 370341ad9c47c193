m4_dnl model.c.m4: the forward pass of one VisionTransformer classifier, every shape a
m4_dnl constant. Expanded by mmcc (compiler/gen_emit.c) with `m4 -P defs.m4 model.c.m4`;
m4_dnl the MM_* macros are documented in templates/README.md. Compiled with the target's
m4_dnl code-generation flags (e.g. -mavx2 -mfma): only called after the CPU check in api.c.
MM_FRONT_MATTER
/* model.c: the forward pass of MM_NAME, read top to bottom like llama2.c's forward(): named
 * constants, the weights as a struct of pointers into the embedded blob, one function per
 * distinct operation shape (shared by all layers), then forward_image() stage by stage.
 * Threads: every stage splits fixed tiles statically between the threads of a team and ends
 * at a barrier; every output element is computed by the same instructions in the same
 * order whatever the thread count, so results are bitwise identical for any count. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* ---- target: MM_TARGET_NAME (compiler/target.c) ---- */
#define MMRT_UKR MM_UKR
#define MMRT_MR MM_MR
#define MMRT_NR MM_NR
#define MMRT_KC MM_KC
#define MMRT_COL_PREF MM_COL_PREF
#include "mmrt_gemm.h"

/* ---- model constants ---- */
#define IN_CHANNELS MM_IN_CHANNELS
#define IN_H MM_IN_H
#define IN_W MM_IN_W
#define PATCH MM_PATCH                  /* Conv2d kernel = stride */
#define GRID_H MM_GRID_H                /* ceil(IN_H / PATCH): padding='corner' pads with 0 */
#define GRID_W MM_GRID_W
#define PATCHES MM_PATCHES              /* GRID_H * GRID_W */
#define PATCH_K MM_PATCH_K              /* IN_CHANNELS * PATCH * PATCH, order (c, ky, kx) */
#define EXTRA_TOKENS MM_EXTRA_TOKENS    /* class token */
#define TOKENS MM_TOKENS                /* EXTRA_TOKENS + PATCHES */
#define EMBED_DIMS MM_EMBED_DIMS
#define QKV_DIMS MM_QKV_DIMS            /* 3 * EMBED_DIMS: [q | k | v] */
#define LAYERS MM_LAYERS
#define HEADS MM_HEADS
#define HEAD_DIM MM_HEAD_DIM
#define FFN_DIMS MM_FFN_DIMS
#define FEAT_DIMS MM_FEAT_DIMS          /* what the backbone (+ neck) hands to the head */
#define HIDDEN_DIMS MM_HIDDEN_DIMS      /* head pre_logits width (0: none) */
#define OUTPUT_DIMS MM_OUTPUT_DIMS      /* per image */
#define NORM_EPS MM_NORM_EPS
#define QBLOCK MM_QBLOCK                /* attention query rows per block */
#define QBLOCKS ((TOKENS + QBLOCK - 1) / QBLOCK)
#define S_LD (((TOKENS + 15) / 16) * 16) /* row stride of an attention score block */

/* Panels of each packed operand (MMRT_WR: weight panel width, MMRT_XR: activation). */
#define P_EMBED MMRT_PANELS(EMBED_DIMS, MMRT_WR)
#define P_QKV MMRT_PANELS(QKV_DIMS, MMRT_WR)
#define P_FFN MMRT_PANELS(FFN_DIMS, MMRT_WR)
#define P_KEYS MMRT_PANELS(TOKENS, MMRT_WR)
#define P_HEAD_DIM MMRT_PANELS(HEAD_DIM, MMRT_WR)
#define XP_PANEL MMRT_PANEL_FLOATS(EMBED_DIMS, MMRT_XR) /* floats per panel of proj's input */
#define HP_PANEL MMRT_PANEL_FLOATS(FFN_DIMS, MMRT_XR)   /* ... of fc2's input */

/* ---- workspace: one 64-byte aligned block, offsets in bytes (UNION: the attention
 * buffers are dead once attention has written its output into XP for proj; the FFN hidden
 * panels reuse them) ---- */
#define ALIGN64(b) ((((size_t)(b)) + 63) / 64 * 64)
#define FLOATS(n) ALIGN64((size_t)(n) * sizeof(float))
#define WS_X 0                                        /* [TOKENS, EMBED_DIMS] residual stream */
#define WS_XP (WS_X + FLOATS(TOKENS * EMBED_DIMS))    /* packed activations of the next product */
#define XP_FLOATS MM_XP_FLOATS
#define WS_U (WS_XP + FLOATS(XP_FLOATS))
#define WS_QKV WS_U                                   /* [TOKENS, QKV_DIMS] */
#define WS_KP (WS_QKV + FLOATS(TOKENS * QKV_DIMS))    /* per head: K packed as weights */
#define KP_HEAD MMRT_PACKED_FLOATS(TOKENS, HEAD_DIM, MMRT_WR)
#define WS_VP (WS_KP + FLOATS(HEADS * KP_HEAD))       /* per head: V packed as weights */
#define VP_HEAD MMRT_PACKED_FLOATS(HEAD_DIM, TOKENS, MMRT_WR)
#define WS_U_END_ATTN (WS_VP + FLOATS(HEADS * VP_HEAD))
#define WS_HP WS_U                                    /* GELU(fc1) as fc2's activation panels */
#define WS_U_END_FFN (WS_HP + FLOATS(MMRT_PACKED_FLOATS(TOKENS, FFN_DIMS, MMRT_XR)))
#define WS_U_END (WS_U_END_ATTN > WS_U_END_FFN ? WS_U_END_ATTN : WS_U_END_FFN)
#define WS_FEAT WS_U_END                              /* [FEAT_DIMS] pooled features */
#define WS_HID (WS_FEAT + FLOATS(FEAT_DIMS))          /* [HIDDEN_DIMS] pre_logits */
#define WS_ATT (WS_HID + FLOATS(HIDDEN_DIMS + 1))     /* per thread: attention scratch */
#define ATT_QP 0
#define ATT_S (ATT_QP + FLOATS(MMRT_PACKED_FLOATS(QBLOCK, HEAD_DIM, MMRT_XR)))
#define ATT_PP (ATT_S + FLOATS(QBLOCK * S_LD))
#define ATT_BYTES (ATT_PP + FLOATS(MMRT_PACKED_FLOATS(QBLOCK, TOKENS, MMRT_XR)))
#define WS_END (WS_ATT + MMRT_MAX_THREADS * ATT_BYTES)
_Static_assert(WS_END == MM_FORWARD_WORKSPACE_BYTES,
               "mmcc's workspace plan (compiler/gen_layout.c) and model.c disagree");
_Static_assert(XP_FLOATS >= MMRT_PACKED_FLOATS(TOKENS, EMBED_DIMS, MMRT_XR) &&
               XP_FLOATS >= MMRT_PACKED_FLOATS(PATCHES, PATCH_K, MMRT_XR) &&
               XP_FLOATS >= MMRT_PACKED_FLOATS(1, FEAT_DIMS, MMRT_XR) &&
               XP_FLOATS >= MMRT_PACKED_FLOATS(1, HIDDEN_DIMS + 1, MMRT_XR),
               "packed activation buffer too small");

/* ---- weights: pointers into the blob embedded by weights.S (packed by mmcc; byte offsets
 * from compiler/gen_pack.c). Products' weights are packed as MMRT_WR-wide panels. ---- */
extern const unsigned char MM_ID[[]]_weights_blob_[];
#define W(off) ((const float *)(MM_ID[[]]_weights_blob_ + (off)))

typedef struct layer_weights {
  const float *ln1_w, *ln1_b;   /* [EMBED_DIMS] */
  const float *qkv_w;           /* [QKV_DIMS, EMBED_DIMS] packed; q rows * HEAD_DIM^-0.5 */
  const float *qkv_b;           /* [QKV_DIMS] (q part * HEAD_DIM^-0.5) or NULL */
  const float *proj_w;          /* [EMBED_DIMS, EMBED_DIMS] packed (* gamma1) */
  const float *proj_b;          /* [EMBED_DIMS] */
  const float *ln2_w, *ln2_b;   /* [EMBED_DIMS] */
  const float *fc1_w;           /* [FFN_DIMS, EMBED_DIMS] packed */
  const float *fc1_b;           /* [FFN_DIMS] */
  const float *fc2_w;           /* [EMBED_DIMS, FFN_DIMS] packed (* gamma2) */
  const float *fc2_b;           /* [EMBED_DIMS] */
} layer_weights;

m4_define([[mm_layer_init]], [[  {W(MM_LAYER_OFF($1, LN1_W)), W(MM_LAYER_OFF($1, LN1_B)), W(MM_LAYER_OFF($1, QKV_W)),
   m4_ifelse(MM_QKV_BIAS, 1, [[W(MM_LAYER_OFF($1, QKV_B))]], [[NULL]]), W(MM_LAYER_OFF($1, PROJ_W)), W(MM_LAYER_OFF($1, PROJ_B)),
   W(MM_LAYER_OFF($1, LN2_W)), W(MM_LAYER_OFF($1, LN2_B)), W(MM_LAYER_OFF($1, FC1_W)), W(MM_LAYER_OFF($1, FC1_B)),
   W(MM_LAYER_OFF($1, FC2_W)), W(MM_LAYER_OFF($1, FC2_B))},  /* layer $1 */
]])m4_dnl
static const struct model_weights {
  const float *cls_pos;         /* [EMBED_DIMS] cls_token + pos_embed[0] (NULL: no class token) */
  const float *pos;             /* [PATCHES, EMBED_DIMS] pos_embed[1:] on the input grid (+ conv bias) */
  const float *patch_w;         /* [EMBED_DIMS, PATCH_K] packed: the patch Conv2d as a product */
  const float *pre_norm_w, *pre_norm_b; /* [EMBED_DIMS] or NULL */
  layer_weights layers[LAYERS];
  const float *ln1_w, *ln1_b;   /* [EMBED_DIMS] final norm, or NULL */
  const float *ln2_w, *ln2_b;   /* [EMBED_DIMS] norm after token averaging, or NULL */
  const float *pre_logits_w;    /* [HIDDEN_DIMS, FEAT_DIMS] packed, or NULL */
  const float *pre_logits_b;    /* [HIDDEN_DIMS] */
  const float *head_w;          /* [OUTPUT_DIMS, HIDDEN_DIMS or FEAT_DIMS] packed, or NULL */
  const float *head_b;          /* [OUTPUT_DIMS] */
} weights = {
  m4_ifelse(MM_EXTRA_TOKENS, 1, [[W(MM_OFF_CLS_POS)]], [[NULL]]), W(MM_OFF_POS), W(MM_OFF_PATCH_W),
  m4_ifelse(MM_PRE_NORM, 1, [[W(MM_OFF_PRE_NORM_W), W(MM_OFF_PRE_NORM_B)]], [[NULL, NULL]]),
  {
mm_forloop(0, MM_LAYERS, [[mm_layer_init]])m4_dnl
  },
  m4_ifelse(MM_FINAL_NORM, 1, [[W(MM_OFF_LN1_W), W(MM_OFF_LN1_B)]], [[NULL, NULL]]),
  m4_ifelse(MM_AVG_NORM, 1, [[W(MM_OFF_LN2_W), W(MM_OFF_LN2_B)]], [[NULL, NULL]]),
  m4_ifelse(MM_HIDDEN_DIMS, 0, [[NULL, NULL]], [[W(MM_OFF_PRE_LOGITS_W), W(MM_OFF_PRE_LOGITS_B)]]),
  m4_ifelse(MM_HAS_HEAD, 1, [[W(MM_OFF_HEAD_W), W(MM_OFF_HEAD_B)]], [[NULL, NULL]]),
};

/* ---- epilogues: run on each finished C tile; element (t, n) at c[t * ts + n * ns] ---- */

/* + bias[n] */
MMRT_MAYBE_UNUSED static void epi_bias(const void *ctx, float *c, int ts, int ns, int t0,
    int mt, int n0, int nn) {
  const float *b = (const float *)ctx + n0;
  (void)t0;
  for (int t = 0; t < mt; t++)
    for (int n = 0; n < nn; n++) c[(size_t)t * ts + n * ns] += b[n];
}

/* GELU(. + bias[n]), exact erf form; C is fc2's activation panels (ts = 1) */
MMRT_MAYBE_UNUSED static void epi_bias_gelu(const void *ctx, float *c, int ts, int ns, int t0,
    int mt, int n0, int nn) {
  const float *b = (const float *)ctx + n0;
  (void)t0;
  if (ts == 1 && ns == MMRT_XR && mt == MMRT_XR) {
    /* a full tile of panels is nn * XR contiguous floats: bias, then GELU in one flat loop */
    for (int n = 0; n < nn; n++)
      for (int t = 0; t < MMRT_XR; t++) c[n * MMRT_XR + t] += b[n];
    for (int e = 0; e < nn * MMRT_XR; e++) c[e] = mmrt_gelu(c[e]);
    return;
  }
  for (int n = 0; n < nn; n++)
    for (int t = 0; t < mt; t++)
      c[(size_t)n * ns + t * ts] = mmrt_gelu(c[(size_t)n * ns + t * ts] + b[n]);
}

/* tanh(. + bias[n]) (head pre_logits) */
MMRT_MAYBE_UNUSED static void epi_bias_tanh(const void *ctx, float *c, int ts, int ns, int t0,
    int mt, int n0, int nn) {
  const float *b = (const float *)ctx + n0;
  (void)t0;
  for (int t = 0; t < mt; t++)
    for (int n = 0; n < nn; n++)
      c[(size_t)t * ts + n * ns] = tanhf(c[(size_t)t * ts + n * ns] + b[n]);
}

/* + pos[t][n] (position embedding of patch row t, conv bias folded in) */
MMRT_MAYBE_UNUSED static void epi_pos(const void *ctx, float *c, int ts, int ns, int t0,
    int mt, int n0, int nn) {
  const float *p = (const float *)ctx + (size_t)t0 * EMBED_DIMS + n0;
  for (int t = 0; t < mt; t++)
    for (int n = 0; n < nn; n++) c[(size_t)t * ts + n * ns] += p[(size_t)t * EMBED_DIMS + n];
}

/* ---- one function per operation shape ---- */

/* patches of the image [IN_CHANNELS, IN_H, IN_W] -> activation panels p0..p1-1 of
 * [PATCHES, PATCH_K] (im2col straight into the packed layout; rows past the image are 0) */
static void pack_patches(float *xp, const float *img, int p0, int p1) {
  const int R = MMRT_XR, ps = MMRT_PANEL_FLOATS(PATCH_K, MMRT_XR);
  for (int p = p0; p < p1; p++) {
    float *d = xp + (size_t)p * ps;
    for (int r = 0; r < R; r++) {
      const int i = p * R + r, gy = i / GRID_W, gx = i % GRID_W;
      for (int c = 0; c < IN_CHANNELS; c++)
        for (int ky = 0; ky < PATCH; ky++) {
          const int y = gy * PATCH + ky;
          for (int kx = 0; kx < PATCH; kx++) {
            const int x = gx * PATCH + kx, k = (c * PATCH + ky) * PATCH + kx;
            d[k * R + r] = i < PATCHES && y < IN_H && x < IN_W
                               ? img[((size_t)c * IN_H + y) * IN_W + x] : 0.0f;
          }
        }
    }
    for (int k = PATCH_K * R; k < ps; k++) d[k] = 0.0f;
  }
}

/* [PATCHES, PATCH_K] -> [PATCHES, EMBED_DIMS] patch embedding + pos_embed, rows 1.. of x */
static void patch_embed(float *x, const float *xp, int tid, int nt) {
  int j0, j1;
  mmrt_share(P_EMBED, tid, nt, &j0, &j1);
  mmrt_gemm(xp, PATCHES, weights.patch_w, EMBED_DIMS, PATCH_K, x + EXTRA_TOKENS * EMBED_DIMS,
            EMBED_DIMS, 0, j0, j1, epi_pos, weights.pos);
}

/* LayerNorm(x) -> activation panels: [TOKENS, EMBED_DIMS] */
static void pack_norm(float *xp, const float *x, const float *g, const float *b, int tid,
                      int nt) {
  int p0, p1;
  mmrt_share(MMRT_PANELS(TOKENS, MMRT_XR), tid, nt, &p0, &p1);
  mmrt_pack_layernorm(xp, x, EMBED_DIMS, TOKENS, EMBED_DIMS, g, b, NORM_EPS, p0, p1);
}

/* [TOKENS, EMBED_DIMS] -> [TOKENS, QKV_DIMS] qkv */
static void qkv(float *out, const float *xp, const layer_weights *w, int tid, int nt) {
  int j0, j1;
  mmrt_share(P_QKV, tid, nt, &j0, &j1);
  mmrt_gemm(xp, TOKENS, w->qkv_w, QKV_DIMS, EMBED_DIMS, out, QKV_DIMS, 0, j0, j1,
            m4_ifelse(MM_QKV_BIAS, 1, [[epi_bias, w->qkv_b]], [[NULL, NULL]]));
}

/* per head: K [TOKENS, HEAD_DIM] and V [TOKENS, HEAD_DIM] packed as weight operands */
static void pack_kv(float *kp, float *vp, const float *qkv, int tid, int nt) {
  int h0, h1;
  mmrt_share(HEADS, tid, nt, &h0, &h1);
  for (int h = h0; h < h1; h++) {
    mmrt_pack_rows(kp + (size_t)h * KP_HEAD, qkv + EMBED_DIMS + h * HEAD_DIM, QKV_DIMS,
                   TOKENS, HEAD_DIM, MMRT_WR, 0, P_KEYS);
    mmrt_pack_cols(vp + (size_t)h * VP_HEAD, qkv + 2 * EMBED_DIMS + h * HEAD_DIM, QKV_DIMS,
                   HEAD_DIM, TOKENS, MMRT_WR, 0, P_HEAD_DIM);
  }
}

/* softmax(q k^T) v per head and block of QBLOCK queries (q already scaled by
 * HEAD_DIM^-0.5 through the packed weights): [TOKENS, QKV_DIMS] -> [TOKENS, EMBED_DIMS],
 * written as proj's activation panels */
static void attention(float *xp, const float *qkv, const float *kp, const float *vp,
                      char *scratch, int tid, int nt) {
  float *qp = (float *)(scratch + ATT_QP), *s = (float *)(scratch + ATT_S);
  float *pp = (float *)(scratch + ATT_PP);
  int t0, t1;
  mmrt_share(HEADS * QBLOCKS, tid, nt, &t0, &t1);
  for (int task = t0; task < t1; task++) {
    const int h = task / QBLOCKS, q0 = task % QBLOCKS * QBLOCK;
    const int rows = TOKENS - q0 < QBLOCK ? TOKENS - q0 : QBLOCK;
    /* [rows, HEAD_DIM] x [TOKENS, HEAD_DIM]^T -> [rows, TOKENS] scores */
    mmrt_pack_rows(qp, qkv + (size_t)q0 * QKV_DIMS + h * HEAD_DIM, QKV_DIMS, rows, HEAD_DIM,
                   MMRT_XR, 0, MMRT_PANELS(rows, MMRT_XR));
    mmrt_gemm(qp, rows, kp + (size_t)h * KP_HEAD, TOKENS, HEAD_DIM, s, S_LD, 0, 0, P_KEYS,
              NULL, NULL);
    mmrt_softmax_pack(pp, s, S_LD, rows, TOKENS);
    /* [rows, TOKENS] x [TOKENS, HEAD_DIM] -> [rows, HEAD_DIM] into head h's columns */
    mmrt_gemm_panels(pp, rows, vp + (size_t)h * VP_HEAD, HEAD_DIM, TOKENS,
                     xp + (size_t)(q0 / MMRT_XR) * XP_PANEL + (size_t)h * HEAD_DIM * MMRT_XR,
                     XP_PANEL, 0, P_HEAD_DIM, NULL, NULL);
  }
}

/* x += [TOKENS, EMBED_DIMS] -> [TOKENS, EMBED_DIMS] proj (+ bias) */
static void proj(float *x, const float *xp, const layer_weights *w, int tid, int nt) {
  int j0, j1;
  mmrt_share(P_EMBED, tid, nt, &j0, &j1);
  mmrt_gemm(xp, TOKENS, w->proj_w, EMBED_DIMS, EMBED_DIMS, x, EMBED_DIMS, 1, j0, j1, epi_bias,
            w->proj_b);
}

/* [TOKENS, EMBED_DIMS] -> [TOKENS, FFN_DIMS] GELU(fc1), written as fc2's activation panels */
static void fc1(float *hp, const float *xp, const layer_weights *w, int tid, int nt) {
  int j0, j1;
  mmrt_share(P_FFN, tid, nt, &j0, &j1);
  mmrt_gemm_panels(xp, TOKENS, w->fc1_w, FFN_DIMS, EMBED_DIMS, hp, HP_PANEL, j0, j1,
                   epi_bias_gelu, w->fc1_b);
}

/* x += [TOKENS, FFN_DIMS] -> [TOKENS, EMBED_DIMS] fc2 (+ bias) */
static void fc2(float *x, const float *xp, const layer_weights *w, int tid, int nt) {
  int j0, j1;
  mmrt_share(P_EMBED, tid, nt, &j0, &j1);
  mmrt_gemm(xp, TOKENS, w->fc2_w, EMBED_DIMS, FFN_DIMS, x, EMBED_DIMS, 1, j0, j1, epi_bias,
            w->fc2_b);
}

/* [1, K] -> [1, N] with a packed [N, K] weight; epilogue on the result */
static void vector_product(float *out, const float *xp, const float *w, int N, int K,
                           mmrt_epilogue epi, const float *b, int tid, int nt) {
  int j0, j1;
  mmrt_share(MMRT_PANELS(N, MMRT_WR), tid, nt, &j0, &j1);
  mmrt_gemm(xp, 1, w, N, K, out, N, 0, j0, j1, epi, b);
}

/* ---- the forward pass of one image ---- */

typedef struct forward_ctx {
  const float *in;       /* n x [IN_CHANNELS, IN_H, IN_W] */
  float *out;            /* n x [OUTPUT_DIMS] */
  int n;
  char *ws;
} forward_ctx;

static void forward_image(const float *img, float *out, char *ws, mmrt_team *team, int tid) {
  const int nt = team->n;
  float *x = (float *)(ws + WS_X), *xp = (float *)(ws + WS_XP);
  float *qkvb = (float *)(ws + WS_QKV), *kp = (float *)(ws + WS_KP);
  float *vp = (float *)(ws + WS_VP), *hp = (float *)(ws + WS_HP);
  float *feat = (float *)(ws + WS_FEAT), *hid = (float *)(ws + WS_HID);
  char *scratch = ws + WS_ATT + (size_t)tid * ATT_BYTES;
  int p0, p1;
  (void)hid;

  /* patch embedding: [MM_IN_CHANNELS,MM_IN_H,MM_IN_W] -> [MM_PATCHES,MM_PATCH_K] -> [MM_PATCHES,MM_EMBED_DIMS] (+ pos_embed) */
  mmrt_share(MMRT_PANELS(PATCHES, MMRT_XR), tid, nt, &p0, &p1);
  pack_patches(xp, img, p0, p1);
  mmrt_team_barrier(team);
  patch_embed(x, xp, tid, nt);
m4_ifelse(MM_EXTRA_TOKENS, 1, [[m4_dnl
  if (tid == 0) memcpy(x, weights.cls_pos, EMBED_DIMS * sizeof(float)); /* class token row */
]])m4_dnl
  mmrt_team_barrier(team);
m4_ifelse(MM_PRE_NORM, 1, [[m4_dnl

  /* pre_norm: LayerNorm [MM_TOKENS,MM_EMBED_DIMS] in place */
  mmrt_share(TOKENS, tid, nt, &p0, &p1);
  mmrt_layernorm_rows(x, EMBED_DIMS, EMBED_DIMS, weights.pre_norm_w, weights.pre_norm_b,
                      NORM_EPS, p0, p1);
  mmrt_team_barrier(team);
]])m4_dnl

  for (int l = 0; l < LAYERS; l++) {
    const layer_weights *w = &weights.layers[l];

    /* attention: x += proj(attn(ln1(x))) */
    pack_norm(xp, x, w->ln1_w, w->ln1_b, tid, nt);   /* [MM_TOKENS,MM_EMBED_DIMS] ln1 */
    mmrt_team_barrier(team);
    qkv(qkvb, xp, w, tid, nt);                       /* [MM_TOKENS,MM_EMBED_DIMS] -> [MM_TOKENS,MM_QKV_DIMS] qkv */
    mmrt_team_barrier(team);
    pack_kv(kp, vp, qkvb, tid, nt);                  /* MM_HEADS x k, v [MM_TOKENS,MM_HEAD_DIM] */
    mmrt_team_barrier(team);
    attention(xp, qkvb, kp, vp, scratch, tid, nt);   /* MM_HEADS x softmax([MM_TOKENS,MM_TOKENS]) v -> [MM_TOKENS,MM_EMBED_DIMS] */
    mmrt_team_barrier(team);
    proj(x, xp, w, tid, nt);                         /* x += [MM_TOKENS,MM_EMBED_DIMS] -> [MM_TOKENS,MM_EMBED_DIMS] proj */
    mmrt_team_barrier(team);

    /* feed-forward: x += fc2(GELU(fc1(ln2(x)))) */
    pack_norm(xp, x, w->ln2_w, w->ln2_b, tid, nt);   /* [MM_TOKENS,MM_EMBED_DIMS] ln2 */
    mmrt_team_barrier(team);
    fc1(hp, xp, w, tid, nt);                         /* [MM_TOKENS,MM_EMBED_DIMS] -> [MM_TOKENS,MM_FFN_DIMS] GELU(fc1) */
    mmrt_team_barrier(team);
    fc2(x, hp, w, tid, nt);                          /* x += [MM_TOKENS,MM_FFN_DIMS] -> [MM_TOKENS,MM_EMBED_DIMS] fc2 */
    mmrt_team_barrier(team);
  }

m4_ifelse(MM_POOL, cls, [[m4_dnl
  /* class token: [TOKENS, EMBED_DIMS] -> [FEAT_DIMS] (m4_ifelse(MM_FINAL_NORM, 1, [[final norm ln1 on it]], [[no final norm]])) */
  if (tid == 0) {
    memcpy(feat, x, EMBED_DIMS * sizeof(float));
m4_ifelse(MM_FINAL_NORM, 1, [[m4_dnl
    mmrt_layernorm_rows(feat, EMBED_DIMS, EMBED_DIMS, weights.ln1_w, weights.ln1_b, NORM_EPS, 0, 1);
]])m4_dnl
  }
]], MM_POOL, avg, [[m4_dnl
m4_ifelse(MM_FINAL_NORM, 1, [[m4_dnl
  /* final norm ln1 on the patch tokens */
  mmrt_share(PATCHES, tid, nt, &p0, &p1);
  mmrt_layernorm_rows(x + EXTRA_TOKENS * EMBED_DIMS, EMBED_DIMS, EMBED_DIMS, weights.ln1_w,
                      weights.ln1_b, NORM_EPS, p0, p1);
  mmrt_team_barrier(team);
]])m4_dnl
  /* mean of the patch tokens: [PATCHES, EMBED_DIMS] -> [FEAT_DIMS]m4_ifelse(MM_AVG_NORM, 1, [[, then ln2]]) */
  mmrt_share(EMBED_DIMS, tid, nt, &p0, &p1);
  for (int d = p0; d < p1; d++) {
    float s = 0.0f;
    for (int t = EXTRA_TOKENS; t < TOKENS; t++) s += x[(size_t)t * EMBED_DIMS + d];
    feat[d] = s / (float)PATCHES;
  }
m4_ifelse(MM_AVG_NORM, 1, [[m4_dnl
  mmrt_team_barrier(team);
  if (tid == 0)
    mmrt_layernorm_rows(feat, EMBED_DIMS, EMBED_DIMS, weights.ln2_w, weights.ln2_b, NORM_EPS, 0, 1);
]])m4_dnl
]])m4_dnl
  mmrt_team_barrier(team);
m4_ifelse(MM_HAS_HEAD, 1, [[m4_dnl
m4_ifelse(MM_HIDDEN_DIMS, 0, [[m4_dnl

  /* head: [FEAT_DIMS] -> [OUTPUT_DIMS] logits */
  if (tid == 0) mmrt_pack_rows(xp, feat, FEAT_DIMS, 1, FEAT_DIMS, MMRT_XR, 0, 1);
  mmrt_team_barrier(team);
  vector_product(out, xp, weights.head_w, OUTPUT_DIMS, FEAT_DIMS, epi_bias, weights.head_b, tid, nt);
]], [[m4_dnl

  /* head: [FEAT_DIMS] -> [HIDDEN_DIMS] tanh(pre_logits) -> [OUTPUT_DIMS] logits */
  if (tid == 0) mmrt_pack_rows(xp, feat, FEAT_DIMS, 1, FEAT_DIMS, MMRT_XR, 0, 1);
  mmrt_team_barrier(team);
  vector_product(hid, xp, weights.pre_logits_w, HIDDEN_DIMS, FEAT_DIMS, epi_bias_tanh,
                 weights.pre_logits_b, tid, nt);
  mmrt_team_barrier(team);
  if (tid == 0) mmrt_pack_rows(xp, hid, HIDDEN_DIMS, 1, HIDDEN_DIMS, MMRT_XR, 0, 1);
  mmrt_team_barrier(team);
  vector_product(out, xp, weights.head_w, OUTPUT_DIMS, HIDDEN_DIMS, epi_bias, weights.head_b, tid, nt);
]])m4_dnl
  mmrt_team_barrier(team);
]], [[m4_dnl

  /* headless: the features are the output */
  if (tid == 0) memcpy(out, feat, OUTPUT_DIMS * sizeof(float));
]])m4_dnl
}

static void forward_team(void *arg, mmrt_team *team, int tid) {
  const forward_ctx *f = arg;
  for (int i = 0; i < f->n; i++)
    forward_image(f->in + (size_t)i * IN_CHANNELS * IN_H * IN_W, f->out + (size_t)i * OUTPUT_DIMS,
                  f->ws, team, tid);
}

/* Called by api.c after the argument and CPU checks. */
void mm_forward(const float *in, int n, float *out, void *workspace, int num_threads) {
  forward_ctx f = {in, out, n, workspace};
  mmrt_team_run(num_threads, forward_team, &f);
}
