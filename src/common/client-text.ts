/** A URL of any scheme (http, ws, file...): an RPC URL may carry a key in its path or credentials. */
const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>()]+/gi;
/** The directories of an absolute path (the file name after them is kept). */
const DIRECTORIES_PATTERN = /(^|[\s'"(=[,])\/(?:[^\s'"()[\],/]+\/)+/g;

/**
 * Text the service wrote for itself (a proving stage, a stored error message) as a client reads
 * it: URLs become `[url]` and absolute paths their file name, so that no server layout and no
 * credential of an RPC URL reaches a response. The log and the database keep the whole text.
 */
export function clientText(text: string): string {
  return text.replace(URL_PATTERN, '[url]').replace(DIRECTORIES_PATTERN, '$1');
}
