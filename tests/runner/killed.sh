# the suite itself is killed by a signal after its plan's worth of lines
. "$ROOT/tests/lib.sh"
plan 1
ok first
kill -KILL $$
