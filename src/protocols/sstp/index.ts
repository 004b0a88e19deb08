/**
 * SSTP (MS-SSTP): pure client and server machines with TCP reliability
 * inside, the gateway's client counter (R18) and a session helper.
 */
export { sstpClientMachine, sstpServerMachine, sstpClientConfig, sstpServerConfig, setupRoundTrips, MAX_TRUSTED_ROOTS, SSTP_TIMERS } from './machine.js';
export type {
  SstpClientConfig, SstpServerConfig, SstpClientOptions, SstpServerOptions, SstpClientState, SstpServerState,
  SstpClientPhase, SstpServerPhase, SstpClientInput, SstpServerInput, SstpClientEffect, SstpServerEffect, SstpReason, SstpMachine,
} from './machine.js';
export { AUTH_LADDERS, recordBytes, segmentBytes, segmentLabel, TCP_IP_HEADER_BYTES, TLS_RECORD_OVERHEAD_BYTES } from './messages.js';
export type { ClientOs, PppAuthMethod, ClientCertificate, SstpRecord, TcpSegment, AuthLadder } from './messages.js';
export { DEFAULT_TCP_OPTIONS, RTO_TIMER, tcpInitial, tcpConnect, tcpSend, tcpSendOnce, tcpReceive, tcpTimeout } from './tcp.js';
export type { TcpOptions, TcpState, TcpPhase, TcpEffect, TcpReceived, DataSegment } from './tcp.js';
export { SstpServerPool, DEFAULT_MAX_SSTP_CLIENTS } from './pool.js';
export { SstpSession } from './session.js';
export type { SstpSessionState, SstpSessionStatus, SstpSessionOptions, SstpStateListener, SstpSegmentListener } from './session.js';
