# a checker that exits non-zero without printing FAIL (and prints nothing)
. "$ROOT/tests/lib.sh"
plan 1
run_checker quiet 1 "$PY" -c "import sys; sys.exit(3)"
