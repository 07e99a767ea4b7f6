import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { AuthError, CancelledError, ProviderError } from '../domain/errors.js';
import { Redactor, type Secret } from './redact.js';
import { linkedSignal } from '../util/linked-abort.js';

/** Knobs shared by every provider's client; tests shrink the delays and the timeout. */
export interface HttpSettings {
  /** Per-attempt timeout; a request that hangs longer is aborted and retried. */
  timeoutMs?: number;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** First backoff step; doubled per attempt, with full jitter. */
  baseDelayMs?: number;
  /** Cap for one backoff wait, also for a Retry-After the server asks for. */
  maxDelayMs?: number;
  /** Largest response body read; a longer one fails its request instead of filling memory. */
  maxBodyBytes?: number;
  /** Receives one line per request and response, secrets already removed (`--verbose`). */
  trace?: (line: string) => void;
  /** Injected in tests to observe waits; a wait also ends when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** A path below the base URL, or an absolute URL (Twilio's next_page_uri is relative to its host). */
  path: string;
  query?: Record<string, string | number | boolean | undefined | null>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Return the body as text without parsing (the twilio SDK parses its own). */
  rawBody?: boolean;
  /**
   * The caller's cancellation: once aborted, the request fails at once with a CancelledError and
   * is neither retried nor waited for. Only for reads: a write in flight is never abandoned (it
   * finishes and the journal records it), so no write is ever given a signal.
   */
  signal?: AbortSignal;
  /**
   * `unprocessed`: a request that is not safe to repeat (a create: a second one makes a second
   * resource) is retried only when the provider cannot have acted on it: a 429 (Twilio documents a
   * 429'd request as not processed) or a connection that was refused before anything was sent. A
   * timeout, a reset or a 5xx may come after the create was applied, so they fail at once and the
   * caller (the journal) finds out what exists. Default `any`: every retryable failure is retried.
   */
  retry?: 'any' | 'unprocessed';
  /**
   * Values this request carries that must never reach an error or a trace (a Twilio auth token, a
   * generated SIP password), in case the provider quotes them back in an error message.
   */
  secrets?: string[];
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

export interface HttpClientOptions extends HttpSettings {
  provider: string;
  baseUrl: string;
  /** Auth and fixed headers. */
  headers: Record<string, string>;
  /** Keys and tokens: never in a trace or an error, in any encoding (see redact.ts). */
  secrets: (string | Secret)[];
  /** Pulls the readable message out of the provider's error body. */
  errorMessage: (body: unknown) => string | undefined;
  /** Names what to set when the provider rejects the credentials. */
  authHint: string;
}

/**
 * No answer of any provider comes near this (a page of 1000 numbers is a few MB), so a body past it
 * is a broken or hostile upstream, or a proxy streaming something else: reading it would only
 * grow memory until the process dies.
 */
export const MAX_BODY_BYTES = 50 * 1024 * 1024;

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ERR_CANCELED', 'EAI_AGAIN', 'ERR_BAD_RESPONSE', 'UND_ERR_SOCKET']);

// One keep-alive pool per process: a sync makes hundreds of requests to the same hosts. axios gives
// every request's socket a 60 s keep-alive delay and the agent gives a freed socket its own
// (keepAliveMsecs, 1 s by default): two different values made each request cost eight setsockopt
// calls (strace: 44,871 in a 10,000-number sync). With the same value, Node sets it once per socket.
const KEEP_ALIVE_MS = 60_000;
const httpAgent = new http.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MS, maxSockets: 64 });
const httpsAgent = new https.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MS, maxSockets: 64 });
let sharedAxios: AxiosInstance | undefined;

function axiosInstance(): AxiosInstance {
  sharedAxios ??= axios.create({
    httpAgent,
    httpsAgent,
    // Bodies are parsed here, so a malformed body becomes a clear provider error, not a crash.
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    proxy: false,
  });
  return sharedAxios;
}

