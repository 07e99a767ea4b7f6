import type { ChalkInstance } from 'chalk';
import { cacheFile, chosenProfile, PROFILE_NAME, profileDir, SANDBOX_PROFILE, sandboxStateFile, voicenumHome } from '../config/paths.js';
import { profileExists, listProfiles } from '../config/profiles.js';
import { loadConfigFile, profileSettings, type ConfigFileShape, type Settings } from '../config/settings.js';
import { UsageError } from '../domain/errors.js';
import type { ProviderName } from '../domain/model.js';
import { PROVIDERS } from '../domain/model.js';
import type { IO } from '../output/io.js';
import { Printer } from '../output/printer.js';
import { neutralize } from '../output/sanitize.js';
import type { ResolvedCredentials } from '../providers/credentials.js';
import type { HttpSettings } from '../providers/http.js';
import type { Secret } from '../providers/redact.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { SandboxEnvironment } from '../sandbox/index.js';
import type { Store } from '../store/index.js';
import type { Interrupt } from './interrupt.js';
import { warnAbandonedOps } from './open-operations.js';
import { terminalPrompter, type Prompter } from './prompter.js';

/** The global flags every command sees. */
export interface GlobalOptions {
  profile?: string;
  /** --jq: a jq expression the JSON output goes through. */
  jq?: string;
  sandbox?: boolean;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  offline?: boolean;
  /** Not a flag: set by the commands that may run on a profile that does not exist yet (`auth login` and `config set` create it, `config profiles` lists them). */
  allowsNewProfile?: boolean;
}


/**
 * What a command gets: IO, the profile's settings, and lazy handles on the expensive things
 * (the SQLite cache, the sandbox fakes, provider adapters), so a command pays only for what it uses
 * and `--help` pays for none of them.
 */
export class Context {
  readonly printer: Printer;
  readonly profile: string;
  readonly home: string;
  readonly sandbox: boolean;
  /** Where the profile's name came from, for messages; undefined for the default profile. */
  private readonly profileSource: '--sandbox' | '--profile' | 'VOICENUM_PROFILE' | undefined;
  private config: ConfigFileShape | undefined;
  private openedStore: Store | undefined;
  /**
   * Set by `numbers repair` and `numbers import --resume` before they open the cache: the number whose
   * open operation they take care of, left out of the warning about operations left open.
   */
  finishingOpOf: string | undefined;
  private sandboxEnv: Promise<SandboxEnvironment> | undefined;
  /** The keys of every provider this run talks to, for the printer's redaction. */
  private readonly secrets: Secret[] = [];

  constructor(
    readonly io: IO,
    readonly env: NodeJS.ProcessEnv,
    readonly options: GlobalOptions,
    /** Ctrl-C and SIGTERM: what a write phase checks before it starts the next number or step. */
    readonly interrupt: Interrupt,
    readonly now: () => Date = () => new Date(),
    private readonly makePrompter: (io: IO) => Prompter = terminalPrompter,
    chalk?: ChalkInstance,
  ) {
    // Suggested commands get this run's profile flags, once the profile is known.
    this.printer = new Printer(io, { quiet: Boolean(options.quiet), verbose: Boolean(options.verbose), terminalFormat: () => this.settings().output, chalk, jq: options.jq, hintCommand: (command) => (this.profile === undefined ? `voicenum ${command}` : this.hintCommand(command)) });
    // --sandbox is a flag on this command line, so it wins over VOICENUM_PROFILE from the
    // environment; two flags that disagree are a mistake of the same command line.
    if (options.sandbox && options.profile && options.profile !== SANDBOX_PROFILE) {
      throw new UsageError(`--sandbox uses the "${SANDBOX_PROFILE}" profile; it cannot be combined with --profile ${options.profile}`);
    }
    this.profileSource = options.sandbox ? '--sandbox' : options.profile !== undefined ? '--profile' : env.VOICENUM_PROFILE ? 'VOICENUM_PROFILE' : undefined;
    this.profile = chosenProfile(options, env);
    if (!PROFILE_NAME.test(this.profile)) throw new UsageError(`"${this.profile}" is not a valid profile name`, 'use letters, digits, - and _ (up to 40)');
    this.sandbox = this.profile === SANDBOX_PROFILE;
    this.home = voicenumHome(env);
  }

