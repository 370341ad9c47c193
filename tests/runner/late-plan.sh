# the plan comes after a check line
. "$ROOT/tests/lib.sh"
ok first
plan 2
ok second
