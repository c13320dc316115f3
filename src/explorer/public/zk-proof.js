// @ts-check
/** The zk proof of an inference, re-verified in this browser against its circuit's key. */
import { useEffect, useState } from 'preact/hooks';
import { gql } from './api.js';
import { html } from './html.js';
import { VERIFICATION_KEY } from './queries.js';
import { ErrorNote } from './widgets.js';
import { verifyGroth16 } from './zk-verify.js';

/**
 * @typedef {{ circuitId: string, proof: string, publicSignals: string[] }} Proof
 * @typedef {{ phase: 'verifying' } | { phase: 'done', valid: boolean, developmentSetup: boolean, ms: number } | { phase: 'failed', error: Error }} Check
 */

/**
 * The result in words (composed here: htm drops whitespace that holds a line break).
 * @param {{ valid: boolean, developmentSetup: boolean, ms: number }} check
 */
function verdict({ valid, developmentSetup, ms }) {
  const head = valid ? '✓ The proof verifies' : '✗ The proof does NOT verify';
  const setup = developmentSetup
    ? ' The key comes from a development setup: whoever ran it could forge proofs.'
    : '';
  return `${head} against the circuit's verification key, checked in this browser with snarkjs (${Math.round(ms)} ms).${setup}`;
}

/** @param {{ proof: Proof }} props */
export function ZkProofCheck({ proof }) {
  const [check, setCheck] = useState(/** @type {Check} */ ({ phase: 'verifying' }));
  useEffect(() => {
    let active = true;
    setCheck({ phase: 'verifying' });
    const run = async () => {
      const { zkCircuit } = await gql(VERIFICATION_KEY, { id: proof.circuitId });
      if (!zkCircuit.verificationKey)
        throw new Error(`circuit ${proof.circuitId} has no verification key yet`);
      const started = performance.now();
      const valid = await verifyGroth16(zkCircuit.verificationKey, proof.publicSignals, proof.proof);
      return {
        valid,
        developmentSetup: Boolean(zkCircuit.developmentSetup),
        ms: performance.now() - started,
      };
    };
    run().then(
      (result) => active && setCheck({ phase: 'done', ...result }),
      (error) => active && setCheck({ phase: 'failed', error }),
    );
    return () => {
      active = false;
    };
  }, [proof.circuitId, proof.proof, proof.publicSignals.join(',')]);

  switch (check.phase) {
    case 'verifying':
      return html`<p class="zk-check muted" data-zk-check="verifying">
        Verifying the proof in this browser (snarkjs)…
      </p>`;
    case 'failed':
      return html`<div class="zk-check" data-zk-check="error">
        <p>The proof could not be checked in this browser:</p>
        <${ErrorNote} error=${check.error} />
      </div>`;
    case 'done':
      return html`
        <p
          class=${check.valid ? 'zk-check ok' : 'zk-check bad'}
          data-zk-check=${check.valid ? 'valid' : 'invalid'}
        >
          ${verdict(check)}
        </p>
      `;
  }
}
