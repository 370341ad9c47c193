# a checker prints FAIL but exits 0 (checkers must exit non-zero on failure)
. "$ROOT/tests/lib.sh"
plan 2
run_checker lax 1 "$PY" -c "print('FAIL lax_one: wrong')"
