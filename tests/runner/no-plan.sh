# no plan line at all
. "$ROOT/tests/lib.sh"
ok first
