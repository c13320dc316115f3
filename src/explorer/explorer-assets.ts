/**
 * Where the explorer's files are: its own ES modules (src/explorer/public, served as they are, no
 * build step) and the few browser builds it uses from node_modules, each under a fixed name.
 * Resolved once, at import, through Node's resolution: a package that moved a file fails here, at
 * boot, not in a visitor's browser.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The nearest folder above `from` that holds a package.json (src/ under ts-node, dist/src/ built). */
function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The explorer's own modules and stylesheet (the sources: a build leaves them where they are). */
export const EXPLORER_PUBLIC_DIR = join(packageRoot(__dirname), 'src', 'explorer', 'public');

/** URL prefix of the explorer's files; the page itself is at `/`. */
export const EXPLORER_ASSETS_PATH = '/explorer';

interface VendorFolder {
  /** The folder served under /explorer/vendor/<name>/. */
  dir: string;
  /** The module a bare import names, when the page imports this package by name. */
  entry?: { specifier: string; file: string };
}

function folderOf(resolved: string, specifier?: string): VendorFolder {
  return { dir: dirname(resolved), entry: specifier ? { specifier, file: basename(resolved) } : undefined };
}

/**
 * The browser builds the page loads, by folder name: Preact and its hooks, htm (Preact's templates
 * without JSX), graphql-ws's browser client, and snarkjs's self-contained browser bundle (loaded as
 * a classic script when a zk proof is re-verified).
 */
export const VENDOR_FOLDERS: Readonly<Record<string, VendorFolder>> = {
  preact: folderOf(require.resolve('preact'), 'preact'),
  'preact-hooks': folderOf(require.resolve('preact/hooks'), 'preact/hooks'),
  // htm's `require` entry is CommonJS; its ES module sits beside it
  htm: folderOf(join(dirname(require.resolve('htm')), 'htm.mjs'), 'htm'),
  'graphql-ws': folderOf(join(dirname(require.resolve('graphql-ws/client')), 'client.js'), 'graphql-ws'),
  snarkjs: folderOf(join(dirname(require.resolve('snarkjs')), 'snarkjs.min.js')),
};

/** The snarkjs browser bundle's URL (it defines the global `snarkjs`). */
export const SNARKJS_URL = `${EXPLORER_ASSETS_PATH}/vendor/snarkjs/snarkjs.min.js`;

/** A file name the asset routes serve: no path separators, no leading dot, a script or stylesheet. */
export const SERVABLE_FILE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(?:m?js|css)$/;

/** The import map that lets the page's modules import the vendor packages by name. */
export function importMap(): { imports: Record<string, string> } {
  const imports: Record<string, string> = {};
  for (const [name, folder] of Object.entries(VENDOR_FOLDERS)) {
    if (folder.entry)
      imports[folder.entry.specifier] = `${EXPLORER_ASSETS_PATH}/vendor/${name}/${folder.entry.file}`;
  }
  return { imports };
}
