/**
 * IKE (IKEv1, RFC 2409; IKEv2, RFC 7296) for vpnsim: messages, the pure
 * machine, configuration defaults, the status vocabulary and the two-ended
 * session over the underlay.
 */
export { dhGroupOf, messageBytes, isRequest, messageKey, describe, pskDigest } from './messages.js';
export type { IkeVersion, IkeExchange, IkeNotify, IkeSaKind, IkeMessage } from './messages.js';
export {
  STRONGSWAN_RETRANSMIT, retransmitSchedule, giveUpAfter, DEFAULT_DPD_TIMEOUT, IDLE_TIMEOUT_SECONDS, HALF_OPEN_TIMEOUT,
  AZURE_IKE_PROPOSALS, AZURE_ESP_PROPOSALS, ANY_TO_ANY, ikeDefaults, ikeConfig,
} from './config.js';
export type { RetransmitPolicy, DpdSettings, TrafficSelectors, IkeConfig, IkeOptions } from './config.js';
export { IKE_TIMERS, initialIkeState, ikeStep, isNegotiating } from './machine.js';
export type { IkePhase, IkeRole, IkeRequestPurpose, IkeOutstanding, IkeState, IkeInput, IkeEffect, IkeTransition } from './machine.js';
export { IKE_FAILURE_REASONS, IKE_STATUSES, isFailureReason, ikeStatusOf } from './status.js';
export type { IkeFailureReason, IkeTeardownReason, IkeDownReason, IkeStatus } from './status.js';
export { IkeSession, DATA_WHILE_NEGOTIATING, IKE_HISTORY_LIMIT } from './session.js';
export type { IkeEnd, IkeSessionState, IkeSessionEvent, IkeSessionOptions } from './session.js';
