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
