import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * The providers' own OpenAPI documents, for contract tests: loading (checked against the hashes
 * they were saved with), `$ref` resolution, operation lookup by method and path, JSON Schema
 * validators for response and request bodies, and a small generator of schema instances.
 *
 * Most documents are OpenAPI 3.0.x (Retell 3.0.3, Vapi 3.0.0, Twilio 3.0.1), whose Schema Objects
 * are not JSON Schema: `nullable`, boolean `exclusiveMinimum`, `discriminator` and `example` must be
 * translated before ajv (draft-07) can compile them. `toJsonSchema` below does that and nothing
 * more. ElevenLabs' is 3.1.0, whose Schema Objects are JSON Schema 2020-12 already: it is compiled
 * by ajv's 2020-12 validator, with only the OpenAPI annotations (`discriminator`, `example`, `x-…`)
 * dropped, which the same conversion does (there is no `nullable` or boolean bound in 3.1 to translate).
 */

/**
 * Where the saved specs are: the team's shared folder beside the checkout (`../shared`), or wherever
 * VOICENUM_PROVIDER_SPECS points (a CI cache, another checkout).
 */
export const SPECS_DIR = process.env.VOICENUM_PROVIDER_SPECS ?? fileURLToPath(new URL('../../../shared/provider-apis/specs', import.meta.url));

/** The files the contract tests were written against (SHA-256 from the specs folder's SHA256SUMS). */
export const SPEC_FILES = {
  retell: { file: 'retell-openapi.json', sha256: 'd5ecc38e7519cf9e1584bb2e86108d5ecc977609aa223aacdb176a58b0c693cf' },
  vapi: { file: 'vapi-openapi.json', sha256: '74c487628c18a754783f193e95549662901f4b8c9d755ba22829a9b446e89475' },
  twilioApi: { file: 'twilio_api_v2010.json', sha256: '99cae87a6bb1725f71363364cbd30282a13140374b2d5f9bdd5bdfa5d4c8a6d7' },
  twilioRoutes: { file: 'twilio_routes_v2.json', sha256: '0ec156ca53c7e7255e3062449da4dd47f9c7ab89a7f6d36caa21f0ba138a1290' },
  twilioTrunking: { file: 'twilio_trunking_v1.json', sha256: 'd34f2c6352fa8060a0b816240b6baa2a6237629e06b60878da06b4429b758c2d' },
  elevenlabs: { file: 'elevenlabs-openapi.json', sha256: 'bd2bc946d5cd93c8a3d594756b6ddfab238d204aa159d32a2fade9ed905a2b68' },
} as const;
export type SpecName = keyof typeof SPEC_FILES;

