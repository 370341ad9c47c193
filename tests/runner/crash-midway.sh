# dies part-way (an unbound variable under set -u): the checks after it are lost
set -u
. "$ROOT/tests/lib.sh"
plan 3
ok first
echo "$no_such_variable"
ok second
ok third
