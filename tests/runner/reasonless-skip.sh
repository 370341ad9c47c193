# a skip without ': WHY'
plan() { echo "plan $1"; }
plan 2
echo "ok first"
echo "skip second"
