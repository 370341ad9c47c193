#!/usr/bin/env bash
# mem.sh: the weights moved onto private anonymous pages by the first call, on any number of
# threads (runtime/mmrt_mem.c: why and when; templates/api.c.m4: once, before its forward):
#   mmrt_weights_to_anon on a file mapping (tests/mem/mem_check.c, 4 checks, moved by 1 and
#   by 3 threads): the whole pages inside the range move and no others, every byte reads the
#   same, smaps calls them anonymous, degenerate ranges move nothing;
#   a tiny library (tests/codegen/t01), first called from three threads at once
#   (tests/mem/mem_lib.c) with num_threads 2: the calls agree, the blob's whole pages are
#   anonymous afterwards, and with num_threads 1 as well; the library compiled with
#   -DMMRT_KEEP_WEIGHTS_MAPPED leaves them in the file on 2 threads; all give the same
#   logits bytes.
set -u
. "$ROOT/tests/lib.sh"
plan $(( 1 + 4 * 2 + 3 * 3 + 1 ))
W=$OUT/w; mkdir -p "$W"
CFT="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror"

if cc $CFT -I"$ROOT/runtime" -o "$W/mem_check" "$ROOT/tests/mem/mem_check.c" "$ROOT/runtime/mmrt_mem.c" \
    >"$W/mem_check.log" 2>&1; then
  ok build_mem_check
  for t in 1 3; do run_checker "mem_check_t$t" 4 "$W/mem_check" "$W" $t; done
else
  fail build_mem_check "$(head -c 300 "$W/mem_check.log")"
  for t in 1 3; do for c in bytes same anon none; do fail "move_${c}_t$t" "mem_check did not build"; done; done
fi

# lib TAG CFLAGS: t01 built into $W/TAG (the default CFLAGS, or make CFLAGS=...), the driver
# $W/TAG.run; BYTES = the blob's size
cfg=$ROOT/tests/codegen/t01-d20-p4.py
ck=$W/t01.pth
"$PY" "$ROOT/tests/py/make_model_ckpt.py" "$cfg" "$ck" --seed 5 >"$ck.log" 2>&1
lib() {
  local tag=$1 cf=$2 dir id
  "$MMCC" build "$cfg" --checkpoint "$ck" --out "$W/$tag" --keep-sources >"$W/$tag.log" 2>&1 ||
    { WHY="mmcc build: $(grep -m2 error "$W/$tag.log" | tr '\n' ' ')"; return 1; }
  dir=$W/$tag/t01-d20-p4
  id=$(basename "$(ls "$dir"/*.pc)" .pc)
  if [ -n "$cf" ]; then
    make -s -C "$dir" clean >/dev/null 2>&1
    make -s -C "$dir" CFLAGS="$cf" >"$W/$tag.make.log" 2>&1 || { WHY="make CFLAGS=$cf: $(tail -n 2 "$W/$tag.make.log" | tr '\n' ' ')"; return 1; }
  fi
  { model_shim "$dir" "$id"; printf '#define M_BLOB %s_weights_blob_\n' "$id"; } >"$W/$tag.shim.h"
  BYTES=$(nm -S --defined-only "$dir/lib$id.a" 2>/dev/null | awk '/_weights_blob_$/ {print $2}')
  [ -n "$BYTES" ] || { WHY="no weights_blob_ symbol with a size in lib$id.a"; return 1; }
  BYTES=$((16#$BYTES))
  cc $CFT -I"$dir" -include "$W/$tag.shim.h" -o "$W/$tag.run" "$ROOT/tests/mem/mem_lib.c" \
    "$dir/lib$id.a" -lm -lpthread >"$W/$tag.cc.log" 2>&1 ||
    { WHY="mem_lib: $(grep -m2 -E 'error|undefined' "$W/$tag.cc.log" | tr '\n' ' ')"; return 1; }
}
# one TAG CFLAGS THREADS WANT: builds the library (lib), runs it; checks build_TAG, calls_TAG
# (the threads' first calls agree with a later one), pages_TAG (WANT = all: every whole page
# of the blob anonymous; none: none)
one() {
  local tag=$1 cf=$2 thr=$3 want=$4 r same anon whole
  if ! lib "$tag" "$cf"; then
    fail "build_$tag" "$WHY"; fail "calls_$tag" "no library"; fail "pages_$tag" "no library"; return
  fi
  ok "build_$tag (blob $BYTES bytes)"
  if ! r=$("$W/$tag.run" "$W/$tag.out" "$BYTES" "$thr" 2>"$W/$tag.err"); then
    fail "calls_$tag" "mem_lib exited with status $?: $(head -c 200 "$W/$tag.err")"; fail "pages_$tag" "no run"; return
  fi
  read -r same anon whole <<<"$r"
  if [ "$same" = 1 ]; then ok "calls_$tag (three first calls at once = a later call, bitwise)"
  else fail "calls_$tag" "the threads' first calls differ from a later call"; fi
  if [ "$whole" -le 0 ]; then fail "pages_$tag" "the blob spans no whole page ($BYTES bytes)"
  elif { [ "$want" = all ] && [ "$anon" = "$whole" ]; } || { [ "$want" = none ] && [ "$anon" = 0 ]; }; then
    ok "pages_$tag (Anonymous $anon of $whole kB)"
  else fail "pages_$tag" "Anonymous $anon of the blob's $whole kB of whole pages, wanted $want"; fi
}
one moved "" 2 all
one onethread "" 1 all
one mapped "-O2 -DMMRT_KEEP_WEIGHTS_MAPPED" 2 none
if [ -f "$W/moved.out" ] && [ -f "$W/mapped.out" ] && [ -f "$W/onethread.out" ] &&
    cmp -s "$W/moved.out" "$W/mapped.out" && cmp -s "$W/moved.out" "$W/onethread.out"; then
  ok "same_logits (moved and mapped weights, 1 and 2 threads: the same bytes)"
else
  fail same_logits "the logits of the moved, the 1-thread and the mapped library differ (or one is missing)"
fi
