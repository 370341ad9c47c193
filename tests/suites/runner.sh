# The runner itself (tests/run, tests/lib.sh): each fake suite of tests/runner/ is run by a
# nested tests/run; every broken one must turn the summary red (exit status 1, "N failed"
# with N > 0, and the reason named), and the well-behaved one must pass.
. "$ROOT/tests/lib.sh"
R=$ROOT/tests/runner
# fake suite <TAB> expected summary line <TAB> a line the nested run must print (grep -E)
cases=$(cat <<'EOF2'
good	3 passed, 0 failed, 1 skipped	^== good: 3 passed, 0 failed, 1 skipped
crash-midway	1 passed, 2 failed	ran 1 of 3 planned checks.*|suite exited with status 1
short-plan	2 passed, 1 failed	ran 2 of 3 planned checks
over-plan	2 passed, 1 failed	printed 2 check lines, planned 1
no-plan	1 passed, 1 failed	no plan line
late-plan	2 passed, 1 failed	plan after 1 check lines
checker-traceback	1 passed, 1 failed	FAIL tb: died with a traceback: ValueError: checker bug
checker-bare-traceback	1 passed, 1 failed	ran 1 of 2 planned checks
checker-signal	1 passed, 1 failed	FAIL sig: killed by signal 11
checker-silent-exit	0 passed, 1 failed	FAIL quiet: exited with status 3 and printed no FAIL
checker-fail-exit0	0 passed, 2 failed	FAIL lax: printed FAIL lines but exited with status 0
checker-short	1 passed, 1 failed	FAIL few: printed 1 check lines, expected 2
reasonless-skip	1 passed, 1 failed	skip without a reason: skip second
empty-reason-skip	0 passed, 1 failed	skip without a reason: skip first:
fail-and-exit	0 passed, 2 failed	suite exited with status 2
exit-nonzero	1 passed, 1 failed	suite exited with status 1
killed	1 passed, 1 failed	suite exited with status 137
EOF2
)
nfake=$(ls "$R"/*.sh | wc -l)
plan $(( $(echo "$cases" | wc -l) + 1 ))
# every fake suite has a row here (a new one without a row would test nothing)
listed=$(echo "$cases" | cut -f1 | sort | tr '\n' ' ')
present=$(ls "$R"/*.sh | xargs -n1 basename | sed 's/\.sh$//' | sort | tr '\n' ' ')
[ "$listed" = "$present" ] && ok "runner_cases_cover_every_fake_suite ($nfake)" ||
  fail runner_cases_cover_every_fake_suite "rows: $listed; files: $present"
while IFS=$'\t' read -r name summary line; do
  TESTS_SUITES=$R TESTS_OUT="$OUT/nested" bash "$ROOT/tests/run" "$name" >"$OUT/$name.out" 2>&1
  rc=$?
  want_rc=1; [ "$name" = good ] && want_rc=0
  last=$(tail -n 1 "$OUT/$name.out")
  if [ $rc -ne $want_rc ]; then fail "runner_$name" "nested run exited $rc, wanted $want_rc: $(tail -n 4 "$OUT/$name.out" | tr '\n' ' ')"
  elif [ "$last" != "$summary" ]; then fail "runner_$name" "summary '$last', wanted '$summary'"
  elif ! grep -q -E -- "$line" "$OUT/$name.out"; then fail "runner_$name" "no line matching /$line/: $(tr '\n' ' ' <"$OUT/$name.out" | head -c 400)"
  else ok "runner_$name ($last)"; fi
done <<<"$cases"