/** Whether every spec a test file needs is present; the file is skipped (visibly) otherwise. */
export function specsPresent(...names: SpecName[]): boolean {
  return names.every((name) => existsSync(join(SPECS_DIR, SPEC_FILES[name].file)));
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
/** An OpenAPI Schema Object (or a JSON Schema after conversion): always an object here. */
export type Schema = JsonObject;

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface Operation {
  method: HttpMethod;
  /** The spec's path template, e.g. `/phone-number/{id}`. */
  template: string;
  node: JsonObject;
}

/**
 * A deliberate, documented departure from the spec's schema, for a place where the provider's own
 * examples (or its official SDK) show the schema is wrong. Each one is applied while converting,
 * so the validators stay strict everywhere else. `why` is for the reader; tests also prove each
 * relaxation is needed (the raw schema refuses the provider's own example).
 */
export interface Relaxation {
  why: string;
  /** Called on every converted schema node with its JSON pointer; returns the replacement. */
  apply(node: Schema, pointer: string): Schema;
}

export interface LoadOptions {
  relaxations?: Relaxation[];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Keywords whose value is one schema, and those whose value is a list or a map of schemas. */
const ONE_SCHEMA = ['items', 'not', 'additionalProperties'];
const SCHEMA_LIST = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_MAP = ['properties'];
/** OpenAPI-only annotations ajv would trip over or that carry example data, not constraints. */
const DROPPED = ['example', 'discriminator', 'xml', 'externalDocs', 'nullable'];

/**
 * One OpenAPI 3.0 Schema Object → JSON Schema draft-07, recursively through the schema keywords
 * only (example values and defaults are never touched). `$ref`s into the document are rewritten
 * to point into the document registered in ajv under `id`.
 */
export function toJsonSchema(node: Schema, id: string, pointer: string, relaxations: Relaxation[] = []): Schema {
  if (typeof node.$ref === 'string') {
    // A $ref ignores its siblings in OpenAPI 3.0, so the ref alone is the schema.
    return { $ref: node.$ref.startsWith('#') ? `${id}${node.$ref}` : node.$ref };
  }
  let out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.includes(key) || key.startsWith('x-')) continue;
    if (ONE_SCHEMA.includes(key) && isObject(value)) out[key] = toJsonSchema(value, id, `${pointer}/${key}`, relaxations);
    else if (SCHEMA_LIST.includes(key) && Array.isArray(value)) {
      out[key] = value.map((entry, index) => (isObject(entry) ? toJsonSchema(entry, id, `${pointer}/${key}/${index}`, relaxations) : entry));
    } else if (SCHEMA_MAP.includes(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, entry]) => [name, isObject(entry) ? toJsonSchema(entry, id, `${pointer}/${key}/${escapePointer(name)}`, relaxations) : entry]));
    } else out[key] = value;
  }
  // 3.0 writes an exclusive bound as `minimum: 0, exclusiveMinimum: true`; draft-07 as `exclusiveMinimum: 0`.
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') out[flag] = out[bound];
      else delete out[flag];
      if (out[flag] !== undefined) delete out[bound];
    }
  }
  // An empty `enum` (Vapi's Neuphonic "Preset Voice Options") allows no value, which draft-07
  // cannot spell as an enum: `not: {}` says the same and keeps a surrounding oneOf meaningful.
  if (Array.isArray(out.enum) && out.enum.length === 0) {
    delete out.enum;
    out.not = {};
  }
  for (const relaxation of relaxations) out = relaxation.apply(out, pointer);
  if (node.nullable === true) out = allowNull(out);
  return out;
}

/** `nullable: true`: null besides whatever the schema allows. */
function allowNull(schema: Schema): Schema {
  if (typeof schema.type === 'string' && Object.keys(schema).every((key) => !SCHEMA_LIST.includes(key))) {
    const widened: Schema = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum)) widened.enum = [...schema.enum, null];
    return widened;
  }
  return { anyOf: [schema, { type: 'null' }] };
}

/** The Twilio and Vapi string formats ajv-formats does not know, checked as their docs define them. */
const EXTRA_FORMATS: Record<string, RegExp | true> = {
  // E.164: a plus, a country code and at most 15 digits in all.
  'phone-number': /^\+[1-9]\d{1,14}$/,
  // RFC 2822 as Twilio writes it: `Thu, 30 Jul 2015 23:19:04 +0000`.
  'date-time-rfc-2822': /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/,
  'http-method': /^(GET|POST|PUT|PATCH|DELETE|HEAD)$/,
  // Formats on fields no contract test reads; accepted without a check rather than guessed at.
  'uri-map': true,
  'iso-country-code': true,
  currency: true,
  'ice-server': true,
  'phone-number-capabilities': true,
};

/** ajv-formats is CommonJS; under ESM its function may arrive as the default or as the namespace. */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

export interface SpecBodyValidation {
  valid: boolean;
  errors: string[];
}

