#!/usr/bin/env node
// The executable: run the built CLI and hand its exit code to the process. Nothing else lives here.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
