import { z } from 'zod';

/**
 * The parts of Vapi's responses that voicenum reads. Everything else passes unchecked, so a field
 * Vapi adds tomorrow changes nothing here; a field voicenum reads with the wrong type makes that
 * one record unusable, never the whole sync.
 */

const optionalText = z.string().nullish();

export const FallbackDestinationSchema = z.looseObject({
  type: z.string(),
  number: z.string().optional(),
  sipUri: z.string().optional(),
});

export const PhoneNumberSchema = z.looseObject({
  id: z.string().min(1),
  provider: z.string().min(1),
  number: optionalText,
  name: optionalText,
  assistantId: optionalText,
  squadId: optionalText,
  workflowId: optionalText,
  status: optionalText,
  smsEnabled: z.boolean().nullish(),
  fallbackDestination: FallbackDestinationSchema.nullish(),
});
export type VapiPhoneNumberRecord = z.infer<typeof PhoneNumberSchema>;

export const AssistantSchema = z.looseObject({
  id: z.string().min(1),
  name: optionalText,
  latestVersion: optionalText,
  createdAt: z.string(),
});
export type VapiAssistantRecord = z.infer<typeof AssistantSchema>;

export const SquadSchema = z.looseObject({
  id: z.string().min(1),
  name: optionalText,
  createdAt: z.string(),
});
export type VapiSquadRecord = z.infer<typeof SquadSchema>;

/** `GET /v2/phone-number`: the list and enough of the metadata to know whether to go on. */
export const PhoneNumberPageSchema = z.looseObject({
  results: z.array(z.unknown()),
  metadata: z.looseObject({
    currentPage: z.number().optional(),
    totalItems: z.number().optional(),
    totalPages: z.number().nullish(),
    hasNextPage: z.boolean().nullish(),
  }),
});
export type VapiPhoneNumberPage = z.infer<typeof PhoneNumberPageSchema>;

/** The v1 lists (`/assistant`, `/squad`) are bare arrays. */
export const RecordListSchema = z.array(z.unknown());

/** NestJS error bodies: `message` is a string, or a list of validation failures. */
const ErrorBodySchema = z.looseObject({
  message: z.union([z.string(), z.array(z.string())]).optional(),
  error: z.string().optional(),
});

export function vapiErrorMessage(body: unknown): string | undefined {
  const parsed = ErrorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { message, error } = parsed.data;
  if (Array.isArray(message)) return message.length > 0 ? message.join('; ') : error;
  return message ?? error;
}
