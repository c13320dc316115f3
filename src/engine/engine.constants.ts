/** Protocol constants of the fixed-point semantics (docs/semantics.md). Changing one changes commitments. */

/** Version of the QuantizedModel JSON format and of the semantics it encodes. */
export const QUANTIZED_MODEL_FORMAT_VERSION = 1;

/** Range of the global fraction F (fixed point = round(v * 2^F)). */
export const MIN_FRACTION_BITS = 8;
export const MAX_FRACTION_BITS = 16;

/** Every static accumulator bound must stay strictly below this (float64 exactness with margin). */
export const ACCUMULATOR_LIMIT_EXCLUSIVE = 2 ** 52;

/** When no calibration is given, inputs are assumed to have |x| <= this value (real units). */
export const DEFAULT_CALIBRATION_MAX_ABS = 1;

/** Floor for the calibration max |x| so that an all-zero calibration still yields a usable bound. */
export const MIN_CALIBRATION_MAX_ABS = 2 ** -8;

/** Number of deterministic pseudo-random inputs used by the accuracy report without calibration. */
export const DEFAULT_ACCURACY_SAMPLE_COUNT = 8;

/** PWL tables: domain [lo, hi) in real units and step 2^-k. */
export const SIGMOID_TABLE_DOMAIN = { lo: -8, hi: 8, stepLog2: 3 } as const;
export const TANH_TABLE_DOMAIN = { lo: -4, hi: 4, stepLog2: 4 } as const;
export const EXP_TABLE_DOMAIN = { lo: -16, hi: 0, stepLog2: 4 } as const;

/** Merkle commitment of parameters: values per leaf, each ABI-encoded as int256. */
export const PARAMETER_CHUNK_SIZE_VALUES = 16;

/*
 * Import limits. Not part of the semantics (they change no commitment): they bound what an
 * untrusted model can make the importer, the quantizer and the accuracy report allocate or compute,
 * and are checked before anything of that size is allocated (src/engine/onnx/import-limits.ts).
 */

/** Elements of any one tensor: a declared input, an initializer, a folded constant, an activation, an index map. */
export const MAX_TENSOR_ELEMENTS = 2 ** 21;

/** Elements of all the constants folding produces in one import, together. */
export const MAX_FOLDED_ELEMENTS_TOTAL = 2 ** 23;

/**
 * Work of one sample through the whole model: multiply-accumulates of Gemm/MatMul/Conv, window taps
 * of pooling, one per output element of every other step. Also bounds a Conv's im2col map.
 */
export const MAX_MODEL_WORK_OPS = 2 ** 24;
