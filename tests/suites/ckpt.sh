#!/usr/bin/env bash
# Checkpoint reader and validation (issue 3): checkpoints made by torch at test time
# (tests/py/make_checkpoints.py); torch.load is the reference for every value.
. "$ROOT/tests/lib.sh"
MK="$ROOT/tests/py/make_checkpoints.py"
if [ -x "$MMCC_SAN" ]; then SAN="$MMCC_SAN"; else SAN=""; fi

# The fixtures first: the plan counts one read check per tiny checkpoint and one error check
# per bad file (each twice with the sanitized build), plus 48 fixed checks.
$PY "$MK" tiny "$OUT/tiny" >"$OUT/make-tiny.log" 2>&1; made_tiny=$?
$PY "$MK" bad "$OUT/bad" >"$OUT/make-bad.log" 2>&1; made_bad=$?
n_tiny=$(cat "$OUT/tiny/manifest.txt" 2>/dev/null | wc -l)
n_bad=$(cat "$OUT/bad/bad.txt" 2>/dev/null | wc -l)
if [ -n "$SAN" ]; then plan $(( 2 * n_tiny + 2 * n_bad + 48 )); else plan $(( n_tiny + 1 + n_bad + 48 )); fi

# {=== tiny state dicts in every layout and dtype, read bit-identically (plain and sanitized build)
if [ $made_tiny -ne 0 ]; then
  fail ckpt-make-tiny "$(tail -3 "$OUT/make-tiny.log")"
else
  run_checker read "$n_tiny" $PY "$MK" compare-all "$MMCC" "$OUT/tiny/manifest.txt" read
  if [ -n "$SAN" ]; then
    run_checker read-san "$n_tiny" $PY "$MK" compare-all "$SAN" "$OUT/tiny/manifest.txt" read-san
  else
    skip read-san "build-san/mmcc not built (make san)"
  fi

  # --dump NAME: one tensor, compared with torch directly
  $MMCC ckpt "$OUT/tiny/noncontig.pth" --dump backbone.layers.1.attn.qkv.weight > "$OUT/qkv.f32"
  check dump-one $PY -c "
import numpy as np, torch, sys
t = torch.load('$OUT/tiny/noncontig.pth')['state_dict']['backbone.layers.1.attn.qkv.weight']
assert not t.is_contiguous()
got = np.fromfile('$OUT/qkv.f32', dtype='<f4')
sys.exit(0 if got.tobytes() == t.contiguous().numpy().tobytes() else 1)"
  expect_error dump-missing "no tensor named 'nope'" $MMCC ckpt "$OUT/tiny/bare.pth" --dump nope
  # text listing: header line, one row per tensor, meta keys, classes
  $MMCC ckpt "$OUT/tiny/f32_wrapped.pth" > "$OUT/list.txt" 2>&1
  check list-text grep -q -E '^  backbone\.layers\.0\.attn\.qkv\.weight +float32 +\[96, 32\] +12288$' "$OUT/list.txt"
  # meta keys are the keys inside `meta` (issue 3), the top level is listed apart (review #2)
  check list-meta grep -q -E '^meta keys: epoch lr flag arr custom cfg set frozen big neg bytes dataset_meta mmengine_version$' "$OUT/list.txt"
  check list-top-level-keys grep -q -E '^top-level keys: meta optimizer$' "$OUT/list.txt"
  $MMCC ckpt "$OUT/tiny/f32_wrapped.pth" --json > "$OUT/list.json" 2>&1
  check list-meta-json $PY -c "
import json, sys
d = json.load(open('$OUT/list.json'))
assert d['meta_keys'] == ['epoch', 'lr', 'flag', 'arr', 'custom', 'cfg', 'set', 'frozen', 'big',
                          'neg', 'bytes', 'dataset_meta', 'mmengine_version'], d['meta_keys']