  /** Asks the operator; only call after checking canPrompt(io). */
  prompter(): Prompter {
    return this.makePrompter(this.io);
  }

  get profileDir(): string {
    return profileDir(this.home, this.profile);
  }

  /**
   * Read (and validate) the config file, and refuse a profile that does not exist unless this
   * command creates it (or lists the profiles): `--profile stagng` must not quietly run on an
   * empty profile. Called once, before the command runs.
   */
  async open(): Promise<void> {
    this.config = await loadConfigFile(this.home);
    if (this.options.allowsNewProfile || profileExists(this.home, this.config, this.profile)) return;
    const names = listProfiles(this.home, this.config).map((p) => p.name);
    throw new UsageError(
      `there is no profile "${this.profile}" (from ${this.profileSource ?? 'the default'}); profiles: ${names.join(', ')}`,
      `create it with \`${this.hintCommand('auth login PROVIDER')}\` or \`${this.hintCommand('config set KEY VALUE')}\`; see them all with \`voicenum config profiles\``,
    );
  }

  configFile(): ConfigFileShape {
    // open() runs before every command; this is a bug guard, not a lazy load.
    if (!this.config) throw new Error('the configuration was not loaded (Context.open was not called)');
    return this.config;
  }

  settings(): Settings {
    return profileSettings(this.configFile(), this.profile);
  }

  /**
   * The profile's cache, opened (and migrated) on first use. Journal entries an earlier run left
   * open are reconciled upstream first, so every command starts from what really happened.
   */
  async store(): Promise<Store> {
    if (!this.openedStore) {
      const { Store } = await import('../store/index.js');
      const busy = Number(this.env.VOICENUM_CACHE_BUSY_TIMEOUT_MS);
      const store = Store.open(cacheFile(this.home, this.profile), Number.isFinite(busy) && busy >= 0 && this.env.VOICENUM_CACHE_BUSY_TIMEOUT_MS ? { busyTimeoutMs: busy } : {});
      this.openedStore = store;
      if (store.hasOpenIntents()) await this.reconcile(store);
      warnAbandonedOps(this, store, this.finishingOpOf);
    }
    return this.openedStore;
  }

  private async reconcile(store: Store): Promise<void> {
    const open = store.openIntents().length;
    if (this.options.offline) {
      this.printer.warn(`${open} journal ${open === 1 ? 'entry' : 'entries'} of an interrupted change ${open === 1 ? 'waits' : 'wait'} to be checked upstream; run without --offline (or \`${this.hintCommand('sync')}\`) to settle them`);
      return;
    }
    const { reconcileJournal } = await import('../engine/reconcile.js');
    const { applyPorts } = await import('../engine/ports.js');
    const report = await reconcileJournal(applyPorts(this, store));
    for (const item of report.reconciled) {
      const what = `${item.e164} ${item.fields.join(', ')} at ${item.provider}`;
      if (item.outcome === 'applied') this.printer.info(`recovered an interrupted change: ${what} was applied upstream; recorded now`);
      else if (item.outcome === 'not-applied') this.printer.info(`recovered an interrupted change: ${what} never reached ${item.provider}; nothing changed`);
      else this.printer.warn(`an interrupted change on ${what} left upstream holding neither the old nor the asked value (${neutralize(item.upstream)}); recorded as a conflict — check it with \`${this.hintCommand(`numbers show ${item.e164}`)}\``);
    }
    for (const item of report.unchecked) {
      this.printer.warn(`could not check an interrupted change on ${item.e164} at ${item.provider} (${neutralize(item.reason)}); voicenum tries again on the next command`);
    }
  }

  /** A command line to suggest, with this run's profile. */
  hintCommand(command: string): string {
    return `voicenum ${this.sandbox ? '--sandbox ' : this.profile !== 'default' ? `--profile ${this.profile} ` : ''}${command}`;
  }

