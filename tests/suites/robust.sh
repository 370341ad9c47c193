# robust.sh: generated code and runtime under sanitizers, concurrent callers, the CPU check
# proven under an emulated CPU, and mmcc under valgrind (issue 12, part 3). Drivers in
# tests/robust/; libraries are tiny models with synthetic weights, rebuilt with the generated
# Makefile's CC / CFLAGS.
#   1. ASan + UBSan: library and driver instrumented; forward on batch sizes 1..13 with 1, 3,
#      16 threads, preprocess / classify on odd image sizes and strides: no report
#   2. four caller threads at once (own workspaces, 1/2/3/1 threads each): the bytes of lone
#      calls; the same under ThreadSanitizer: no report (and a report when they share one
#      workspace: the negative control)
#   3. qemu-x86_64 with CPU models lacking the target's features: skx -> <ID>_E_CPU, haswell
#      on a Haswell runs and gives the native bytes, haswell on a pre-AVX2 CPU -> E_CPU
#   4. valgrind memcheck of build/mmcc: inspect, build --no-build (random weights and a torch
#      checkpoint), two error paths; and of a haswell library's forward / classify sweep: no
#      errors, no leaks
. "$ROOT/tests/lib.sh"
plan 16
TB=$ROOT/tests/build
TR=$ROOT/tests/robust
G=$OUT/gen
mkdir -p "$G"
SAN="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
TSAN="-O1 -g -fsanitize=thread"
REPORT='Sanitizer|runtime error'

# sources TAG CONFIG [options]: `mmcc build --no-build` -> $G/TAG/<model> (sets LIB, LID, LUP, LOUT)
sources() {
  local tag=$1 cfg=$2; shift 2
  rm -rf "${G:?}/$tag"
  "$MMCC" build "$cfg" --weights random:3 --no-build --out "$G/$tag" "$@" >"$G/$tag.log" 2>&1 || return 1
  LIB=$G/$tag/$(basename "$cfg" .py)
  LID=$(basename "$(ls "$LIB"/*.h)" .h)
  LUP=$(echo "$LID" | tr '[:lower:]' '[:upper:]')
  LOUT=${LUP}_NUM_CLASSES
  grep -q "#define $LOUT " "$LIB/$LID.h" || LOUT=${LUP}_OUTPUT_DIM
}
# lib TAG CFLAGS: make the library of $LIB with CFLAGS (a copy of the sources per flavour)
lib() {
  rm -rf "${LIB:?}.$1"; cp -r "$LIB" "$LIB.$1"
  make -s -C "$LIB.$1" CFLAGS="$2" >"$G/$1.make.log" 2>&1
}
# driver FLAVOUR PROGRAM CFLAGS [LDFLAGS]: tests/robust/PROGRAM.c against $LIB.FLAVOUR
driver() {
  cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $3 -I"$LIB.$1" -DLIB_H="\"$LID.h\"" -DID="$LID" \
    -DUP="$LUP" -DOUTN="$LOUT" -o "$G/$2.$LID.$1" "$TR/$2.c" "$LIB.$1/lib$LID.a" ${4:-} -lm -lpthread \
    >"$G/$2.$LID.$1.log" 2>&1
}
why() { tail -n 4 "$@" 2>/dev/null | tr '\n' ' ' | head -c 400; }

