import { z } from 'zod';
import { UsageError } from '../domain/errors.js';
import type { FaultPlan } from './fake-server.js';
import type { SandboxFaults } from './index.js';

/**
 * VOICENUM_SANDBOX_FAULTS: a JSON object from provider to its fault plan (the switches of
 * FaultPlan in fake-server.ts), e.g. {"retell":{"latencyMs":400},"vapi":{"serverError":{"count":-1,"status":503}}}.
 * Every key is checked, so a misspelt switch is refused instead of quietly testing nothing.
 */
const count = z.number().int().min(-1);
const faultPlan = z.strictObject({
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  pathContains: z.string().optional(),
  rateLimit: z.strictObject({ count, retryAfterSeconds: z.number().min(0).nullable() }).optional(),
  serverError: z.strictObject({ count, status: z.number().int().min(500).max(599) }).optional(),
  hang: z.strictObject({ count }).optional(),
  malformed: z.strictObject({ count }).optional(),
  reset: z.strictObject({ count }).optional(),
  hugeBody: z.strictObject({ count, bytes: z.number().int().min(1).optional() }).optional(),
  failWritesAfter: z.number().int().min(0).optional(),
  failWrite: z.strictObject({ nth: z.number().int().min(1), status: z.number().int().min(400).max(599).optional() }).optional(),
  hangWrite: z.strictObject({ nth: z.number().int().min(1), applied: z.boolean().optional() }).optional(),
  loseWriteAnswer: z.strictObject({ count, as: z.union([z.literal('reset'), z.literal(502)]), thenDown: z.boolean().optional() }).optional(),
  stuckPaging: z.strictObject({ pathContains: z.string() }).optional(),
}) satisfies z.ZodType<FaultPlan>;

export const sandboxFaultsSchema = z.strictObject({
  retell: faultPlan.optional(),
  vapi: faultPlan.optional(),
  bland: faultPlan.optional(),
  twilio: faultPlan.optional(),
  elevenlabs: faultPlan.optional(),
}) satisfies z.ZodType<SandboxFaults>;

const VARIABLE = 'VOICENUM_SANDBOX_FAULTS';
const EXAMPLE = `e.g. ${VARIABLE}='{"retell":{"latencyMs":400},"vapi":{"serverError":{"count":-1,"status":503}}}'; the switches are in src/sandbox/fake-server.ts (FaultPlan)`;

/** The variable's text as fault plans; a usage error naming the variable when it is not one. */
export function parseSandboxFaults(text: string): SandboxFaults {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${VARIABLE} is not valid JSON (${(error as Error).message})`, EXAMPLE);
  }
  const result = sandboxFaultsSchema.safeParse(parsed);
  if (result.success) return result.data as SandboxFaults;
  const problems = result.error.issues.map((issue) => {
    const at = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      const what = issue.path.length === 0 ? `unknown provider ${issue.keys.map((k) => `"${k}"`).join(', ')} (providers: ${Object.keys(sandboxFaultsSchema.shape).join(', ')})` : `unknown switch ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return at ? `${at}: ${what}` : what;
    }
    return `${at || 'the value'}: ${issue.message}`;
  });
  throw new UsageError(`${VARIABLE} is not a fault plan: ${problems.join('; ')}`, EXAMPLE);
}
