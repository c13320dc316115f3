// @ts-check
/** One inference: its input and output, result leaf, batch and transactions, proof or disputes. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { gql, subscribe } from './api.js';
import { Disputes } from './disputes.js';
import { TERMINAL_STATUSES, argmax, duration, modelHref, numbers, statusClass, time } from './format.js';
import { html } from './html.js';
import { DETAIL_UPDATED, INFERENCE, MODEL_NAME } from './queries.js';
import { ErrorNote, HashList, Row } from './widgets.js';
import { ZkProofCheck } from './zk-proof.js';

/** While a dispute is open its moves change nothing the subscription reports: read again this often. */
const OPEN_DISPUTE_REFRESH_MS = 3_000;
/** Values shown before "… N more". */
const SHOWN_VALUES = 16;

/** @param {{ id: string }} props */
export function InferenceView({ id }) {
  const [state, setState] = useState(/** @type {{ inference: any, protocol: any } | null} */ (null));
  const [error, setError] = useState(/** @type {(Error & { code?: string }) | null} */ (null));
  const [modelName, setModelName] = useState(/** @type {string | null} */ (null));
  const [now, setNow] = useState(() => Date.now());
  /** The inference shown now, for the timer that reads it again while a dispute is open. */
  const shown = useRef(/** @type {any} */ (undefined));
  shown.current = state?.inference;

  useEffect(() => {
    let active = true;
    setState(null);
    setError(null);
    const load = async () => {
      try {
        const data = await gql(INFERENCE, { id });
        if (active) setState({ inference: data.inference, protocol: data.protocol });
        return data.inference;
      } catch (caught) {
        if (active) setError(/** @type {Error} */ (caught));
        return undefined;
      }
    };
    /** @type {(() => void) | undefined} */
    let stop;
    void load().then((inference) => {
      if (!active || !inference) return;
      void gql(MODEL_NAME, { id: inference.modelId }).then(
        (data) => active && setModelName(data.model.name),
        () => undefined,
      );
      if (!TERMINAL_STATUSES.has(inference.status)) {
        // each status it enters arrives here; the view reads the whole inference again
        stop = subscribe(DETAIL_UPDATED, { id }, { next: () => void load(), complete: () => void load() });
      }
    });
    // the challenge window's countdown
    const refresh = setInterval(() => setNow(Date.now()), 1_000);
    const disputes = setInterval(() => {
      if (active && hasOpenDispute(shown.current)) void load();
    }, OPEN_DISPUTE_REFRESH_MS);
    return () => {
      active = false;
      stop?.();
      clearInterval(refresh);
      clearInterval(disputes);
    };
  }, [id]);

  if (error) {
    if (error.code === 'INFERENCE_NOT_FOUND') {
      return html`<section class="not-found" role="alert">
        <h2>No inference with id <span class="mono">${id}</span></h2>
        <p>Check the id, or pick an inference from the <a href="#/">recent ones</a>.</p>
      </section>`;
    }
    return html`<section>
      <h2>Inference <span class="mono">${id}</span></h2>
      <${ErrorNote} error=${error} />
    </section>`;
  }
  if (!state) return html`<p class="muted">Loading inference <span class="mono">${id}</span>…</p>`;
  const { inference, protocol } = state;
  return html`
    <article class="inference" data-inference-id=${inference.id}>
      <h2>Inference <span class="mono">${inference.id}</span> <span class=${statusClass(inference.status)} data-status=${inference.status}>${inference.status}</span></h2>
      <${Summary} inference=${inference} modelName=${modelName} />
      <${Values} inference=${inference} />
      <${Leaf} inference=${inference} />
      <${Batch} inference=${inference} />
      ${
        inference.mode === 'ZK'
          ? html`<${ZkSection} inference=${inference} />`
          : html`<${ChallengeWindow} inference=${inference} protocol=${protocol} now=${now} />
              <${Disputes} disputes=${inference.disputes} maxClockSeconds=${protocol.maxClockSeconds} />`
      }
    </article>
  `;
}

/** @param {any} inference */
function hasOpenDispute(inference) {
  return Boolean(
    inference?.disputes?.some((/** @type {{ status: string }} */ dispute) => dispute.status === 'OPEN'),
  );
}

/** @param {{ inference: any, modelName: string | null }} props */
function Summary({ inference, modelName }) {
  return html`
    <section aria-label="summary">
      <dl>
        <${Row} term="Model"
          ><a class="model-name" href=${modelHref(inference.modelId)}>${modelName ?? inference.modelId}</a><//
        >
        <${Row} term="Mode">${inference.mode}<//>
        <${Row} term="Origin">${inference.origin}<//>
        <${Row} term="Request id" mono>${inference.requestId}<//>
        <${Row} term="Requested">${time(inference.createdAt)}<//>
        <${Row} term="Computed">${inference.computedAt ? time(inference.computedAt) : null}<//>
        <${Row} term="Committed">${inference.committedAt ? time(inference.committedAt) : null}<//>
        <${Row} term="Final">${inference.finalAt ? time(inference.finalAt) : null}<//>
        <${Row} term="Worker" mono>${inference.worker}<//>
        <${Row} term="Backend">${inference.backend}<//>
        <${Row} term="Attempts">${inference.attempts}<//>
        ${
          inference.error
            ? html`<${Row} term="Failure"
                ><span class="error">${inference.error.message} (${inference.error.code})</span><//
              >`
            : ''
        }
      </dl>
    </section>
  `;
}

