// @ts-check
/** The home page: the registered models and the recent inferences, both kept live. */
import { useEffect, useState } from 'preact/hooks';
import { gql, subscribe } from './api.js';
import { TERMINAL_STATUSES, inferenceHref, modelHref, short, statusClass, time } from './format.js';
import { html } from './html.js';
import { INFERENCES, MODELS, MODEL_REGISTERED, RECENT_LIMIT, ROW_UPDATED } from './queries.js';
import { ErrorNote } from './widgets.js';

/** How often the list is read again to find new inferences (their statuses arrive live). */
const LIST_POLL_MS = 2_000;

/**
 * @typedef {{ id: string, name: string, commitment: string, chainStatus: string, modes: string[],
 *   inputShape: number[], outputShape: number[], parameterCount: number, createdAt: string }} ModelRow
 * @typedef {{ id: string, modelId: string, mode: string, origin: string, status: string,
 *   createdAt: string, updatedAt: string }} InferenceRow
 */

/**
 * The newer of two versions of a row: the incoming one unless it is older (by updatedAt). A tie
 * goes to the incoming one: statuses entered in one transaction share their updatedAt (COMMITTED
 * and CHALLENGEABLE do), and both the subscription's events and the list's reads arrive in order.
 * @param {InferenceRow | undefined} held
 * @param {InferenceRow} incoming
 */
function newer(held, incoming) {
  if (!held) return incoming;
  return Date.parse(incoming.updatedAt) < Date.parse(held.updatedAt) ? held : incoming;
}

/** @param {{ modelId?: string }} props */
export function Home({ modelId }) {
  const [models, setModels] = useState(/** @type {ModelRow[] | null} */ (null));
  const [modelsError, setModelsError] = useState(/** @type {Error | null} */ (null));

  useEffect(() => {
    let active = true;
    /** @param {ModelRow} model */
    const add = (model) =>
      setModels((list) => [model, ...(list ?? []).filter((held) => held.id !== model.id)]);
    const stop = subscribe(MODEL_REGISTERED, {}, { next: (data) => add(data.modelRegistered) });
    gql(MODELS).then(
      (data) =>
        active && setModels(data.models.edges.map((/** @type {{ node: ModelRow }} */ edge) => edge.node)),
      (error) => active && setModelsError(error),
    );
    return () => {
      active = false;
      stop();
    };
  }, []);

  const names = new Map((models ?? []).map((model) => [model.id, model.name]));
  const selected = modelId ? (names.get(modelId) ?? modelId) : undefined;
  return html`
    <section aria-labelledby="models-title">
      <h2 id="models-title">Models</h2>
      ${modelsError ? html`<${ErrorNote} error=${modelsError} />` : html`<${ModelsTable} models=${models} selected=${modelId} />`}
    </section>
    <section aria-labelledby="inferences-title">
      <h2 id="inferences-title">${
        selected
          ? html`Recent inferences of <span class="model-name">${selected}</span> <a href="#/">(all)</a>`
          : 'Recent inferences'
      }</h2>
      <${InferencesTable} modelId=${modelId} names=${names} />
    </section>
  `;
}

/** @param {{ models: ModelRow[] | null, selected?: string }} props */
function ModelsTable({ models, selected }) {
  if (models === null) return html`<p class="muted">Loading models…</p>`;
  if (models.length === 0)
    return html`<p class="muted">
      No model registered yet (registerModel, or <code>verity register</code>).
    </p>`;
  return html`
    <table class="models">
      <thead>
        <tr>
          <th>Name</th>
          <th>Commitment</th>
          <th>Chain</th>
          <th>Modes</th>
          <th>Input → output</th>
          <th>Parameters</th>
          <th>Registered</th>
        </tr>
      </thead>
      <tbody>
        ${models.map(
          (model) => html`
            <tr key=${model.id} data-model-id=${model.id} class=${model.id === selected ? 'selected' : ''}>
              <td><a class="model-name" href=${modelHref(model.id)}>${model.name}</a></td>
              <td class="mono" title=${model.commitment}>${short(model.commitment)}</td>
              <td>${model.chainStatus}</td>
              <td>${model.modes.join(', ')}</td>
              <td class="mono">${model.inputShape.join('×')} → ${model.outputShape.join('×')}</td>
              <td>${model.parameterCount}</td>
              <td>${time(model.createdAt)}</td>
            </tr>
          `,
        )}
      </tbody>
    </table>
  `;
}

