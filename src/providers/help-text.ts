/**
 * The parts of `--help` that say what providers can do. They are what the providers' descriptors
 * say (test/unit/help-text.test.ts derives them from the registry and holds them equal, so a new
 * provider that changes the help fails that test with the text to paste here). They are literals
 * because deriving them at start-up would load the registry and every descriptor on every
 * command, `--version` included: three more modules, about 10 ms measured.
 */
export const HELP = {
  program: "See and change which agent answers, calls from and texts from every phone number across Retell, Vapi, Bland, Twilio and ElevenLabs.",
  regionFilter: "only this Twilio inbound processing region (us1, ie1, au1)",
  inbound: "agent that answers calls: name, id or provider:name; Retell splits as sales=0.7,support=0.3; pins as sales@3",
  outbound: "agent that places calls from the number (Retell only)",
  region: "show or set the Twilio inbound processing region of a number (us1, ie1, au1)",
  regionNumber: "a number bought in, or imported from, a configured Twilio account",
  regionValue: "us1, ie1 or au1; without it, show the current region and the valid ones",
  label: "set the label: Retell nickname, Vapi name (≤ 40), Bland label, Twilio friendly name (≤ 64), ElevenLabs label; \"\" clears it",
  fallback: "set where calls go when the agent cannot answer: a number (Retell, Vapi), a URL (Twilio), or none",
  fallbackTarget: "a phone number, a URL for Twilio numbers, or none to clear",
  provider: "retell, vapi, bland, twilio or elevenlabs",
  loginStdin: "read the key (Twilio: the token or API key secret) from standard input instead of asking",
  loginAccountSid: "Twilio account SID (with --stdin)",
  loginApiKey: "Twilio API key SID, when the secret is an API key secret (with --stdin)",
  importCommand: "make a number of the configured Twilio account a number of a voice-AI platform (a SIP trunk for Retell; Twilio credentials for Vapi, Bland and ElevenLabs)",
};
