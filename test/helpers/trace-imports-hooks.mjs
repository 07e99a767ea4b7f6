import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) {
  file = data?.file;
}
export async function resolve(specifier, context, next) {
  if (file && !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('file:') && !specifier.startsWith('node:')) {
    appendFileSync(file, `${specifier}\n`);
  }
  if (file && specifier.startsWith('node:')) appendFileSync(file, `builtin:${specifier}\n`);
  const resolved = await next(specifier, context);
  // The built CLI's own files too, as `dist:<name>`, so a test can tell which chunks a path loads.
  const dist = file && /\/dist\/([^/]+\.js)$/.exec(resolved.url);
  if (dist) appendFileSync(file, `dist:${dist[1]}\n`);
  return resolved;
}
