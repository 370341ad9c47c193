#!/usr/bin/env bash
# config suite: `mmcc config` (issue 2, sections 2-3): every construct, merge rule and error
# of the Python-subset evaluator and of mmengine's Config.fromfile semantics.
#
# tests/config/eval/NAME.py      one file; NAME.json is the expected resolution, written by
#                                hand from Python/mmengine semantics
# tests/config/merge/CASE/       config.py with its _base_ files; expected.json, or the first
#                                line of config.py is "# error: REGEX"
# tests/config/errors/NAME.py    first line "# error: REGEX": exit 1, message on stderr
# Error cases run with both $MMCC and $MMCC_SAN (ASan+UBSan); so do the fuzz checks.
. "$ROOT/tests/lib.sh"
T=$ROOT/tests/config
unset MMCC_TEST_ENV_ROOT MMCC_TEST_ENV_CLASSES MMCC_TEST_SURELY_UNSET

# Compares two JSON documents: same values, same key order, same types (1 is not 1.0),
# floats with the same repr.
cat >"$OUT/jsoneq.py" <<'PY'
import json, sys
def same(a, b, path='$'):
    if type(a) != type(b): return f'{path}: {a!r:.60} vs {b!r:.60}'
    if isinstance(a, dict):
        if list(a) != list(b): return f'{path}: keys {list(a)} vs {list(b)}'
        for k in a:
            d = same(a[k], b[k], f'{path}.{k}')
            if d: return d
        return None
    if isinstance(a, list):
        if len(a) != len(b): return f'{path}: length {len(a)} vs {len(b)}'
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, f'{path}[{i}]')
            if d: return d
        return None
    if isinstance(a, float): return None if repr(a) == repr(b) else f'{path}: {a!r} vs {b!r}'
    return None if a == b else f'{path}: {a!r} vs {b!r}'
try:
    got = json.load(open(sys.argv[1]))
except ValueError as e:
    print(f'output is not JSON: {e}'); sys.exit(1)
d = same(got, json.load(open(sys.argv[2])))
if d: print(d); sys.exit(1)
PY