# {================================================================== 1. ASan + UBSan
for cfg in "$TB/tiny-a.py" "$ROOT/tests/codegen/t06-avg-featmap-nocls.py"; do
  n=asan_ubsan_$(basename "$cfg" .py)
  if ! sources "asan-$(basename "$cfg" .py)" "$cfg"; then fail "$n" "mmcc build: $(why "$G/asan-$(basename "$cfg" .py).log")"
  elif ! lib asan "$SAN"; then fail "$n" "make CFLAGS='$SAN': $(why "$G/asan.make.log")"
  elif ! driver asan sanitized "$SAN"; then fail "$n" "driver: $(why "$G/sanitized.$LID.asan.log")"
  else
    "$G/sanitized.$LID.asan" --high-water >"$G/$n.out" 2>"$G/$n.err"; rc=$?
    read -r _ hw _ alloc < <(grep '^high-water' "$G/$n.out")
    if grep -q -E "$REPORT" "$G/$n.err"; then fail "$n" "$(grep -m2 -E "$REPORT" "$G/$n.err" | tr '\n' ' ')"
    elif [ $rc -ne 0 ] || [ -z "${hw:-}" ]; then fail "$n" "exit $rc: $(why "$G/$n.out" "$G/$n.err")"
    else ok "$n (batches 1-7, 13 x 1/3/16 threads; 13 image sizes up to MAX_IMAGE_SIDE x 2 strides: no report; workspace used $hw of $alloc bytes)"; fi
  fi
  # the negative control (once): the same sweep with the workspace cut just below the bytes
  # it wrote must be reported, so the check above can fail
  if [ "$cfg" = "$TB/tiny-a.py" ]; then
    c=asan_catches_workspace_overrun
    if [ -n "${hw:-}" ] && [ -n "${alloc:-}" ]; then
      short=$(( alloc - (hw - 1) / 64 * 64 ))
      if driver asan sanitized "$SAN -DWORKSPACE_SHORT=$short"; then
        "$G/sanitized.$LID.asan" >"$G/$c.out" 2>"$G/$c.err"
        grep -q 'heap-buffer-overflow' "$G/$c.err" && ok "$c (workspace cut by $short bytes: reported)" ||
          fail "$c" "no report with the workspace $short bytes short: $(why "$G/$c.err")"
      else
        fail "$c" "driver: $(why "$G/sanitized.$LID.asan.log")"
      fi
    else
      fail "$c" "no high-water mark from the sanitized run"
    fi
  fi
  hw=""
done
# }==================================================================

# {================================================================== 2. concurrent callers
if ! sources conc "$TB/tiny-a.py"; then
  fail concurrent_callers "mmcc build: $(why "$G/conc.log")"
  fail concurrent_callers_tsan "mmcc build failed"
  fail tsan_catches_shared_workspace "mmcc build failed"
else
  if lib plain "-O2" && driver plain concurrent "-O2"; then
    if "$G/concurrent.$LID.plain" 20 >"$G/conc.out" 2>&1; then ok "concurrent_callers ($(cat "$G/conc.out"))"
    else fail concurrent_callers "$(why "$G/conc.out")"; fi
  else
    fail concurrent_callers "build: $(why "$G/plain.make.log" "$G/concurrent.$LID.plain.log")"
  fi
  if lib tsan "$TSAN" && driver tsan concurrent "$TSAN"; then
    # halt_on_error: the first report ends the run (exit 66)
    TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$G/concurrent.$LID.tsan" 3 >"$G/tsan.out" 2>"$G/tsan.err"; rc=$?
    if grep -q 'ThreadSanitizer' "$G/tsan.err"; then fail concurrent_callers_tsan "$(grep -m1 -A6 'WARNING: ThreadSanitizer' "$G/tsan.err" | tr '\n' ' ' | head -c 600)"
    elif [ $rc -ne 0 ]; then fail concurrent_callers_tsan "exit $rc: $(why "$G/tsan.out" "$G/tsan.err")"
    else ok "concurrent_callers_tsan ($(cat "$G/tsan.out"); no report)"; fi
  else
    fail concurrent_callers_tsan "build: $(why "$G/tsan.make.log" "$G/concurrent.$LID.tsan.log")"
  fi
  # the negative control: callers sharing one workspace race, and TSan must say so
  c=tsan_catches_shared_workspace
  if driver tsan concurrent "$TSAN -DSHARED_WORKSPACE"; then
    TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$G/concurrent.$LID.tsan" 1 >"$G/$c.out" 2>"$G/$c.err"
    grep -q 'WARNING: ThreadSanitizer: data race' "$G/$c.err" && ok "$c (data race reported)" ||
      fail "$c" "no report: $(why "$G/$c.out" "$G/$c.err")"
  else
    fail "$c" "build: $(why "$G/concurrent.$LID.tsan.log")"
  fi
fi
# }==================================================================