export class OpenApiSpec {
  readonly doc: JsonObject;
  readonly version: string;
  private readonly ajv: Ajv;
  private readonly id: string;
  private readonly relaxations: Relaxation[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly name: SpecName, options: LoadOptions = {}) {
    const { file, sha256 } = SPEC_FILES[name];
    const text = readFileSync(join(SPECS_DIR, file), 'utf8');
    const actual = createHash('sha256').update(text).digest('hex');
    if (actual !== sha256) throw new Error(`${file} is not the saved copy the contract tests were written against (sha256 ${actual})`);
    this.doc = JSON.parse(text) as JsonObject;
    this.version = String(this.doc.openapi ?? '');
    if (!/^3\.[01]\.\d+$/.test(this.version)) throw new Error(`${file}: OpenAPI ${this.version || '(none)'}; this helper reads 3.0 and 3.1 documents only`);
    this.id = `spec:${name}`;
    this.relaxations = options.relaxations ?? [];
    // strict off: spec documents carry annotations (description, deprecated, title...) beside the
    // constraints. allErrors: a failing test should list every deviation, not the first.
    const ajvOptions = { strict: false, allErrors: true, validateSchema: false, allowUnionTypes: true } as const;
    this.ajv = this.version.startsWith('3.1.') ? new Ajv2020(ajvOptions) : new Ajv(ajvOptions);
    addFormats(this.ajv);
    for (const [format, check] of Object.entries(EXTRA_FORMATS)) this.ajv.addFormat(format, check);
    // Only the components are registered (converted once); operation schemas refer into them.
    const components = isObject(this.doc.components) && isObject(this.doc.components.schemas) ? this.doc.components.schemas : {};
    const schemas = Object.fromEntries(Object.entries(components).map(([key, schema]) => [key, toJsonSchema(schema as Schema, this.id, `#/components/schemas/${escapePointer(key)}`, this.relaxations)]));
    this.ajv.addSchema({ $id: this.id, components: { schemas } } as object);
  }

  /** A `#/...` pointer into the document, followed as it is written. */
  resolve(ref: string): Json {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, not ${ref}`);
    let node: Json = this.doc;
    for (const segment of ref.slice(2).split('/').map(unescapePointer)) {
      if (!isObject(node) && !Array.isArray(node)) throw new Error(`${ref} does not resolve in ${this.name}`);
      node = (node as Record<string, Json>)[segment] as Json;
      if (node === undefined) throw new Error(`${ref} does not resolve in ${this.name}`);
    }
    return node;
  }

  /** Follows `$ref` until a node that is not one. */
  deref(node: Json): Json {
    let current = node;
    for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops++) {
      if (hops > 20) throw new Error('a $ref cycle');
      current = this.resolve(current.$ref);
    }
    return current;
  }

  /**
   * The operation for a method and a path: a template as the spec writes it, or a concrete path
   * (`/phone-number/5f…`), matched segment by segment with `{name}` standing for any text
   * without a slash (Twilio's `{Sid}.json` included).
   */
  operation(method: string, path: string): Operation | undefined {
    const wanted = method.toLowerCase() as HttpMethod;
    const paths = isObject(this.doc.paths) ? this.doc.paths : {};
    const exact = paths[path];
    if (isObject(exact) && isObject(exact[wanted])) return { method: wanted, template: path, node: exact[wanted] };
    for (const [template, item] of Object.entries(paths)) {
      if (!isObject(item) || !isObject(item[wanted])) continue;
      const pattern = template
        .split(/(\{[^}]+\})/)
        .map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      if (new RegExp(`^${pattern}$`).test(path)) return { method: wanted, template, node: item[wanted] };
    }
    return undefined;
  }

  private require(method: string, path: string): Operation {
    const operation = this.operation(method, path);
    if (!operation) throw new Error(`${this.name} has no ${method.toUpperCase()} ${path}`);
    return operation;
  }

  /** The media-type object of a response (`$ref`ed responses followed), or undefined. */
  private responseMedia(operation: Operation, status: string): JsonObject | undefined {
    const responses = isObject(operation.node.responses) ? operation.node.responses : {};
    const response = this.deref(responses[status] ?? null);
    if (!isObject(response) || !isObject(response.content)) return undefined;
    const media = response.content['application/json'];
    return isObject(media) ? media : undefined;
  }

  private requestMedia(operation: Operation, contentType: string): JsonObject | undefined {
    const body = this.deref(operation.node.requestBody ?? null);
    if (!isObject(body) || !isObject(body.content)) return undefined;
    const media = body.content[contentType];
    return isObject(media) ? media : undefined;
  }

  /** The raw (OpenAPI) schema of a response body: for the instance generator. */
  responseSchema(method: string, path: string, status = '200'): Schema {
    const operation = this.require(method, path);
    const schema = this.responseMedia(operation, status)?.schema;
    if (!isObject(schema)) throw new Error(`${this.name} ${method.toUpperCase()} ${operation.template} has no JSON ${status} schema`);
    return schema;
  }

  /** The examples the spec gives for a response body (`example` and named `examples`). */
  responseExamples(method: string, path: string, status = '200'): { name: string; value: Json }[] {
    const operation = this.require(method, path);
    const media = this.responseMedia(operation, status);
    const found: { name: string; value: Json }[] = [];
    if (media?.example !== undefined) found.push({ name: 'example', value: media.example });
    if (isObject(media?.examples)) {
      for (const [name, entry] of Object.entries(media.examples)) {
        const example = this.deref(entry);
        if (isObject(example) && example.value !== undefined) found.push({ name, value: example.value });
      }
    }
    return found;
  }

  /** A validator for a response body of the operation. */
  responseValidator(method: string, path: string, status = '200'): ValidateFunction {
    const operation = this.require(method, path);
    return this.validatorFor(`res ${operation.method} ${operation.template} ${status}`, () => {
      const schema = this.responseMedia(operation, status)?.schema;
      if (!isObject(schema)) throw new Error(`${this.name} ${method.toUpperCase()} ${operation.template} has no JSON ${status} schema`);
      return schema;
    });
  }

  /** A validator for the request body the operation takes in `contentType`. */
  requestValidator(method: string, path: string, contentType = 'application/json'): ValidateFunction {
    const operation = this.require(method, path);
    return this.validatorFor(`req ${operation.method} ${operation.template} ${contentType}`, () => {
      const schema = this.requestMedia(operation, contentType)?.schema;
      if (!isObject(schema)) throw new Error(`${this.name} ${method.toUpperCase()} ${operation.template} takes no ${contentType} body`);
      return schema;
    });
  }

  /** A validator for a named component schema (`#/components/schemas/NAME`). */
  componentValidator(name: string): ValidateFunction {
    return this.validatorFor(`component ${name}`, () => ({ $ref: `#/components/schemas/${escapePointer(name)}` }));
  }

  /** A validator for a schema of the document (a parameter's, say), under a key that names it. */
  schemaValidator(key: string, schema: Schema): ValidateFunction {
    return this.validatorFor(`schema ${key}`, () => schema);
  }

  /** Validates `value` and words each problem as `/path: message` for an assertion message. */
  check(validator: ValidateFunction, value: unknown): SpecBodyValidation {
    const valid = validator(value) as boolean;
    return { valid, errors: valid ? [] : describeErrors(validator.errors ?? []) };
  }

  private validatorFor(key: string, schema: () => Schema): ValidateFunction {
    let validator = this.compiled.get(key);
    if (!validator) {
      validator = this.ajv.compile(toJsonSchema(schema(), this.id, key, this.relaxations));
      this.compiled.set(key, validator);
    }
    return validator;
  }
}

/**
 * ajv's errors, one line each, repeats dropped. A oneOf failure lists every branch's complaints,
 * which is noise when one branch nearly fits; they are kept because the noise names the branch
 * that was meant.
 */
export function describeErrors(errors: ErrorObject[]): string[] {
  const lines = errors.map((error) => `${error.instancePath || '/'}: ${error.message ?? error.keyword}${error.keyword === 'enum' ? ` ${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)}` : ''}`);
  return [...new Set(lines)];
}

