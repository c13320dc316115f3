// @ts-check
/** Small pieces the views share. */
import { html } from './html.js';

/**
 * An error from the API as text: its message and code.
 * @param {{ error: Error & { code?: string } }} props
 */
export function ErrorNote({ error }) {
  return html`<p class="error" role="alert">
    ${error.message}${error.code ? html` <span class="code">(${error.code})</span>` : ''}
  </p>`;
}

/**
 * A term and its value in a definition list; a value of null or undefined shows as a dash.
 * @param {{ term: string, children?: unknown, mono?: boolean }} props
 */
export function Row({ term, children, mono }) {
  const empty = children === null || children === undefined || children === '';
  return html`<dt>${term}</dt>
    <dd class=${mono && !empty ? 'mono' : ''}>${empty ? '—' : children}</dd>`;
}

/**
 * A list of hashes, one a line.
 * @param {{ values: readonly string[] | null | undefined }} props
 */
export function HashList({ values }) {
  if (!values || values.length === 0) return html`—`;
  return html`<ol class="hashes" start="0">
    ${values.map((value) => html`<li class="mono">${value}</li>`)}
  </ol>`;
}
