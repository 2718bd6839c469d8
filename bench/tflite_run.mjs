// TFLite's own runtime as an oracle for etch's .tflite import: runs a model on
// inputs from .npy files and writes every output as .npy.
//
//   node bench/tflite_run.mjs MODEL.tflite INPUT.npy[,INPUT2.npy...] OUT_PREFIX
//
// writes OUT_PREFIX0.npy, OUT_PREFIX1.npy, ... (one per model output, in the
// model's output order). The runtime is the standalone TFLite WASM build that
// @tensorflow/tfjs-tflite ships (bench/package.json; `npm install
// --ignore-scripts` in bench/). Under node the module factory is handed the
// wasm bytes directly (wasmBinary), since it would otherwise try to fetch
// them. One thread, so results do not depend on the machine.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const wasmDir = path.join(here, 'node_modules', '@tensorflow', 'tfjs-tflite', 'wasm');

const NPY_TYPES = {
  '<f4': Float32Array, '|i1': Int8Array, '|u1': Uint8Array, '<i4': Int32Array, '<i8': BigInt64Array,
  '|b1': Uint8Array,
};
const DESCR_OF = { float32: '<f4', int8: '|i1', uint8: '|u1', int32: '<i4', int64: '<i8', bool: '|b1' };

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order is not supported`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').filter((s) => s.trim()).map(Number);
  const T = NPY_TYPES[descr];
  if (!T) throw new Error(`${file}: dtype ${descr} is not supported`);
  const body = buf.subarray(start + hlen);
  const copy = new Uint8Array(body.length);
  copy.set(body);
  return { descr, shape, data: new T(copy.buffer, 0, body.length / T.BYTES_PER_ELEMENT) };
}

function writeNpy(file, descr, shape, data) {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), bytes]));
}

function vectorToArray(v) {
  const out = [];
  for (let i = 0; i < v.size(); ++i) out.push(v.get(i));
  return out;
}

async function main() {
  const [modelPath, inputArg, outPrefix] = process.argv.slice(2);
  if (!modelPath || !inputArg || !outPrefix) {
    console.error('usage: node bench/tflite_run.mjs MODEL.tflite INPUT.npy[,INPUT2.npy...] OUT_PREFIX');
    process.exit(2);
  }
  const factory = require(path.join(wasmDir, 'tflite_web_api_cc_simd.js'));
  const module = await factory({
    wasmBinary: fs.readFileSync(path.join(wasmDir, 'tflite_web_api_cc_simd.wasm')),
    print: (s) => console.error(s),
    printErr: (s) => console.error(s),
  });
  const model = fs.readFileSync(modelPath);
  const ptr = module._malloc(model.length);
  module.HEAPU8.set(model, ptr);
  const created = module.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, model.length, {
    numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024,
  });
  if (!created.ok()) throw new Error(`TFLite could not load ${modelPath}: ${created.errorMessage()}`);
  const runner = created.value();
  const inputs = vectorToArray(runner.GetInputs());
  const files = inputArg.split(',');
  if (files.length !== inputs.length)
    throw new Error(`${modelPath} has ${inputs.length} inputs, ${files.length} .npy files given`);
  inputs.forEach((t, i) => {
    const npy = readNpy(files[i]);
    const want = t.shape.split(',').map(Number);
    if (npy.shape.join(',') !== want.join(',') || npy.descr !== DESCR_OF[t.dataType])
      throw new Error(`input ${i} '${t.name}' is ${t.dataType} [${want}], ${files[i]} holds ${npy.descr} [${npy.shape}]`);
    t.data().set(npy.data);
  });
  if (!runner.Infer()) throw new Error('TFLite inference failed');
  vectorToArray(runner.GetOutputs()).forEach((t, i) => {
    const descr = DESCR_OF[t.dataType];
    if (!descr) throw new Error(`output ${i} '${t.name}' has type ${t.dataType}, which this script does not write`);
    const shape = t.shape.split(',').filter((s) => s !== '').map(Number);
    const src = t.data();
    const copy = new src.constructor(src.length);
    copy.set(src);
    writeNpy(`${outPrefix}${i}.npy`, descr, shape, copy);
  });
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
