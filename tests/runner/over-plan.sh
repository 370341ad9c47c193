# prints more checks than planned
. "$ROOT/tests/lib.sh"
plan 1
ok first
ok second
