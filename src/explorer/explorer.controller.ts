import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { VERITY_VERSION } from '../common/version';
import { EXPLORER_PUBLIC_DIR, SERVABLE_FILE, VENDOR_FOLDERS } from './explorer-assets';
import { explorerPage } from './explorer-page';

/** The calls made on Express's response (platform-express; the app has no @types/express). */
interface AssetResponse {
  readonly headersSent: boolean;
  sendFile(
    path: string,
    options: { root: string; dotfiles: 'deny'; maxAge: number; headers: Record<string, string> },
    done: (error?: Error) => void,
  ): void;
  status(code: number): AssetResponse;
  type(contentType: string): AssetResponse;
  send(body: string): void;
}

const PAGE = explorerPage(VERITY_VERSION);

/** How long a browser may reuse an asset before asking again (it revalidates with its ETag). */
const ASSET_MAX_AGE_MS = 60_000;

/**
 * The explorer: GET / is the page, /explorer/* its modules and the vendor builds it loads. Static
 * files outside the GraphQL rate limit, like /metrics (each counted request is a database write);
 * the page's own GraphQL calls are counted as any client's.
 */
@Controller()
@SkipThrottle({ 'per-minute': true })
export class ExplorerController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Content-Security-Policy', PAGE.contentSecurityPolicy)
  index(): string {
    return PAGE.html;
  }

  @Get('explorer/:file')
  asset(@Param('file') file: string, @Res() res: AssetResponse): void {
    sendAsset(res, EXPLORER_PUBLIC_DIR, file);
  }

  @Get('explorer/vendor/:folder/:file')
  vendor(@Param('folder') folder: string, @Param('file') file: string, @Res() res: AssetResponse): void {
    const vendorFolder = Object.hasOwn(VENDOR_FOLDERS, folder) ? VENDOR_FOLDERS[folder] : undefined;
    if (!vendorFolder) throw new NotFoundException(`no explorer asset ${folder}/${file}`);
    sendAsset(res, vendorFolder.dir, file);
  }
}

/** Sends `file` from `root` (a plain name, checked; `send` refuses any path outside `root` too). */
function sendAsset(res: AssetResponse, root: string, file: string): void {
  if (!SERVABLE_FILE.test(file)) throw new NotFoundException(`no explorer asset ${file}`);
  res.sendFile(
    file,
    {
      root,
      dotfiles: 'deny',
      maxAge: ASSET_MAX_AGE_MS,
      headers: { 'X-Content-Type-Options': 'nosniff' },
    },
    (error) => {
      if (error && !res.headersSent) res.status(404).type('text/plain').send(`no explorer asset ${file}`);
    },
  );
}
