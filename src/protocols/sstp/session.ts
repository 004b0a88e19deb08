/**
 * One SSTP client connecting to one gateway: the client and server machines
 * ({@link ./machine.ts}) run by {@link MachineDriver}s on the kernel, their
 * TCP segments carried by two underlay {@link Link}s (client -> gateway and
 * gateway -> client). Every session of one gateway shares that gateway's
 * {@link SstpServerPool} (R18).
 *
 * No auto-reconnect (R19): once a session has failed or been disconnected it
 * stays down until its owner calls `connect()` again, as a user would by
 * hand. Nothing here schedules a new attempt.
 */
import { UsageError } from '../../errors.js';
import type { Simulator } from '../../sim/kernel/simulator.js';
import type { Link } from '../link.js';
import { MachineDriver } from '../driver.js';
import {
  sstpClientConfig, sstpClientMachine, sstpServerConfig, sstpServerMachine,
  type SstpClientConfig, type SstpClientEffect, type SstpClientInput, type SstpClientOptions, type SstpClientState,
  type SstpReason, type SstpServerConfig, type SstpServerEffect, type SstpServerInput, type SstpServerOptions, type SstpServerState,
} from './machine.js';
import { segmentBytes, segmentLabel, type TcpSegment } from './messages.js';
import type { SstpServerPool } from './pool.js';

/** The session's state as seen by the client's user. */
export type SstpSessionState = 'idle' | 'connecting' | 'connected' | 'failed' | 'disconnected';

/**
 * The session's state with its details. `failed` covers every end that was
 * not a Call Disconnect (refusals, timeouts, a dropped path); `disconnected`
 * is an end by Call Disconnect from either side.
 * Times are simulated seconds.
 */
export type SstpSessionStatus =
  | { readonly state: 'idle' }
  | { readonly state: 'connecting'; readonly since: number }
  | { readonly state: 'connected'; readonly since: number; readonly setupTime: number; readonly address: string | undefined }
  | { readonly state: 'failed'; readonly at: number; readonly reason: SstpReason }
  | { readonly state: 'disconnected'; readonly at: number; readonly reason: string };

/** Called on every change of state: time in seconds, new state, reason for failed/disconnected/connected. */
export type SstpStateListener = (t: number, state: SstpSessionState, reason: string | undefined) => void;

/** Called for every segment handed to a link (for ladders and traces). */
export type SstpSegmentListener = (t: number, direction: 'toServer' | 'toClient', segment: TcpSegment, carried: boolean) => void;

/** Options of {@link SstpSession}. */
export interface SstpSessionOptions {
  readonly sim: Simulator;
  /** Carries segments from the client to the gateway. */
  readonly toServer: Link;
  /** Carries segments from the gateway to the client. */
  readonly toClient: Link;
  /** The gateway's SSTP client counter, shared by all its sessions (R18). */
  readonly pool: SstpServerPool;
  /** Client configuration; defaults of {@link sstpClientConfig}. */
  readonly client?: SstpClientOptions;
  /** Gateway configuration; defaults of {@link sstpServerConfig}. */
  readonly server?: SstpServerOptions;
  /**
   * Processing time per received segment, seconds, at either end. Default 0.
   * Each round trip then costs RTT + 2 × processingDelay.
   */
  readonly processingDelay?: number;
  /** Names the session in event labels. Default `sstp`. */
  readonly name?: string;
}

/** An SSTP client session against one gateway. */
export class SstpSession {
  readonly name: string;
  readonly clientConfig: SstpClientConfig;
  readonly serverConfig: SstpServerConfig;
  private readonly sim: Simulator;
  private readonly toServer: Link;
  private readonly toClient: Link;
  private readonly pool: SstpServerPool;
  private readonly processingDelay: number;
  private statusValue: SstpSessionStatus = { state: 'idle' };
  private client: MachineDriver<SstpClientState, SstpClientInput, SstpClientEffect> | undefined;
  private server: MachineDriver<SstpServerState, SstpServerInput, SstpServerEffect> | undefined;
  private readonly stateListeners: SstpStateListener[] = [];
  private readonly segmentListeners: SstpSegmentListener[] = [];
  private userReason: string | undefined;
  private setupTimeValue: number | undefined;
  private sinceUs = 0;
  /** Connect attempts made through {@link connect}. */
  attempts = 0;

  /**
   * @throws ValidationError when the gateway trusts more than 20 root certificates.
   * @throws UsageError on a negative processing delay or a bad timer value.
   */
  constructor(options: SstpSessionOptions) {
    this.sim = options.sim;
    this.toServer = options.toServer;
    this.toClient = options.toClient;
    this.pool = options.pool;
    this.name = options.name ?? 'sstp';
    this.clientConfig = sstpClientConfig(options.client);
    this.serverConfig = sstpServerConfig(options.server);
    const d = options.processingDelay ?? 0;
    if (!(d >= 0) || !Number.isFinite(d)) {
      throw new UsageError(`sstp session "${this.name}": processingDelay ${d} s must be 0 or more. Pass seconds such as 0.001`, 'usage');
    }
    this.processingDelay = d;
  }

  /** Current state with details. */
  get status(): SstpSessionStatus {
    return this.statusValue;
  }

  /** Current state. */
  get state(): SstpSessionState {
    return this.statusValue.state;
  }

  /** Seconds from `connect()` to connected, once connected (kept after a later drop). */
  get setupTime(): number | undefined {
    return this.setupTimeValue;
  }

  /** State of the client machine (undefined before the first connect). */
  get clientState(): SstpClientState | undefined {
    return this.client?.state;
  }