// ---------------------------------------------------------------------------------------------
// Instance generator

export interface GenerateOptions {
  /** Also fill optional properties (arrays get one element): the "everything set" instance. */
  optional?: boolean;
  /** Property names left out even when optional ones are filled (deprecated or write-only fields). */
  skip?: string[];
  /**
   * Values for named properties the spec gives neither an example nor a format for, where the wire
   * is known to be narrower than the schema (Vapi's `number` is a plain string in the spec, an
   * E.164 number on the wire). Explicit per test, never guessed from the name.
   */
  values?: Record<string, Json>;
}

/**
 * A small instance of an OpenAPI 3.0 schema, for specs that give no example of a response:
 *
 * - a property's own `example` when the spec gives one (the spec's word beats a made-up value);
 * - otherwise the first `enum` value, `default`, or a value built from `type` and `format`:
 *   date-time, uuid, uri, E.164 phone numbers, Twilio's RFC 2822 dates; Twilio's SID patterns
 *   (`^XX[0-9a-fA-F]{32}$`); the smallest number within `minimum`/`exclusiveMinimum`;
 * - `required` properties only, unless `optional` is set; `allOf` merged, `oneOf`/`anyOf` → the
 *   first branch; `$ref` followed (a cycle stops at the depth limit with what it has).
 *
 * It makes no attempt at arbitrary `pattern`s or cross-field rules: every generated instance is
 * validated against the spec's schema by the tests, so a gap here shows as a failing test, never
 * as a silently wrong instance.
 */
