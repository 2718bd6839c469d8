// Runs ONNX Runtime on an .npy input and compares its first output with an
// .npy produced by `etch run`: prints the max abs difference and arg-max agreement.
//   node ort_compare.mjs MODEL.onnx INPUT.npy ETCH_OUTPUT.npy [ORT_OUTPUT.npy]
import { createRequire } from 'module';
import { readNpyF32, writeNpyF32 } from './npy.mjs';
const require = createRequire(import.meta.url);
const ort = require('../node_modules/onnxruntime-node');

const [model, inputPath, etchPath, ortOut] = process.argv.slice(2);
const input = readNpyF32(inputPath);
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input.data, input.shape) });
const out = result[session.outputNames[0]];
if (ortOut) writeNpyF32(ortOut, out.dims, out.data);
const etch = readNpyF32(etchPath);
if (etch.data.length !== out.data.length) throw new Error(`size mismatch: etch ${etch.shape} vs ORT ${out.dims}`);
let maxDiff = 0;
for (let i = 0; i < out.data.length; ++i) maxDiff = Math.max(maxDiff, Math.abs(out.data[i] - etch.data[i]));
const rows = out.dims[0], cols = out.data.length / rows;
let agree = 0;
const argmax = (a, r) => { let b = 0; for (let c = 1; c < cols; ++c) if (a[r * cols + c] > a[r * cols + b]) b = c; return b; };
for (let r = 0; r < rows; ++r) agree += argmax(out.data, r) === argmax(etch.data, r);
console.log(`etch vs ONNX Runtime ${ort.env.versions.common} on ${inputPath}: output [${out.dims}] max abs diff ${maxDiff.toExponential(3)}, arg-max agreement ${agree}/${rows}`);
