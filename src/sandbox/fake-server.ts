import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP framework for the sandbox's fake providers: routing, body parsing, fault injection
 * and a request log. Written by hand because the fakes must control the wire exactly (status,
 * headers, raw bodies, hung and reset connections), which general mock libraries hide.
 */

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON or form body; undefined when there was none. */
  body: unknown;
  rawBody: string;
  params: Record<string, string>;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  /** Sent as is instead of JSON (error pages, malformed bodies). */
  raw?: string;
  headers?: Record<string, string>;
}

/** The arrays of a fake's state: the collections of records a write may change or add to. */
export type CollectionOf<S> = { [K in keyof S]-?: S[K] extends readonly object[] ? K : never }[keyof S] & string;
export type RecordOf<S, K extends keyof S> = S[K] extends readonly (infer R)[] ? R : never;

/**
 * What a write handler tells the store it changed. The persisted store writes exactly these records
 * (one row each), so a handler must put() every record it changes or adds (after pushing it onto
 * its array).
 */
export interface Changes<S> {
  put<K extends CollectionOf<S>>(collection: K, record: RecordOf<S, K>): void;
  /** A record the handler took out of its array (after splicing it out): its row is deleted. */
  remove<K extends CollectionOf<S>>(collection: K, record: RecordOf<S, K>): void;
}

/** Handed to read-only routes: a read that changes state is a bug in the fake. */
function noChanges<S>(): Changes<S> {
  return {
    put(collection) {
      throw new Error(`a read-only route changed ${collection}`);
    },
    remove(collection) {
      throw new Error(`a read-only route removed from ${collection}`);
    },
  };
}

export type RouteHandler<S> = (request: FakeRequest, state: S, changes: Changes<S>) => FakeResponse;

export interface Route<S> {
  method: string;
  /** A path with `:name` segments, e.g. `/update-phone-number/:number`. */
  path: string;
  handler: RouteHandler<S>;
  /** A POST that only reads (Retell's `POST /v2/list-agents`): not a write, never persisted. */
  readOnly?: boolean;
}

/** What one fake provider is: its routes, its auth check and its error shapes. */
export interface FakeProvider<S> {
  name: string;
  routes: Route<S>[];
  /** Returns the provider's 401 when the request's auth header has the wrong form or key; null to go on. */
  authorize(request: FakeRequest): FakeResponse | null;
  /** The provider's own body for an error status. */
  errorBody(status: number, message: string): unknown;
  /**
   * What the platform changes elsewhere once a write of its own is stored (an import points the
   * carrier's number at the platform). It runs after the write's transaction, and only for a write
   * that was applied.
   */
  afterWrite?(request: FakeRequest, response: FakeResponse, state: S): void;
}