assert d['top_level_keys'] == ['meta', 'optimizer'], d['top_level_keys']"
  check list-classes grep -q -E '^classes: 5 \(class_0, class_1, \.\.\.\)$' "$OUT/list.txt"
  # --sha256 against an independent implementation
  # (both implementations: SHA extensions when the CPU has them, and the portable code)
  for f in f16.pth bf16.safetensors noncontig.pth f32.safetensors; do
    want=$(sha256sum "$OUT/tiny/$f" | cut -c1-64)
    check "sha256-$f" grep -q "\"sha256\": \"$want\"" <($MMCC ckpt "$OUT/tiny/$f" --json --sha256)
    check "sha256-portable-$f" grep -q "\"sha256\": \"$want\"" \
      <(MMCC_SHA256_PORTABLE=1 $MMCC ckpt "$OUT/tiny/$f" --json --sha256)
  done
  expect_status usage-no-file 2 $MMCC ckpt
  expect_status usage-bad-option 2 $MMCC ckpt "$OUT/tiny/f16.pth" --bogus
fi
# }===

# {=== bad inputs: a specific error each, exit 1, no sanitizer report
if [ $made_bad -ne 0 ]; then
  fail ckpt-make-bad "$(tail -3 "$OUT/make-bad.log")"
else
  while IFS=$'\t' read -r f re; do
    n=$(basename "$f")
    expect_error "bad-$n" "$re" $MMCC ckpt "$f"
    [ -n "$SAN" ] && expect_error "bad-san-$n" "$re" $SAN ckpt "$f"
  done < "$OUT/bad/bad.txt"
fi
# random damage: exit 0 or 1, never a crash or a sanitizer report
if [ -n "$SAN" ]; then
  if ! $PY "$MK" fuzz "$OUT/fuzz" 150 >"$OUT/make.log" 2>&1; then
    fail ckpt-make-fuzz "$(tail -3 "$OUT/make.log")"
  else
    bad=""; n=0
    while read -r f; do
      n=$((n + 1))
      $SAN ckpt "$f" >/dev/null 2>"$OUT/fuzz.err"; rc=$?
      if [ $rc -gt 1 ] || grep -q -E 'Sanitizer|runtime error' "$OUT/fuzz.err"; then
        bad="$bad $(basename "$f")(rc $rc)"
      fi
    done < "$OUT/fuzz/fuzz.txt"
    if [ -z "$bad" ] && [ $n -eq 150 ]; then ok "fuzz-$n-damaged-files"; else fail fuzz "$n files;$bad"; fi
  fi
else
  skip fuzz "build-san/mmcc not built (make san)"
fi
# }===

# {=== mmcc check against a tiny ViT config (the CLIP bases with a small arch dict)
RUN="${SAN:-$MMCC}"   # check runs under the sanitizers when they are built
cat > "$OUT/tiny_vit.py" <<CFG
_base_ = [
    '$ROOT/configs/_base_/models/vit-base-p16.py',
    '$ROOT/configs/_base_/datasets/imagenet_bs64_clip_224.py',
    '$ROOT/configs/_base_/default_runtime.py',
]
model = dict(
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=32, num_layers=2, num_heads=2,
                  feedforward_channels=64),
        img_size=16, patch_size=4, pre_norm=True),
    head=dict(num_classes=5, in_channels=32))
CFG
C="$OUT/tiny_vit.py"; T="$OUT/tiny"

# check_ok NAME STDOUT-REGEX ARGS...: exit 0, verdict OK, STDOUT-REGEX in the verdict, no
# sanitizer report.
check_ok() {
  local n=$1 re=$2; shift 2
  "$@" >"$OUT/last.out" 2>"$OUT/last.err"; local rc=$?
  if [ $rc -ne 0 ]; then fail "$n" "exit $rc: $(head -c 300 "$OUT/last.err")"
  elif grep -q -E 'Sanitizer|runtime error' "$OUT/last.err"; then fail "$n" "sanitizer report"
  elif ! grep -q '^verdict     OK' "$OUT/last.out"; then fail "$n" "no OK verdict: $(tr '\n' ' ' < "$OUT/last.out")"
  elif ! grep -q -E -- "$re" "$OUT/last.out"; then
    fail "$n" "stdout does not match /$re/: $(tr '\n' ' ' < "$OUT/last.out")"
  else ok "$n"; fi
}

