// Loaded with `node --import`: records every bare package the process imports into the file named
// by VOICENUM_TRACE_IMPORTS, so a test can prove what start-up loads. ESM imports go through the
// loader hooks; packages voicenum loads with require() through Module._load, and native addons
// (SQLite's) as `addon:<file>`. Node built-ins are `builtin:node:<name>` (imported, or loaded on
// first use through process.getBuiltinModule), and the process streams `stream:<name>` once opened.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.VOICENUM_TRACE_IMPORTS;
register(new URL('./trace-imports-hooks.mjs', import.meta.url), { data: { file } });

const load = Module._load;
Module._load = function tracedLoad(request, ...rest) {
  if (file && !request.startsWith('.') && !request.startsWith('/') && !request.startsWith('node:') && !Module.isBuiltin(request)) appendFileSync(file, `${request}\n`);
  // A native addon, loaded by path (SQLite's: the build bundles better-sqlite3's JavaScript).
  if (file && request.endsWith('.node')) appendFileSync(file, `addon:${request.split(/[\\/]/).pop()}\n`);
  return load.call(this, request, ...rest);
};

const getBuiltinModule = process.getBuiltinModule;
process.getBuiltinModule = function tracedBuiltin(id) {
  if (file) appendFileSync(file, `builtin:${id.startsWith('node:') ? id : `node:${id}`}\n`);
  return getBuiltinModule.call(this, id);
};

// Opening process.stdout, stderr or stdin costs a start milliseconds: record who does.
for (const name of ['stdout', 'stderr', 'stdin']) {
  const { get, enumerable } = Object.getOwnPropertyDescriptor(process, name);
  let recorded = false;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable,
    get() {
      if (file && !recorded) {
        recorded = true;
        appendFileSync(file, `stream:${name}\n`);
      }
      return get.call(this);
    },
  });
}
