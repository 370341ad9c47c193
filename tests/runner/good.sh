# passes: plan 4, two ok, a skip with a reason, a checker that prints its own ok line
. "$ROOT/tests/lib.sh"
plan 4
ok first
check second true
skip third "the reason"
run_checker fourth 1 "$PY" -c "print('ok fourth')"