# {================================================================== 3. the CPU check
# cpu_run NAME EXE OUT [QEMU-CPU]: prints the driver's "rc RC E_CPU CODE classify RC2"
cpu_run() {
  if [ -n "${4:-}" ]; then qemu-x86_64 -cpu "$4" "$2" "$3" 2>"$G/$1.err"
  else "$2" "$3" 2>"$G/$1.err"; fi
}
QCPU=Haswell-v4 OLD=SandyBridge
if ! command -v qemu-x86_64 >/dev/null; then
  for n in cpu_native_skx cpu_qemu_skx_on_$QCPU cpu_qemu_haswell_on_$QCPU cpu_qemu_haswell_on_$OLD; do
    skip "$n" "no qemu-x86_64 (Debian qemu-user)"
  done
else
  if sources cpu-skx "$TB/tiny-a.py" --target skx && lib skx "-O2" && driver skx cpu "-O2"; then
    SKX=$G/cpu.$LID.skx
    if grep -q avx512f /proc/cpuinfo; then
      read -r _ rc _ code _ rc2 < <(cpu_run native "$SKX" "$G/skx.f32")
      [ "${rc:-x}" = 0 ] && [ "${rc2:-x}" = 0 ] && ok "cpu_native_skx (forward and classify: rc 0 on this AVX-512 host)" ||
        fail cpu_native_skx "rc ${rc:-none}, classify ${rc2:-none}: $(why "$G/native.err")"
    else
      skip cpu_native_skx "this host has no AVX-512"
    fi
    read -r _ rc _ code _ rc2 < <(cpu_run qskx "$SKX" "$G/qskx.f32" "$QCPU")
    [ -n "${rc:-}" ] && [ "$rc" = "$code" ] && [ "${rc2:-}" = "$code" ] && [ "$rc" -lt 0 ] &&
      ok "cpu_qemu_skx_on_$QCPU (forward and classify: rc $rc = E_CPU, no crash)" ||
      fail "cpu_qemu_skx_on_$QCPU" "rc ${rc:-none}, classify ${rc2:-none} (E_CPU ${code:-?}): $(why "$G/qskx.err")"
  else
    fail cpu_native_skx "build: $(why "$G/cpu-skx.log" "$G/skx.make.log" "$G/cpu.$LID.skx.log")"
    fail "cpu_qemu_skx_on_$QCPU" "build failed"
  fi
  if sources cpu-hsw "$TB/tiny-a.py" --target haswell && lib hsw "-O2" && driver hsw cpu "-O2"; then
    HSW=$G/cpu.$LID.hsw
    read -r _ rn _ _ _ cn < <(cpu_run nhsw "$HSW" "$G/hsw-native.f32")
    read -r _ rq _ _ _ cq < <(cpu_run qhsw "$HSW" "$G/hsw-qemu.f32" "$QCPU")
    if [ "${rn:-x}" = 0 ] && [ "${rq:-x}" = 0 ] && [ "${cn:-x}" = 0 ] && [ "${cq:-x}" = 0 ] &&
        cmp -s "$G/hsw-native.f32" "$G/hsw-qemu.f32"; then
      ok "cpu_qemu_haswell_on_$QCPU (runs; the native run's bytes)"
    else
      fail "cpu_qemu_haswell_on_$QCPU" "rc native ${rn:-none}/${cn:-none}, qemu ${rq:-none}/${cq:-none}; $(cmp "$G/hsw-native.f32" "$G/hsw-qemu.f32" 2>&1 | head -c 100) $(why "$G/qhsw.err")"
    fi
    read -r _ rc _ code _ rc2 < <(cpu_run qold "$HSW" "$G/qold.f32" "$OLD")
    [ -n "${rc:-}" ] && [ "$rc" = "$code" ] && [ "${rc2:-}" = "$code" ] && [ "$rc" -lt 0 ] &&
      ok "cpu_qemu_haswell_on_$OLD (forward and classify: rc $rc = E_CPU; AVX but no AVX2/FMA)" ||
      fail "cpu_qemu_haswell_on_$OLD" "rc ${rc:-none}, classify ${rc2:-none} (E_CPU ${code:-?}): $(why "$G/qold.err")"
  else
    fail "cpu_qemu_haswell_on_$QCPU" "build: $(why "$G/cpu-hsw.log" "$G/hsw.make.log" "$G/cpu.$LID.hsw.log")"
    fail "cpu_qemu_haswell_on_$OLD" "build failed"
  fi
