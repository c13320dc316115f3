import { threadEntryIn } from '../common/thread-entry';

/** How to start a worker thread on `src/zk/<name>` (see common/thread-entry.ts). */
export function threadEntry(name: string): { path: string; execArgv: string[]; env: NodeJS.ProcessEnv } {
  return threadEntryIn(__dirname, name);
}
