import { readFileSync } from 'node:fs';
import { importOnnx, quantize, evaluate } from './src/engine';
import { generateCircuit } from './src/zk/circuit-generator';
import { compileCircuit } from './src/zk/circom-compiler';
(async () => {
  const F = Number(process.argv[2] ?? 16);
  const onnx = readFileSync('/work/main/test/fixtures/mnist/mnist-mlp.onnx');
  const cal = JSON.parse(readFileSync('/work/main/test/fixtures/mnist/calibration.json', 'utf8'));
  const inputs: number[][] = Array.isArray(cal) ? cal : cal.inputs ?? cal.images;
  const q = quantize(importOnnx(onnx), { calibration: inputs, fractionBits: F });
  console.log('F', q.fractionBits, 'inputBound', q.inputBound, 'bounds', q.bounds.tensors);
  const g = generateCircuit(q, Number(process.argv[3] ?? 1));
  console.log(g.name, g.layout, 'source KB', (g.source.length / 1024).toFixed(0));
  const t = Date.now();
  const c = await compileCircuit({ name: g.name, source: g.source, cacheDir: '/tmp/zkw/cache', onProgress: (l) => { if (/constraints|error|wires/.test(l)) console.log('  >', l); } });
  console.log('compile ms', Date.now() - t, c.info);
})().catch((e) => { console.error(e); process.exit(1); });
