/* cmd_inspect.c: 'mmcc inspect': the model card (metafile facts + model description, model.h)
 * as one JSON object on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "model.h"
#include "model_pipe.h"
#include "model_resnet.h"
#include "util.h"

static const char inspect_help[] =
    "usage: mmcc inspect METAFILE MODEL [--root DIR] [--input-size H[xW]] [--tensors]\n"
    "       mmcc inspect CONFIG.py [--input-size H[xW]] [--tensors]\n"
    "\n"
    "Prints the model card as JSON: the metafile facts (name, config, weights, flops,\n"
    "metafile_parameters, top1, top5, training_data) and the typed model description\n"
    "(backbone, neck, head, preprocess) with patch_size, input_size [H, W], mean and std (RGB\n"
    "order when the config converts to RGB) and the computed parameter count 'parameters'.\n"
    "'config' is the metafile's Config string (or CONFIG.py as given), 'config_path' the\n"
    "file actually read. 'buildable' says whether 'mmcc build' compiles this model yet;\n"
    "when not, 'not_yet_compiled' names the config key it cannot lower (the model is still\n"
    "described fully, and 'mmcc check' validates its checkpoints).\n"
    "\n"
    "  --root DIR          directory the metafile's Config paths are relative to (default: the\n"
    "                      nearest ancestor of the metafile under which the config exists)\n"
    "  --input-size H[xW]  compile for this input geometry instead of the test crop size;\n"
    "                      the test pipeline is adapted (with a warning, as this departs from\n"
    "                      the config): crop := HxW, resize scale S := S * max(H, W) /\n"
    "                      max(crop), rounded half up, at least max(H, W)\n"
    "  --tensors           also list the model's parameters (state-dict names and shapes)\n"
    "\n"
    "exit status: 0 success, 1 bad input (metafile, config: the message names the file and\n"
    "place; an unknown MODEL lists the nearest names), 2 usage.\n";

static const char *out_type_name(vit_out_type t) {
  switch (t) {
  case VIT_OUT_CLS_TOKEN: return "cls_token";
  case VIT_OUT_FEATMAP: return "featmap";
  case VIT_OUT_AVG_FEATMAP: return "avg_featmap";
  case VIT_OUT_RAW: return "raw";
  }
  return "?";
}

static const char *backbone_name(backbone_kind k) {
  switch (k) {
  case BB_VIT: return "VisionTransformer";
  case BB_DEIT_DISTILLED: return "DistilledVisionTransformer";
  case BB_DEIT3: return "DeiT3";
  case BB_MOCOV3: return "MoCoV3ViT";
  }
  return "?";
}

static const char *head_name(head_kind k) {
  switch (k) {
  case HEAD_VIT_CLS: return "VisionTransformerClsHead";
  case HEAD_DEIT: return "DeiTClsHead";
  case HEAD_LINEAR: return "LinearClsHead";
  case HEAD_NONE: break;
  }
  return "?";
}

static void put_float(strbuf *b, double v) {
  char f[32];
  fmt_py_float(f, v);
  sb_puts(b, f);
}

static void put_triple(strbuf *b, const double v[3]) {
  sb_puts(b, "[");
  for (int i = 0; i < 3; i++) {
    if (i) sb_puts(b, ", ");
    put_float(b, v[i]);
  }
  sb_puts(b, "]");
}

static const char *bool_s(int v) { return v ? "true" : "false"; }

static void card_json(const model_desc *m, int tensors, strbuf *b) {
  sb_puts(b, "{\n  \"name\": ");
  json_put_opt_string(b, m->name);
  /* config: the metafile's Config string (as `mmcc list` shows it), or CONFIG.py as given;
   * config_path: the file actually opened (under --root or the found repository root) */
  sb_puts(b, ",\n  \"config\": ");
  json_put_opt_string(b, m->metafile_config ? m->metafile_config : m->config_path);
  sb_puts(b, ",\n  \"config_path\": ");
  json_put_opt_string(b, m->config_path);
  sb_puts(b, ",\n  \"metafile\": ");
  json_put_opt_string(b, m->metafile);
  sb_puts(b, ",\n  \"weights\": ");
  json_put_opt_string(b, m->weights_url);
  sb_puts(b, ",\n  \"flops\": ");
  json_put_opt_count(b, m->flops);
  sb_puts(b, ",\n  \"metafile_parameters\": ");
  json_put_opt_count(b, m->metafile_parameters);
  sb_printf(b, ",\n  \"parameters\": %lld", m->parameters);
  sb_puts(b, ",\n  \"top1\": ");
  json_put_opt_float(b, m->top1);
  sb_puts(b, ",\n  \"top5\": ");
  json_put_opt_float(b, m->top5);
  sb_puts(b, ",\n  \"training_data\": ");
  if (!m->training_data) sb_puts(b, "null");
  else {
    sb_puts(b, "[");
    for (char **t = m->training_data; *t; t++) {
      if (t != m->training_data) sb_puts(b, ", ");
      json_put_opt_string(b, *t);
    }
    sb_puts(b, "]");
  }
  sb_printf(b, ",\n  \"patch_size\": %d", m->patch_size);
  sb_printf(b, ",\n  \"input_size\": [%d, %d]", m->input_size[0], m->input_size[1]);
  sb_puts(b, ",\n  \"mean\": ");
  put_triple(b, m->mean);
  sb_puts(b, ",\n  \"std\": ");
  put_triple(b, m->std);

  if (m->resnet) {
    sb_puts(b, ",\n  \"backbone\": ");
    resnet_json(m->resnet, b);
    goto neck;
  }
  sb_printf(b, ",\n  \"backbone\": {\"type\": \"%s\", \"arch\": ", backbone_name(m->backbone));
  json_put_opt_string(b, m->arch);
  sb_printf(b, ", \"embed_dims\": %d, \"num_layers\": %d, \"num_heads\": %d, "
               "\"feedforward_channels\": %d, \"img_size\": [%d, %d], \"patch_size\": %d, "
               "\"in_channels\": %d, \"qkv_bias\": %s, \"pre_norm\": %s, \"patch_bias\": %s, "
               "\"final_norm\": %s, \"with_cls_token\": %s, \"num_extra_tokens\": %d, "
               "\"out_type\": \"%s\", \"avg_norm\": %s, \"norm_eps\": ",
            m->embed_dims, m->num_layers, m->num_heads, m->feedforward_channels, m->img_size[0],
            m->img_size[1], m->patch_size, m->in_channels, bool_s(m->qkv_bias),
            bool_s(m->pre_norm), bool_s(m->patch_bias), bool_s(m->final_norm),
            bool_s(m->with_cls_token), m->num_extra_tokens, out_type_name(m->out_type),
            bool_s(m->avg_norm));
  put_float(b, m->norm_eps);
  sb_puts(b, ", \"layer_scale_init_value\": ");
  put_float(b, m->layer_scale_init_value);
  sb_puts(b, ", \"interpolate_mode\": ");
  json_put_opt_string(b, m->interpolate_mode);
  sb_printf(b, ", \"out_index\": %d, \"dist_token\": %s, \"pos_embed_extra_rows\": %d, "
               "\"pos_before_tokens\": %s, \"pre_norm_used\": %s, \"ffn_norm_ln1\": %s}",
            m->out_index, bool_s(m->dist_token), m->pos_extra, bool_s(m->pos_before_tokens),
            bool_s(m->pre_norm_used), bool_s(m->ffn_norm_ln1));