  /** The environment provider adapters read: the real one, or the sandbox fakes' addresses and keys. */
  async providerEnv(): Promise<NodeJS.ProcessEnv> {
    if (!this.sandbox) return this.env;
    this.sandboxEnv ??= this.startSandbox();
    const sandbox = await this.sandboxEnv;
    // The sandbox's own addresses and keys win: a real key in the environment must never reach a fake.
    return { ...this.env, ...sandbox.env };
  }

  private async startSandbox(): Promise<SandboxEnvironment> {
    const { startSandbox } = await import('../sandbox/index.js');
    const faults = this.env.VOICENUM_SANDBOX_FAULTS ? (await import('../sandbox/faults.js')).parseSandboxFaults(this.env.VOICENUM_SANDBOX_FAULTS) : {};
    const sandbox = await startSandbox({ stateFile: sandboxStateFile(this.home, this.profile), faults });
    if (sandbox.migratedFromJson) this.printer.info('sandbox: moved the fakes\' state from sandbox-state.json (an earlier voicenum) into sandbox-state.db');
    return sandbox;
  }

  async credentials(): Promise<ResolvedCredentials> {
    const { resolveCredentials } = await import('../providers/credentials.js');
    const stored = this.sandbox ? {} : (this.configFile().profiles?.[this.profile]?.credentials ?? {});
    return resolveCredentials(await this.providerEnv(), stored);
  }

  /** HTTP settings for adapters: traces on --verbose, with every secret scrubbed. */
  async httpSettings(credentials: ResolvedCredentials): Promise<HttpSettings> {
    const settings: HttpSettings = {};
    if (this.env.VOICENUM_HTTP_TIMEOUT_MS) settings.timeoutMs = Number(this.env.VOICENUM_HTTP_TIMEOUT_MS);
    if (this.env.VOICENUM_HTTP_MAX_ATTEMPTS) settings.maxAttempts = Number(this.env.VOICENUM_HTTP_MAX_ATTEMPTS);
    if (this.env.VOICENUM_HTTP_BASE_DELAY_MS) settings.baseDelayMs = Number(this.env.VOICENUM_HTTP_BASE_DELAY_MS);
    if (this.env.VOICENUM_HTTP_MAX_BODY_BYTES) settings.maxBodyBytes = Number(this.env.VOICENUM_HTTP_MAX_BODY_BYTES);
    // Every key in use is removed from whatever this run prints on stderr (errors, warnings,
    // traces), raw or encoded: a provider's message or an adapter's error may quote it back.
    const { secretValues } = await import('../providers/credentials.js');
    const { Redactor } = await import('../providers/redact.js');
    this.secrets.push(...secretValues(credentials));
    const redactor = new Redactor(this.secrets);
    this.printer.redactWith((text) => redactor.redact(text));
    if (this.printer.isVerbose) settings.trace = (line) => this.printer.verbose(line);
    return settings;
  }

  /** Adapters for the requested providers that have credentials, and why the others were skipped. */
  async adapters(only?: ProviderName[]): Promise<{ adapters: ProviderAdapter[]; skipped: { provider: ProviderName; reason: string }[] }> {
    if (this.options.offline) throw new UsageError('--offline: this command needs the providers', 'drop --offline');
    const credentials = await this.credentials();
    const env = await this.providerEnv();
    const http = await this.httpSettings(credentials);
    const { createAdapter } = await import('../providers/registry.js');
    const wanted = only?.length ? only : [...PROVIDERS];
    const adapters: ProviderAdapter[] = [];
    const skipped: { provider: ProviderName; reason: string }[] = [];
    for (const provider of wanted) {
      const adapter = await createAdapter(provider, credentials, env, http);
      if (adapter) adapters.push(adapter);
      else skipped.push({ provider, reason: credentials.missing.find((m) => m.provider === provider)?.reason ?? 'no credentials' });
    }
    return { adapters, skipped };
  }

  async close(): Promise<void> {
    this.openedStore?.close();
    // A sandbox that failed to start was reported by the command that needed it.
    if (this.sandboxEnv) await (await this.sandboxEnv.catch(() => undefined))?.close();
  }
}
