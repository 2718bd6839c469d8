// Runs ONNX Runtime on a model and one float32 .npy input and compares every
// output, in order, with expected .npy files (e.g. TFLite's outputs for the
// model `etch convert` wrote): max abs difference relative to the expected
// output's range (its magnitude for a single value). Exit code 1 when an output differs by more than TOL
// (default 1e-4) of its range.
//   node bench/onnx_vs_expected.mjs MODEL.onnx INPUT.npy EXPECTED0.npy [EXPECTED1.npy ...]
import { createRequire } from 'module';
import { readNpyF32 } from './runtime_vs_ort/npy.mjs';
const require = createRequire(import.meta.url);
const ort = require('./node_modules/onnxruntime-node');

const [model, inputPath, ...expected] = process.argv.slice(2);
const tol = Number(process.env.TOL ?? 1e-4);
const input = readNpyF32(inputPath);
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input.data, input.shape) });
if (expected.length !== session.outputNames.length)
  throw new Error(`${model}: ${session.outputNames.length} outputs, ${expected.length} expected files`);
let worst = 0;
expected.forEach((path, i) => {
  const want = readNpyF32(path), got = result[session.outputNames[i]];
  if (want.data.length !== got.data.length) throw new Error(`${session.outputNames[i]}: [${got.dims}] vs ${path} [${want.shape}]`);
  let lo = Infinity, hi = -Infinity, diff = 0;
  for (let k = 0; k < want.data.length; ++k) {
    lo = Math.min(lo, want.data[k]);
    hi = Math.max(hi, want.data[k]);
    diff = Math.max(diff, Math.abs(want.data[k] - Number(got.data[k])));
  }
  // A single-value output (a score) has no range: its magnitude stands in.
  const span = hi > lo ? hi - lo : Math.max(Math.abs(hi), Math.abs(lo));
  const rel = diff / Math.max(span, 1e-12);
  worst = Math.max(worst, rel);
  console.log(`${model} ${session.outputNames[i]} [${got.dims}]: max abs diff ${diff.toExponential(2)} = ${rel.toExponential(2)} of range`);
});
process.exit(worst <= tol ? 0 : 1);
