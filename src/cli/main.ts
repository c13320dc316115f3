#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { VERITY_VERSION } from '../common/version';
import { registerChallengerCommands } from './challenger.commands';
import { registerCheckCommands } from './check.commands';
import { registerDefenderCommands } from './defender.commands';
import { registerEngineCommands } from './engine.commands';
import { registerServiceCommands } from './service.commands';
import { registerWorkerCommands } from './worker.commands';
import { registerZkCommands } from './zk.commands';
import { runCommand } from './run-command';

/** The `verity` command: the service processes and the engine tools. */
export function buildProgram(): Command {
  const program = new Command('verity')
    .description('Verifiable inference: deterministic fixed-point ML results committed on-chain')
    .version(VERITY_VERSION)
    .showHelpAfterError();
  registerServiceCommands(program);
  registerDefenderCommands(program);
  registerEngineCommands(program);
  registerWorkerCommands(program);
  registerChallengerCommands(program);
  registerZkCommands(program);
  registerCheckCommands(program);
  return program;
}

/** Runs `verity` on `argv` (bin/verity.js calls it, compiled or from the sources). */
export function main(argv: readonly string[] = process.argv): void {
  runCommand(() => buildProgram().parseAsync([...argv]));
}

if (require.main === module) main();
