// ort_profile.js: ONNX Runtime's own per-node times for one model, to set beside mmcc's per-op
// profile (bench/prof) taken in the same minutes. Not part of `make bench`.
//
//   MMCC_BENCH_ORT=DIR node bench/ort_profile.js MODEL.onnx C H W THREADS [RUNS]
//
// DIR: where bench/run installed onnxruntime-node (~/.cache/mmcc-bench/ort-VERSION). The
// module and the session options are bench.js's (THREADS intra-op threads), with ORT's
// profiler on; one image of random pixels, RUNS runs (default 30), the first 5
// dropped. Prints, per node in execution order, its kernel time (median over the runs, ms) and
// op type, then their sum and the runs' wall times. The profiler adds a little time per node;
// pin the process (taskset) to the CPUs bench/prof used. Node names are ORT's (after its
// fusions, e.g. Conv + BatchNorm + Relu as one "..._nchwc" Conv), so matching them to mmcc's
// ops is by hand (bench/results/NOTES.md, twenty-seventh session).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const [model, c, h, w, threads, runsArg] = process.argv.slice(2);
if (!threads) {
  console.error('usage: node bench/ort_profile.js MODEL.onnx C H W THREADS [RUNS]');
  process.exit(2);
}
const runs = +(runsArg || 30), skip = 5;
if (!(runs > skip)) {
  console.error(`ort_profile.js: RUNS must be more than ${skip}`);
  process.exit(2);
}
if (!process.env.MMCC_BENCH_ORT) {
  console.error('ort_profile.js: set MMCC_BENCH_ORT to the directory bench/run installed onnxruntime-node into');
  process.exit(2);
}
const { ort, sessionOptions } = require('./bench.js');
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ort-profile-')), prefix = path.join(tmp, 'p');
(async () => {
  const s = await ort.InferenceSession.create(model, {
    ...sessionOptions(+threads), enableProfiling: true, profileFilePrefix: prefix,
  });
  const n = +c * +h * +w, px = new Float32Array(n);
  for (let i = 0; i < n; i++) px[i] = Math.random() - 0.5;
  const feed = { [s.inputNames[0]]: new ort.Tensor('float32', px, [1, +c, +h, +w]) };
  const wall = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await s.run(feed);
    if (i >= skip) wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  s.endProfiling();
  const file = fs.readdirSync(tmp).find((f) => f.endsWith('.json'));
  if (!file) throw new Error('ORT wrote no profile');
  const events = JSON.parse(fs.readFileSync(path.join(tmp, file)));
  const nodes = new Map(); // name -> {op, durs}, in first-seen (execution) order
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const name = e.name.slice(0, -'_kernel_time'.length);
    if (!nodes.has(name)) nodes.set(name, { op: (e.args && e.args.op_name) || '?', durs: [] });
    nodes.get(name).durs.push(e.dur / 1000);
  }
  let sum = 0;
  console.log(`${path.basename(model)}: ${threads} thread(s), ${runs - skip} runs after ${skip}`);
  console.log('| node | op | ms (median) |\n|---|---|---:|');
  for (const [name, v] of nodes) {
    const m = median(v.durs.slice(skip));
    sum += m;
    console.log(`| ${name} | ${v.op} | ${m.toFixed(3)} |`);
  }
  console.log(`| all nodes | | ${sum.toFixed(3)} |`);
  console.log(`wall per run: median ${median(wall).toFixed(2)} ms, min ${Math.min(...wall).toFixed(2)}`);
})().catch((e) => { console.error(`ort_profile.js: ${e.message}`); process.exitCode = 1; })
  .finally(() => fs.rmSync(tmp, { recursive: true, force: true })); // the profile, read or not
