// Build dist/ with esbuild: one ESM entry for the CLI, commands split into chunks behind dynamic
// imports so `--help` loads commander only. Dependencies stay external (installed with the package).
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/cli.ts', sandbox: 'src/sandbox/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
