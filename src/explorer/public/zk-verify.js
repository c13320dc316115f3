// @ts-check
/**
 * Groth16 verification in the browser with snarkjs's browser bundle (a classic script that defines
 * `window.snarkjs`; loaded on first use, from this origin). The same check the on-chain verifier
 * makes, done here without trusting the API's word that the proof verified.
 */

/** @type {Promise<any> | undefined} */
let loading;

/** Loads snarkjs once; a failed load may be tried again. */
export function loadSnarkjs() {
  loading ??= new Promise((resolve, reject) => {
    const global = /** @type {any} */ (window).snarkjs;
    if (global) return resolve(global);
    const script = document.createElement('script');
    script.src = document.body.dataset.snarkjs ?? '';
    script.onload = () => {
      const loaded = /** @type {any} */ (window).snarkjs;
      if (loaded) resolve(loaded);
      else reject(new Error('snarkjs loaded without defining snarkjs'));
    };
    script.onerror = () => reject(new Error(`could not load snarkjs from ${script.src}`));
    document.head.append(script);
  }).catch((error) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * Whether `proof` verifies against `verificationKey` with `publicSignals` (all as the API serves
 * them: the key and the proof as JSON text, the signals as decimal strings).
 * @param {string} verificationKey
 * @param {readonly string[]} publicSignals
 * @param {string} proof
 * @returns {Promise<boolean>}
 */
export async function verifyGroth16(verificationKey, publicSignals, proof) {
  const snarkjs = await loadSnarkjs();
  return Boolean(
    await snarkjs.groth16.verify(JSON.parse(verificationKey), [...publicSignals], JSON.parse(proof)),
  );
}
