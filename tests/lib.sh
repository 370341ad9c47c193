# Helpers for test suites (sourced). See tests/run for the output protocol: `plan N` first,
# then exactly N lines, each one of ok / FAIL / skip (with a reason).
# Environment: ROOT, MMCC, MMCC_SAN, PY, OUT (a fresh directory for this suite).

# plan N: the number of check lines this suite prints (computed from the data it loops over).
plan() {
  case $1 in ''|*[!0-9]*) echo "FAIL plan: not a number: '$1'"; return 1;; esac
  echo "plan $1"
}
ok()   { echo "ok $1"; }
fail() { echo "FAIL $1: ${2:-(no reason given)}"; }
# skip NAME WHY: a check that did not run; a skip without a reason is a failure
skip() { if [ -n "${2:-}" ]; then echo "skip $1: $2"; else echo "FAIL $1: skipped without a reason"; fi; }

# run_checker NAME N CMD...: runs a program that prints its own ok/FAIL/skip lines (a Python
# checker), passes its output through, and adds one FAIL NAME line when it crashed: killed by
# a signal, a Python traceback, a sanitizer report, a non-zero exit without a FAIL line, a
# FAIL line with exit status 0, or a count of check lines other than N ('-': any count).
run_checker() {
  local n=$1 want=$2; shift 2
  _rc_seq=$(( ${_rc_seq:-0} + 1 ))
  local o="$OUT/.checker$_rc_seq.out" e="$OUT/.checker$_rc_seq.err"
  "$@" >"$o" 2>"$e"; local rc=$?
  cat "$o"
  local lines nf why=""
  lines=$(grep -c -E '^(ok|FAIL|skip) ' "$o"); nf=$(grep -c '^FAIL ' "$o")
  if [ $rc -gt 128 ]; then why="killed by signal $((rc - 128)) after $lines check lines"
  elif grep -q '^Traceback ' "$e"; then why="died with a traceback: $(tail -n 1 "$e")"
  elif grep -q -E 'Sanitizer|runtime error' "$e"; then why="sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$e")"
  elif [ $rc -ne 0 ] && [ "$nf" -eq 0 ]; then why="exited with status $rc and printed no FAIL: $(tail -n 3 "$e" | tr '\n' ' ')"
  elif [ $rc -eq 0 ] && [ "$nf" -gt 0 ]; then why="printed FAIL lines but exited with status 0"
  elif [ "$want" != - ] && [ "$lines" -ne "$want" ]; then why="printed $lines check lines, expected $want"
  fi
  [ -z "$why" ] || fail "$n" "$why"
  return 0
}

# check NAME CMD...: passes when CMD exits 0.
check() { local n=$1; shift; if "$@" >"$OUT/.check.out" 2>&1; then ok "$n"; else fail "$n" "$(tail -n 5 "$OUT/.check.out" | tr '\n' ' ')"; fi; }

# expect_status NAME STATUS CMD...: CMD must exit with STATUS; its stderr is left in $OUT/last.err.
expect_status() {
  local n=$1 want=$2; shift 2
  "$@" >"$OUT/last.out" 2>"$OUT/last.err"; local rc=$?
  if [ $rc -eq "$want" ]; then ok "$n"; else fail "$n" "exit $rc, wanted $want: $(head -c 300 "$OUT/last.err")"; fi
}

# expect_error NAME REGEX CMD...: CMD must exit 1, print a message matching REGEX (grep -E) on
# stderr, and not be killed by a sanitizer. The matching line goes into the suite's
# .bad-inputs (check name, tab, message): tests/run gathers them into the catalogue of bad
# inputs, tests/out/bad-inputs.md.
expect_error() {
  local n=$1 re=$2; shift 2
  "$@" >"$OUT/last.out" 2>"$OUT/last.err"; local rc=$?
  if [ $rc -ne 1 ]; then fail "$n" "exit $rc, wanted 1: $(head -c 300 "$OUT/last.err")"
  elif grep -q -E 'Sanitizer|runtime error' "$OUT/last.err"; then fail "$n" "sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$OUT/last.err")"
  elif ! grep -q -E -- "$re" "$OUT/last.err"; then fail "$n" "stderr does not match /$re/: $(head -c 300 "$OUT/last.err")"
  else
    ok "$n"
    printf '%s\t%s\n' "$n" "$(grep -m1 -E -- "$re" "$OUT/last.err" | cut -c1-400)" >>"$OUT/.bad-inputs"
  fi
}

# model_shim DIR ID: prints the shim that maps library ID's names (DIR/ID.h) to the drivers'
# M_FORWARD, M_WS, M_C, M_H, M_W and M_OUT (logits, or features of a headless model), for
# `cc -include` (tests/codegen/run_model.c and the other drivers).
model_shim() {
  local dir=$1 id=$2 up outm
  up=$(echo "$id" | tr '[:lower:]' '[:upper:]')
  outm=${up}_NUM_CLASSES; grep -q "#define $outm " "$dir/$id.h" || outm=${up}_OUTPUT_DIM
  printf '#include "%s.h"\n#define M_FORWARD %s_forward\n#define M_WS %s_WORKSPACE_BYTES\n' "$id" "$id" "$up"
  printf '#define M_C %s_INPUT_CHANNELS\n#define M_H %s_INPUT_HEIGHT\n#define M_W %s_INPUT_WIDTH\n#define M_OUT %s\n' "$up" "$up" "$up" "$outm"
}
