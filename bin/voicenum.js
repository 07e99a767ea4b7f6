#!/usr/bin/env node
// The executable: run the built CLI and hand its exit code to the process. Nothing else lives here.
import { main, queuedOutput } from '../dist/cli.js';

// Signals go to main(): a write in flight finishes and is recorded before the process ends.
const code = await main(process.argv.slice(2), { signals: process, exit: (code) => process.exit(code) });
// A natural exit frees the whole heap first: tens of milliseconds after a command that read 10,000
// numbers. With no output still queued, exit at once and leave the memory to the system. (stdout
// that is not a terminal is written synchronously by voicenum, never through process.stdout, which
// is not opened here for it either: that would switch a pipe to non-blocking mode. Nor is stderr
// opened here when nothing was written to it.)
if (queuedOutput() === 0) process.exit(code);
process.exitCode = code;
