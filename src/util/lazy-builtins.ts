/**
 * Node built-ins that most commands never use, loaded on first use. A static import of node:crypto
 * or node:os costs milliseconds at every start (a list, `--help`), for a random id only a write
 * draws or a host name only a lock records; node:tty (and node:net under it) some 5 ms, to learn
 * that a pipe is not a terminal.
 */
import { fstatSync } from 'node:fs';
import type * as NodeCrypto from 'node:crypto';
import type * as NodeOs from 'node:os';
import type * as NodeTty from 'node:tty';

type Crypto = typeof NodeCrypto;
type Os = typeof NodeOs;
type Tty = typeof NodeTty;

let crypto: Crypto | undefined;
let os: Os | undefined;
let tty: Tty | undefined;

const cryptoModule = (): Crypto => (crypto ??= process.getBuiltinModule('node:crypto'));
const osModule = (): Os => (os ??= process.getBuiltinModule('node:os'));
const ttyModule = (): Tty => (tty ??= process.getBuiltinModule('node:tty'));

export const randomUUID = (): string => cryptoModule().randomUUID();
export const randomBytes = (size: number): Buffer => cryptoModule().randomBytes(size);
export const randomInt = (max: number): number => cryptoModule().randomInt(max);
export const hostname = (): string => osModule().hostname();
export const homedir = (): string => osModule().homedir();
export const userInfo = (): { username: string } => osModule().userInfo();

/**
 * Whether a descriptor is a terminal. Only a character device can be one: a pipe, a socket or a
 * file is answered from one fstat, and node:tty loads only to tell a terminal from /dev/null.
 */
export function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false; // closed
  }
  return ttyModule().isatty(fd);
}
