/**
 * A point-to-site IKEv2 client connecting to a gateway (RFC 7296), as pure
 * initiator and responder machines plus a small session helper. Lighter than
 * the site-to-site machines: one IKE SA and its first child SA, no rekeying.
 *
 *   client: idle --connect/ IKE_SA_INIT req--> saInitSent
 *     --IKE_SA_INIT resp/ IKE_AUTH req #1--> authSent
 *     --IKE_AUTH resp (EAP continues)/ IKE_AUTH req #n--> authSent
 *     --IKE_AUTH resp with AUTH, SA, TS, CP/ up--> connected
 *     --AUTHENTICATION_FAILED or refusal--> closed (down: reason)
 *     --retransmission timer after maxTries--> closed (ikeTimeout)
 *
 *   gateway: idle --IKE_SA_INIT req/ resp--> saInitDone
 *     --IKE_AUTH req, credentials checked, slot taken/ resp--> connected
 *
 * Round trips with no loss: IKE_SA_INIT 1 + IKE_AUTH 1 with certificates = 2
 * (RFC 7296 §1.2); with EAP-MSCHAPv2 the IKE_AUTH exchange repeats (RFC 7296
 * §2.16): identity -> challenge, response -> success request, ack ->
 * EAP-Success, final AUTH -> child SA: 1 + 4 = 5.
 *
 * Requests are retransmitted by the initiator only (RFC 7296 §2.1); the
 * responder answers a retransmitted request with its stored response. The
 * timer follows strongSwan's defaults: 4 s, × 1.8 per try, 5 retransmissions
 * (4, 7.2, 13, 23.3, 42 s, give up after 165 s in all).
 *
 * The gateway's IKEv2/OpenVPN client limit (SKUS.md `maxIkev2OpenVpnClients`)
 * is checked when IKE_AUTH would complete; the wire notify a gateway uses for
 * it is not documented, so the model ends the attempt with `clientLimitReached`.
 */
import { UsageError } from '../../errors.js';
import type { Simulator } from '../../sim/kernel/simulator.js';
import type { SkuSpec } from '../../sim/net/skus.js';
import type { Link } from '../link.js';
import { MachineDriver } from '../driver.js';
import type { CommonEffect, CommonInput, StepFn, Transition } from '../machine.js';
import type { ClientCertificate, ClientOs } from '../sstp/messages.js';
import { certificateTrusted, p2sCredentialStore, passwordAccepted, type P2sCredentialStore } from '../sstp/common.js';

/** Authentication of a P2S IKEv2 client. */
export type Ikev2P2sAuth = 'certificate' | 'eapMsChapV2';

/** IKE_AUTH exchanges per authentication method (see the header). */
export const IKE_AUTH_ROUNDS: Readonly<Record<Ikev2P2sAuth, number>> = { certificate: 1, eapMsChapV2: 4 };

/** Round trips from connect to up with no loss. */
export function ikev2SetupRoundTrips(auth: Ikev2P2sAuth): number {
  return 1 + IKE_AUTH_ROUNDS[auth];
}

/** One IKE message (UDP 500/4500). `msgId` numbers the exchanges (RFC 7296 §2.2). */
export type Ikev2P2sMessage =
  | { kind: 'ikeSaInit'; response: boolean; msgId: 0 }
  | {
      kind: 'ikeAuth'; response: boolean; msgId: number;
      /** Client's certificate, on the first IKE_AUTH request (certificate auth). */
      certificate?: ClientCertificate;
      /** MS-CHAPv2 user and password, on the EAP response that carries them. */
      credentials?: { readonly user: string; readonly password: string };
      /** In a final response: the child SA is up (AUTH, SA, TS, CP). */
      done?: boolean;
      /** In a response: the attempt is refused (`authenticationFailed`, `clientLimitReached`). */
      error?: string;
    };

/** Approximate size on the wire, bytes (IKE_SA_INIT with a DH group 2 KE; IKE_AUTH with certificates). */
export function ikev2MessageBytes(m: Ikev2P2sMessage): number {
  if (m.kind === 'ikeSaInit') return 450;
  return m.certificate || (m.response && m.msgId === 1) ? 1800 : 300;
}

/** Client configuration. */
export interface Ikev2P2sClientConfig {
  /** Any OS runs IKEv2 (R17). Default `windows`. */
  readonly os: ClientOs;
  readonly auth: Ikev2P2sAuth;
  readonly certificate?: ClientCertificate;
  readonly credentials?: { readonly user: string; readonly password: string };
  /** First retransmission timeout, seconds. Default 4. */
  readonly retransmitTimeout: number;
  /** Backoff factor. Default 1.8. */
  readonly retransmitBase: number;
  /** Retransmissions before giving up. Default 5. */
  readonly retransmitTries: number;
}