/** @param {{ modelId?: string, names: Map<string, string> }} props */
function InferencesTable({ modelId, names }) {
  const [rows, setRows] = useState(/** @type {InferenceRow[] | null} */ (null));
  const [error, setError] = useState(/** @type {Error | null} */ (null));

  useEffect(() => {
    let active = true;
    /** Live subscriptions by inference id: one per row not yet FINAL or FAILED. */
    const following = new Map();
    /** @param {InferenceRow} node */
    const update = (node) =>
      setRows(
        (list) => list?.map((row) => (row.id === node.id ? newer(row, { ...row, ...node }) : row)) ?? list,
      );
    /** @param {InferenceRow} row */
    const follow = (row) => {
      if (TERMINAL_STATUSES.has(row.status) || following.has(row.id)) return;
      const stop = subscribe(
        ROW_UPDATED,
        { id: row.id },
        {
          next: (data) => update(data.inferenceUpdated),
          // ended (FINAL or FAILED) or refused: the next poll follows it again if it still changes
          complete: () => following.delete(row.id),
          error: () => following.delete(row.id),
        },
      );
      following.set(row.id, stop);
    };
    const poll = async () => {
      try {
        const data = await gql(INFERENCES, { first: RECENT_LIMIT, modelId: modelId ?? null });
        if (!active) return;
        /** @type {InferenceRow[]} */
        const nodes = data.inferences.edges.map((/** @type {{ node: InferenceRow }} */ edge) => edge.node);
        setRows((list) => {
          const held = new Map((list ?? []).map((row) => [row.id, row]));
          return nodes.map((node) => newer(held.get(node.id), node));
        });
        setError(null);
        for (const node of nodes) follow(node);
        for (const [id, stop] of following) {
          if (!nodes.some((node) => node.id === id)) {
            stop();
            following.delete(id);
          }
        }
      } catch (caught) {
        if (active) setError(/** @type {Error} */ (caught));
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), LIST_POLL_MS);
    return () => {
      active = false;
      clearInterval(timer);
      for (const stop of following.values()) stop();
    };
  }, [modelId]);

  return html`
    ${error ? html`<${ErrorNote} error=${error} />` : ''}
    ${
      rows === null
        ? html`<p class="muted">Loading inferences…</p>`
        : rows.length === 0
          ? html`<p class="muted">No inference yet.</p>`
          : html`
              <table class="inferences">
                <thead>
                  <tr>
                    <th>Inference</th>
                    <th>Model</th>
                    <th>Mode</th>
                    <th>Origin</th>
                    <th>Status</th>
                    <th>Requested</th>
                    <th>Updated</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (row) => html`
                      <tr key=${row.id} data-inference-id=${row.id}>
                        <td class="mono"><a href=${inferenceHref(row.id)}>${short(row.id)}</a></td>
                        <td class="model-name">${names.get(row.modelId) ?? short(row.modelId)}</td>
                        <td>${row.mode}</td>
                        <td>${row.origin}</td>
                        <td>
                          <span class=${statusClass(row.status)} data-status=${row.status}
                            >${row.status}</span
                          >
                        </td>
                        <td>${time(row.createdAt)}</td>
                        <td>${time(row.updatedAt)}</td>
                      </tr>
                    `,
                  )}
                </tbody>
              </table>
            `
    }
  `;
}
