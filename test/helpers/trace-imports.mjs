// Loaded with `node --import`: records every bare package the process imports into the file named
// by VOICENUM_TRACE_IMPORTS, so a test can prove what start-up loads. ESM imports go through the
// loader hooks; packages voicenum loads with require() (better-sqlite3) through Module._load.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.VOICENUM_TRACE_IMPORTS;
register(new URL('./trace-imports-hooks.mjs', import.meta.url), { data: { file } });

const load = Module._load;
Module._load = function tracedLoad(request, ...rest) {
  if (file && !request.startsWith('.') && !request.startsWith('/') && !request.startsWith('node:') && !Module.isBuiltin(request)) appendFileSync(file, `${request}\n`);
  return load.call(this, request, ...rest);
};