/** Switches for tests and benchmarks. Counts are consumed request by request. */
export interface FaultPlan {
  /** Added to every response. */
  latencyMs?: number;
  /** Only requests whose path contains this text are affected by the counted faults below. */
  pathContains?: string;
  /** Answer 429 (with Retry-After in seconds, or none when null). */
  rateLimit?: { count: number; retryAfterSeconds: number | null };
  /** Answer this 5xx; a count of -1 never clears. */
  serverError?: { count: number; status: number };
  /** Hold the request open and never answer. */
  hang?: { count: number };
  /** Answer 200 with a body that is not JSON. */
  malformed?: { count: number };
  /**
   * Answer this status with an error whose message quotes the request's credentials back, raw,
   * URL- and form-encoded and in base64 (as a careless gateway or a debugging upstream would): what
   * voicenum prints of it must hold none of them.
   */
  echoCredentials?: { count: number; status: number };
  /** Destroy the connection without answering. */
  reset?: { count: number };
  /**
   * Answer 200 with a JSON body that never ends (or ends after `bytes`), streamed as fast as the
   * client reads it: a client that does not bound what it reads grows until it runs out of memory.
   */
  hugeBody?: { count: number; bytes?: number };
  /** Fail writes (non-GET requests) after this many have succeeded, with a 500. */
  failWritesAfter?: number;
  /**
   * Fail exactly the `nth` write request (1-based: POST/PUT/PATCH/DELETE to a write route, counted
   * from the start of the fake or the last setFaults, failed ones and retries included) with
   * `status` (default 500) and the provider's error body, without applying it; every other write
   * goes through. Fails step k of a multi-step import or release. A 5xx is retried by the client
   * where the request is safe to repeat (and the retry is the next write, which succeeds); a 4xx,
   * or VOICENUM_HTTP_MAX_ATTEMPTS=1, makes the step fail for sure.
   */
  failWrite?: { nth: number; status?: number };
  /**
   * Hold exactly the `nth` write open and never answer it: not applied, or (`applied`) applied first
   * and its answer never sent. A test kills the client while it waits, to stop a multi-step import
   * or release at step k with the step sent (applied or not) and its outcome unknown to the client.
   */
  hangWrite?: { nth: number; applied?: boolean };
  /**
   * Apply a write, then lose its answer: destroy the connection (`reset`) or answer 502, as a proxy
   * that dropped the provider's reply would. The change stays applied. With `thenDown`, every later
   * request answers 503 until the faults are set again (the provider went away right after).
   */
  loseWriteAnswer?: { count: number; as: 'reset' | 502; thenDown?: boolean };
  /**
   * Paging that never advances: a GET whose path contains this text (independent of
   * `pathContains` above) is answered, from its second call on, with the body of the first 2xx
   * answer to the same path. The cursor, `next_page_uri` or `hasNextPage` of that first page
   * therefore comes back forever, and a client that trusts it loops.
   */
  stuckPaging?: { pathContains: string };
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number | 'hang' | 'reset';
}

/** One request as it arrived, body included, for tests that assert exactly what a client sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string without its `?`. */
  query: string;
  /** The body exactly as sent: JSON parsing would round integers past 2^53, the raw text does not. */
  rawBody: string;
  /** The body as the routes see it (parsed JSON or form); undefined when there was none. */
  body: unknown;
  /** The status answered; undefined while unanswered (hung, reset). */
  responseStatus?: number;
  /** The answer's body exactly as sent, for tests that check it against the provider's spec. */
  responseBody?: string;
}

export interface StateAccess<S> {
  /** The current state (reloaded by the holder when another process changed it). */
  read(): S;
  /**
   * Run a mutating request: called with the freshest state; after a 2xx the holder saves the
   * records the request put() into its Changes.
   */
  mutate<T>(fn: (state: S, changes: Changes<S>) => T, ok: (result: T) => boolean): T;
}

export interface RunningFake {
  name: string;
  url: string;
  log: RequestLogEntry[];
  /** Every request received, in arrival order, with its body (faulted ones included). */
  requests: RecordedRequest[];
  /** Most requests ever open at once: proves a client overlapped its calls, without timing anything. */
  readonly peakInFlight: number;
  setFaults(faults: FaultPlan): void;
  close(): Promise<void>;
}

interface CompiledRoute<S> {
  method: string;
  regex: RegExp;
  names: string[];
  handler: RouteHandler<S>;
  readOnly: boolean;
}

function compile<S>(route: Route<S>): CompiledRoute<S> {
  const names: string[] = [];
  const pattern = route.path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { method: route.method, regex: new RegExp(`^${pattern}$`), names, handler: route.handler, readOnly: route.readOnly ?? route.method === 'GET' };
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return Symbol.for('invalid-json');
  }
}

export const INVALID_JSON = Symbol.for('invalid-json');