# the plan: one check per eval file and merge case with expected.json, two (plain and
# sanitized) per error case, 32 fixed checks below
n_eval=$(ls "$T"/eval/*.py | wc -l); n_merge=$(ls -d "$T"/merge/*/ | wc -l)
n_merge_err=$(ls -d "$T"/merge/*/ | while read -r d; do [ -f "$d/expected.json" ] || echo; done | wc -l)
n_err=$(ls "$T"/errors/*.py | wc -l)
plan $(( n_eval + n_merge + n_merge_err + 2 * n_err + 32 ))

have_san=1
[ -x "$MMCC_SAN" ] || have_san=0
# private copies: in a shared working tree build/mmcc may be relinked while the suite runs
cp "$MMCC" "$OUT/mmcc" && MMCC=$OUT/mmcc
[ $have_san -eq 1 ] && cp "$MMCC_SAN" "$OUT/mmcc-san" && MMCC_SAN=$OUT/mmcc-san

# expect_json NAME DIR FILE EXPECTED: `mmcc config FILE` run in DIR prints EXPECTED's value.
expect_json() {
  local n=$1 dir=$2 file=$3 exp=$4
  if ! (cd "$dir" && "$MMCC" config "$file") >"$OUT/got.json" 2>"$OUT/got.err"; then
    fail "$n" "exit status $?: $(head -c 300 "$OUT/got.err")"; return
  fi
  local why
  if why=$("$PY" "$OUT/jsoneq.py" "$OUT/got.json" "$exp" 2>&1); then ok "$n"; else fail "$n" "$why"; fi
}

# error_case NAME DIR FILE: FILE's first line is "# error: REGEX"; plain and sanitized builds.
error_case() {
  local n=$1 dir=$2 file=$3 re
  re=$(head -n 1 "$dir/$file" | sed -n 's/^# error: //p')
  [ -n "$re" ] || { fail "$n" "no '# error:' line in $file"; return; }
  (cd "$dir" && expect_error "$n" "$re" "$MMCC" config "$file")
  if [ $have_san -eq 1 ]; then (cd "$dir" && expect_error "$n/san" "$re" "$MMCC_SAN" config "$file")
  else skip "$n/san" "no $MMCC_SAN (make san)"; fi
}

# ---- single-file constructs
for f in "$T"/eval/*.py; do
  b=$(basename "$f" .py)
  expect_json "eval/$b" "$T/eval" "$b.py" "$T/eval/$b.json"
done

# ---- _base_ inheritance and merging
for d in "$T"/merge/*/; do
  c=$(basename "$d")
  if [ -f "$d/expected.json" ]; then expect_json "merge/$c" "$d" config.py "$d/expected.json"
  else error_case "merge/$c" "$d" config.py; fi
done

# ---- errors
for f in "$T"/errors/*.py; do
  error_case "errors/$(basename "$f" .py)" "$T/errors" "$(basename "$f")"
done

# ---- the valid cases are clean under ASan/UBSan too (leaks included)
if [ $have_san -eq 1 ]; then
  bad=""
  for f in "$T"/eval/*.py "$T"/merge/*/config.py; do
    head -n 1 "$f" | grep -q '^# error:' && continue
    (cd "$(dirname "$f")" && "$MMCC_SAN" config "$(basename "$f")") >"$OUT/san.json" 2>"$OUT/san.err" || bad="$bad $f"
    grep -q -E 'Sanitizer|runtime error' "$OUT/san.err" && bad="$bad $f"
  done
  [ -z "$bad" ] && ok "san/valid-cases" || fail "san/valid-cases" "failed or sanitizer report:$bad"
else
  skip "san/valid-cases" "no $MMCC_SAN (make san)"
fi

# ---- output form: the JSON text itself (floats as Python's repr, non-ASCII kept)
"$MMCC" config --compact "$T/eval/literals.py" >"$OUT/lit.txt" 2>&1
if grep -qF '"floats": [0.0001, 0.5, 255.0, 1e-06, 5e-05, 0.1, 2500.0, 1e+16, 1e+22, 1.5e+300, 123456789.125, 1.0]' "$OUT/lit.txt" &&
   [ "$(wc -l <"$OUT/lit.txt")" -eq 1 ]; then ok "output/compact-float-repr"
else fail "output/compact-float-repr" "$(head -c 300 "$OUT/lit.txt")"; fi
"$MMCC" config "$T/eval/strings.py" >"$OUT/str.txt" 2>&1
if grep -qF '"non_ascii": "ü 中文 — ok"' "$OUT/str.txt"; then ok "output/utf8-kept"
else fail "output/utf8-kept" "$(grep non_ascii "$OUT/str.txt")"; fi
"$MMCC" config --indent 4 "$T/eval/names.py" >"$OUT/ind.txt" 2>&1
if grep -q '^    "img_size": 384,$' "$OUT/ind.txt"; then ok "output/indent"
else fail "output/indent" "$(head -c 200 "$OUT/ind.txt")"; fi
"$MMCC" config "$T/eval/imports.py" >"$OUT/imp.txt" 2>&1
if grep -q -E '"(copy|deepcopy|path|osp)"' "$OUT/imp.txt"; then fail "output/imports-dropped" "$(head -c 200 "$OUT/imp.txt")"
else ok "output/imports-dropped"; fi

# ---- command line
expect_status "usage/no-file" 2 "$MMCC" config
expect_status "usage/two-files" 2 "$MMCC" config a.py b.py
expect_status "usage/bad-option" 2 "$MMCC" config --frobnicate "$T/eval/names.py"
expect_status "usage/bad-indent" 2 "$MMCC" config --indent x "$T/eval/names.py"
expect_status "usage/help" 0 "$MMCC" config --help
grep -q '^usage: mmcc config' "$OUT/last.out" && ok "usage/help-text" || fail "usage/help-text" "no usage line on stdout"
expect_error "input/missing-file" "nope\.py: error: cannot open" "$MMCC" config "$OUT/nope.py"
echo 'x = 1' >"$OUT/conf.yaml"
expect_error "input/not-py" "only \.py configs are supported" "$MMCC" config "$OUT/conf.yaml"

# ---- generated bad input (run under the sanitizers when available)
RUN=$MMCC; [ $have_san -eq 1 ] && RUN=$MMCC_SAN
printf 'x = 1\ny = "a\0b"\n' >"$OUT/nul.py"
expect_error "gen/nul-byte" "nul\.py:2:.*NUL byte" "$RUN" config "$OUT/nul.py"
printf 'x = 1\ny = "\xff\xfe"\n' >"$OUT/utf8.py"
expect_error "gen/invalid-utf8" "utf8\.py:2:6: error: invalid UTF-8 byte 0xff" "$RUN" config "$OUT/utf8.py"
"$PY" -c "print('x = ' + '[' * 5000 + ']' * 5000)" >"$OUT/deep_brackets.py"
expect_error "gen/deep-brackets" "too many nested brackets" "$RUN" config "$OUT/deep_brackets.py"
"$PY" -c "print('x = ' + '(' * 190 + '1' + ')' * 190)" >"$OUT/deep_parens.py"
expect_error "gen/deep-parens" "nested too deeply" "$RUN" config "$OUT/deep_parens.py"
"$PY" -c "print('x = ' + '-' * 100000 + '1')" >"$OUT/deep_unary.py"
expect_error "gen/deep-unary" "nested too deeply" "$RUN" config "$OUT/deep_unary.py"
"$PY" -c "print('x = ' + 'not ' * 100000 + '1')" >"$OUT/deep_not.py"
expect_error "gen/deep-not" "nested too deeply" "$RUN" config "$OUT/deep_not.py"
"$PY" -c "print('x = 1' + ' + 1' * 500)" >"$OUT/long_sum.py"
expect_status "gen/long-flat-sum" 0 "$RUN" config --compact "$OUT/long_sum.py"
grep -q '"x": 501' "$OUT/last.out" && ok "gen/long-flat-sum-value" || fail "gen/long-flat-sum-value" "$(head -c 100 "$OUT/last.out")"
"$PY" -c "print('x = 1' + ' + 1' * 100000)" >"$OUT/huge_sum.py"
expect_error "gen/huge-flat-sum" "nested too deeply" "$RUN" config "$OUT/huge_sum.py"
"$PY" -c "
import sys
for i in range(120): print(' ' * i + 'if True:')
print(' ' * 120 + 'x = 1')" >"$OUT/deep_blocks.py"
expect_error "gen/deep-blocks" "too many levels of indentation|nested too deeply" "$RUN" config "$OUT/deep_blocks.py"
"$PY" -c "print('a = []'); print('for _ in range(0): pass'); print('b = a')" >"$OUT/loop.py"
expect_error "gen/loop-in-file" "loop.py:2:1: error: 'for' loop is not supported" "$RUN" config "$OUT/loop.py"
printf '_base_ = "%s"\n' "$OUT/chain1.py" >"$OUT/chain0.py"
for i in $(seq 1 70); do printf '_base_ = "chain%d.py"\nv%d = %d\n' $((i + 1)) "$i" "$i" >"$OUT/chain$i.py"; done
printf 'v_end = 0\n' >"$OUT/chain71.py"
expect_error "gen/base-chain-too-deep" "_base_ chain deeper than 64 files" "$RUN" config "$OUT/chain0.py"

printf 'x = 1\r\ny = """a\r\nb"""\r\nz = [1,\r\n     2]\r\n' >"$OUT/crlf.py"
printf '{"x": 1, "y": "a\\nb", "z": [1, 2]}' >"$OUT/crlf.json"
expect_json "gen/crlf-newlines" "$OUT" crlf.py "$OUT/crlf.json"
"$PY" -c "print('a = [1]'); [print('a = a + a') for _ in range(40)]" >"$OUT/blowup.py"
expect_error "gen/sequence-blowup" "sequence too long" "$RUN" config "$OUT/blowup.py"

# every prefix of real-looking configs: exit 0 or 1 with a diagnostic, never a crash
fuzz_prefixes() {
  local n=$1 src=$2 len bad="" i rc step
  len=$(wc -c <"$src")
  step=$((len / 40 + 1))  # about 40 cuts per file keeps the suite fast
  for ((i = 0; i <= len; i += step)); do
    head -c "$i" "$src" >"$OUT/prefix.py"
    "$RUN" config "$OUT/prefix.py" >/dev/null 2>"$OUT/prefix.err"; rc=$?
    if [ $rc -gt 1 ] || grep -q -E 'Sanitizer|runtime error' "$OUT/prefix.err" ||
       { [ $rc -eq 1 ] && ! grep -q 'error: ' "$OUT/prefix.err"; }; then bad="$bad $i:rc$rc"; fi
  done
  [ -z "$bad" ] && ok "$n" || fail "$n" "bad prefixes (length:status):$bad"
}
fuzz_prefixes "fuzz/prefixes-fstrings" "$T/eval/fstrings.py"
fuzz_prefixes "fuzz/prefixes-mutation" "$T/eval/mutation.py"
fuzz_prefixes "fuzz/prefixes-comprehensions" "$T/eval/comprehensions.py"
fuzz_prefixes "fuzz/prefixes-base-refs" "$T/merge/base_refs/config.py"

# random token soup and random bytes
"$PY" - "$OUT" <<'PY'
import random, sys
out = sys.argv[1]
toks = ['x', '=', 'dict', '(', ')', '[', ']', '{', '}', ',', ':', '1', '2.5e-3', "'s'", 'f"{x}"', '+', '-',
        '*', '/', '//', '%', '**', '.', 'a', 'for', 'in', 'if', 'else', 'not', 'and', 'lambda', '\n',
        '\n    ', '_base_', '{{_base_.a}}', '#', '\\\n', '"""', 'None', 'True', '...', ';', '@', '!', '$']
for k in range(30):
    r = random.Random(k)
    with open(f'{out}/soup{k}.py', 'w') as f:
        f.write(' '.join(r.choice(toks) for _ in range(r.randint(1, 60))))
for k in range(10):
    r = random.Random(1000 + k)
    with open(f'{out}/bytes{k}.py', 'wb') as f:
        f.write(bytes(r.randrange(256) for _ in range(r.randint(0, 300))))
PY
bad=""
for f in "$OUT"/soup*.py "$OUT"/bytes*.py; do
  "$RUN" config "$f" >/dev/null 2>"$OUT/soup.err"; rc=$?
  if [ $rc -gt 1 ] || grep -q -E 'Sanitizer|runtime error' "$OUT/soup.err" ||
     { [ $rc -eq 1 ] && ! grep -q 'error: ' "$OUT/soup.err"; }; then bad="$bad $(basename "$f"):rc$rc"; fi
done
[ -z "$bad" ] && ok "fuzz/random-input" || fail "fuzz/random-input" "$bad"
