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

# pyjson NAME FILE PYTHON: run PYTHON with `d` = the JSON document in FILE; the check passes
# when PYTHON prints nothing, else its output is the failure reason.
pyjson() {
  local n=$1 f=$2 code=$3 why
  why=$("$PY" -c "
import json, sys
d = json.load(open(sys.argv[1]))
$code" "$f" 2>&1)
  if [ -z "$why" ]; then ok "$n"; else fail "$n" "$(echo "$why" | tail -n 3 | tr '\n' ' ')"; fi
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
    why=$("$PY" - "$f" "$name" "$gen" <<'EOF'
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
        'config': ('tests/configs-1x/' if gen == '1x' else '') +
                  'configs/clip/vit-base-p%d_pt-64xb64_in1k%s.py' % (patch, sfx)}
bb = {'type': 'VisionTransformer', 'arch': 'b', 'embed_dims': 768, 'num_layers': 12,
      'num_heads': 12, 'feedforward_channels': 3072, 'img_size': [224, 224],
      'patch_size': patch, 'in_channels': 3, 'qkv_bias': True, 'pre_norm': True,
      'patch_bias': False, 'final_norm': True, 'with_cls_token': True, 'num_extra_tokens': 1,
      'out_type': 'cls_token', 'avg_norm': False, 'norm_eps': 1e-6,
      'layer_scale_init_value': 0.0, 'interpolate_mode': 'bicubic', 'out_index': 11}
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
if $MMCC inspect "$ZOO" clip-vit-base-p32_openai-pre_3rdparty_in1k --input-size 320x256 >"$OUT/is.json" 2>"$OUT/is.err"; then
  pyjson inspect-input-size "$OUT/is.json" "
assert d['input_size'] == [320, 256], d['input_size']
assert d['preprocess']['crop_size'] == [224, 224] and d['parameters'] == 88225000
"
else fail inspect-input-size "$(head -c 300 "$OUT/is.err")"; fi
if $MMCC inspect configs/clip/vit-base-p16_pt-64xb64_in1k-448px.py --input-size 512 >"$OUT/cfg.json" 2>"$OUT/cfg.err"; then
  pyjson inspect-config-py "$OUT/cfg.json" "
assert d['name'] == 'vit-base-p16_pt-64xb64_in1k-448px', d['name']
assert d['metafile'] is None and d['weights'] is None and d['metafile_parameters'] is None
assert d['input_size'] == [512, 512] and d['preprocess']['crop_size'] == [448, 448]
assert d['parameters'] == 86568424 and d['patch_size'] == 16
"
else fail inspect-config-py "$(head -c 300 "$OUT/cfg.err")"; fi
mkdir -p "$OUT/elsewhere"
cp "$ZOO" "$OUT/elsewhere/m.yml"
if $MMCC inspect "$OUT/elsewhere/m.yml" clip-vit-base-p16_laion2b-pre_3rdparty_in1k --root "$ROOT" >"$OUT/root.json" 2>"$OUT/root.err"; then
  pyjson inspect-root "$OUT/root.json" "
assert d['config'] == '$ROOT/configs/clip/vit-base-p16_pt-64xb64_in1k.py', d['config']
assert d['parameters'] == 86568424
"
else fail inspect-root "$(head -c 300 "$OUT/root.err")"; fi
# default root from an absolute metafile path
if $MMCC inspect "$ROOT/$ZOO1" clip-vit-base-p32_laion2b-pre_3rdparty_in1k >"$OUT/abs.json" 2>"$OUT/abs.err"; then
  pyjson inspect-default-root-abs "$OUT/abs.json" "
assert d['config'] == '$ROOT/tests/configs-1x/configs/clip/vit-base-p32_pt-64xb64_in1k.py', d['config']
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
  expect_error "err-backbone$sfx" "$M/bad-backbone\.py:4:[0-9]+: error: unsupported backbone 'ResNet'; supported: VisionTransformer" $mm inspect $M/bad-backbone.py
  expect_error "err-neck$sfx" "$M/bad-neck\.py:2:[0-9]+: error: unsupported neck 'LinearNeck'; supported: None, GlobalAveragePooling" $mm inspect $M/bad-neck.py
  expect_error "err-transform$sfx" "$M/bad-transform\.py:6:[0-9]+: error: unsupported transform 'RandomFlip' in the test pipeline; supported: .*ResizeEdge" $mm inspect $M/bad-transform.py
  expect_error "err-backend-default$sfx" "$M/bad-backend\.py:5:[0-9]+: error: ResizeEdge with backend='cv2', interpolation='bilinear' \(the transform's defaults\) is not supported; mmcc implements backend='pillow' with interpolation='bicubic' only" $mm inspect $M/bad-backend.py
  expect_error "err-interpolation$sfx" "$M/bad-interp\.py:5:[0-9]+: error: ResizeEdge with backend='pillow', interpolation='bilinear' \(interpolation: the default\) is not supported" $mm inspect $M/bad-interp.py
  expect_error "err-arch$sfx" "$M/bad-arch\.py:2:[0-9]+: error: unsupported VisionTransformer arch 'xl'; supported: s/small, b/base" $mm inspect $M/bad-arch.py
  expect_error "err-head$sfx" "$M/bad-head\.py:2:[0-9]+: error: unsupported head 'ArcFaceClsHead'" $mm inspect $M/bad-head.py
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
  [ -z "$bad" ] && ok san-inspect-list-clean || fail san-inspect-list-clean "$bad $(grep -m1 -E 'Sanitizer|runtime error' "$OUT/san.err")"
else
  fail san-build "missing $MMCC_SAN (make san)"
fi