export async function startFakeServer<S>(provider: FakeProvider<S>, state: StateAccess<S>, initialFaults: FaultPlan = {}): Promise<RunningFake> {
  const routes = provider.routes.map(compile);
  let faults: FaultPlan = structuredClone(initialFaults);
  let writesSucceeded = 0;
  /** Write requests that reached a write route, for `failWrite`. */
  let writesSeen = 0;
  /** Set by `loseWriteAnswer.thenDown`: every request answers 503 until the faults are set again. */
  let down = false;
  /** First 2xx answer per path while `stuckPaging` is set. */
  let stuckPages = new Map<string, FakeResponse>();
  const log: RequestLogEntry[] = [];
  const requests: RecordedRequest[] = [];
  const hung = new Set<http.ServerResponse>();
  let inFlight = 0;
  let peakInFlight = 0;

  const take = (fault: { count: number } | undefined): boolean => {
    if (!fault || fault.count === 0) return false;
    if (fault.count > 0) fault.count--;
    return true;
  };

  const server = http.createServer((req, res) => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    res.on('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const parsedBody = parseBody(rawBody, req.headers['content-type']);
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), rawBody, body: parsedBody === INVALID_JSON ? undefined : parsedBody };
      requests.push(recorded);
      const send = (response: FakeResponse) => {
        log.push({ method: req.method ?? 'GET', path: url.pathname, status: response.status });
        const body = response.raw ?? (response.body === undefined ? '' : JSON.stringify(response.body));
        recorded.responseStatus = response.status;
        recorded.responseBody = body;
        res.writeHead(response.status, { 'Content-Type': response.raw === undefined ? 'application/json' : 'text/plain', ...response.headers });
        res.end(body);
      };
      const respond = () => {
        if (down) return send({ status: 503, body: provider.errorBody(503, 'Service unavailable') });
        const affected = !faults.pathContains || url.pathname.includes(faults.pathContains);
        if (affected && take(faults.hang)) {
          log.push({ method: req.method ?? 'GET', path: url.pathname, status: 'hang' });
          hung.add(res);
          return;
        }
        if (affected && take(faults.reset)) {
          log.push({ method: req.method ?? 'GET', path: url.pathname, status: 'reset' });
          req.socket.destroy();
          return;
        }
        if (affected && faults.rateLimit && take(faults.rateLimit)) {
          const headers: Record<string, string> = faults.rateLimit.retryAfterSeconds === null ? {} : { 'Retry-After': String(faults.rateLimit.retryAfterSeconds) };
          send({ status: 429, body: provider.errorBody(429, 'Too many requests'), headers });
          return;
        }
        if (affected && faults.serverError && take(faults.serverError)) {
          send({ status: faults.serverError.status, body: provider.errorBody(faults.serverError.status, 'Internal server error') });
          return;
        }
        if (affected && take(faults.hugeBody)) {
          log.push({ method: req.method ?? 'GET', path: url.pathname, status: 200 });
          streamHugeBody(res, faults.hugeBody!.bytes);
          return;
        }
        if (affected && take(faults.malformed)) {
          send({ status: 200, raw: '<html>upstream proxy error' });
          return;
        }
        if (affected && faults.echoCredentials && take(faults.echoCredentials)) {
          send({ status: faults.echoCredentials.status, body: provider.errorBody(faults.echoCredentials.status, echoCredentials(req.headers.authorization ?? keyHeader(req.headers['xi-api-key']))) });
          return;
        }
        const request: FakeRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: parsedBody,
          rawBody,
          params: {},
        };
        const denied = provider.authorize(request);
        if (denied) return send(denied);
        if (request.body === INVALID_JSON) return send({ status: 400, body: provider.errorBody(400, 'Request body is not valid JSON') });
        for (const route of routes) {
          if (route.method !== request.method) continue;
          const match = route.regex.exec(request.path);
          if (!match) continue;
          route.names.forEach((name, index) => {
            request.params[name] = decodeURIComponent(match[index + 1] ?? '');
          });
          try {
            if (route.readOnly) {
              const answer = route.handler(request, state.read(), noChanges());
              const stuck = faults.stuckPaging && request.method === 'GET' && request.path.includes(faults.stuckPaging.pathContains);
              if (!stuck || answer.status >= 300) return send(answer);
              if (!stuckPages.has(request.path)) stuckPages.set(request.path, structuredClone(answer));
              return send(stuckPages.get(request.path)!);
            }
            writesSeen++;
            if (faults.failWrite && writesSeen === faults.failWrite.nth) {
              const status = faults.failWrite.status ?? 500;
              return send({ status, body: provider.errorBody(status, `Injected failure of write ${writesSeen}`) });
            }
            const hangHere = faults.hangWrite?.nth === writesSeen;
            if (hangHere && !faults.hangWrite!.applied) {
              log.push({ method: request.method, path: request.path, status: 'hang' });
              hung.add(res);
              return;
            }
            if (faults.failWritesAfter !== undefined && writesSucceeded >= faults.failWritesAfter) {
              return send({ status: 500, body: provider.errorBody(500, 'Injected write failure') });
            }
            const response = state.mutate((current, changes) => route.handler(request, current, changes), (result) => result.status < 300);
            if (response.status < 300) writesSucceeded++;
            if (response.status < 300) provider.afterWrite?.(request, response, state.read());
            if (hangHere) {
              log.push({ method: request.method, path: request.path, status: 'hang' });
              hung.add(res);
              return;
            }
            if (response.status < 300 && take(faults.loseWriteAnswer)) {
              if (faults.loseWriteAnswer!.thenDown) down = true;
              if (faults.loseWriteAnswer!.as === 'reset') {
                log.push({ method: request.method, path: request.path, status: 'reset' });
                req.socket.destroy();
                return;
              }
              return send({ status: 502, body: provider.errorBody(502, 'Bad gateway') });
            }
            return send(response);
          } catch (error) {
            return send({ status: 500, body: provider.errorBody(500, `fake crashed: ${(error as Error).message}`) });
          }
        }
        send({ status: 404, body: provider.errorBody(404, `No route for ${request.method} ${request.path}`) });
      };
      if (faults.latencyMs) setTimeout(respond, faults.latencyMs);
      else respond();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: provider.name,
    url: `http://127.0.0.1:${port}`,
    log,
    requests,
    get peakInFlight() {
      return peakInFlight;
    },
    setFaults(next) {
      faults = structuredClone(next);
      writesSucceeded = 0;
      writesSeen = 0;
      down = false;
      stuckPages = new Map();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON array of filler objects, written as fast as the socket drains, until `limit` bytes or the client goes away. */
function streamHugeBody(res: http.ServerResponse, limit: number = Number.POSITIVE_INFINITY): void {
  const item = `{"filler":"${'x'.repeat(16 * 1024)}"},`;
  const chunk = Buffer.from(item.repeat(4));
  let sent = 0;
  let open = true;
  res.on('close', () => (open = false));
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.write('[');
  const pump = () => {
    while (open && sent + chunk.length < limit) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (open) res.end('{"filler":""}]');
  };
  pump();
}

/** State held in memory only: what the adapter tests use. */
export function memoryState<S>(initial: S): StateAccess<S> & { current: S } {
  const holder = {
    current: initial,
    read: () => holder.current,
    mutate<T>(fn: (state: S, changes: Changes<S>) => T): T {
      // Memory is the only copy: there is nothing to write the changes to.
      return fn(holder.current, { put: () => undefined, remove: () => undefined });
    },
  };
  return holder;
}

/** A key sent in a header of its own (ElevenLabs' `xi-api-key`) rather than in Authorization. */
function keyHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The `echoCredentials` fault's message: the credentials of an Authorization header in every form. */
function echoCredentials(header: string | undefined): string {
  const value = header ?? '';
  const basic = /^Basic (\S+)$/.exec(value)?.[1];
  const decoded = basic === undefined ? undefined : Buffer.from(basic, 'base64').toString('utf8');
  const key = decoded !== undefined ? decoded.slice(decoded.indexOf(':') + 1) : value.replace(/^Bearer /, '');
  const base64 = Buffer.from(key).toString('base64');
  return `credentials not accepted: header=${encodeURIComponent(value)} key=${key} url=${encodeURIComponent(key)} form=${new URLSearchParams({ key }).toString()} base64=${base64} base64url=${Buffer.from(key).toString('base64url')}${basic ? ` basic=${basic}` : ''}`;
}
