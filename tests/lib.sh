# Helpers for test suites (sourced). See tests/run for the output protocol.
# Environment: ROOT, MMCC, MMCC_SAN, PY, OUT (a fresh directory for this suite).

ok()   { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }

# check NAME CMD...: passes when CMD exits 0.
check() { local n=$1; shift; if "$@" >"$OUT/.check.out" 2>&1; then ok "$n"; else fail "$n" "$(tail -n 5 "$OUT/.check.out" | tr '\n' ' ')"; fi; }

# expect_status NAME STATUS CMD...: CMD must exit with STATUS; its stderr is left in $OUT/last.err.
expect_status() {
  local n=$1 want=$2; shift 2
  "$@" >"$OUT/last.out" 2>"$OUT/last.err"; local rc=$?
  if [ $rc -eq "$want" ]; then ok "$n"; else fail "$n" "exit $rc, wanted $want: $(head -c 300 "$OUT/last.err")"; fi
}

# expect_error NAME REGEX CMD...: CMD must exit 1, print a message matching REGEX (grep -E) on
# stderr, and not be killed by a sanitizer.
expect_error() {
  local n=$1 re=$2; shift 2
  "$@" >"$OUT/last.out" 2>"$OUT/last.err"; local rc=$?
  if [ $rc -ne 1 ]; then fail "$n" "exit $rc, wanted 1: $(head -c 300 "$OUT/last.err")"
  elif grep -q -E 'Sanitizer|runtime error' "$OUT/last.err"; then fail "$n" "sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$OUT/last.err")"
  elif ! grep -q -E -- "$re" "$OUT/last.err"; then fail "$n" "stderr does not match /$re/: $(head -c 300 "$OUT/last.err")"
  else ok "$n"; fi
}