/**
 * The one HTTP layer for every provider: a timeout on each attempt, bounded retries with
 * exponential backoff and full jitter on 408/429/5xx and network errors, honouring Retry-After,
 * and errors that name the provider and quote its message. Keys never reach a trace or an error.
 */
export class HttpClient {
  private readonly options: Required<Omit<HttpClientOptions, 'trace'>> & Pick<HttpClientOptions, 'trace'>;
  private requests = 0;
  /** The cancellation of the read work running (see `cancellableReads`), for every request it makes. */
  private readonly readScope = new AsyncLocalStorage<AbortSignal>();
  private readonly redactor: Redactor;

  constructor(options: HttpClientOptions) {
    this.redactor = new Redactor(options.secrets);
    this.options = {
      timeoutMs: 15_000,
      maxAttempts: 4,
      baseDelayMs: 300,
      maxDelayMs: 10_000,
      // An aborted wait just ends: the retry loop then sees the signal and stops.
      sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
      random: Math.random,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      // A malformed setting must not lift the limit (axios reads NaN as "no limit").
      maxBodyBytes: Number.isFinite(options.maxBodyBytes) && options.maxBodyBytes! > 0 ? options.maxBodyBytes! : MAX_BODY_BYTES,
    };
  }

  /** Round trips made so far, retries included. */
  get requestCount(): number {
    return this.requests;
  }

  /**
   * Run read-only work (an adapter's fetchAll with its fan-out of pages and look-ups) so that every
   * request it makes, however deep, can be cancelled: by the caller's `signal` (Ctrl-C), and by the
   * work's own failure. When the work rejects (its first failed request), the requests it still has
   * in flight or waiting to retry are cancelled at once, so a failed read stops calling upstream
   * instead of retrying for seconds after its result is reported. `stop` cancels them earlier, for
   * work that settles its other branches before it rejects.
   * Never run a write in here: a write in flight must finish and be recorded.
   */
  async cancellableReads<T>(signal: AbortSignal | undefined, work: (stop: () => void) => Promise<T>): Promise<T> {
    const own = new AbortController();
    const sources = [own.signal, signal, this.readScope.getStore()].filter((source): source is AbortSignal => source !== undefined);
    const cancel = () => own.abort(new CancelledError(`${this.options.provider}: reading stopped`));
    try {
      return await this.readScope.run(AbortSignal.any(sources), () => work(cancel));
    } catch (error) {
      cancel();
      throw error;
    }
  }

  /**
   * A removal whose target may be gone already (an undo or a resumed release running a second
   * time): an answer with one of `goneStatuses` (404 unless told) counts as done.
   */
  async removeIfPresent(request: HttpRequest, goneStatuses: readonly number[] = [404]): Promise<void> {
    try {
      await this.request(request);
    } catch (error) {
      if (error instanceof ProviderError && error.status !== null && goneStatuses.includes(error.status)) return;
      throw error;
    }
  }

