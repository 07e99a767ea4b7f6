// Loaded with `node --import`: records every bare package the process imports into the file named
// by VOICENUM_TRACE_IMPORTS, so a test can prove what start-up loads.
import { register } from 'node:module';
register(new URL('./trace-imports-hooks.mjs', import.meta.url), { data: { file: process.env.VOICENUM_TRACE_IMPORTS } });
