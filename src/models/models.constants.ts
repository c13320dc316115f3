/**
 * Bounds of the thread that compiles an uploaded model (model-compiler.ts). The model's bytes come
 * from anyone, so everything done with them (decode, import, constant folding, quantization, the
 * accuracy report) runs off the API's event loop, which also runs the dispute defender.
 */

/** A compile still running after this long is terminated (MODEL_IMPORT_TIMEOUT). */
export const MODEL_COMPILE_TIMEOUT_MS = 30_000;
/** V8 old-generation heap of the compile thread; exceeding it is MODEL_LIMIT_EXCEEDED. */
export const MODEL_COMPILE_HEAP_MB = 512;
/** V8 young-generation heap of the compile thread. */
export const MODEL_COMPILE_YOUNG_HEAP_MB = 64;
/** Compile threads running at once (the API keeps a core for its own loop). */
export const MODEL_COMPILES_AT_ONCE = 1;
/** Uploads waiting for a compile thread; one more is refused as MODEL_COMPILER_BUSY. */
export const MAX_QUEUED_MODEL_COMPILES = 16;
