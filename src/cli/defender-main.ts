#!/usr/bin/env node
import 'reflect-metadata';
import { runDefender } from './defender.commands';
import { runCommand } from './run-command';

/**
 * `verity defender` with nothing else loaded: the program `verity serve` starts as its defender
 * child (src/defender/defender-child.ts), so a restart takes seconds, not the time to load the
 * engine, zk and worker tooling the full CLI (main.ts) brings in.
 */
runCommand(runDefender);
