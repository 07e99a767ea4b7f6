// Loaded with `node --import`: records every bare package the process imports into the file named
// by VOICENUM_TRACE_IMPORTS, so a test can prove what start-up loads.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
register(new URL('./trace-imports-hooks.mjs', import.meta.url), { data: { file: process.env.VOICENUM_TRACE_IMPORTS } });

// A package required on first use (createRequire, as src/domain/phone.ts loads the phone library)
// passes no import hook: recorded here, from the loader every require() goes through.
const file = process.env.VOICENUM_TRACE_IMPORTS;
const load = Module._load;
Module._load = function (request, ...rest) {
  if (file && !request.startsWith('.') && !request.startsWith('/') && !request.startsWith('node:') && !Module.isBuiltin(request)) appendFileSync(file, `${request}\n`);
  return load.call(this, request, ...rest);
};
