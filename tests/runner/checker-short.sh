# a checker exits 0 having printed fewer lines than it should
. "$ROOT/tests/lib.sh"
plan 2
run_checker few 2 "$PY" -c "print('ok few_one')"