export function generateInstance(spec: OpenApiSpec, schema: Schema, options: GenerateOptions = {}, depth = 0): Json {
  const node = spec.deref(schema);
  if (!isObject(node)) throw new Error('not a schema');
  if (depth > 12) return null;
  if (Array.isArray(node.allOf)) {
    const parts = node.allOf.map((part) => generateInstance(spec, part as Schema, options, depth + 1));
    const rest = Object.fromEntries(Object.entries(node).filter(([key]) => key !== 'allOf'));
    const own = Object.keys(rest).some((key) => ['properties', 'type', 'required'].includes(key)) ? [generateInstance(spec, rest, options, depth + 1)] : [];
    return Object.assign({}, ...[...parts, ...own].filter(isObject)) as Json;
  }
  const branches = (node.oneOf ?? node.anyOf) as Json[] | undefined;
  if (Array.isArray(branches) && branches.length > 0) return generateInstance(spec, branches[0] as Schema, options, depth + 1);
  if (node.example !== undefined) return node.example;
  // 3.1 (JSON Schema) spells a single allowed value `const`.
  if (node.const !== undefined) return node.const;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0]!;
  if (node.default !== undefined) return node.default;
  // 3.1 may give a list of types (`["string", "null"]`): the first that is not null.
  const listed = Array.isArray(node.type) ? node.type.find((entry) => entry !== 'null') : node.type;
  const type = listed ?? (isObject(node.properties) ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const properties = isObject(node.properties) ? node.properties : {};
      const required = Array.isArray(node.required) ? (node.required as string[]) : [];
      const out: JsonObject = {};
      for (const [name, property] of Object.entries(properties)) {
        const wanted = required.includes(name) || (options.optional === true && !(options.skip ?? []).includes(name) && !(isObject(property) && property.deprecated === true));
        if (!wanted || !isObject(property)) continue;
        const given = options.values?.[name];
        out[name] = given !== undefined && spec.deref(property) === property && property.example === undefined ? given : generateInstance(spec, property, options, depth + 1);
      }
      return out;
    }
    case 'array': {
      const count = Math.max(typeof node.minItems === 'number' ? node.minItems : 0, options.optional ? 1 : 0);
      return isObject(node.items) ? Array.from({ length: count }, () => generateInstance(spec, node.items as Schema, options, depth + 1)) : [];
    }
    case 'string':
      return stringFor(node);
    case 'integer':
    case 'number': {
      const floor = typeof node.minimum === 'number' ? node.minimum : 0;
      const exclusive = node.exclusiveMinimum === true || typeof node.exclusiveMinimum === 'number';
      const low = typeof node.exclusiveMinimum === 'number' ? node.exclusiveMinimum : floor;
      if (!exclusive) return low;
      return type === 'integer' ? low + 1 : typeof node.maximum === 'number' ? (low + node.maximum) / 2 : low + 1;
    }
    case 'boolean':
      return false;
    default:
      return null;
  }
}

function stringFor(node: JsonObject): string {
  switch (node.format) {
    case 'date-time':
      return '2026-01-02T03:04:05.000Z';
    case 'date':
      return '2026-01-02';
    case 'uuid':
      return '3f2a8c1e-5b7d-4e09-9a6f-0c1d2e3f4a5b';
    case 'uri':
      return 'https://example.com/contract';
    case 'phone-number':
      return '+14155550123';
    case 'date-time-rfc-2822':
      return 'Fri, 02 Jan 2026 03:04:05 +0000';
  }
  const sid = typeof node.pattern === 'string' ? /^\^([A-Z]{2})\[0-9a-fA-F\]\{32\}\$$/.exec(node.pattern) : null;
  if (sid) return `${sid[1]}${'0123456789abcdef'.repeat(2)}`;
  const length = typeof node.minLength === 'number' ? node.minLength : 1;
  return 'x'.repeat(Math.max(1, length));
}
