#!/usr/bin/env node
// The executable: run the built CLI and hand its exit code to the process. Nothing else lives here.
import { main } from '../dist/cli.js';

// Signals go to main(): a write in flight finishes and is recorded before the process ends.
const code = await main(process.argv.slice(2), { signals: process, exit: (code) => process.exit(code) });
// A natural exit frees the whole heap first: tens of milliseconds after a command that read 10,000
// numbers. With no output still queued, exit at once and leave the memory to the system.
if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
process.exitCode = code;
