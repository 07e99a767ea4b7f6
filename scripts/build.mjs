// Build dist/ with esbuild: one ESM entry for the CLI, commands split into chunks behind dynamic
// imports so `--help` loads commander only. Dependencies stay external (installed with the package).
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

// commander (and its typed face, which re-exports it) is on every start-up path, and the edit
// distance behind "did you mean" is checked while options parse: bundled, they load faster.
const BUNDLED = new Set(['commander', '@commander-js/extra-typings', 'fastest-levenshtein']);

await build({
  entryPoints: { cli: 'src/cli.ts', sandbox: 'src/sandbox/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Everything else stays a package import, loaded only by the commands that need it.
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
  // zod/mini checks the config file, which every command with one reads: bundled, it is tree-shaken
  // to some 50 KB, where the package is hundreds of modules to load. (The full zod, for the provider
  // schemas, stays external.)
  plugins: [{ name: 'bundle-zod-mini', setup: (b) => b.onResolve({ filter: /^zod\/mini$/ }, () => ({ path: fileURLToPath(import.meta.resolve('zod/mini')) })) }],
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS (commander) calls require() for Node built-ins; give ESM chunks one.
  banner: { js: "import { createRequire as __voicenumCreateRequire } from 'node:module'; const require = __voicenumCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
