// Build dist/ with esbuild, in two layers:
//
// - dist/cli.js holds everything a start needs before a command runs: main(), the command tree
//   (every definition and commander) and what they import. One file: Node's ESM loader costs
//   about half a millisecond per module on top of compiling it, and `--help` or a list paid for a
//   dozen small shared chunks.
// - Everything loaded later (the Context, each command's run code, the store, the providers…) is
//   split into chunks behind its dynamic imports, so a command loads only what it uses. These
//   chunks import the start-up modules they share from dist/cli.js itself: each module exists
//   once, so error classes stay one class (instanceof holds across the layers).
//
// Dependencies stay external (installed with the package), but for the few bundled below.
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = resolve(ROOT, 'src');
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
// Built beside dist/ and moved in place at the end: a test run or a command started meanwhile
// finds the previous build whole, not a half-written one.
const DIST = resolve(ROOT, 'dist');
const OUT = resolve(ROOT, `dist.building-${process.pid}`);
rmSync(OUT, { recursive: true, force: true });

// commander (and its typed face, which re-exports it) is on every start-up path, the edit distance
// behind "did you mean" is checked while options parse, and every table and list measures text
// with get-east-asian-width (four modules of its own): bundled, they load faster. So does
// better-sqlite3's JavaScript (a dozen CommonJS modules, some 6 ms to load one by one on every
// command that reads the cache); its native addon stays where npm built it (src/store/sqlite.ts),
// and `bindings`, which finds the addon when it is not where expected, stays a package.
const BUNDLED = new Set(['commander', '@commander-js/extra-typings', 'fastest-levenshtein', 'get-east-asian-width', 'better-sqlite3']);
// The bundled JavaScript must be the version whose addon npm builds at install, so it is pinned.
if (!/^\d+\.\d+\.\d+$/.test(pkg.dependencies['better-sqlite3'])) throw new Error('package.json must pin better-sqlite3 to one version: its JavaScript is bundled, its native addon is built at install');

/** The command tree, loaded by main() behind a dynamic import and part of the start-up layer. */
const PROGRAM = resolve(SRC, 'cli', 'program.ts');

// zod/mini checks the config file, which every command with one reads: bundled, it is tree-shaken
// to some 50 KB, where the package is hundreds of modules to load. (The full zod, for the provider
// schemas, stays external.)
const bundleZodMini = { name: 'bundle-zod-mini', setup: (b) => b.onResolve({ filter: /^zod\/mini$/ }, () => ({ path: fileURLToPath(import.meta.resolve('zod/mini')) })) };

/**
 * commander requires node:child_process at load, for its stand-alone executable subcommands, which
 * voicenum has none of: loading it (and the modules it pulls in) cost every start some
 * milliseconds. Its one use, spawn, now requires it when called.
 */
