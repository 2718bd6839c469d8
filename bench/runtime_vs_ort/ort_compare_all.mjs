// Runs ONNX Runtime on PREFIX_input.npy (written by `bench_runtime --save PREFIX`)
// and compares every output with etch's PREFIX_out<i>.npy: prints per output the
// max abs difference and that difference relative to the output's largest magnitude.
//   node ort_compare_all.mjs MODEL.onnx PREFIX
import { createRequire } from 'module';
import { readNpyF32 } from './npy.mjs';
const require = createRequire(import.meta.url);
const ort = require('../node_modules/onnxruntime-node');

const [model, prefix] = process.argv.slice(2);
const input = readNpyF32(`${prefix}_input.npy`);
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, logSeverityLevel: 3 });
const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input.data, input.shape) });
let worst = 0;
const parts = session.outputNames.map((name, i) => {
  const out = result[name];
  const etch = readNpyF32(`${prefix}_out${i}.npy`);
  if (etch.data.length !== out.data.length) throw new Error(`output ${name}: etch [${etch.shape}] vs ORT [${out.dims}]`);
  let diff = 0, mag = 0;
  for (let j = 0; j < out.data.length; ++j) {
    diff = Math.max(diff, Math.abs(out.data[j] - etch.data[j]));
    mag = Math.max(mag, Math.abs(out.data[j]));
  }
  worst = Math.max(worst, diff / Math.max(mag, 1e-30));
  return `${name} [${out.dims}] ${diff.toExponential(2)}`;
});
console.log(`max abs diff per output: ${parts.join(', ')}; worst relative to the output's max ${worst.toExponential(2)}`);
