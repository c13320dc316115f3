// @ts-check
/**
 * The Verity explorer's entry module: a header with the live link's state, and the page the URL's
 * hash names (#/ the home page, #/model/<id> its inferences, #/inference/<id> one inference).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onLinkState } from './api.js';
import { route } from './format.js';
import { Home } from './home.js';
import { html } from './html.js';
import { InferenceView } from './inference.js';

function App() {
  const [hash, setHash] = useState(window.location.hash);
  const [link, setLink] = useState('connecting');
  const [search, setSearch] = useState('');
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    const stop = onLinkState(setLink);
    return () => {
      window.removeEventListener('hashchange', changed);
      stop();
    };
  }, []);

  const current = route(hash);
  /** @param {Event} event */
  const open = (event) => {
    event.preventDefault();
    const id = search.trim();
    if (id) window.location.hash = `#/inference/${encodeURIComponent(id)}`;
  };
  return html`
    <header>
      <h1><a href="#/">Verity explorer</a></h1>
      <form class="search" onSubmit=${open} role="search">
        <input
          aria-label="Inference id"
          placeholder="Inference id"
          value=${search}
          onInput=${(/** @type {Event} */ event) => setSearch(/** @type {HTMLInputElement} */ (event.currentTarget).value)}
        />
        <button type="submit">Open</button>
      </form>
      <span class=${`link link-${link}`} data-link=${link} title="graphql-ws subscription link to /graphql"
        >${link}</span
      >
    </header>
    <main>
      ${
        current.page === 'inference'
          ? html`<${InferenceView} key=${current.id} id=${current.id} />`
          : current.page === 'home'
            ? html`<${Home} modelId=${current.modelId} />`
            : html`<section class="not-found" role="alert">
                <h2>No page at <span class="mono">${current.path}</span></h2>
                <p><a href="#/">Back to the explorer</a></p>
              </section>`
      }
    </main>
  `;
}

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