neck:
  if (m->neck == NECK_CLS_BN) {
    sb_printf(b, ",\n  \"neck\": \"ClsBatchNormNeck\",\n  \"neck_bn\": {\"input_features\": %d, "
                 "\"affine\": %s, \"eps\": ", m->neck_in_channels, bool_s(m->neck_affine));
    put_float(b, m->neck_eps);
    sb_puts(b, "}");
  } else {
    sb_printf(b, ",\n  \"neck\": %s",
              m->neck == NECK_GAP ? "\"GlobalAveragePooling\"" : "null");
  }
  if (m->head == HEAD_NONE) sb_puts(b, ",\n  \"head\": null");
  else {
    sb_printf(b, ",\n  \"head\": {\"type\": \"%s\", \"num_classes\": %d, \"in_channels\": %d",
              head_name(m->head), m->num_classes, m->head_in_channels);
    if (m->head != HEAD_LINEAR && m->hidden_dim > 0)
      sb_printf(b, ", \"hidden_dim\": %d, \"act\": \"Tanh\"}", m->hidden_dim);
    else
      sb_puts(b, ", \"hidden_dim\": null, \"act\": null}");
  }
  sb_printf(b, ",\n  \"output_dim\": %d", m->output_dim);
  /* what mmcc build would say (model_check_buildable) */
  sb_puts(b, ",\n  \"buildable\": ");
  sb_puts(b, m->nyc_what ? "false" : "true");
  sb_puts(b, ",\n  \"not_yet_compiled\": ");
  json_put_opt_string(b, m->nyc_what);

  sb_puts(b, ",\n  \"preprocess\": {\"resize\": ");
  if (!m->resize_scale) sb_puts(b, "null");
  else {
    sb_printf(b, "{\"scale\": %d, \"edge\": \"%s\", \"backend\": ", m->resize_scale,
              model_pipe_edge_name(m->resize_edge));
    json_put_opt_string(b, m->resize_backend);
    sb_puts(b, ", \"interpolation\": ");
    json_put_opt_string(b, m->resize_interp);
    sb_puts(b, "}");
  }
  if (m->crop_size[0]) sb_printf(b, ", \"crop_size\": [%d, %d]", m->crop_size[0], m->crop_size[1]);
  else sb_puts(b, ", \"crop_size\": null");
  sb_printf(b, ", \"normalize\": \"%s\", \"mean\": ",
            m->norm == NORM_NONE ? "none" : m->norm == NORM_MMCV ? "mmcv" : "div");
  put_triple(b, m->mean);
  sb_puts(b, ", \"std\": ");
  put_triple(b, m->std);
  sb_printf(b, ", \"to_rgb\": %s}", bool_s(m->to_rgb));

  if (tensors) {
    param_spec *ps;
    size_t n = model_params(m, &ps);
    sb_puts(b, ",\n  \"tensors\": [");
    for (size_t i = 0; i < n; i++) {
      sb_puts(b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
      json_put_opt_string(b, ps[i].name);
      sb_puts(b, ", \"shape\": [");
      for (int d = 0; d < ps[i].ndim; d++) sb_printf(b, d ? ", %lld" : "%lld", ps[i].shape[d]);
      sb_puts(b, ps[i].buffer ? "], \"buffer\": true}" : "]}");
    }
    sb_puts(b, "\n  ]");
    model_params_free(ps, n);
  }
  sb_puts(b, "\n}\n");
}

