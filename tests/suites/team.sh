#!/usr/bin/env bash
# team.sh: the persistent thread team of runtime/mmrt_team.c (tests/team/team_stress.c):
# results under barriers equal a serial computation for 1..5 threads, concurrent callers
# (more than there are pools) each get a correct team, mmrt_claim hands out every unit of a
# phase once, a thread's first run is the front of its own share and a late
# thread's share goes to the others, idle workers use no CPU, fork works;
# then the same under ThreadSanitizer (data races, lock order), without the fork check.
set -u
. "$ROOT/tests/lib.sh"
plan 16
src=$ROOT/tests/team/team_stress.c
flags="-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -I$ROOT/runtime"
if cc $flags -o "$OUT/team" "$src" "$ROOT/runtime/mmrt_team.c" -lpthread >"$OUT/build.log" 2>&1; then
  ok team_build
  timeout 180 "$OUT/team" "" || fail team_run "team_stress exited with status $?"
else
  fail team_build "$(head -c 300 "$OUT/build.log")"
  for c in sequential concurrent claimed stolen owned idle fork; do skip "team_$c" "team_stress did not build"; done
fi
if cc $flags -fsanitize=thread -o "$OUT/team_tsan" "$src" "$ROOT/runtime/mmrt_team.c" -lpthread \
    >"$OUT/build_tsan.log" 2>&1; then
  ok team_build_tsan
  TSAN_OPTIONS="halt_on_error=1 exitcode=66" timeout 600 "$OUT/team_tsan" _tsan nofork 2>"$OUT/tsan.err" ||
    fail team_run_tsan "exit $?: $(grep -m2 -E 'WARNING|ERROR' "$OUT/tsan.err" | tr '\n' ' ')"
else
  skip team_build_tsan "cannot build with -fsanitize=thread: $(head -c 200 "$OUT/build_tsan.log")"
  for c in sequential concurrent claimed stolen owned idle fork; do skip "team_${c}_tsan" "no ThreadSanitizer build"; done
fi
