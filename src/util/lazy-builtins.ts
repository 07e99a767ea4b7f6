/**
 * Node built-ins that most commands never use, loaded on first use. A static import of node:crypto
 * or node:os costs milliseconds at every start (a list, `--help`), for a random id only a write
 * draws or a host name only a lock records.
 */
import type * as NodeCrypto from 'node:crypto';
import type * as NodeOs from 'node:os';

type Crypto = typeof NodeCrypto;
type Os = typeof NodeOs;

let crypto: Crypto | undefined;
let os: Os | undefined;

const cryptoModule = (): Crypto => (crypto ??= process.getBuiltinModule('node:crypto'));
const osModule = (): Os => (os ??= process.getBuiltinModule('node:os'));

export const randomUUID = (): string => cryptoModule().randomUUID();
export const randomBytes = (size: number): Buffer => cryptoModule().randomBytes(size);
export const randomInt = (max: number): number => cryptoModule().randomInt(max);
export const hostname = (): string => osModule().hostname();
export const homedir = (): string => osModule().homedir();
export const userInfo = (): { username: string } => osModule().userInfo();