/** @param {{ inference: any }} props */
function Values({ inference }) {
  const best = argmax(inference.output);
  return html`
    <section aria-labelledby="values-title">
      <h3 id="values-title">Input and output</h3>
      <dl>
        <${Row}
          term=${`Input (${inference.input.length} value${inference.input.length === 1 ? '' : 's'})`}
          mono
          >${numbers(inference.input, SHOWN_VALUES)}<//
        >
        <${Row} term="Input, fixed point" mono>${numbers(inference.inputFixed, SHOWN_VALUES)}<//>
        <${Row} term="Output" mono>${inference.output ? html`<span class="output">${numbers(inference.output, SHOWN_VALUES)}</span>` : null}<//>
        <${Row} term="Output, fixed point" mono
          >${inference.outputFixed ? numbers(inference.outputFixed, SHOWN_VALUES) : null}<//
        >
        ${best !== undefined && inference.output.length > 1 ? html`<${Row} term="Largest output">index ${best}<//>` : ''}
      </dl>
    </section>
  `;
}

/** @param {{ inference: any }} props */
function Leaf({ inference }) {
  return html`
    <section aria-labelledby="leaf-title">
      <h3 id="leaf-title">Result leaf</h3>
      <dl>
        <${Row} term="Leaf hash" mono>${inference.leafHash}<//>
        <${Row} term="Model commitment" mono>${inference.modelCommitment}<//>
        <${Row} term="Input commitment" mono>${inference.inputCommitment}<//>
        <${Row} term="Output commitment" mono>${inference.outputCommitment}<//>
        <${Row} term="Trace commitment" mono>${inference.traceCommitment}<//>
        <${Row} term="Worker signature" mono>${inference.workerSignature}<//>
        <${Row} term="Leaf index">${inference.leafIndex}<//>
        <${Row} term="Merkle proof">
          ${
            inference.leafProof?.length === 0
              ? "none: the leaf is its batch's root"
              : html`<${HashList} values=${inference.leafProof} />`
          }
        <//>
      </dl>
    </section>
  `;
}

/** @param {{ inference: any }} props */
function Batch({ inference }) {
  const batch = inference.batch;
  return html`
    <section aria-labelledby="batch-title" class="batch">
      <h3 id="batch-title">Batch and transactions</h3>
      <dl>
        ${
          batch
            ? html`
                <${Row} term="Batch">${batchLine(batch)}<//>
                <${Row} term="Batch root" mono>${batch.root}<//>
                <${Row} term="Commit transaction" mono>${batch.txHash}<//>
                <${Row} term="Block">${batch.blockNumber}<//>
                <${Row} term="Committed at">${batch.committedAt ? time(batch.committedAt) : null}<//>
              `
            : html`<${Row} term="Batch">not in a batch yet<//>`
        }
        <${Row} term="Request transaction" mono>${inference.requestTx}<//>
        <${Row} term="Reveal transaction" mono>${inference.revealTx}<//>
        <${Row} term="Finalize transaction" mono>${inference.finalizeTx}<//>
      </dl>
    </section>
  `;
}

/**
 * @param {{ chainBatchId: string | null, leafCount: number, status: string }} batch
 */
function batchLine(batch) {
  const leaves = `${batch.leafCount} leaf${batch.leafCount === 1 ? '' : 's'}`;
  return `#${batch.chainBatchId ?? '(not yet on-chain)'}, ${leaves}, ${batch.status}`;
}

/** @param {{ inference: any, protocol: any, now: number }} props */
function ChallengeWindow({ inference, protocol, now }) {
  const ends = inference.challengeEndsAt ? Date.parse(inference.challengeEndsAt) : undefined;
  let state = `opens when the batch is committed (${duration(protocol.challengeWindowSeconds)} long)`;
  if (inference.status === 'FINAL' && ends !== undefined) {
    state = `closed at ${time(inference.challengeEndsAt)} (chain time): the result is final`;
  } else if (ends !== undefined) {
    // the chain's clock decides; this computer's clock is the best the page has to count down with
    state =
      ends > now
        ? `open: about ${duration((ends - now) / 1000)} left (ends ${time(inference.challengeEndsAt)}, chain time)`
        : `ended at ${time(inference.challengeEndsAt)} (chain time); finalizing`;
  }
  return html`
    <section aria-labelledby="window-title">
      <h3 id="window-title">Challenge window</h3>
      <p class="window">${state}</p>
    </section>
  `;
}

/** @param {{ inference: any }} props */
function ZkSection({ inference }) {
  const proof = inference.proof;
  return html`
    <section aria-labelledby="proof-title" class="proof">
      <h3 id="proof-title">Zero-knowledge proof</h3>
      ${
        proof
          ? html`
              <dl>
                <${Row} term="Circuit" mono>${proof.circuitId}<//>
                <${Row} term="Settle transaction" mono>${proof.settleTx}<//>
                <${Row} term="Public signals"><${HashList} values=${proof.publicSignals} /><//>
              </dl>
              <${ZkProofCheck} proof=${proof} />
            `
          : html`<p class="muted">
              No proof yet${inference.provingStage ? html` (${inference.provingStage})` : ''}.
            </p>`
      }
    </section>
  `;
}
