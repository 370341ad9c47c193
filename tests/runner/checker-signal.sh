# a checker killed by a signal (SIGSEGV) after printing all its lines
. "$ROOT/tests/lib.sh"
plan 2
run_checker sig 1 "$PY" -c "
import os, signal
print('ok sig_one', flush=True)
os.kill(os.getpid(), signal.SIGSEGV)"