/** Gateway configuration: the authentication it asks for, and whom it lets in (trusted roots, at most 20; MS-CHAPv2 users). */
export interface Ikev2P2sGatewayConfig extends P2sCredentialStore {
  readonly auth: Ikev2P2sAuth;
}

/**
 * Client configuration with defaults.
 * @throws UsageError on non-positive timers or a backoff below 1.
 */
export function ikev2P2sClientConfig(o: Partial<Ikev2P2sClientConfig> = {}): Ikev2P2sClientConfig {
  const c: Ikev2P2sClientConfig = {
    os: o.os ?? 'windows', auth: o.auth ?? 'certificate',
    ...(o.certificate ? { certificate: o.certificate } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    retransmitTimeout: o.retransmitTimeout ?? 4, retransmitBase: o.retransmitBase ?? 1.8, retransmitTries: o.retransmitTries ?? 5,
  };
  if (!(c.retransmitTimeout > 0) || !(c.retransmitBase >= 1) || !Number.isInteger(c.retransmitTries) || c.retransmitTries < 0) {
    throw new UsageError(`ikev2 p2s client: retransmission settings (${c.retransmitTimeout} s, ×${c.retransmitBase}, ${c.retransmitTries} tries) are out of range. Use a timeout above 0, a base of 1 or more, a whole number of tries`, 'usage');
  }
  return c;
}

/**
 * Gateway configuration with defaults.
 * @throws ValidationError (rule `p2sRootCertificates`) with more than 20 trusted roots.
 */
export function ikev2P2sGatewayConfig(o: Partial<Ikev2P2sGatewayConfig> = {}): Ikev2P2sGatewayConfig {
  const store = p2sCredentialStore(o, 'ikev2 p2s gateway', false);
  return { auth: o.auth ?? 'certificate', ...store };
}

/** The gateway's IKEv2 + OpenVPN client counter, separate from the SSTP one (SKUS.md). */
export class Ikev2ClientPool {
  private activeCount = 0;
  /** Attempts refused because the pool was full. */
  refused = 0;
  /** @throws UsageError when `maxClients` is not a whole number of 0 or more. */
  constructor(readonly maxClients: number) {
    if (!Number.isInteger(maxClients) || maxClients < 0) throw new UsageError(`Ikev2ClientPool: maxClients ${maxClients} is not a whole number of 0 or more. Pass the SKU's maxIkev2OpenVpnClients`, 'usage');
  }
  /** A pool sized by a SKU's `maxIkev2OpenVpnClients` (0 on Basic: no IKEv2 P2S). */
  static forSku(spec: SkuSpec): Ikev2ClientPool {
    return new Ikev2ClientPool(spec.maxIkev2OpenVpnClients);
  }
  /** Slots held. */
  get active(): number { return this.activeCount; }
  /** Takes a slot; false (counted as refused) when full. */
  tryAcquire(): boolean {
    if (this.activeCount >= this.maxClients) { this.refused++; return false; }
    this.activeCount++;
    return true;
  }
  /** @throws UsageError when no slot is held. */
  release(): void {
    if (this.activeCount === 0) throw new UsageError('Ikev2ClientPool: release() with no slot held', 'usage');
    this.activeCount--;
  }
}

/** Client state. */
export interface Ikev2P2sClientState {
  readonly phase: 'idle' | 'saInitSent' | 'authSent' | 'connected' | 'closed';
  /** The request awaiting its response (kept for retransmission). */
  readonly pending?: Ikev2P2sMessage;
  readonly tries: number;
  readonly timeout: number;
  readonly reason?: string;
}
/** Inputs of the P2S IKEv2 client machine: a message, a timer, or the user's connect. */
export type Ikev2P2sClientInput = CommonInput<Ikev2P2sMessage> | { kind: 'connect' };
/** Effects of the P2S IKEv2 client machine. */
export type Ikev2P2sClientEffect = CommonEffect<Ikev2P2sMessage>;

/** Gateway state (one per client). */
export interface Ikev2P2sGatewayState {
  readonly phase: 'idle' | 'saInitDone' | 'authenticating' | 'connected' | 'closed';
  /** Last response, resent on a retransmitted request (RFC 7296 §2.1). */
  readonly lastResponse?: Ikev2P2sMessage;
  readonly admitted: boolean;
  readonly reason?: string;
}
/** Inputs of the gateway side: a message, a timer, or the answer of the client pool (R18). */
export type Ikev2P2sGatewayInput = CommonInput<Ikev2P2sMessage> | { kind: 'admission'; granted: boolean };
/** Effects of the gateway side; `admit` asks the client pool for a slot. */
export type Ikev2P2sGatewayEffect = CommonEffect<Ikev2P2sMessage> | { kind: 'admit' };

const RETRANSMIT = 'retransmit';

/** Builds the client (initiator) machine. */
export function ikev2P2sClientMachine(config: Ikev2P2sClientConfig): { initial: Ikev2P2sClientState; step: StepFn<Ikev2P2sClientState, Ikev2P2sClientInput, Ikev2P2sClientEffect> } {
  const initial: Ikev2P2sClientState = { phase: 'idle', tries: 0, timeout: config.retransmitTimeout };
  const rounds = IKE_AUTH_ROUNDS[config.auth];
  const step = (s: Ikev2P2sClientState, input: Ikev2P2sClientInput): Transition<Ikev2P2sClientState, Ikev2P2sClientEffect> => {
    const fx: Ikev2P2sClientEffect[] = [];
    const request = (msg: Ikev2P2sMessage, phase: Ikev2P2sClientState['phase'], reason: string) => {
      fx.push({ kind: 'send', msg }, { kind: 'startTimer', name: RETRANSMIT, after: config.retransmitTimeout });
      return { next: { ...s, phase, pending: msg, tries: 0, timeout: config.retransmitTimeout }, effects: fx, reason };
    };
    const close = (reason: string) => {
      fx.push({ kind: 'stopTimer', name: RETRANSMIT }, { kind: 'down', reason });
      const { pending: _p, ...rest } = s;
      return { next: { ...rest, phase: 'closed' as const, reason }, effects: fx, reason };
    };
    if (input.kind === 'connect') {
      if (s.phase !== 'idle') return { next: s, effects: fx, reason: 'alreadyStarted' };
      return request({ kind: 'ikeSaInit', response: false, msgId: 0 }, 'saInitSent', 'connect'); // RFC 7296 §1.2
    }
    if (input.kind === 'timer') {
      if (input.name !== RETRANSMIT || !s.pending || s.phase === 'closed' || s.phase === 'connected') return { next: s, effects: fx, reason: 'staleTimer' };
      if (s.tries >= config.retransmitTries) return close('ikeTimeout');
      const timeout = s.timeout * config.retransmitBase; // RFC 7296 §2.1: back off
      fx.push({ kind: 'send', msg: s.pending }, { kind: 'startTimer', name: RETRANSMIT, after: timeout });
      return { next: { ...s, tries: s.tries + 1, timeout }, effects: fx, reason: 'retransmitted' };
    }
    const m = input.msg;
    if (!m.response || !s.pending || m.kind !== s.pending.kind || m.msgId !== s.pending.msgId) return { next: s, effects: fx, reason: 'ignored' };
    fx.push({ kind: 'stopTimer', name: RETRANSMIT });
    if (m.kind === 'ikeSaInit') {
      const first: Ikev2P2sMessage = { kind: 'ikeAuth', response: false, msgId: 1, ...(config.auth === 'certificate' && config.certificate ? { certificate: config.certificate } : {}) };
      return request(first, 'authSent', 'ikeSaInitReceived');
    }
    if (m.error) return close(m.error);
    if (m.done) {
      fx.push({ kind: 'up', reason: 'childSaEstablished' });
      const { pending: _p, ...rest } = s;
      return { next: { ...rest, phase: 'connected' }, effects: fx, reason: 'childSaEstablished' };
    }
    // EAP continues (RFC 7296 §2.16): the credentials ride on the first EAP response.
    const next: Ikev2P2sMessage = { kind: 'ikeAuth', response: false, msgId: m.msgId + 1, ...(m.msgId === 1 && config.credentials ? { credentials: config.credentials } : {}) };
    if (next.msgId > rounds) return close('protocolError');
    return request(next, 'authSent', 'eapStep');
  };
  return { initial, step };
}

/** Builds the gateway (responder) machine for one client. */
export function ikev2P2sGatewayMachine(config: Ikev2P2sGatewayConfig): { initial: Ikev2P2sGatewayState; step: StepFn<Ikev2P2sGatewayState, Ikev2P2sGatewayInput, Ikev2P2sGatewayEffect> } {
  const initial: Ikev2P2sGatewayState = { phase: 'idle', admitted: false };
  const rounds = IKE_AUTH_ROUNDS[config.auth];
  const roots = new Set(config.trustedRoots);
  const step = (s: Ikev2P2sGatewayState, input: Ikev2P2sGatewayInput): Transition<Ikev2P2sGatewayState, Ikev2P2sGatewayEffect> => {
    const fx: Ikev2P2sGatewayEffect[] = [];
    const respond = (msg: Ikev2P2sMessage, next: Ikev2P2sGatewayState, reason: string) => {
      fx.push({ kind: 'send', msg });
      return { next: { ...next, lastResponse: msg }, effects: fx, reason };
    };
    const refuse = (msgId: number, error: string) => {
      fx.push({ kind: 'down', reason: error });
      return respond({ kind: 'ikeAuth', response: true, msgId, error }, { ...s, phase: 'closed', reason: error }, error);
    };
    if (input.kind === 'timer') return { next: s, effects: fx, reason: 'staleTimer' };
    if (input.kind === 'admission') {
      if (s.phase !== 'authenticating') return { next: s, effects: fx, reason: 'ignored' };
      if (!input.granted) return refuse(rounds, 'clientLimitReached');
      fx.push({ kind: 'up', reason: 'childSaEstablished' });
      return respond({ kind: 'ikeAuth', response: true, msgId: rounds, done: true }, { ...s, phase: 'connected', admitted: true }, 'childSaEstablished');
    }
    const m = input.msg;
    if (m.response) return { next: s, effects: fx, reason: 'ignored' };
    // RFC 7296 §2.1: a retransmitted request gets the same response again.
    if (s.lastResponse && s.lastResponse.msgId === m.msgId && s.lastResponse.kind === m.kind) {
      fx.push({ kind: 'send', msg: s.lastResponse });
      return { next: s, effects: fx, reason: 'responseRetransmitted' };
    }
    if (s.phase === 'closed' || s.phase === 'connected') return { next: s, effects: fx, reason: 'ignored' };
    if (m.kind === 'ikeSaInit') {
      if (s.phase !== 'idle') return { next: s, effects: fx, reason: 'ignored' };
      return respond({ kind: 'ikeSaInit', response: true, msgId: 0 }, { ...s, phase: 'saInitDone' }, 'ikeSaInitReceived');
    }
    // IKE_AUTH: check credentials where they arrive (RFC 7296 §2.15 AUTH; §2.16 EAP).
    if (m.msgId === 1 && config.auth === 'certificate' && !certificateTrusted(roots, m.certificate)) return refuse(m.msgId, 'authenticationFailed');
    if (m.msgId === 2 && config.auth === 'eapMsChapV2' && !passwordAccepted(config.users, m.credentials)) return refuse(m.msgId, 'authenticationFailed');
    if (m.msgId === rounds) {
      fx.push({ kind: 'admit' });
      return { next: { ...s, phase: 'authenticating' }, effects: fx, reason: 'admitting' };
    }
    return respond({ kind: 'ikeAuth', response: true, msgId: m.msgId }, { ...s, phase: 'saInitDone' }, 'eapStep');
  };
  return { initial, step };
}

/** Result of one connect attempt. */
export type Ikev2P2sStatus =
  | { readonly state: 'idle' }
  | { readonly state: 'connecting'; readonly since: number }
  | { readonly state: 'connected'; readonly since: number; readonly setupTime: number }
  | { readonly state: 'failed'; readonly at: number; readonly reason: string }
  | { readonly state: 'disconnected'; readonly at: number; readonly reason: string };

/** Options of {@link Ikev2P2sSession}. */
export interface Ikev2P2sSessionOptions {
  readonly sim: Simulator;
  readonly toGateway: Link;
  readonly toClient: Link;
  readonly pool: Ikev2ClientPool;
  readonly client?: Partial<Ikev2P2sClientConfig>;
  readonly gateway?: Partial<Ikev2P2sGatewayConfig>;
  readonly name?: string;
}

/**
 * One P2S IKEv2 client connecting to a gateway over two links. No
 * auto-reconnect (R19); one attempt per `connect()`.
 */
export class Ikev2P2sSession {
  private statusValue: Ikev2P2sStatus = { state: 'idle' };
  private sinceUs = 0;
  /** True while this session holds a slot of the gateway's client pool. */
  private slotHeld = false;
  private generation = 0;
  private drivers: { dispose(): void }[] = [];
  private readonly listeners: ((t: number, status: Ikev2P2sStatus) => void)[] = [];

  /**
   * @throws ValidationError with more than 20 trusted roots.
   * @throws UsageError on bad retransmission settings.
   */
  constructor(private readonly o: Ikev2P2sSessionOptions) {
    this.clientConfig = ikev2P2sClientConfig(o.client);
    this.gatewayConfig = ikev2P2sGatewayConfig(o.gateway);
  }
  readonly clientConfig: Ikev2P2sClientConfig;
  readonly gatewayConfig: Ikev2P2sGatewayConfig;

  /** Current status. */
  get status(): Ikev2P2sStatus { return this.statusValue; }

  /** Registers a listener called on every status change (time in seconds). */
  onStatus(listener: (t: number, status: Ikev2P2sStatus) => void): void { this.listeners.push(listener); }

  /**
   * Starts one attempt now.
   * @throws UsageError while connecting or connected.
   */
  connect(): void {
    const { sim } = this.o;
    if (this.statusValue.state === 'connecting' || this.statusValue.state === 'connected') {
      throw new UsageError(`ikev2 p2s session "${this.o.name ?? 'ikev2'}": connect() while ${this.statusValue.state}`, 'usage');
    }
    const cm = ikev2P2sClientMachine(this.clientConfig);
    const gm = ikev2P2sGatewayMachine(this.gatewayConfig);
    const name = this.o.name ?? 'ikev2';
    // Messages still in flight from an earlier, ended attempt are ignored.
    const gen = ++this.generation;
    const gw: MachineDriver<Ikev2P2sGatewayState, Ikev2P2sGatewayInput, Ikev2P2sGatewayEffect> = new MachineDriver<Ikev2P2sGatewayState, Ikev2P2sGatewayInput, Ikev2P2sGatewayEffect>(sim, `${name}/gateway`, gm.step, gm.initial, {
      effect: (e) => {
        if (gen !== this.generation) return;
        if (e.kind === 'send') { const msg = e.msg; this.o.toClient.transmit(ikev2MessageBytes(msg), () => cl.input({ kind: 'recv', msg }), `${name} <- ${msg.kind}#${msg.msgId}`); }
        else if (e.kind === 'admit') {
          const granted = this.o.pool.tryAcquire();
          if (granted) this.slotHeld = true;
          gw.input({ kind: 'admission', granted });
        }
      },
    }, (n) => ({ kind: 'timer', name: n }));
    const cl: MachineDriver<Ikev2P2sClientState, Ikev2P2sClientInput, Ikev2P2sClientEffect> = new MachineDriver<Ikev2P2sClientState, Ikev2P2sClientInput, Ikev2P2sClientEffect>(sim, `${name}/client`, cm.step, cm.initial, {
      effect: (e) => {
        if (gen !== this.generation) return;
        if (e.kind === 'send') { const msg = e.msg; this.o.toGateway.transmit(ikev2MessageBytes(msg), () => gw.input({ kind: 'recv', msg }), `${name} -> ${msg.kind}#${msg.msgId}`); }
        else if (e.kind === 'up' && this.statusValue.state === 'connecting') this.set({ state: 'connected', since: this.statusValue.since, setupTime: (sim.nowUs - this.sinceUs) / 1e6 });
        else if (e.kind === 'down') { this.releaseSlot(); this.set({ state: 'failed', at: sim.now, reason: e.reason }); }
      },
    }, (n) => ({ kind: 'timer', name: n }));
    this.drivers = [gw, cl];
    this.sinceUs = sim.nowUs;
    this.set({ state: 'connecting', since: sim.now });
    cl.input({ kind: 'connect' });
  }

  /**
   * Ends the session now from either side (user disconnect, gateway failover):
   * the pool slot is released and nothing reconnects by itself (R19).
   * Harmless when not connecting or connected.
   */
  disconnect(reason = 'userDisconnect'): void {
    if (this.statusValue.state !== 'connecting' && this.statusValue.state !== 'connected') return;
    for (const d of this.drivers) d.dispose();
    this.drivers = [];
    this.generation++;
    this.releaseSlot();
    this.set({ state: 'disconnected', at: this.o.sim.now, reason });
  }

  private releaseSlot(): void {
    if (this.slotHeld) {
      this.slotHeld = false;
      this.o.pool.release();
    }
  }

  private set(s: Ikev2P2sStatus): void {
    this.statusValue = s;
    for (const l of this.listeners) l(this.o.sim.now, s);
  }
}
