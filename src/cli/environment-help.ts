/**
 * `voicenum help environment`: every environment variable voicenum reads, one line each.
 * test/unit/environment-help.test.ts scans src/ for the variables the code reads and holds this
 * list equal to them, both ways: a new variable fails the test until it is described here, and a
 * line here whose variable the code no longer reads fails it too.
 */
export const ENVIRONMENT_HELP = `Environment variables voicenum reads

Credentials (each wins over the key \`voicenum auth login\` stored for the profile):
  RETELL_API_KEY                      Retell API key
  VAPI_API_KEY                        Vapi private API key
  BLAND_API_KEY                       Bland API key
  TWILIO_ACCOUNT_SID                  Twilio account SID; needs TWILIO_AUTH_TOKEN, or TWILIO_API_KEY with TWILIO_API_SECRET
  TWILIO_AUTH_TOKEN                   Twilio auth token of that account
  TWILIO_API_KEY                      Twilio API key SID (used instead of the auth token when TWILIO_API_SECRET is set too)
  TWILIO_API_SECRET                   secret of that Twilio API key
  ELEVENLABS_API_KEY                  ElevenLabs API key (sent as xi-api-key)

Where voicenum keeps its files:
  VOICENUM_HOME                       the folder of settings, stored keys and every profile's cache
  XDG_DATA_HOME                       without VOICENUM_HOME on Linux: $XDG_DATA_HOME/voicenum (default ~/.local/share/voicenum)
  LOCALAPPDATA                        without VOICENUM_HOME on Windows: %LOCALAPPDATA%\\voicenum
  VOICENUM_PROFILE                    the profile when --profile is not given (default: default)

Provider addresses (proxies, test rigs; --sandbox sets them to its fakes):
  VOICENUM_RETELL_BASE_URL            Retell API (default https://api.retellai.com)
  VOICENUM_VAPI_BASE_URL              Vapi API (default https://api.vapi.ai)
  VOICENUM_BLAND_BASE_URL             Bland API (default https://api.bland.ai)
  VOICENUM_TWILIO_API_BASE_URL        Twilio REST API (default https://api.twilio.com)
  VOICENUM_TWILIO_ROUTES_BASE_URL     Twilio Routes API, for regions (default https://routes.twilio.com)
  VOICENUM_TWILIO_TRUNKING_BASE_URL   Twilio Elastic SIP Trunking API, for imports (default https://trunking.twilio.com)
  VOICENUM_ELEVENLABS_BASE_URL        ElevenLabs API (default https://api.elevenlabs.io; a data-residency host such as https://api.eu.residency.elevenlabs.io)

HTTP:
  VOICENUM_HTTP_TIMEOUT_MS            give up on a request with no answer after this long (default 15000)
  VOICENUM_HTTP_MAX_ATTEMPTS          tries per request on 408, 429, 5xx and network errors (default 4)
  VOICENUM_HTTP_BASE_DELAY_MS         backoff base: retry n waits up to this × 2^(n-1) (jittered), or what Retry-After asks (default 300)
  VOICENUM_HTTP_MAX_BODY_BYTES        stop reading an answer larger than this (default 52428800, 50 MiB)
  VOICENUM_TWILIO_REGION_CONCURRENCY  how many Twilio numbers' regions sync reads at once (default 32)

Cache:
  VOICENUM_CACHE_BUSY_TIMEOUT_MS      how long a write waits for another voicenum's transaction (default 10000)

Output:
  NO_COLOR                            set and not empty: no colour (like --no-color)
  FORCE_COLOR                         set and not 0: colour even when not on a terminal
  TERM                                dumb: no colour, and no live progress line
  CI                                  set (and not false or 0): no live progress line, as in a CI log
  VOICENUM_FORCE_TTY                  1: print for a terminal even into a pipe (tables, benchmarks, less -R)
  COLUMNS                             the table width when VOICENUM_FORCE_TTY prints into a pipe

History:
  USER, USERNAME                      who made a change, when the system cannot tell (recorded in the audit log)

Sandbox:
  VOICENUM_SANDBOX_FAULTS             JSON fault switches for the fakes of a --sandbox run (latency, 429, 5xx, resets, ...)
`;
