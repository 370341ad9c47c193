# Golden checks of 'mmcc list', 'mmcc inspect' and 'mmcc config' on the bundled model zoo
# (configs/clip, 0.x dataset layout) and its 1.x-style twin (tests/configs-1x), plus the model
# fixtures of tests/models (parameter counts from upstream metafiles) and every front-end
# error with its file:line:col. Expected values come from the upstream facts (issue 2,
# configs/clip/metafile.yml as published), PyYAML and an independent Python resolution of the
# zoo's config files -- never from mmcc itself.
. "$ROOT/tests/lib.sh"
cd "$ROOT" || exit 1

ZOO=configs/clip/metafile.yml
ZOO1=tests/configs-1x/configs/clip/metafile.yml
# the plan: one check per zoo config file (0.x and 1.x layouts), 111 fixed checks
plan $(( $(ls configs/clip/*.py tests/configs-1x/configs/clip/*.py | wc -l) + 111 ))

# pyjson NAME FILE PYTHON: run PYTHON with `d` = the JSON document in FILE; the check passes
# when PYTHON prints nothing, else its output is the failure reason.
pyjson() {
  local n=$1 f=$2 code=$3 why
  why=$("$PY" -c "
import json, sys
d = json.load(open(sys.argv[1]))
$code" "$f" 2>&1)
  local rc=$?
  if [ $rc -eq 0 ] && [ -z "$why" ]; then ok "$n"
  else fail "$n" "exit $rc: $(echo "$why" | tail -n 3 | tr '\n' ' ')"; fi
}

# The 14 CLIP models: name -> patch, input size (from the model names and issue 2).
MODELS=$("$PY" - "$ZOO" <<'EOF'
import sys, yaml
for m in yaml.safe_load(open(sys.argv[1]))['Models']:
    print(m['Name'])
EOF
)
n_models=$(echo "$MODELS" | wc -l)
[ "$n_models" -eq 14 ] && ok zoo-metafile-has-14-models || fail zoo-metafile-has-14-models "$n_models"

# ---------------------------------------------------------------- mmcc list
for z in "$ZOO" "$ZOO1"; do
  tag=$(echo "$z" | tr '/' '_')
  if $MMCC list "$z" --json >"$OUT/list-$tag.json" 2>"$OUT/list-$tag.err"; then
    pyjson "list-json-vs-pyyaml-$tag" "$OUT/list-$tag.json" "
import yaml
ms = yaml.safe_load(open('$z'))['Models']
assert len(d) == 14, len(d)
for g, m in zip(d, ms):
    md = m['Metadata']; r = m['Results'][0]['Metrics']
    want = dict(name=m['Name'], config=m['Config'], weights=m['Weights'],
                parameters=md['Parameters'], flops=md['FLOPs'], top1=r['Top 1 Accuracy'],
                top5=r['Top 5 Accuracy'], training_data=md['Training Data'])
    for k, v in want.items():
        if g[k] != v: print(g['name'], k, g[k], '!=', v)
"
  else
    fail "list-json-$tag" "$(head -c 300 "$OUT/list-$tag.err")"
  fi
done
pyjson list-json-golden "$OUT/list-configs_clip_metafile.yml.json" "
p16 = [m for m in d if 'p16' in m['name']]; p32 = [m for m in d if 'p32' in m['name']]
assert len(p16) == 8 and len(p32) == 6, (len(p16), len(p32))
assert all(m['parameters'] == 86568424 for m in p16)
assert all(m['parameters'] == 88225000 for m in p32)
m = [m for m in d if m['name'] == 'clip-vit-base-p16_openai-pre_3rdparty_in1k-384px'][0]
assert m == {'name': 'clip-vit-base-p16_openai-pre_3rdparty_in1k-384px',
             'config': 'configs/clip/vit-base-p16_pt-64xb64_in1k-384px.py',
             'weights': 'https://download.openmmlab.com/mmclassification/v0/clip/clip-vit-base-p16_openai-pre_3rdparty_in1k-384px_20221220-eb012e87.pth',
             'parameters': 86568424, 'flops': 49370078208, 'top1': 86.25, 'top5': 97.9,
             'training_data': ['OpenAI', 'ImageNet-1k'], 'collection': 'CLIP'}, m
"
if $MMCC list "$ZOO" >"$OUT/list.txt" 2>"$OUT/list.err" &&
   grep -q '^clip-vit-base-p32_openai-pre_3rdparty_in1k  *88225000  *4364335104  *81.77  *95.89  *configs/clip/vit-base-p32_pt-64xb64_in1k.py$' "$OUT/list.txt" &&
   [ "$(grep -c '^clip-vit' "$OUT/list.txt")" -eq 14 ] && [ ! -s "$OUT/list.err" ]; then
  ok list-table
else
  fail list-table "$(head -c 300 "$OUT/list.txt" "$OUT/list.err")"
fi

# Collections inheritance, unknown keys, absent/null values, a model without Config.
MIXED=tests/models/meta/mixed.yml
if $MMCC list "$MIXED" --json >"$OUT/mixed.json" 2>"$OUT/mixed.err"; then
  pyjson list-mixed "$OUT/mixed.json" "
assert [m['name'] for m in d] == ['deit-tiny-test', 'no-config', 'custom', 'missing-file'], d
a, b, c, e = d
assert a == {'name': 'deit-tiny-test', 'config': 'tests/models/deit-tiny.py',
             'weights': 'https://example.invalid/deit-tiny.pth', 'parameters': 5717416,
             'flops': 1258219200, 'top1': 74.5, 'top5': 92.24,
             'training_data': ['ImageNet-1k'], 'collection': 'Tiny'}, a
assert b['config'] is None and b['parameters'] is None and b['top1'] is None, b
assert c['training_data'] == ['A', 'B'] and c['weights'] is None and c['flops'] is None, c
"
  grep -q -E 'mixed\.yml:23:5: warning: model .no-config. has no .Config.' "$OUT/mixed.err" &&
    ok list-mixed-warns-missing-config || fail list-mixed-warns-missing-config "$(cat "$OUT/mixed.err")"
else
  fail list-mixed "$(head -c 300 "$OUT/mixed.err")"
fi

# "missing ones reported" (issue 2; review #3): one warning per model and missing fact, at the
# model entry's line:col, computed here from PyYAML's node marks and model-index inheritance.
for z in "$MIXED" tests/models/meta/alias.yml "$ZOO"; do
  tag=$(basename "$z")
  $MMCC list "$z" >/dev/null 2>"$OUT/missing-$tag.err"
  why=$("$PY" - "$z" "$OUT/missing-$tag.err" 2>&1 <<'EOF' || echo "checker exited with status $?"
import sys, yaml
path, errf = sys.argv[1], sys.argv[2]
node = next(yaml.compose_all(open(path)))      # the first document, as mmcc reads it
doc = next(yaml.safe_load_all(open(path)))
colls = {c['Name']: c for c in doc.get('Collections') or []}
models = [v for k, v in node.value if k.value == 'Models'][0].value
want = []
for mn, m in zip(models, doc['Models']):
    md = dict((colls.get(m.get('In Collection'), {}).get('Metadata') or {}))
    md.update(m.get('Metadata') or {})
    top1 = any('Top 1 Accuracy' in (r.get('Metrics') or {}) for r in m.get('Results') or [])
    at = '%s:%d:%d: warning: model %r has no ' % (path, mn.start_mark.line + 1,
                                                  mn.start_mark.column + 1, m['Name'])
    for what, have in (("'Config'", m.get('Config')), ("'Weights'", m.get('Weights')),
                       ("'Metadata: Parameters'", md.get('Parameters') is not None),
                       ("'Metadata: FLOPs'", md.get('FLOPs') is not None),
                       ("'Results' with a 'Top 1 Accuracy'", top1)):
        if not have: want.append(at + what)
got = [l.rstrip('\n') for l in open(errf)]
if got != want: print('got', got, 'want', want)
EOF
)
  [ -z "$why" ] && ok "list-warns-missing-$tag" || fail "list-warns-missing-$tag" "$(echo "$why" | head -c 600)"
done
# a name used twice: list warns at the second entry; inspect refuses the ambiguous name
DUP=tests/models/meta/dup-name.yml
if $MMCC list "$DUP" --json >"$OUT/dup.json" 2>"$OUT/dup.err"; then
  grep -q -x "$DUP:14:5: warning: model name 'twin' is used twice (first at 4:5); 'mmcc inspect' refuses it as ambiguous" "$OUT/dup.err" &&
    [ "$(wc -l <"$OUT/dup.err")" -eq 1 ] && ok list-warns-duplicate-name ||
    fail list-warns-duplicate-name "$(head -c 400 "$OUT/dup.err")"
else
  fail list-warns-duplicate-name "exit $?: $(head -c 300 "$OUT/dup.err")"
fi
expect_error inspect-ambiguous-name "$DUP:14:5: error: model name 'twin' is ambiguous: models at 4:5 \(Config tests/models/deit-tiny\.py\) and 14:5 \(Config tests/models/vit-base-avg\.py\) both have it" \
  $MMCC inspect "$DUP" twin
if $MMCC inspect "$DUP" single >"$OUT/single.json" 2>"$OUT/single.err"; then
  pyjson inspect-unique-name-in-dup-file "$OUT/single.json" "assert d['config'] == 'tests/models/deit-small.py', d['config']"
else fail inspect-unique-name-in-dup-file "$(head -c 300 "$OUT/single.err")"; fi

# Every metafile fixture against PyYAML with model-index semantics (collection Metadata
# inherited, first result with a Top 1 Accuracy).
for z in "$ZOO" "$ZOO1" "$MIXED" tests/models/meta/alias.yml; do
  tag=$(basename "$(dirname "$z")")-$(basename "$z")
  if $MMCC list "$z" --json >"$OUT/pyyaml-$tag.json" 2>/dev/null; then
    pyjson "list-vs-pyyaml-$tag" "$OUT/pyyaml-$tag.json" "
import yaml
doc = yaml.safe_load_all(open('$z')).__next__()
colls = {c['Name']: c for c in doc.get('Collections') or []}
assert len(d) == len(doc['Models']), (len(d), len(doc['Models']))
for g, m in zip(d, doc['Models']):
    md = dict((colls.get(m.get('In Collection'), {}).get('Metadata') or {}))
    md.update(m.get('Metadata') or {})
    td = md.get('Training Data'); td = [] if td is None else [td] if isinstance(td, str) else td
    t1 = t5 = None
    for r in m.get('Results') or []:
        mt = r.get('Metrics') or {}
        if 'Top 1 Accuracy' in mt: t1, t5 = mt['Top 1 Accuracy'], mt.get('Top 5 Accuracy'); break
    want = dict(name=m['Name'], config=m.get('Config'), weights=m.get('Weights'),
                parameters=md.get('Parameters'), flops=md.get('FLOPs'), top1=t1, top5=t5,
                training_data=td, collection=m.get('In Collection'))
    if want != g: print(want, '!=', g)
"
  else
    fail "list-vs-pyyaml-$tag" "mmcc list failed"
  fi
done

# ---------------------------------------------------------------- mmcc inspect: the 14 models
for z in "$ZOO" "$ZOO1"; do
  gen=0x; [ "$z" = "$ZOO1" ] && gen=1x
  bad=""
  for name in $MODELS; do
    f="$OUT/inspect-$gen-$name.json"
    if ! $MMCC inspect "$z" "$name" >"$f" 2>"$OUT/inspect.err"; then
      bad="$bad $name: $(head -c 200 "$OUT/inspect.err")"; continue
    fi
    why=$("$PY" - "$f" "$name" "$gen" 2>&1 <<'EOF' || echo "checker exited with status $?"
import json, sys
d = json.load(open(sys.argv[1])); name = sys.argv[2]; gen = sys.argv[3]
patch = 16 if '-p16_' in name else 32
size = 384 if name.endswith('-384px') else 448 if name.endswith('-448px') else 224
params = {16: 86568424, 32: 88225000}[patch]
mean = [0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255]
std = [0.26862954 * 255, 0.26130258 * 255, 0.27577711 * 255]
sfx = '' if size == 224 else '-%dpx' % size
want = {'name': name, 'patch_size': patch, 'input_size': [size, size], 'mean': mean, 'std': std,
        'parameters': params, 'metafile_parameters': params,
        # config: the metafile's Config string; config_path: the file opened (review #5)
        'config': 'configs/clip/vit-base-p%d_pt-64xb64_in1k%s.py' % (patch, sfx),
        'config_path': ('tests/configs-1x/' if gen == '1x' else '') +
                       'configs/clip/vit-base-p%d_pt-64xb64_in1k%s.py' % (patch, sfx)}
bb = {'type': 'VisionTransformer', 'arch': 'b', 'embed_dims': 768, 'num_layers': 12,
      'num_heads': 12, 'feedforward_channels': 3072, 'img_size': [224, 224],
      'patch_size': patch, 'in_channels': 3, 'qkv_bias': True, 'pre_norm': True,
      'patch_bias': False, 'final_norm': True, 'with_cls_token': True, 'num_extra_tokens': 1,
      'out_type': 'cls_token', 'avg_norm': False, 'norm_eps': 1e-6,
      'layer_scale_init_value': 0.0, 'interpolate_mode': 'bicubic', 'out_index': 11,
      'dist_token': False, 'pos_embed_extra_rows': 1, 'pos_before_tokens': False,
      'pre_norm_used': True, 'ffn_norm_ln1': False}
pre = {'resize': {'scale': size, 'edge': 'short', 'backend': 'pillow',
                  'interpolation': 'bicubic'},
       'crop_size': [size, size], 'normalize': 'mmcv' if gen == '0x' else 'div',
       'mean': mean, 'std': std, 'to_rgb': True}
head = {'type': 'VisionTransformerClsHead', 'num_classes': 1000, 'in_channels': 768,
        'hidden_dim': None, 'act': None}
for k, v in want.items():
    if d.get(k) != v: print(k, d.get(k), '!=', v)
for k, v in [('backbone', bb), ('preprocess', pre), ('head', head), ('neck', None),
             ('output_dim', 1000)]:
    if d.get(k) != v: print(k, d.get(k), '!=', v)
if not (isinstance(d['flops'], int) and d['flops'] > 0 and d['weights'].endswith('.pth')
        and 80 < d['top1'] < 90 and d['training_data'][-1] == 'ImageNet-1k'):
    print('card', d['flops'], d['weights'], d['top1'], d['training_data'])
EOF
)
    [ -n "$why" ] && bad="$bad $name: $why"
  done
  [ -z "$bad" ] && ok "inspect-14-models-$gen" || fail "inspect-14-models-$gen" "$(echo "$bad" | head -c 600)"
done
# the golden value of the issue, as printed
grep -q '"mean": \[122.7709383, 116.7460125, 104.09373615000001\]' \
  "$OUT/inspect-0x-clip-vit-base-p16_openai-pre_3rdparty_in1k.json" &&
  ok inspect-mean-golden-text || fail inspect-mean-golden-text "$(grep '"mean"' "$OUT"/inspect-0x-clip-vit-base-p16_openai-pre_3rdparty_in1k.json)"

# state-dict names and shapes of CLIP ViT-B/16 (facts: checkpoint keys)
if $MMCC inspect "$ZOO" clip-vit-base-p16_openai-pre_3rdparty_in1k-384px --tensors >"$OUT/t.json" 2>"$OUT/t.err"; then
  pyjson inspect-tensors-clip-p16 "$OUT/t.json" "
t = {x['name']: x['shape'] for x in d['tensors']}
names = [x['name'] for x in d['tensors']]
assert len(t) == len(names), 'duplicate names'
want = {'backbone.cls_token': [1, 1, 768], 'backbone.pos_embed': [1, 197, 768],
        'backbone.patch_embed.projection.weight': [768, 3, 16, 16],
        'backbone.pre_norm.weight': [768], 'backbone.pre_norm.bias': [768],
        'backbone.layers.0.ln1.weight': [768], 'backbone.layers.0.attn.qkv.weight': [2304, 768],
        'backbone.layers.0.attn.qkv.bias': [2304], 'backbone.layers.11.attn.proj.weight': [768, 768],
        'backbone.layers.11.attn.proj.bias': [768], 'backbone.layers.5.ln2.bias': [768],
        'backbone.layers.5.ffn.layers.0.0.weight': [3072, 768],
        'backbone.layers.5.ffn.layers.0.0.bias': [3072],
        'backbone.layers.5.ffn.layers.1.weight': [768, 3072],
        'backbone.layers.5.ffn.layers.1.bias': [768], 'backbone.ln1.weight': [768],
        'backbone.ln1.bias': [768], 'head.layers.head.weight': [1000, 768],
        'head.layers.head.bias': [1000]}
for k, v in want.items():
    if t.get(k) != v: print(k, t.get(k), '!=', v)
assert 'backbone.patch_embed.projection.bias' not in t
assert len(t) == 3 + 12 * 12 + 2 + 2 + 2, len(t)  # cls, pos, conv; layers; pre_norm, ln1, head
import math
assert sum(math.prod(s) for s in t.values()) == 86568424
assert names[:3] == ['backbone.cls_token', 'backbone.pos_embed', 'backbone.patch_embed.projection.weight'], names[:3]
assert names[-2:] == ['head.layers.head.weight', 'head.layers.head.bias']
"
else
  fail inspect-tensors-clip-p16 "$(head -c 300 "$OUT/t.err")"
fi

# --input-size, CONFIG.py form, --root
# --input-size other than the crop (review #1): the compiled test pipeline is adapted so that
# it produces the new size (crop := input size; resize scale keeps the resize/crop ratio,
# S' = S * max(H, W) / max(crop), rounded half up, never below max(H, W)), with a warning.
# Reference: mmpretrain's ResizeEdge/Resize(size=(S, -1)) + CenterCrop arithmetic in Python,
# applied to image sizes (HxW) incl. odd differences and both orientations.
PIPE_SIM="
def resized(p, h, w):
    r = p['resize']
    if r is None: return h, w
    s = r['scale']
    by_w = (w < h) if r['edge'] == 'short' else (w > h)
    return (int(s * h / w), s) if by_w else (s, int(s * w / h))
def out_shape(p, h, w):
    rh, rw = resized(p, h, w)
    c = p['crop_size']
    if c is None: return rh, rw
    y0 = max(0, int(round((rh - c[0]) / 2.))); x0 = max(0, int(round((rw - c[1]) / 2.)))
    return min(y0 + c[0], rh) - y0, min(x0 + c[1], rw) - x0
from fractions import Fraction
def scale(s, big, ref): return max(big, int(Fraction(s * big, ref) + Fraction(1, 2)))
IMGS = [(375, 500), (500, 375), (301, 303), (303, 301), (480, 640), (1080, 1920), (224, 224)]
"
# input_size_case NAME ARGS... -- PYTHON: inspect with ARGS; PYTHON sees d (card) and err (stderr)
input_size_case() {
  local n=$1; shift
  local args=() code
  while [ "$1" != "--" ]; do args+=("$1"); shift; done
  code=$2
  if $MMCC inspect "${args[@]}" >"$OUT/$n.json" 2>"$OUT/$n.err"; then
    pyjson "$n" "$OUT/$n.json" "$PIPE_SIM
err = open('$OUT/$n.err').read()
p = d['preprocess']
$code"
  else fail "$n" "$(head -c 300 "$OUT/$n.err")"; fi
}
input_size_case inspect-input-size "$ZOO" clip-vit-base-p32_openai-pre_3rdparty_in1k --input-size 320x256 -- "
assert d['input_size'] == [320, 256], d['input_size']
assert p['crop_size'] == [320, 256] and p['resize']['scale'] == scale(224, 320, 224) == 320, p
assert d['parameters'] == 88225000
for h, w in IMGS: assert out_shape(p, h, w) == (320, 256), (h, w, out_shape(p, h, w))
want = ('configs/clip/vit-base-p32_pt-64xb64_in1k.py: warning: input size 320x256 (HxW) differs '
        \"from the test pipeline's output: the compiled test pipeline was adapted from (resize \"
        'short edge 224, crop 224x224) to (resize short edge 320, crop 320x256)')
assert err.startswith(want) and err.count('warning') == 1, err"
input_size_case inspect-config-py configs/clip/vit-base-p16_pt-64xb64_in1k-448px.py --input-size 512 -- "
assert d['name'] == 'vit-base-p16_pt-64xb64_in1k-448px', d['name']
assert d['config'] == d['config_path'] == 'configs/clip/vit-base-p16_pt-64xb64_in1k-448px.py', d
assert d['metafile'] is None and d['weights'] is None and d['metafile_parameters'] is None
assert d['input_size'] == [512, 512] and p['crop_size'] == [512, 512] and p['resize']['scale'] == 512, p
assert d['parameters'] == 86568424 and d['patch_size'] == 16
for h, w in IMGS: assert out_shape(p, h, w) == (512, 512), (h, w)
assert '(resize short edge 448, crop 448x448) to (resize short edge 512, crop 512x512)' in err, err"
# resize 256 / crop 224 keeps its ratio: 256 * 384 / 224 = 438.86 -> 439
input_size_case input-size-ratio-deit tests/models/deit-tiny.py --input-size 384 -- "
assert d['input_size'] == [384, 384] and p['crop_size'] == [384, 384], p
assert p['resize']['scale'] == scale(256, 384, 224) == 439, p
for h, w in IMGS: assert out_shape(p, h, w) == (384, 384), (h, w)
assert err.count('warning') == 1 and '(resize short edge 256, crop 224x224) to (resize short edge 439, crop 384x384)' in err, err"
# smaller than the crop, non-square: 256 * 160 / 224 = 182.86 -> 183
input_size_case input-size-smaller-deit tests/models/deit-tiny.py --input-size 160x96 -- "
assert p['crop_size'] == [160, 96] and p['resize']['scale'] == scale(256, 160, 224) == 183, p
for h, w in IMGS: assert out_shape(p, h, w) == (160, 96), (h, w)"
# an exact half rounds up: long edge 110, crop 96x64, input 72: 110 * 72 / 96 = 82.5 -> 83; a
# long-edge resize cannot fill the crop for typical images: second warning
input_size_case input-size-half-up-long-edge tests/models/vit-custom-0x.py --input-size 72 -- "
assert p['crop_size'] == [72, 72] and p['resize'] == dict(p['resize'], scale=83, edge='long'), p
assert scale(110, 72, 96) == 83
assert '(resize long edge 110, crop 96x64) to (resize long edge 83, crop 72x72)' in err, err
assert out_shape(p, 375, 500) != (72, 72)
assert 'typical images cannot give the 72x72 input' in err and 'classify_rgb8 will return the image-shape error' in err, err"
# no crop in the pipeline: the resize follows, and a warning says images are refused
input_size_case input-size-no-crop tests/models/headless-nonorm.py --input-size 96 -- "
assert d['input_size'] == [96, 96] and p['crop_size'] is None and p['resize']['scale'] == 96, p
assert out_shape(p, 96, 96) == (96, 96) and out_shape(p, 375, 500) != (96, 96)
assert '(resize short edge 64, no crop) to (resize short edge 96, no crop)' in err, err
assert 'a 300x400 image is resized to 96x128, and there is no crop): classify_rgb8 will return the image-shape error' in err, err"
# the crop size itself: nothing adapted, no warning
input_size_case input-size-same-as-crop "$ZOO" clip-vit-base-p16_openai-pre_3rdparty_in1k-384px --input-size 384x384 -- "
assert d['input_size'] == [384, 384] and p['crop_size'] == [384, 384] and p['resize']['scale'] == 384, p
assert err == '', err"
# End to end: a library built with --input-size 48x40 accepts images and preprocesses them as
# the adapted pipeline says (resize short edge 40 * 48 / 32 = 60, crop 48x40), compared with
# Pillow + numpy (mmpretrain's ResizeEdge / CenterCrop / data_preprocessor arithmetic). The
# pixels are passed as BGR (cv2's decode order): with to_rgb=False the backbone gets them as is.
E2E=$OUT/e2e
if "$MMCC" build tests/models/tiny-pipeline.py --weights random --input-size 48x40 --out "$E2E" >"$OUT/e2e.log" 2>&1; then
  cat >"$OUT/e2e.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "tiny_pipeline.h"
int main(int argc, char **argv) {
  static float pre[3 * 48 * 40], logits[10];
  void *ws = aligned_alloc(64, TINY_PIPELINE_WORKSPACE_BYTES);
  for (int i = 1; i + 1 < argc; i += 2) {
    int w = atoi(argv[i]), h = atoi(argv[i + 1]);
    unsigned char *px = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        for (int c = 0; c < 3; c++) px[(y * w + x) * 3 + c] = (unsigned char)((x * 7 + y * 13 + c * 29 + x * y) % 256);
    int rc1 = tiny_pipeline_preprocess_rgb8(px, w, h, 3 * w, TINY_PIPELINE_BGR, pre, ws);
    int rc2 = tiny_pipeline_classify_rgb8(px, w, h, 3 * w, TINY_PIPELINE_BGR, logits, ws, 1);
    printf("%d %d\n", rc1, rc2);
    fwrite(pre, sizeof pre, 1, stderr);
    free(px);
  }
  free(ws);
  return 0;
}
EOF
  D=$E2E/tiny-pipeline
  if cc -std=c11 -o "$OUT/e2e-app" "$OUT/e2e.c" -I"$D" "$D/libtiny_pipeline.a" -lm -lpthread 2>"$OUT/e2e.cc.log"; then
    "$OUT/e2e-app" 400 300 300 400 301 303 1000 200 40 48 >"$OUT/e2e.rc" 2>"$OUT/e2e.f32"
    why=$("$PY" - "$OUT/e2e.rc" "$OUT/e2e.f32" 2>&1 <<'EOF' || echo "checker exited with status $?"
import sys, numpy as np
from PIL import Image
sizes = [(400, 300), (300, 400), (301, 303), (1000, 200), (40, 48)]
rcs = open(sys.argv[1]).read().split()
got = np.fromfile(sys.argv[2], '<f4').reshape(len(sizes), 3, 48, 40)
mean = np.array([1., 2., 3.], np.float32).reshape(3, 1, 1)
std = np.array([4., 5., 6.], np.float32).reshape(3, 1, 1)
for k, (w, h) in enumerate(sizes):
    if rcs[2 * k:2 * k + 2] != ['0', '0']: print('%dx%d: rc %s' % (w, h, rcs[2 * k:2 * k + 2])); continue
    x, y = np.meshgrid(np.arange(w), np.arange(h))
    img = np.stack([(x * 7 + y * 13 + c * 29 + x * y) % 256 for c in range(3)], -1).astype(np.uint8)
    s = 60  # ResizeEdge(scale=60, edge='short')
    nw, nh = (s, int(s * h / w)) if w < h else (int(s * w / h), s)
    r = np.asarray(Image.fromarray(img).resize((nw, nh), Image.BICUBIC))
    y0, x0 = int(round((nh - 48) / 2.)), int(round((nw - 40) / 2.))
    ref = (r[y0:y0 + 48, x0:x0 + 40].transpose(2, 0, 1).astype(np.float32) - mean) / std
    if not np.array_equal(ref, got[k]):
        print('%dx%d: max diff %g' % (w, h, np.abs(ref - got[k]).max()))
EOF
)
    [ -z "$why" ] && ok input-size-e2e-library-accepts-images || fail input-size-e2e-library-accepts-images "$(echo "$why" | head -c 400)"
  else
    fail input-size-e2e-library-accepts-images "cc: $(head -c 300 "$OUT/e2e.cc.log")"
  fi
  grep -q "tiny-pipeline.py: warning: input size 48x40 (HxW) differs from the test pipeline's output: the compiled test pipeline was adapted from (resize short edge 40, crop 32x32) to (resize short edge 60, crop 48x40)" "$OUT/e2e.log" &&
    ok input-size-build-warns || fail input-size-build-warns "$(grep -m2 warning "$OUT/e2e.log")"
else
  fail input-size-e2e-library-accepts-images "mmcc build: $(grep -m2 error "$OUT/e2e.log")"
fi
mkdir -p "$OUT/elsewhere"
cp "$ZOO" "$OUT/elsewhere/m.yml"
if $MMCC inspect "$OUT/elsewhere/m.yml" clip-vit-base-p16_laion2b-pre_3rdparty_in1k --root "$ROOT" >"$OUT/root.json" 2>"$OUT/root.err"; then
  pyjson inspect-root "$OUT/root.json" "
# config is the metafile's Config string with or without --root (review #5)
assert d['config'] == 'configs/clip/vit-base-p16_pt-64xb64_in1k.py', d['config']
assert d['config_path'] == '$ROOT/configs/clip/vit-base-p16_pt-64xb64_in1k.py', d['config_path']
assert d['parameters'] == 86568424
"
else fail inspect-root "$(head -c 300 "$OUT/root.err")"; fi
# default root from an absolute metafile path
if $MMCC inspect "$ROOT/$ZOO1" clip-vit-base-p32_laion2b-pre_3rdparty_in1k >"$OUT/abs.json" 2>"$OUT/abs.err"; then
  pyjson inspect-default-root-abs "$OUT/abs.json" "
assert d['config'] == 'configs/clip/vit-base-p32_pt-64xb64_in1k.py', d['config']
assert d['config_path'] == '$ROOT/tests/configs-1x/configs/clip/vit-base-p32_pt-64xb64_in1k.py', d['config_path']
"
else fail inspect-default-root-abs "$(head -c 300 "$OUT/abs.err")"; fi

# ---------------------------------------------------------------- mmcc config on the zoo
# Independent reference: the config files executed by Python, merged by mmengine's rules.
for cfgf in configs/clip/*.py tests/configs-1x/configs/clip/*.py; do
  tag=$(echo "$cfgf" | tr '/' '_')
  if $MMCC config "$cfgf" >"$OUT/config-$tag.json" 2>"$OUT/config.err"; then
    pyjson "config-$tag" "$OUT/config-$tag.json" "
import os, types
def plain(v):
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)): return [plain(x) for x in v]
    return v
def merge(base, new):
    out = dict(base)
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and not v.get('_delete_'):
            out[k] = merge(out[k], v)
        else:
            if isinstance(v, dict): v = {a: b for a, b in v.items() if a != '_delete_'}
            out[k] = v
    return out
def load(path):
    ns = {}
    exec(compile(open(path).read(), path, 'exec'), ns)
    bases = ns.get('_base_', [])
    bases = [bases] if isinstance(bases, str) else bases
    merged = {}
    for b in bases:
        bd = load(os.path.join(os.path.dirname(path), b))
        assert not set(bd) & set(merged), 'duplicate base keys'
        merged.update(bd)
    own = {k: v for k, v in ns.items() if not k.startswith('__') and k != '_base_'
           and not isinstance(v, (types.ModuleType, types.FunctionType, type))}
    return merge(merged, own)
want = plain(load('$cfgf'))
if d != want:
    for k in sorted(set(d) | set(want)):
        if d.get(k) != want.get(k): print(k, d.get(k), '!=', want.get(k))
"
  else
    fail "config-$tag" "$(head -c 300 "$OUT/config.err")"
  fi
done
pyjson config-golden-384 "$OUT/config-configs_clip_vit-base-p16_pt-64xb64_in1k-384px.py.json" "
b = d['model']['backbone']
assert (b['type'], b['arch'], b['img_size'], b['patch_size'], b['pre_norm']) == ('VisionTransformer', 'b', 224, 16, True), b
assert d['model']['head']['num_classes'] == 1000
t = d['data']['test']['pipeline']
assert t[1] == {'type': 'Resize', 'size': [384, -1], 'backend': 'pillow', 'interpolation': 'bicubic'}, t[1]
assert t[2] == {'type': 'CenterCrop', 'crop_size': 384}, t[2]
assert t[3] == {'type': 'Normalize', 'mean': [122.7709383, 116.7460125, 104.09373615000001],
                'std': [68.5005327, 66.6321579, 70.32316304999999], 'to_rgb': True}, t[3]
assert d['optim_wrapper']['clip_grad'] == {'max_norm': 1.0} and d['optim_wrapper']['optimizer']['type'] == 'AdamW'
"

# ---------------------------------------------------------------- tests/models fixtures
# Parameter counts: upstream metafile values where upstream has the model, else an
# independent count from the module layout (mmpretrain VisionTransformer / heads).
expect_params() {
  local n=$1 cfgf=$2 code=$3
  if $MMCC inspect "$cfgf" --tensors >"$OUT/$n.json" 2>"$OUT/$n.err"; then
    pyjson "$n" "$OUT/$n.json" "$code"
  else
    fail "$n" "$(head -c 300 "$OUT/$n.err")"
  fi
}
expect_params model-deit-tiny tests/models/deit-tiny.py "
assert d['parameters'] == 5717416, d['parameters']
assert d['backbone']['patch_bias'] and not d['backbone']['pre_norm']
assert d['input_size'] == [224, 224] and d['preprocess']['resize']['scale'] == 256
assert d['mean'] == [123.675, 116.28, 103.53] and d['preprocess']['normalize'] == 'div'
assert 'backbone.patch_embed.projection.bias' in [t['name'] for t in d['tensors']]
"
expect_params model-deit-small tests/models/deit-small.py "
assert d['parameters'] == 22050664 and d['backbone']['arch'] == 'DeiT-Small', d['parameters']"
expect_params model-vit-base-p16-384 tests/models/vit-base-p16-384.py "
assert d['parameters'] == 86859496 and d['input_size'] == [384, 384], d['parameters']"
expect_params model-vit-base-p32-384 tests/models/vit-base-p32-384.py "
assert d['parameters'] == 88297192, d['parameters']"
expect_params model-vit-large-p16-384 tests/models/vit-large-p16-384.py "
assert d['parameters'] == 304715752, d['parameters']
assert d['backbone']['embed_dims'] == 1024 and d['backbone']['num_layers'] == 24"
expect_params model-vit-base-avg tests/models/vit-base-avg.py "
D, F = 768, 3072
n = D + 197 * D + D * 3 * 256 + D + 12 * (2*D + 3*D*D + 3*D + D*D + D + 2*D + D*F + F + F*D + D)
n += 2 * D + D * 1000 + 1000                            # ln2 (no ln1), fc
assert d['parameters'] == n == 86567656, (d['parameters'], n)
b = d['backbone']; names = [t['name'] for t in d['tensors']]
assert b['out_type'] == 'avg_featmap' and b['avg_norm'] and not b['final_norm']
assert 'backbone.ln2.weight' in names and 'backbone.ln1.weight' not in names
assert names[-2:] == ['head.fc.weight', 'head.fc.bias'] and d['head']['type'] == 'LinearClsHead'"
expect_params model-vit-custom-0x tests/models/vit-custom-0x.py "
D, L, F, C, P, grid, K = 64, 3, 128, 3, 8, 12 * 8, 10
n = D + (grid + 1) * D + D * C * P * P + D             # cls, pos, conv + bias
n += L * (2 * D + 3 * D * D + D * D + D + 2 * D + D * F + F + F * D + D)  # no qkv bias
n += 2 * D + D * K + K                                  # ln1, fc
assert d['parameters'] == n, (d['parameters'], n)
b = d['backbone']
assert b['arch'] == 'custom' and b['img_size'] == [96, 64] and not b['qkv_bias']
assert b['out_type'] == 'featmap' and d['neck'] == 'GlobalAveragePooling' and b['norm_eps'] == 1e-05
p = d['preprocess']
assert p['resize'] == {'scale': 110, 'edge': 'long', 'backend': 'pillow', 'interpolation': 'bicubic'}, p
assert p['crop_size'] == [96, 64] and d['input_size'] == [96, 64]
assert p['normalize'] == 'mmcv' and not p['to_rgb'] and d['mean'] == [103.53, 116.28, 123.675]
assert d['output_dim'] == 10"
expect_params model-vit-hidden-ls tests/models/vit-hidden-ls.py "
D, L, F, C, P, grid, H, K = 32, 2, 64, 3, 4, 64, 48, 5
n = grid * D + D * C * P * P + D                        # no class token: pos, conv + bias
n += L * (2 * D + 3 * D * D + 3 * D + D * D + D + D + 2 * D + D * F + F + F * D + D + D)
n += 2 * D + 2 * D                                       # final ln1, avg ln2
n += D * H + H + H * K + K                               # pre_logits, head
assert d['parameters'] == n, (d['parameters'], n)
names = [t['name'] for t in d['tensors']]
assert 'backbone.cls_token' not in names and names[0] == 'backbone.pos_embed'
assert 'backbone.layers.1.attn.gamma1.weight' in names and 'backbone.layers.1.ffn.gamma2.weight' in names
assert names[-4:] == ['head.layers.pre_logits.weight', 'head.layers.pre_logits.bias', 'head.layers.head.weight', 'head.layers.head.bias'], names[-4:]
assert d['head']['hidden_dim'] == 48 and d['head']['act'] == 'Tanh'
assert d['backbone']['num_extra_tokens'] == 0 and d['backbone']['layer_scale_init_value'] == 0.1
assert d['preprocess']['crop_size'] == [32, 40] and d['input_size'] == [32, 40]
assert d['preprocess']['normalize'] == 'div' and d['mean'] == [127.5] * 3 and not d['preprocess']['to_rgb']"
expect_params model-headless-nonorm tests/models/headless-nonorm.py "
assert d['head'] is None and d['output_dim'] == 192 and d['input_size'] == [64, 64]
assert d['preprocess']['normalize'] == 'none' and d['mean'] == [0.0] * 3 and d['std'] == [1.0] * 3
D = 192; n = D + 17 * D + D * 3 * 256 + 12 * (2*D + 3*D*D + 3*D + D*D + D + 2*D + 8*D*D + 4*D + D) + 4 * D
assert d['parameters'] == n, (d['parameters'], n)"
expect_params model-vit-legacy-avg tests/models/vit-legacy-avg.py "
# upstream DeiT-tiny (5717416) with its 1000-class head swapped for Linear(192, 10), plus ln2
assert d['parameters'] == 5717416 - (192 * 1000 + 1000) + 192 * 10 + 10 + 2 * 192, d['parameters']
b = d['backbone']; names = [t['name'] for t in d['tensors']]
assert b['out_type'] == 'avg_featmap' and b['avg_norm'] and b['final_norm'] and b['num_extra_tokens'] == 1
assert names[0] == 'backbone.cls_token'
assert names[-6:] == ['backbone.ln1.weight', 'backbone.ln1.bias', 'backbone.ln2.weight', 'backbone.ln2.bias', 'head.fc.weight', 'head.fc.bias'], names[-6:]"
grep -q -E 'headless-nonorm\.py: warning: no mean/std' "$OUT/model-headless-nonorm.err" &&
  ok model-headless-nonorm-warns || fail model-headless-nonorm-warns "$(cat "$OUT/model-headless-nonorm.err")"

# ---------------------------------------------------------------- errors (exit 1, file:line:col)
M=tests/models
errors() {
  local mm=$1 sfx=$2
  expect_error "err-backbone$sfx" "$M/bad-backbone\.py:4:[0-9]+: error: model\.backbone\.type='ResNet' is not supported \(supported: VisionTransformer, DistilledVisionTransformer, DeiT3\)" $mm inspect $M/bad-backbone.py
  expect_error "err-neck$sfx" "$M/bad-neck\.py:2:[0-9]+: error: model\.neck\.type='LinearNeck' is not supported \(supported: None, GlobalAveragePooling, ClsBatchNormNeck\)" $mm inspect $M/bad-neck.py
  expect_error "err-transform$sfx" "$M/bad-transform\.py:6:[0-9]+: error: unsupported transform 'RandomFlip' in the test pipeline; supported: .*ResizeEdge" $mm inspect $M/bad-transform.py
  expect_error "err-backend-default$sfx" "$M/bad-backend\.py:5:[0-9]+: error: ResizeEdge with backend='cv2', interpolation='bicubic' \(backend: the default\) is not supported; mmcc implements backend='pillow' with interpolation 'bicubic' or 'bilinear', and backend='cv2' with interpolation 'bilinear'" $mm inspect $M/bad-backend.py
  expect_error "err-interpolation$sfx" "$M/bad-interp\.py:5:[0-9]+: error: ResizeEdge with backend='pillow', interpolation='lanczos' is not supported" $mm inspect $M/bad-interp.py
  expect_error "err-arch$sfx" "$M/bad-arch\.py:2:[0-9]+: error: unsupported VisionTransformer arch 'xl'; supported: s/small, b/base" $mm inspect $M/bad-arch.py
  expect_error "err-head$sfx" "$M/bad-head\.py:2:[0-9]+: error: model\.head\.type='ArcFaceClsHead' is not supported \(supported: " $mm inspect $M/bad-head.py
  expect_error "err-order$sfx" "$M/bad-order\.py:5:[0-9]+: error: ResizeEdge after CenterCrop" $mm inspect $M/bad-order.py
  expect_error "err-fixed-resize$sfx" "$M/bad-fixed-resize\.py:5:[0-9]+: error: Resize to a fixed size is not supported" $mm inspect $M/bad-fixed-resize.py
  expect_error "err-out-indices$sfx" "$M/bad-out-indices\.py:2:[0-9]+: error: mmcc supports a single out_indices entry" $mm inspect $M/bad-out-indices.py
  expect_error "err-featmap-head$sfx" "$M/bad-featmap-head\.py:3:[0-9]+: error: the backbone's 'featmap' output must be reduced to a vector" $mm inspect $M/bad-featmap-head.py
  expect_error "err-in-channels$sfx" "$M/bad-in-channels\.py:2:[0-9]+: error: head in_channels=768 does not match the backbone's embed_dims=192" $mm inspect $M/bad-in-channels.py
  expect_error "err-unknown-arg$sfx" "$M/bad-unknown-arg\.py:2:[0-9]+: error: unknown VisionTransformer argument 'use_abs_pos_emb'" $mm inspect $M/bad-unknown-arg.py
  expect_error "err-double-norm$sfx" "$M/_pipeline_1x\.py:[0-9]+:[0-9]+: error: normalisation given twice" $mm inspect $M/bad-double-norm.py
  expect_error "err-legacy-linear$sfx" "$M/vit-legacy-avg\.py:14:[0-9]+: error: LinearClsHead cannot take the 0.x \[patch_token, cls_token\] output" $mm inspect $M/bad-legacy-linear.py
  expect_error "err-legacy-no-cls$sfx" "$M/bad-legacy-no-cls\.py:2:[0-9]+: error: with_cls_token=False with the 0.x options" $mm inspect $M/bad-legacy-no-cls.py
  expect_error "err-crop-too-big$sfx" "$M/bad-crop-too-big\.py:5:[0-9]+: error: CenterCrop 224x224 is larger than the resized short edge 200" $mm inspect $M/bad-crop-too-big.py
  expect_error "err-meta-yaml$sfx" "$M/meta/bad-yaml\.yml:[0-9]+:[0-9]+: error: invalid YAML" $mm list $M/meta/bad-yaml.yml
  expect_error "err-meta-models-not-list$sfx" "$M/meta/models-not-list\.yml:4:3: error: 'Models' must be a sequence" $mm list $M/meta/models-not-list.yml
  expect_error "err-meta-no-name$sfx" "$M/meta/no-name\.yml:4:5: error: model entry has no 'Name'" $mm list $M/meta/no-name.yml
  expect_error "err-meta-bad-params$sfx" "$M/meta/bad-params\.yml:4:19: error: 'Parameters' must be a non-negative integer, not '86.5M'" $mm list $M/meta/bad-params.yml
  expect_error "err-meta-no-models$sfx" "$M/meta/no-models\.yml:1:1: error: metafile has no 'Models'" $mm list $M/meta/no-models.yml
  expect_error "err-meta-empty$sfx" "$M/meta/empty\.yml: error: empty metafile" $mm list $M/meta/empty.yml
  expect_error "err-meta-bad-top1$sfx" "$M/meta/bad-top1\.yml:6:27: error: 'Top 1 Accuracy' must be a number" $mm list $M/meta/bad-top1.yml
  expect_error "err-meta-missing$sfx" "does-not-exist\.yml" $mm list $M/meta/does-not-exist.yml
  expect_error "err-inspect-unknown-model$sfx" "$ZOO: error: no model named 'clip-vit-huge' \(14 models" $mm inspect $ZOO clip-vit-huge
  expect_error "err-inspect-no-config$sfx" "$MIXED:23:5: error: model 'no-config' has no 'Config'" $mm inspect $MIXED no-config
  expect_error "err-inspect-config-not-found$sfx" "$MIXED:31:13: error: config 'tests/models/does-not-exist.py' of model 'missing-file' not found under any ancestor" $mm inspect $MIXED missing-file
  expect_error "err-inspect-root-not-found$sfx" "$ZOO:[0-9]+:[0-9]+: error: config 'configs/clip/vit-base-p16_pt-64xb64_in1k.py' of model .* not found under --root /nonexistent" $mm inspect $ZOO clip-vit-base-p16_openai-pre_3rdparty_in1k --root /nonexistent
}
errors "$MMCC" ""

# usage errors exit 2
expect_status usage-list-no-arg 2 $MMCC list
expect_status usage-inspect-one-arg 2 $MMCC inspect $ZOO
expect_status usage-inspect-bad-size 2 $MMCC inspect $ZOO clip-vit-base-p16_openai-pre_3rdparty_in1k --input-size 0x3
expect_status usage-inspect-unknown-opt 2 $MMCC inspect $ZOO x --frobnicate
# a CONFIG.py with a MODEL argument is a usage error, not a metafile (review #4)
expect_status usage-inspect-config-py-extra-arg 2 \
  $MMCC inspect configs/clip/vit-base-p16_pt-64xb64_in1k.py clip-vit-base-p16_openai-pre_3rdparty_in1k
grep -q "'configs/clip/vit-base-p16_pt-64xb64_in1k.py' is a config file: 'mmcc inspect CONFIG.py' takes no MODEL argument" "$OUT/last.err" &&
  ok usage-inspect-config-py-extra-arg-message || fail usage-inspect-config-py-extra-arg-message "$(head -c 300 "$OUT/last.err")"
expect_status help-list 0 $MMCC list --help
expect_status help-inspect 0 $MMCC inspect --help

# ---------------------------------------------------------------- under ASan/UBSan
if [ -x "$MMCC_SAN" ]; then
  errors "$MMCC_SAN" "-san"
  bad=""
  for name in $MODELS; do
    $MMCC_SAN inspect "$ZOO" "$name" --tensors >"$OUT/san.json" 2>"$OUT/san.err" || bad="$bad $name"
    grep -q -E 'Sanitizer|runtime error' "$OUT/san.err" && bad="$bad $name(san)"
  done
  for f in tests/models/deit-tiny.py tests/models/vit-custom-0x.py tests/models/vit-hidden-ls.py tests/models/headless-nonorm.py tests/models/vit-base-avg.py; do
    $MMCC_SAN inspect "$f" --tensors >"$OUT/san.json" 2>"$OUT/san.err" || bad="$bad $f"
    grep -q -E 'Sanitizer|runtime error' "$OUT/san.err" && bad="$bad $f(san)"
  done
  for z in "$ZOO" "$ZOO1" "$MIXED"; do
    $MMCC_SAN list "$z" --json >"$OUT/san.json" 2>"$OUT/san.err" || bad="$bad list:$z"
    grep -q -E 'Sanitizer|runtime error' "$OUT/san.err" && bad="$bad list:$z(san)"
  done
  # review fixes: pipeline adaptation, missing/duplicate reports, ambiguous name
  for args in "tests/models/deit-tiny.py --input-size 160x96" "tests/models/headless-nonorm.py --input-size 96" \
              "tests/models/vit-custom-0x.py --input-size 72" "tests/models/meta/dup-name.yml single"; do
    # shellcheck disable=SC2086
    $MMCC_SAN inspect $args >"$OUT/san.json" 2>"$OUT/san.err" || bad="$bad inspect:$args"
    grep -q -E 'Sanitizer|runtime error' "$OUT/san.err" && bad="$bad inspect:$args(san)"
  done
  $MMCC_SAN list tests/models/meta/dup-name.yml >"$OUT/san.json" 2>"$OUT/san.err" || bad="$bad list:dup-name"
  grep -q -E 'Sanitizer|runtime error' "$OUT/san.err" && bad="$bad list:dup-name(san)"
  $MMCC_SAN inspect tests/models/meta/dup-name.yml twin >"$OUT/san.json" 2>"$OUT/san.err"
  [ $? -eq 1 ] || bad="$bad inspect:twin-status"
  grep -q -E 'Sanitizer|runtime error' "$OUT/san.err" && bad="$bad inspect:twin(san)"
  [ -z "$bad" ] && ok san-inspect-list-clean || fail san-inspect-list-clean "$bad $(grep -m1 -E 'Sanitizer|runtime error' "$OUT/san.err")"
else
  fail san-build "missing $MMCC_SAN (make san)"
fi
