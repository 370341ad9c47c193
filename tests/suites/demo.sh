# The README's first command: scripts/demo must build, link and run a bundled CLIP model.
# (p32: the same path as the default p16 model, at a quarter of the cost.)
. "$ROOT/tests/lib.sh"
plan 6
model=clip-vit-base-p32_openai-pre_3rdparty_in1k
if MMCC_DEMO_OUT="$OUT/gen" "$ROOT/scripts/demo" "$model" >"$OUT/demo.out" 2>"$OUT/demo.err"; then
  ok demo-runs
  grep -q "^model      $model" "$OUT/demo.out" && ok demo-names-model ||
    fail demo-names-model "$(head -3 "$OUT/demo.out" | tr '\n' ' ')"
  [ "$(grep -c '^latency .* ms per image with [12] thread' "$OUT/demo.out")" -eq 2 ] &&
    ok demo-reports-latency || fail demo-reports-latency "no latency lines"
  [ "$(grep -cE '^ +[0-9.]+%  +[0-9]+  [^?]' "$OUT/demo.out")" -eq 5 ] &&
    ok demo-prints-top5-with-names || fail demo-prints-top5-with-names "$(tail -8 "$OUT/demo.out" | tr '\n' ' ')"
  grep -q "SYNTHETIC WEIGHTS" "$OUT/demo.err" && ok demo-announces-synthetic-weights ||
    fail demo-announces-synthetic-weights "no warning on stderr"
  grep -q -- "--checkpoint" "$OUT/demo.out" && ok demo-explains-real-checkpoint ||
    fail demo-explains-real-checkpoint "no hint on using a real checkpoint"
else
  fail demo-runs "$(tail -5 "$OUT/demo.err" | tr '\n' ' ')"
fi
rm -rf "$OUT/gen"
