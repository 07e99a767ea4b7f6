import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './run-cli.js';

/**
 * Another process writing the sandbox state, as a `--sandbox` command does: it holds SQLite's
 * write lock (BEGIN IMMEDIATE) with a change of its own made but not committed, until it is told
 * to commit (a line on stdin) or is killed. Its change follows the store's protocol: a new
 * generation, stamped on the row it changed.
 */
const HOLDER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('journal_mode = WAL');
db.exec('BEGIN IMMEDIATE');
db.exec("UPDATE sandbox_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'");
db.exec("UPDATE sandbox_records SET body = json_set(body, '$.nickname', 'from the other process'), version = (SELECT CAST(value AS INTEGER) FROM sandbox_meta WHERE key = 'generation') WHERE provider = 'retell' AND collection = 'numbers' AND seq = 1");
process.stdout.write('holding\\n');
process.stdin.once('data', () => { db.exec('COMMIT'); process.stdout.write('committed\\n'); });
setInterval(() => {}, 1000);
`;

export function startSandboxWriter(file: string): { child: ChildProcess; said: (line: string) => Promise<void> } {
  const child = spawn(process.execPath, ['-e', HOLDER, file], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const said = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (out.includes(`${line}\n`)) return resolve();
        if (child.exitCode !== null) return reject(new Error(`holder exited ${child.exitCode} before saying ${line}`));
        setTimeout(check, 10);
      };
      check();
    });
  return { child, said };
}