/* "H" or "HxW", each in 1..8192. */
static int parse_size(const char *s, int out[2]) {
  char *end;
  long h = strtol(s, &end, 10), w = h;
  if (end == s) return -1;
  if (*end == 'x' || *end == 'X') {
    const char *p = end + 1;
    w = strtol(p, &end, 10);
    if (end == p) return -1;
  }
  if (*end || h <= 0 || w <= 0 || h > 8192 || w > 8192) return -1;
  out[0] = (int)h;
  out[1] = (int)w;
  return 0;
}

int cmd_inspect(int argc, char **argv) {
  const char *pos[3] = {NULL, NULL, NULL}, *root = NULL;
  int npos = 0, tensors = 0, size[2] = {0, 0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (is_help(a)) {
      fputs(inspect_help, stdout);
      return 0;
    }
    if (!strcmp(a, "--root") || !strcmp(a, "--input-size")) {
      if (i + 1 >= argc) return usage_error("inspect", "%s needs a value", a);
      const char *v = argv[++i];
      if (a[2] == 'r') root = v;
      else if (parse_size(v, size))
        return usage_error("inspect", "bad --input-size '%s' (want H or HxW, 1..8192)", v);
    } else if (!strcmp(a, "--tensors")) {
      tensors = 1;
    } else if (!strcmp(a, "--json")) {
      /* the card is always JSON */
    } else if (a[0] == '-' && a[1]) {
      return usage_error("inspect", "unknown option '%s'", a);
    } else if (npos < 3) {
      pos[npos++] = a;
    } else {
      return usage_error("inspect", "too many arguments");
    }
  }
  size_t n0 = pos[0] ? strlen(pos[0]) : 0;
  int config_mode = npos == 1 && n0 > 3 && !strcmp(pos[0] + n0 - 3, ".py");
  if (npos == 0) return usage_error("inspect", "missing METAFILE MODEL or CONFIG.py");
  if (npos >= 2 && n0 > 3 && !strcmp(pos[0] + n0 - 3, ".py"))
    return usage_error("inspect", "'%s' is a config file: 'mmcc inspect CONFIG.py' takes no "
                                  "MODEL argument (a model name goes with a METAFILE)", pos[0]);
  if (!config_mode && npos != 2)
    return usage_error("inspect", npos == 1 ? "missing MODEL (or give a CONFIG.py)"
                                            : "too many arguments");
  if (config_mode && root) return usage_error("inspect", "--root applies to METAFILE MODEL only");
  model_desc m;
  if (config_mode ? model_from_config(pos[0], &m) : model_from_metafile(pos[0], pos[1], root, &m))
    return 1;
  if (size[0]) model_set_input_size(&m, size[0], size[1]);
  strbuf b;
  sb_init(&b);
  card_json(&m, tensors, &b);
  fputs(b.s, stdout);
  sb_free(&b);
  model_free(&m);
  return 0;
}
