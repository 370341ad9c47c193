# prints a FAIL, then exits non-zero: two failures (the FAIL and the status)
. "$ROOT/tests/lib.sh"
plan 1
fail first "broken"
exit 2
