import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  EXPLORER_ASSETS_PATH,
  EXPLORER_PUBLIC_DIR,
  SERVABLE_FILE,
  VENDOR_FOLDERS,
  importMap,
} from './explorer-assets';
import { explorerPage } from './explorer-page';

/** The file a URL under /explorer/ is served from (as the controller maps it). */
function fileOf(url: string): string {
  const vendor = new RegExp(`^${EXPLORER_ASSETS_PATH}/vendor/([^/]+)/([^/]+)$`).exec(url);
  if (vendor) return join(VENDOR_FOLDERS[vendor[1]].dir, vendor[2]);
  const own = new RegExp(`^${EXPLORER_ASSETS_PATH}/([^/]+)$`).exec(url);
  if (!own) throw new Error(`${url} is not an explorer asset URL`);
  return join(EXPLORER_PUBLIC_DIR, own[1]);
}

describe('the explorer page', () => {
  const page = explorerPage('1.2.3');

  it('allows exactly its inline import map, by hash, and no other inline script', () => {
    const inline = [...page.html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
      (m) => m[1],
    );
    expect(inline).toHaveLength(1);
    const hash = createHash('sha256').update(inline[0], 'utf8').digest('base64');
    expect(page.contentSecurityPolicy).toContain(`'sha256-${hash}'`);
    expect(JSON.parse(inline[0])).toEqual(importMap());
    expect(page.contentSecurityPolicy).not.toContain('unsafe-inline');
    expect(page.contentSecurityPolicy).toMatch(/(^|; )default-src 'none'(;|$)/);
  });

  it('names only files that exist: its modules, its stylesheet and every import-map entry', () => {
    const urls = [
      ...[...page.html.matchAll(/(?:src|href)="(\/explorer\/[^"]+)"/g)].map((m) => m[1]),
      ...Object.values(importMap().imports),
    ];
    expect(urls).toEqual(expect.arrayContaining(['/explorer/app.js', '/explorer/explorer.css']));
    for (const url of urls) expect([url, existsSync(fileOf(url))]).toEqual([url, true]);
    expect(existsSync(fileOf(page.html.match(/data-snarkjs="([^"]+)"/)![1]))).toBe(true);
  });

  it('maps the bare imports of its modules and of Preact hooks', () => {
    expect(Object.keys(importMap().imports).sort()).toEqual(['graphql-ws', 'htm', 'preact', 'preact/hooks']);
  });
});

describe('SERVABLE_FILE', () => {
  it.each(['app.js', 'hooks.mjs', 'explorer.css', 'common-CGW11Fyb.js', 'snarkjs.min.js'])(
    'serves %s',
    (file) => {
      expect(SERVABLE_FILE.test(file)).toBe(true);
    },
  );

  it.each([
    '../package.json',
    '..',
    '.env.js',
    'a/b.js',
    'a\\b.js',
    'main.cjs',
    'index.html',
    'app.js.map',
    'x.ts',
  ])('refuses %s', (file) => {
    expect(SERVABLE_FILE.test(file)).toBe(false);
  });
});
