import type TwilioSdk from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as SdkResponse from 'twilio/lib/http/response.js';
import { ProviderError } from '../../domain/errors.js';
import type { HttpClient, HttpRequest } from '../http.js';

/**
 * The twilio SDK's HTTP hook. The SDK builds Twilio's URLs, parameters and paging; every request
 * then goes through voicenum's shared HttpClient (timeouts, retries honouring Retry-After, traces,
 * error messages), aimed at the configured base URLs instead of Twilio's hosts.
 */

export interface TwilioBaseUrls {
  /** Replaces https://api.twilio.com */
  apiBaseUrl: string;
  /** Replaces https://routes.twilio.com */
  routesBaseUrl: string;
}

type Sdk = typeof TwilioSdk;
type Response<T> = SdkResponse.default<T>;
type Method = HttpRequest['method'];

const METHODS: readonly Method[] = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

/**
 * Where a URL the SDK built really goes. The product is the host's first label, so region and edge
 * hosts the SDK may derive from TWILIO_REGION / TWILIO_EDGE (api.dublin.ie1.twilio.com) still land on
 * the configured base URL.
 */
export function rewriteTwilioUrl(uri: string, bases: TwilioBaseUrls): string {
  const url = new URL(uri);
  const product = url.hostname.endsWith('twilio.com') ? url.hostname.split('.')[0] : undefined;
  const base = product === 'api' ? bases.apiBaseUrl : product === 'routes' ? bases.routesBaseUrl : undefined;
  if (base === undefined) throw new ProviderError('twilio', `voicenum does not talk to ${url.hostname}`);
  return `${base.replace(/\/+$/, '')}${url.pathname}${url.search}`;
}

function scalarRecord(values: object | undefined): Record<string, string> | undefined {
  if (!values) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null) out[key] = String(value);
  }
  return out;
}

function httpMethod(method: string): Method {
  const upper = method.toUpperCase() as Method;
  if (!METHODS.includes(upper)) throw new ProviderError('twilio', `the twilio SDK asked for an unsupported method ${method}`);
  return upper;
}

/** A 2xx whose body the SDK could not parse is the provider's fault: say so before the SDK chokes. */
function parseJsonBody(http: HttpClient, request: HttpRequest, status: number, body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    const path = new URL(request.path).pathname;
    throw new ProviderError('twilio', `${request.method} ${path} answered HTTP ${status} with a body that is not JSON (${JSON.stringify(http.excerpt(body, 60))})`, { status });
  }
}

/**
 * The 2010 lists a client walks: the end of each list's path (`/IncomingPhoneNumbers.json`) and the
 * key its records come under (`incoming_phone_numbers`).
 */
export type ListKeys = Readonly<Record<string, string>>;

/**
 * Why a 2xx answer to a list request cannot be used as a page, or null when it can. A page without
 * its list is malformed as a whole: the SDK's page class would read any other array in it as the
 * records. Checked here, on the raw answer, because the SDK keeps the parsed page only in a private
 * field (`_payload`).
 */
export function listPageProblem(path: string, body: unknown, lists: ListKeys): string | null {
  // A URL, or a path on the API's host; either may carry a query.
  const pathname = new URL(path, 'http://api.invalid').pathname;
  const suffix = Object.keys(lists).find((end) => pathname.endsWith(end));
  if (suffix === undefined) return null;
  const key = lists[suffix]!;
  const page = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return Array.isArray(page[key]) ? null : `a ${key} page came without its ${key} list`;
}

export function createForwardingClient(sdk: Sdk, http: HttpClient, bases: TwilioBaseUrls, lists: ListKeys = {}): RequestClient {
  class ForwardingClient extends sdk.RequestClient {
    // Credentials come from the HttpClient's fixed headers, so the SDK's username/password go unused.
    override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
      const method = httpMethod(opts.method);
      const request: HttpRequest = {
        method,
        path: rewriteTwilioUrl(opts.uri, bases),
        query: scalarRecord(opts.params ?? undefined),
        form: method === 'GET' || method === 'DELETE' ? undefined : scalarRecord((opts.data as object | undefined) ?? undefined),
        headers: { Accept: 'application/json' },
        rawBody: true,
      };
      // Reads and writes alike go through `http`: a read started inside a cancellable read (fetchAll)
      // is cancelled with it, a write never is (no write runs inside one).
      const response = await http.request<string>(request);
      const body = parseJsonBody(http, request, response.status, response.data);
      const problem = method === 'GET' && response.status < 300 ? listPageProblem(request.path, body, lists) : null;
      if (problem !== null) throw new ProviderError('twilio', problem);
      return { statusCode: response.status, body: response.data, headers: response.headers } as unknown as Response<TData>;
    }
  }
  return new ForwardingClient();
}
