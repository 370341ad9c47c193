# The runner itself (tests/run, tests/lib.sh): each fake suite of tests/runner/ is run by a
# nested tests/run; every broken one must turn the summary red (exit status 1, "N failed"
# with N > 0, and the reason named), and the well-behaved one must pass.
. "$ROOT/tests/lib.sh"
R=$ROOT/tests/runner
# fake suite <TAB> expected summary line <TAB> a line the nested run must print (grep -E)
cases=$(cat <<'EOF2'
good	4 passed, 0 failed, 1 skipped	^== good: 4 passed, 0 failed, 1 skipped
crash-midway	1 passed, 2 failed, 0 skipped	ran 1 of 3 planned checks.*|suite exited with status 1
short-plan	2 passed, 1 failed, 0 skipped	ran 2 of 3 planned checks
over-plan	2 passed, 1 failed, 0 skipped	printed 2 check lines, planned 1
no-plan	1 passed, 1 failed, 0 skipped	no plan line
late-plan	2 passed, 1 failed, 0 skipped	plan after 1 check lines
checker-traceback	1 passed, 1 failed, 0 skipped	FAIL tb: died with a traceback: ValueError: checker bug
checker-bare-traceback	1 passed, 1 failed, 0 skipped	ran 1 of 2 planned checks
checker-signal	1 passed, 1 failed, 0 skipped	FAIL sig: killed by signal 11
checker-silent-exit	0 passed, 1 failed, 0 skipped	FAIL quiet: exited with status 3 and printed no FAIL
checker-fail-exit0	0 passed, 2 failed, 0 skipped	FAIL lax: printed FAIL lines but exited with status 0
checker-short	1 passed, 1 failed, 0 skipped	FAIL few: printed 1 check lines, expected 2
reasonless-skip	1 passed, 1 failed, 0 skipped	skip without a reason: skip second
empty-reason-skip	0 passed, 1 failed, 0 skipped	skip without a reason: skip first:
fail-and-exit	0 passed, 2 failed, 0 skipped	suite exited with status 2
exit-nonzero	1 passed, 1 failed, 0 skipped	suite exited with status 1
killed	1 passed, 1 failed, 0 skipped	suite exited with status 137
EOF2
)
nfake=$(ls "$R"/*.sh | wc -l)
plan $(( $(echo "$cases" | wc -l) + 5 ))
# every fake suite has a row here (a new one without a row would test nothing)
listed=$(echo "$cases" | cut -f1 | sort | tr '\n' ' ')
present=$(ls "$R"/*.sh | xargs -n1 basename | sed 's/\.sh$//' | sort | tr '\n' ' ')
[ "$listed" = "$present" ] && ok "runner_cases_cover_every_fake_suite ($nfake)" ||
  fail runner_cases_cover_every_fake_suite "rows: $listed; files: $present"
while IFS=$'\t' read -r name summary line; do
  TESTS_SUITES=$R TESTS_OUT="$OUT/nested" bash "$ROOT/tests/run" "$name" >"$OUT/$name.out" 2>&1
  rc=$?
  # its catalogue of bad inputs, before the next nested run (which has none) removes it
  [ "$name" = good ] && cp "$OUT/nested/bad-inputs.md" "$OUT/good-bad-inputs.md" 2>/dev/null
  want_rc=1; [ "$name" = good ] && want_rc=0
  last=$(tail -n 1 "$OUT/$name.out")
  if [ $rc -ne $want_rc ]; then fail "runner_$name" "nested run exited $rc, wanted $want_rc: $(tail -n 4 "$OUT/$name.out" | tr '\n' ' ')"
  elif [ "$last" != "$summary" ]; then fail "runner_$name" "summary '$last', wanted '$summary'"
  elif ! grep -q -E -- "$line" "$OUT/$name.out"; then fail "runner_$name" "no line matching /$line/: $(tr '\n' ' ' <"$OUT/$name.out" | head -c 400)"
  else ok "runner_$name ($last)"; fi
done <<<"$cases"
# the catalogue of bad inputs of the nested run of `good`: its expect_error check's message
if grep -q -F '| good | fifth | `x.py:1:2: error: nope` |' "$OUT/good-bad-inputs.md" 2>/dev/null &&
   grep -q 'catalogue of bad inputs: .*(1 messages)' "$OUT/good.out"; then ok runner_bad_inputs_catalogue
else fail runner_bad_inputs_catalogue "$(head -c 300 "$OUT/good-bad-inputs.md" 2>&1)"; fi
# a suite that passed leaves only its log (and its bad inputs) behind; a failed one keeps
# its outputs
left=$(ls -A "$OUT/nested/good" 2>/dev/null | grep -v '^\.bad-inputs$' | tr '\n' ' ')
kept=$(ls -A "$OUT/nested/checker-traceback" 2>/dev/null | grep -c -v '^\.log$')
if [ "$left" = ".log " ] && [ "$kept" -gt 0 ]; then ok "runner_cleans_passed_outputs"
else fail runner_cleans_passed_outputs "good left: '$left'; checker-traceback kept $kept files"; fi
# all fake suites in one nested run, one at a time and three at once (MMCC_TEST_JOBS): the
# summary is the sum of the rows above, each suite's output one contiguous block ending in its
# own summary line, the failures listed in suite order
want=$(echo "$cases" | cut -f2 | awk '{ p += $1; f += $3; s += $5 } END { printf "%d passed, %d failed, %d skipped", p, f, s }')
for j in 1 3; do
  MMCC_TEST_JOBS=$j TESTS_SUITES=$R TESTS_OUT="$OUT/all$j" bash "$ROOT/tests/run" >"$OUT/all$j.out" 2>"$OUT/all$j.err"
  rc=$?
  last=$(tail -n 1 "$OUT/all$j.out")
  blocks=$(awk '/^== [^ ]+$/ { if (open != "") bad = bad " " open " not closed"; open = $2; n++; next }
                /^== [^ ]+: / { name = $2; sub(/:$/, "", name); if (name != open) bad = bad " " name " closed outside its block"; open = ""; next }
                END { if (bad != "") print "bad:" bad; else print n }' "$OUT/all$j.out")
  order=$(sed -n '/^Failures:/,/^$/p' "$OUT/all$j.out" | sed -n 's/^  \([^:]*\):.*/\1/p' | uniq | tr '\n' ' ')
  sorted=$(echo "$order" | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
  if [ $rc -ne 1 ]; then fail "runner_all_jobs$j" "nested run exited $rc, wanted 1: $(tail -n 3 "$OUT/all$j.out" | tr '\n' ' ')"
  elif [ "$last" != "$want" ]; then fail "runner_all_jobs$j" "summary '$last', wanted '$want'"
  elif [ "$blocks" != "$nfake" ]; then fail "runner_all_jobs$j" "suite blocks: $blocks (wanted $nfake, each contiguous)"
  elif [ "$order" != "$sorted" ]; then fail "runner_all_jobs$j" "failures not in suite order: $order"
  else ok "runner_all_jobs$j ($nfake suites, $last)"; fi
done
