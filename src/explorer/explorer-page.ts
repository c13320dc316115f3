/**
 * The explorer's HTML page and its Content-Security-Policy. The page is a shell: the import map
 * (the only inline script, allowed by its hash), a stylesheet and the app's entry module; every
 * string the API returns is put in the DOM by Preact as text, never parsed as HTML. Pure.
 */
import { createHash } from 'node:crypto';
import { EXPLORER_ASSETS_PATH, SNARKJS_URL, importMap } from './explorer-assets';

export interface ExplorerPage {
  html: string;
  /** The Content-Security-Policy header to serve the page with. */
  contentSecurityPolicy: string;
}

/**
 * The policy: scripts from this origin only, plus the import map by its hash; WebAssembly (snarkjs
 * verifies pairings in it) and its blob: workers; fetches and the graphql-ws WebSocket to this
 * origin ('self' covers ws: and wss: to the same host); no plugins, frames, forms or base URL.
 */
export function contentSecurityPolicy(inlineScriptHashes: readonly string[]): string {
  const hashes = inlineScriptHashes.map((hash) => `'sha256-${hash}'`).join(' ');
  return [
    "default-src 'none'",
    `script-src 'self' ${hashes} 'wasm-unsafe-eval'`,
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The page at `/`: the same bytes for every visitor, built once. */
export function explorerPage(version: string): ExplorerPage {
  const map = JSON.stringify(importMap());
  const mapHash = createHash('sha256').update(map, 'utf8').digest('base64');
  const assets = EXPLORER_ASSETS_PATH;
  // version is Verity's own (package.json), and the attribute values are constants
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verity explorer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assets}/explorer.css">
<script type="importmap">${map}</script>
<script type="module" src="${assets}/app.js"></script>
</head>
<body data-snarkjs="${SNARKJS_URL}" data-version="${encodeURIComponent(version)}">
<noscript>The Verity explorer needs JavaScript. The API is at /graphql.</noscript>
<div id="app"></div>
</body>
</html>
`;
  return { html, contentSecurityPolicy: contentSecurityPolicy([mapHash]) };
}
