import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// One ESM bundle for the CLI. Commands are split into chunks behind dynamic imports, so
// `--help` and `--version` load only commander; SQLite, the HTTP client and the SDKs load
// with the commands that use them.
export default defineConfig({
  entry: { cli: 'src/cli.ts', sandbox: 'src/sandbox/index.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  clean: true,
  dts: false,
  outDir: 'dist',
  define: { __VERSION__: JSON.stringify(version) },
});
