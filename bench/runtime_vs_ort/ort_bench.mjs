// Times ONNX Runtime (CPU) on a model with one f32 input, mirroring
// etch_bench.cc: warm-up, then as many runs as fit in `seconds`; prints images/s.
// SHAPE (D0,D1,..) gives the input shape where the model leaves it symbolic; its
// first dimension is replaced by BATCH. The input is the same as bench_runtime's
// in distribution (uniform [0, 1)), not in values.
//   node ort_bench.mjs MODEL.onnx BATCH THREADS [SECONDS] [WARMUP] [SHAPE]
import { createRequire } from 'module';
const require = createRequire(import.meta.url);
const ort = require('../node_modules/onnxruntime-node');

const [model, batchArg, threadsArg, secondsArg = '1', warmupArg = '3', shapeArg = ''] = process.argv.slice(2);
const batch = Number(batchArg), threads = Number(threadsArg);
const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
});
const inputName = session.inputNames[0];
const dims = shapeArg
  ? shapeArg.split(',').map(Number)
  : session.inputMetadata?.[0]?.shape?.map((d) => (typeof d === 'number' ? d : batch)) ?? [batch, 1, 28, 28];
dims[0] = batch;
const n = dims.reduce((a, b) => a * b, 1);
const data = new Float32Array(n);
let s = 42;
for (let i = 0; i < n; ++i) { s = (s * 1103515245 + 12345) % 2147483648; data[i] = s / 2147483648; }
const feeds = { [inputName]: new ort.Tensor('float32', data, dims) };
for (let i = 0; i < Number(warmupArg); ++i) await session.run(feeds);
let runs = 0;
const t0 = process.hrtime.bigint();
let elapsed = 0;
while (runs < 3 || elapsed < Number(secondsArg)) {
  await session.run(feeds);
  ++runs;
  elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
}
console.log((runs * batch / elapsed).toFixed(3));
