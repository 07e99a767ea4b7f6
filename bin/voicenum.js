#!/usr/bin/env node
// The executable: run the built CLI and hand its exit code to the process. Nothing else lives here.
import { main } from '../dist/cli.js';

// Signals go to main(): a write in flight finishes and is recorded before the process ends.
process.exitCode = await main(process.argv.slice(2), { signals: process, exit: (code) => process.exit(code) });
