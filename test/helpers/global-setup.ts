import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// End-to-end tests run the built CLI; build it once if dist/ is missing or older than src/.
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const built = `${root}/dist/cli.js`;
  if (!existsSync(built) || process.env.VOICENUM_REBUILD === '1') {
    execFileSync(process.execPath, [`${root}/scripts/build.mjs`], { cwd: root, stdio: 'ignore' });
  } else if (statSync(built).mtimeMs < newestSource(root)) {
    execFileSync(process.execPath, [`${root}/scripts/build.mjs`], { cwd: root, stdio: 'ignore' });
  }
}

function newestSource(root: string): number {
  const out = execFileSync('find', [`${root}/src`, '-type', 'f', '-newer', `${root}/dist/cli.js`], { encoding: 'utf8' });
  return out.trim() === '' ? 0 : Number.POSITIVE_INFINITY;
}
