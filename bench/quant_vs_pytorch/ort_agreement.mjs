// ONNX Runtime on an etch QDQ export vs etch's integer runtime on the same
// test images (files from `etch quantize ... --save-test-outputs PREFIX`):
// top-1 agreement rate, max abs difference of the dequantized logits, and
// both accuracies.
//   node ort_agreement.mjs MODEL.qdq.onnx PREFIX
import { createRequire } from 'module';
import { readNpyF32 } from '../runtime_vs_ort/npy.mjs';
const require = createRequire(import.meta.url);
const ort = require('../node_modules/onnxruntime-node');

const [model, prefix] = process.argv.slice(2);
const images = readNpyF32(`${prefix}_images.npy`);
const etch = readNpyF32(`${prefix}_int.npy`);
const labels = readNpyF32(`${prefix}_labels.npy`);
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
const [n, ...rest] = images.shape;
const per = rest.reduce((a, b) => a * b, 1);
const cols = etch.data.length / n;
const argmax = (a, r) => { let b = 0; for (let c = 1; c < cols; ++c) if (a[r * cols + c] > a[r * cols + b]) b = c; return b; };
let agree = 0, maxDiff = 0, ortHits = 0, etchHits = 0;
for (let b = 0; b < n; b += 1000) {
  const e = Math.min(n, b + 1000);
  const x = new ort.Tensor('float32', images.data.subarray(b * per, e * per), [e - b, ...rest]);
  const out = (await session.run({ [session.inputNames[0]]: x }))[session.outputNames[0]].data;
  for (let r = 0; r < e - b; ++r) {
    const o = argmax(out, r);
    const t = argmax(etch.data.subarray(b * cols), r);
    agree += o === t;
    ortHits += o === labels.data[b + r];
    etchHits += t === labels.data[b + r];
    for (let c = 0; c < cols; ++c) maxDiff = Math.max(maxDiff, Math.abs(out[r * cols + c] - etch.data[(b + r) * cols + c]));
  }
}
console.log(JSON.stringify({ model, ort: ort.env.versions.common, images: n, top1_agreement: agree / n,
  max_abs_logit_diff: maxDiff, ort_accuracy: ortHits / n, etch_int_accuracy: etchHits / n }));
