# the same checker run without run_checker: only the plan catches the lost check
plan() { echo "plan $1"; }
plan 2
"$PY" -c "
print('ok tb_one', flush=True)
raise ValueError('checker bug')
print('ok tb_two')"
true