const lazyCommanderChildProcess = {
  name: 'lazy-commander-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) throw new Error(`commander changed: ${args.path} no longer has ${eager}`);
      return { contents: source.replace(eager, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"), loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Everything else stays a package import, loaded only by the code that needs it.
  external: [...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)), 'bindings'],
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS (commander) calls require() for Node built-ins; give ESM chunks one.
  banner: { js: "import { createRequire as __voicenumCreateRequire } from 'node:module'; const require = __voicenumCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};

/** A later module's file name in dist/: its path under src/, flattened (`cli/context.ts` → `cli-context`). */
const laterName = (file) => relative(SRC, file).replace(/\.ts$/, '').replaceAll(/[\\/]/g, '-');

/**
 * Resolves a project import with esbuild's own rules (`./x.js` finds `x.ts`), then lets `decide`
 * say what becomes of it; `undefined` leaves it to esbuild.
 */
function projectImports(name, decide) {
  return {
    name,
    setup(b) {
      b.onResolve({ filter: /^\./ }, async (args) => {
        if (args.pluginData?.[name]) return undefined;
        const found = await b.resolve(args.path, { resolveDir: args.resolveDir, importer: args.importer, kind: args.kind, pluginData: { [name]: true } });
        if (found.errors.length || !found.path.startsWith(SRC)) return undefined;
        return decide(found.path, args.kind);
      });
    },
  };
}

/**
 * The layers, in the order a command loads them: each is one file holding its entry and every
 * module the entry needs statically that no earlier layer holds. The first is main() with the
 * command tree (its dynamic import of the tree is part of it); then the Context every command
 * builds; then the cache every command but a few reads.
 */
const LAYERS = [
  { file: 'cli', entry: resolve(SRC, 'cli.ts'), inline: new Set([PROGRAM]) },
  { file: 'cli-context', entry: resolve(SRC, 'cli', 'context.ts'), inline: new Set() },
  { file: 'store-index', entry: resolve(SRC, 'store', 'index.ts'), inline: new Set() },
];

/** Which layer holds a module, once their contents are known. */
const layerOf = new Map();
/** Modules loaded by dynamic import that no layer holds: entries of the split build. */
const later = new Set();

/** Where an import of `file` goes from a module of layer `from` (undefined: bundle it here). */
function placement(file, kind, from) {
  const layer = layerOf.get(file);
  if (layer !== undefined) return layer === from ? undefined : { path: `./${LAYERS[layer].file}.js`, external: true };
  if (kind !== 'dynamic-import' || from === null) return undefined;
  later.add(file);
  return { path: `./${laterName(file)}.js`, external: true };
}

// 1. What each layer holds: its entry's static closure, less the earlier layers.
for (const [index, layer] of LAYERS.entries()) {
  const pass = await build({
    ...common,
    entryPoints: [layer.entry],
    write: false,
    metafile: true,
    outdir: OUT,
    plugins: [bundleZodMini, lazyCommanderChildProcess, projectImports('find-layer', (file, kind) => {
      if (layerOf.has(file)) return { path: file, external: true };
      if (kind === 'dynamic-import' && !layer.inline.has(file)) return { path: file, external: true };
      return undefined;
    })],
  });
  for (const input of Object.keys(pass.metafile.inputs)) {
    const file = resolve(ROOT, input);
    if (file.startsWith(SRC) && !layerOf.has(file)) layerOf.set(file, index);
  }
}

// 2. Each layer's file: its modules, each one's exports exported again for the later files. Two
//    modules of a layer exporting one name would make that export ambiguous: refused.
const exportsOf = async (file) => Object.values((await build({ entryPoints: [file], bundle: false, write: false, metafile: true, format: 'esm', outdir: '/tmp', logLevel: 'silent' })).metafile.outputs).flatMap((output) => output.exports);
/** Names a module passes on from another (`export { x } from './y.js'`): the same binding, no clash. */
const passedOn = (file) => new Set([...readFileSync(file, 'utf8').matchAll(/export\s*\{([^}]*)\}\s*from\s*'[^']+'/g)].flatMap((match) => match[1].split(',').map((name) => name.trim().split(/\s+as\s+/).pop()).filter(Boolean)));
for (const [index, layer] of LAYERS.entries()) {
  const modules = [...layerOf].filter(([, at]) => at === index).map(([file]) => file);
  const owners = new Map();
  for (const file of modules) {
    const passed = passedOn(file);
    for (const name of await exportsOf(file)) if (!passed.has(name)) owners.set(name, [...(owners.get(name) ?? []), relative(ROOT, file)]);
  }
  const clashes = [...owners].filter(([, files]) => files.length > 1);
  if (clashes.length) throw new Error(`modules of dist/${layer.file}.js export the same name, which it cannot export twice:\n${clashes.map(([name, files]) => `  ${name}: ${files.join(', ')}`).join('\n')}`);
  await build({
    ...common,
    stdin: { contents: modules.map((file) => `export * from ${JSON.stringify(file)};`).join('\n'), resolveDir: ROOT, sourcefile: `${layer.file}.js`, loader: 'js' },
    outfile: resolve(OUT, `${layer.file}.js`),
    plugins: [bundleZodMini, lazyCommanderChildProcess, projectImports('layer', (file, kind) => placement(file, kind, index))],
  });
}

// 3. The rest, split by its dynamic imports, taking the layers' modules from their files; and the
//    sandbox's own entry for scripts that run the fakes.
await build({
  ...common,
  entryPoints: { ...Object.fromEntries([...later].map((file) => [laterName(file), file])), sandbox: resolve(SRC, 'sandbox', 'index.ts') },
  outdir: OUT,
  splitting: true,
  entryNames: '[name]',
  plugins: [bundleZodMini, lazyCommanderChildProcess, projectImports('from-layers', (file, kind) => placement(file, kind, null))],
});

rmSync(DIST, { recursive: true, force: true });
renameSync(OUT, DIST);