if [ ! -f "$T/manifest.txt" ]; then
  fail check-tiny "tiny checkpoints were not made"
else
  check_ok check-f32 'all 33 expected tensors present' $RUN check "$C" --checkpoint "$T/f32_wrapped.pth"
  check_ok check-bf16 'pos_embed   grid 4x4, as the config' $RUN check "$C" --checkpoint "$T/bf16.pth"
  check_ok check-f16-safetensors 'safetensors, 34 tensors, float16' $RUN check "$C" --checkpoint "$T/f16.safetensors"
  check check-f16-unexpected-warning \
    grep -q "warning: 1 unexpected tensor (not used by the model): extra.all_bits" "$OUT/last.err"
  check_ok check-module-prefix 'parameters  19,493 after the pos_embed resize' \
    $RUN check "$C" --checkpoint "$T/module_prefix.pth"
  check_ok check-model-key 'unexpected  none' $RUN check "$C" --checkpoint "$T/model_key.pth"
  check_ok check-pos-other-grid 'checkpoint grid 6x6, config grid 4x4: resized at load time' \
    $RUN check "$C" --checkpoint "$T/check_pos_6x6.pth"
  expect_error check-pos-not-square "tensor 'backbone.pos_embed': expected shape \[1, 17, 32\] .*found \[1, 16, 32\]" \
    $RUN check "$C" --checkpoint "$T/check_pos_not_square.pth"
  expect_error check-missing "tensor 'backbone.layers.1.ln2.bias' is missing \(the model needs it, shape \[32\]\)" \
    $RUN check "$C" --checkpoint "$T/check_missing.pth"
  check check-missing-verdict grep -q '^verdict     FAILED' "$OUT/last.out"
  expect_error check-wrong-shape "tensor 'head.layers.head.weight': expected shape \[5, 32\], found \[6, 32\]" \
    $RUN check "$C" --checkpoint "$T/check_wrong_shape.pth"
  check_ok check-unexpected 'unexpected  2 tensors' $RUN check "$C" --checkpoint "$T/check_unexpected.pth"
  check check-unexpected-warning grep -q \
    "warning: 2 unexpected tensors (not used by the model): backbone.extra.a, neck.b" "$OUT/last.err"
  # integrity: the -<8 hex> suffix of the file's own name
  cp "$T/f32_wrapped.pth" "$OUT/tiny_20221220-deadbeef.pth"
  expect_error check-hash-mismatch "sha256 is [0-9a-f]{64}, but the file name says -deadbeef" \
    $RUN check "$C" --checkpoint "$OUT/tiny_20221220-deadbeef.pth"
  check_ok check-hash-no-verify 'sha256      not checked \(--no-verify\)' \
    $RUN check "$C" --checkpoint "$OUT/tiny_20221220-deadbeef.pth" --no-verify
  h=$(sha256sum "$T/f32_wrapped.pth" | cut -c1-8)
  cp "$T/f32_wrapped.pth" "$OUT/tiny_20221220-$h.pth"
  check_ok check-hash-match "matches the file name's -$h" $RUN check "$C" --checkpoint "$OUT/tiny_20221220-$h.pth"
  expect_error check-legacy "legacy PyTorch checkpoint format" $RUN check "$C" --checkpoint "$OUT/bad/legacy.pth"
  expect_status check-usage-no-checkpoint 2 $MMCC check "$C"
  expect_status check-usage-metafile-no-model 2 $MMCC check "$ROOT/configs/clip/metafile.yml" --checkpoint "$T/bare.pth"
fi
# }===