fi
# }==================================================================

# {================================================================== 4. valgrind
# vg NAME STATUS ARGS...: build/mmcc ARGS under memcheck exits STATUS with no error and no leak
vg() {
  local n=$1 want=$2; shift 2
  valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible "$MMCC" "$@" >"$G/$n.out" 2>"$G/$n.err"
  local rc=$?
  if [ $rc -eq "$want" ] && ! grep -q '^==[0-9]*==' "$G/$n.err"; then ok "$n (exit $rc, no error, no leak)"
  else fail "$n" "exit $rc (wanted $want): $(grep -m4 -E '^==[0-9]+==' "$G/$n.err" | tr '\n' ' ' | head -c 500)"; fi
}
if ! command -v valgrind >/dev/null; then
  for n in valgrind_inspect valgrind_build valgrind_error_path valgrind_build_checkpoint \
           valgrind_checkpoint_error_path valgrind_library_haswell; do skip "$n" "no valgrind (Debian valgrind)"; done
else
  vg valgrind_inspect 0 inspect "$ROOT/configs/clip/metafile.yml" clip-vit-base-p32_openai-pre_3rdparty_in1k --tensors
  vg valgrind_build 0 build "$TB/tiny-a.py" --weights random:2 --no-build --out "$G/vg"
  vg valgrind_error_path 1 inspect "$ROOT/tests/models/bad-backbone.py"
  # a torch checkpoint (zip + pickle reader, validation, sha256), and one missing a tensor
  MK=$ROOT/tests/py/make_model_ckpt.py
  if "$PY" "$MK" "$TB/tiny-a.py" "$G/vg.pth" --seed 4 >"$G/vg.pth.log" 2>&1 &&
     "$PY" "$MK" "$TB/tiny-a.py" "$G/vg-drop.pth" --seed 4 --drop backbone.ln1.bias >>"$G/vg.pth.log" 2>&1; then
    vg valgrind_build_checkpoint 0 build "$TB/tiny-a.py" --checkpoint "$G/vg.pth" --no-build --out "$G/vg2"
    vg valgrind_checkpoint_error_path 1 build "$TB/tiny-a.py" --checkpoint "$G/vg-drop.pth" --no-build --out "$G/vg3"
    grep -q "backbone.ln1.bias" "$G/valgrind_checkpoint_error_path.err" ||
      echo "# note: the missing-tensor message did not name backbone.ln1.bias"
  else
    fail valgrind_build_checkpoint "make_model_ckpt.py: $(why "$G/vg.pth.log")"
    fail valgrind_checkpoint_error_path "make_model_ckpt.py failed"
  fi
  # the generated code itself under memcheck (uninitialised reads, which ASan does not see):
  # the haswell target (valgrind has AVX2 and FMA, not AVX-512), the ASan driver's sweep with
  # the workspace left uninitialised
  n=valgrind_library_haswell
  if sources vgl "$TB/tiny-a.py" --target haswell && lib vgl "-O2" && driver vgl sanitized "-O1 -g"; then
    valgrind -q --error-exitcode=99 --leak-check=full "$G/sanitized.$LID.vgl" >"$G/$n.out" 2>"$G/$n.err"; rc=$?
    if [ $rc -eq 0 ] && ! grep -q '^==[0-9]*==' "$G/$n.err"; then ok "$n (forward and classify sweep: no error, no leak)"
    else fail "$n" "exit $rc: $(grep -m4 -E '^==[0-9]+==' "$G/$n.err" | tr '\n' ' ' | head -c 500) $(why "$G/$n.out")"; fi
  else
    fail "$n" "build: $(why "$G/vgl.log" "$G/vgl.make.log" "$G/sanitized.$LID.vgl.log")"
  fi
fi
# }==================================================================
