# passes: plan 5, two ok, a skip with a reason, a checker that prints its own ok line, a
# bad input refused as expected (it goes into the nested run's catalogue of bad inputs)
. "$ROOT/tests/lib.sh"
plan 5
ok first
check second true
skip third "the reason"
run_checker fourth 1 "$PY" -c "print('ok fourth')"
expect_error fifth 'x\.py:1:2: error: nope' sh -c 'echo "x.py:1:2: error: nope" >&2; exit 1'