# {=== full-size CLIP ViT-B checkpoints (float32, ~350 MB each, made here and deleted after)
measure() {  # measure CMD...: prints "rc seconds peak-rss-KiB"
  $PY - "$@" <<'PYEOF'
import resource, subprocess, sys, time
t = time.time()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(r.returncode, "%.2f" % (time.time() - t), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PYEOF
}
META="$ROOT/configs/clip/metafile.yml"
P16="$ROOT/configs/clip/vit-base-p16_pt-64xb64_in1k"
P32="$ROOT/configs/clip/vit-base-p32_pt-64xb64_in1k"
if ! F16=$($PY "$MK" clip "$OUT/full" 16 24 2>"$OUT/make.log"); then
  fail full-make-p16 "$(tail -3 "$OUT/make.log")"
else
  # a 384-style checkpoint: pos_embed with 1+24*24 rows
  if msg=$($PY "$MK" compare "$MMCC" "$F16" "$F16" 2>&1); then ok full-p16-read-bit-identical
  else fail full-p16-read-bit-identical "$msg"; fi
  check_ok full-p16-384-config 'checkpoint grid 24x24, config grid 14x14: resized at load time' \
    $MMCC check "$P16-384px.py" --checkpoint "$F16"
  check full-p16-384-hash grep -q "matches the file name's -" "$OUT/last.out"
  check_ok full-p16-224-config 'parameters  86,568,424 after the pos_embed resize' \
    $MMCC check "$P16.py" --checkpoint "$F16"
  expect_error full-p16-metafile-url-hash \
    "but the metafile's Weights URL for clip-vit-base-p16_openai-in12k-pre_3rdparty_in1k-384px says -" \
    $MMCC check "$META" clip-vit-base-p16_openai-in12k-pre_3rdparty_in1k-384px --checkpoint "$F16"
  check_ok full-p16-metafile-no-verify 'parameters  86,568,424 after the pos_embed resize \(metafile: 86,568,424\)' \
    $RUN check "$META" clip-vit-base-p16_openai-in12k-pre_3rdparty_in1k-384px --checkpoint "$F16" --no-verify
  size_kib=$(( $(stat -c %s "$F16") / 1024 ))
  read -r rc secs rss < <(measure $MMCC ckpt "$F16" --json)
  echo "measure: mmcc ckpt --json on $((size_kib / 1024)) MiB: ${secs}s, peak RSS $((rss / 1024)) MiB"
  # listing reads the directory and data.pkl only: no tensor page is touched
  if [ "$rc" = 0 ] && [ "$rss" -lt $((size_kib / 20)) ]; then ok full-p16-list-touches-no-data
  else fail full-p16-list-touches-no-data "rc $rc, peak RSS $rss KiB"; fi
  read -r rc secs rss < <(measure $MMCC check "$P16-384px.py" --checkpoint "$F16")
  echo "measure: mmcc check (sha256 + validation) on $((size_kib / 1024)) MiB: ${secs}s, peak RSS $((rss / 1024)) MiB"
  # hashing maps the file once: peak RSS about the file size, no copy
  if [ "$rc" = 0 ] && [ "$rss" -lt $((size_kib + size_kib / 5)) ]; then ok full-p16-check-one-pass
  else fail full-p16-check-one-pass "rc $rc, peak RSS $rss KiB for a $size_kib KiB file"; fi
  read -r rc secs rss < <(measure $MMCC ckpt "$F16" --dump-all)
  echo "measure: mmcc ckpt --dump-all (every tensor through ckpt_read_f32) on" \
    "$((size_kib / 1024)) MiB: ${secs}s, peak RSS $((rss / 1024)) MiB"
  rm -f "$F16"
fi
if ! F32=$($PY "$MK" clip "$OUT/full" 32 7 2>"$OUT/make.log"); then
  fail full-make-p32 "$(tail -3 "$OUT/make.log")"
else
  check_ok full-p32-224-config 'pos_embed   grid 7x7, as the config' $MMCC check "$P32.py" --checkpoint "$F32"
  check_ok full-p32-metafile-no-verify 'parameters  88,225,000 after the pos_embed resize \(metafile: 88,225,000\)' \
    $RUN check "$META" clip-vit-base-p32_openai-pre_3rdparty_in1k --checkpoint "$F32" --no-verify
  expect_error full-wrong-model \
    "tensor 'backbone.patch_embed.projection.weight': expected shape \[768, 3, 16, 16\], found \[768, 3, 32, 32\]" \
    $RUN check "$P16.py" --checkpoint "$F32" --no-verify
  rm -f "$F32"
fi
# }===