  async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const url = this.url(request);
    const scope = this.readScope.getStore();
    // A signal of this request's own: listeners (the retry wait's) go on it, never on the shared ones.
    const cancellation = request.signal || scope ? linkedSignal([request.signal, scope]) : undefined;
    try {
      return await this.attempts<T>(request, url, cancellation?.signal);
    } finally {
      cancellation?.release();
    }
  }

  private async attempts<T>(request: HttpRequest, url: string, signal: AbortSignal | undefined): Promise<HttpResponse<T>> {
    const { maxAttempts } = this.options;
    let lastFailure = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (signal?.aborted) throw this.cancelled(request, url);
      const outcome = await this.attempt(request, url, signal);
      if (outcome.kind === 'cancelled') throw this.cancelled(request, url);
      if (outcome.kind === 'response') {
        const { response } = outcome;
        if (response.status < 400) return this.parse<T>(request, response);
        const message = this.describe(response, request.secrets);
        if (response.status === 401 || response.status === 403) {
          throw new AuthError(`${this.options.provider} rejected the credentials (HTTP ${response.status}${message ? `: ${message}` : ''})`, this.options.authHint);
        }
        const retryable = request.retry === 'unprocessed' ? response.status === 429 : RETRYABLE_STATUS.has(response.status);
        if (!retryable || attempt === maxAttempts) {
          throw new ProviderError(this.options.provider, `${request.method} ${this.redact(pathOf(url))} failed with HTTP ${response.status}${message ? `: ${message}` : ''}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`, {
            status: response.status,
            retryable: RETRYABLE_STATUS.has(response.status),
          });
        }
        lastFailure = `HTTP ${response.status}`;
        await this.wait(attempt, retryAfterMs(response.headers), signal);
      } else {
        lastFailure = outcome.reason;
        const retryable = request.retry === 'unprocessed' ? outcome.unsent : outcome.retryable;
        if (!retryable || attempt === maxAttempts) {
          throw new ProviderError(this.options.provider, `${request.method} ${this.redact(pathOf(url))} failed: ${outcome.reason}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`, { retryable: outcome.retryable });
        }
        await this.wait(attempt, null, signal);
      }
      if (signal?.aborted) throw this.cancelled(request, url);
    }
    throw new ProviderError(this.options.provider, `gave up after ${maxAttempts} attempts: ${lastFailure}`);
  }

  /** Not a provider failure: the caller stopped reading. */
  private cancelled(request: HttpRequest, url: string): CancelledError {
    this.options.trace?.(`  ${this.options.provider}: ${request.method} ${this.redact(pathOf(url))} cancelled`);
    return new CancelledError(`${this.options.provider}: ${request.method} ${this.redact(pathOf(url))} was cancelled`);
  }

  private async attempt(request: HttpRequest, url: string, cancel: AbortSignal | undefined): Promise<{ kind: 'response'; response: AxiosResponse<string> } | { kind: 'failure'; reason: string; retryable: boolean; unsent: boolean } | { kind: 'cancelled' }> {
    const { timeoutMs, trace, maxBodyBytes } = this.options;
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'voicenum', ...this.options.headers, ...request.headers };
    let data: string | undefined;
    if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      data = JSON.stringify(request.json);
    } else if (request.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      data = new URLSearchParams(request.form).toString();
    }
    this.requests++;
    const started = Date.now();
    trace?.(`→ ${this.options.provider} ${request.method} ${this.redact(url)}`);
    // The attempt's deadline (the whole answer, not only a quiet socket) and the request's cancellation.
    const stop = linkedSignal([cancel]);
    const deadline = setTimeout(() => stop.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs).unref();
    try {
      const response = await axiosInstance().request<string>({
        method: request.method,
        url,
        headers,
        data,
        timeout: timeoutMs,
        signal: stop.signal,
        // axios stops reading (and drops the connection) as soon as the body passes the limit.
        maxContentLength: maxBodyBytes,
        maxBodyLength: maxBodyBytes,
      });
      trace?.(`← ${this.options.provider} ${response.status} ${request.method} ${this.redact(pathOf(url))} (${Date.now() - started} ms)`);
      return { kind: 'response', response };
    } catch (error) {
      if (cancel?.aborted) return { kind: 'cancelled' };
      const code = (error as { code?: string }).code ?? '';
      if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test((error as Error).message)) {
        // The same request would bring the same body again: not worth a retry.
        const reason = `the answer is larger than voicenum's limit of ${formatBytes(maxBodyBytes)}; stopped reading it`;
        trace?.(`← ${this.options.provider} ${request.method} ${this.redact(pathOf(url))}: ${reason}`);
        return { kind: 'failure', reason, retryable: false, unsent: false };
      }
      const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED' || (error as Error).name === 'AbortError' || (error as Error).name === 'CanceledError';
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : `network error (${code || (error as Error).message})`;
      trace?.(`← ${this.options.provider} ${request.method} ${this.redact(pathOf(url))}: ${reason}`);
      // Refused or unresolved: the request never reached the provider, so even a create may go again.
      return { kind: 'failure', reason, retryable: timedOut || RETRYABLE_CODES.has(code), unsent: code === 'ECONNREFUSED' || code === 'EAI_AGAIN' };
    } finally {
      clearTimeout(deadline);
      stop.release();
    }
  }

  private parse<T>(request: HttpRequest, response: AxiosResponse<string>): HttpResponse<T> {
    const headers = flatHeaders(response.headers);
    const text = typeof response.data === 'string' ? response.data : '';
    if (request.rawBody) return { status: response.status, headers, data: text as T };
    if (text.trim() === '') return { status: response.status, headers, data: null as T };
    try {
      return { status: response.status, headers, data: JSON.parse(text) as T };
    } catch {
      throw new ProviderError(this.options.provider, `${request.method} ${this.redact(pathOf(this.url(request)))} answered HTTP ${response.status} with a body that is not JSON (${JSON.stringify(this.excerpt(text, 60, request.secrets))})`, { status: response.status });
    }
  }

  private describe(response: AxiosResponse<string>, extraSecrets: readonly string[] = []): string {
    const text = typeof response.data === 'string' ? response.data : '';
    let message: string | undefined;
    try {
      message = this.options.errorMessage(JSON.parse(text));
    } catch {
      return this.excerpt(text.trim(), 200, extraSecrets);
    }
    return message ? this.redact(message, extraSecrets) : '';
  }

  /**
   * The start of a body, for an error: redacted before it is cut, so a cut through an encoded key
   * cannot leave a piece of it that no longer matches (a key's forms are far shorter than the margin).
   */
  excerpt(text: string, length: number, extraSecrets: readonly string[] = []): string {
    return this.redact(text.slice(0, length + 2048), extraSecrets).slice(0, length);
  }

  /** The backoff before the next attempt; cut short when `signal` aborts (no retry follows then). */
  private async wait(attempt: number, retryAfter: number | null, signal: AbortSignal | undefined): Promise<void> {
    const { baseDelayMs, maxDelayMs, random, sleep } = this.options;
    const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * random();
    const ms = retryAfter === null ? backoff : Math.min(maxDelayMs, retryAfter);
    if (signal?.aborted) return;
    this.options.trace?.(`  ${this.options.provider}: retrying in ${Math.round(ms)} ms`);
    if (!signal) return sleep(ms);
    // An injected sleep may not listen to the signal: the abort ends the wait all the same.
    let onAbort = () => {};
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([sleep(ms, signal), aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private url(request: HttpRequest): string {
    const base = /^https?:\/\//.test(request.path) ? request.path : `${this.options.baseUrl}${request.path.startsWith('/') ? '' : '/'}${request.path}`;
    if (!request.query) return base;
    const url = new URL(base);
    for (const [key, value] of Object.entries(request.query)) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** Remove every secret, raw or encoded, from text that may be shown; `extraSecrets` are one request's own. */
  redact(text: string, extraSecrets: readonly string[] = []): string {
    // A request's own secrets (rare, and only on an error) get a redactor made for the occasion.
    if (extraSecrets.length === 0) return this.redactor.redact(text);
    return new Redactor([...this.options.secrets, ...extraSecrets]).redact(text);
  }
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}

function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname;
  } catch {
    return url;
  }
}

function flatHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** Retry-After in milliseconds: seconds, or an HTTP date; `retry-after-ms` wins where sent. */
export function retryAfterMs(headers: AxiosResponse['headers'] | Record<string, string>): number | null {
  const flat = flatHeaders(headers as AxiosResponse['headers']);
  const ms = Number(flat['retry-after-ms']);
  if (flat['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const value = flat['retry-after'];
  if (value === undefined) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}
