# a Python checker prints one ok, then dies with a traceback (its second check is lost)
. "$ROOT/tests/lib.sh"
plan 2
run_checker tb 2 "$PY" -c "
print('ok tb_one', flush=True)
raise ValueError('checker bug')
print('ok tb_two')"