  /** State of the gateway's machine for this client (undefined before the first connect). */
  get serverState(): SstpServerState | undefined {
    return this.server?.state;
  }

  /** Registers a state listener; returns a function that removes it. */
  onStateChange(listener: SstpStateListener): () => void {
    this.stateListeners.push(listener);
    return () => {
      const i = this.stateListeners.indexOf(listener);
      if (i >= 0) this.stateListeners.splice(i, 1);
    };
  }

  /** Registers a segment listener; returns a function that removes it. */
  onSegment(listener: SstpSegmentListener): () => void {
    this.segmentListeners.push(listener);
    return () => {
      const i = this.segmentListeners.indexOf(listener);
      if (i >= 0) this.segmentListeners.splice(i, 1);
    };
  }

  /**
   * Starts a connect attempt now: a user action (R19: the session never
   * calls this by itself). A previous attempt's gateway side, if still
   * alive, keeps running until its own timers end it.
   * @throws UsageError while connecting or connected.
   */
  connect(): void {
    if (this.statusValue.state === 'connecting' || this.statusValue.state === 'connected') {
      throw new UsageError(`sstp session "${this.name}": connect() while ${this.statusValue.state}. Call disconnect() first`, 'usage');
    }
    this.attempts++;
    this.userReason = undefined;
    this.setupTimeValue = undefined;
    this.sinceUs = this.sim.nowUs;
    const tag = `${this.name}#${this.attempts}`;
    const cm = sstpClientMachine(this.clientConfig);
    const sm = sstpServerMachine(this.serverConfig);
    const server: MachineDriver<SstpServerState, SstpServerInput, SstpServerEffect> = new MachineDriver<SstpServerState, SstpServerInput, SstpServerEffect>(this.sim, `${tag}/server`, sm.step, sm.initial, {
      effect: (e) => {
        switch (e.kind) {
          case 'send': this.carry(this.toClient, 'toClient', e.msg, client, tag); break;
          case 'admit': server.input({ kind: 'admission', granted: this.pool.tryAcquire() }); break;
          case 'release': this.pool.release(); break;
          default: break; // up/down of the gateway side: visible through serverState
        }
      },
    }, (name) => ({ kind: 'timer', name }));
    const client: MachineDriver<SstpClientState, SstpClientInput, SstpClientEffect> = new MachineDriver<SstpClientState, SstpClientInput, SstpClientEffect>(this.sim, `${tag}/client`, cm.step, cm.initial, {
      effect: (e) => {
        if (e.kind === 'send') this.carry(this.toServer, 'toServer', e.msg, server, tag);
        else if (e.kind === 'up') this.clientUp(client);
        else if (e.kind === 'down') this.clientDown(e.reason);
      },
    }, (name) => ({ kind: 'timer', name }));
    this.client = client;
    this.server = server;
    this.setStatus({ state: 'connecting', since: this.sim.now }, undefined);
    client.input({ kind: 'connect' });
  }

  /**
   * Ends the session by a Call Disconnect (MS-SSTP §3.1.1.1); the state
   * becomes `disconnected` with `reason` at once. Does nothing when idle,
   * failed or disconnected.
   */
  disconnect(reason = 'userDisconnect'): void {
    if (this.statusValue.state !== 'connecting' && this.statusValue.state !== 'connected') return;
    this.userReason = reason;
    this.client!.input({ kind: 'disconnect', reason });
  }

  /**
   * The gateway ends the session (a reboot, a failover): it sends a Call
   * Disconnect and the client becomes `disconnected` (`peerDisconnected`)
   * when it arrives. The client does not reconnect by itself (R19).
   */
  gatewayDisconnect(reason = 'gatewayDisconnect'): void {
    this.server?.input({ kind: 'disconnect', reason });
  }

  private carry<I extends SstpClientInput | SstpServerInput>(
    link: Link, direction: 'toServer' | 'toClient', seg: TcpSegment,
    to: { input(i: I): void }, tag: string,
  ): void {
    const d = this.processingDelay;
    const deliver = d > 0
      ? () => { this.sim.schedule(d, () => to.input({ kind: 'recv', msg: seg } as I), `${tag} process`); }
      : () => to.input({ kind: 'recv', msg: seg } as I);
    const carried = link.transmit(segmentBytes(seg), deliver, `${tag} ${direction} ${segmentLabel(seg)}`);
    for (const l of this.segmentListeners) l(this.sim.now, direction, seg, carried);
  }

  private clientUp(client: MachineDriver<SstpClientState, SstpClientInput, SstpClientEffect>): void {
    if (this.statusValue.state !== 'connecting') return;
    const since = this.statusValue.since;
    const setupTime = (this.sim.nowUs - this.sinceUs) / 1e6;
    this.setupTimeValue = setupTime;
    this.setStatus({ state: 'connected', since, setupTime, address: client.state.address }, 'ipcpOpened');
  }

  private clientDown(reason: string): void {
    if (this.statusValue.state !== 'connecting' && this.statusValue.state !== 'connected') return;
    const at = this.sim.now;
    if (this.userReason !== undefined) this.setStatus({ state: 'disconnected', at, reason: this.userReason }, this.userReason);
    else if (reason === 'peerDisconnected') this.setStatus({ state: 'disconnected', at, reason }, reason);
    else this.setStatus({ state: 'failed', at, reason }, reason);
  }

  private setStatus(status: SstpSessionStatus, reason: string | undefined): void {
    this.statusValue = status;
    for (const l of [...this.stateListeners]) l(this.sim.now, status.state, reason);
  }
}
