/** The keys the sandbox fakes accept. Not secrets: they open nothing but the local fakes. */
export const SANDBOX_KEYS = {
  retell: 'key_sandbox_retell_7f3a9c',
  vapi: '5b1e0c7a-sandbox-vapi-key-0000',
  bland: 'sk-sandbox-bland-2d8e41',
  twilioAuthToken: 'sandbox_twilio_auth_token_91c2',
  elevenlabs: 'sk_sandbox_elevenlabs_6e2b90',
} as const;
