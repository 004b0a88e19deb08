/**
 * Why IKE tunnels go down, and the session status vocabulary Batfish users
 * know (`IpsecSessionStatus`: IPSEC_SESSION_ESTABLISHED, IKE_PHASE1_KEY_MISMATCH,
 * IKE_PHASE1_FAILED, IPSEC_PHASE2_FAILED, MISSING_END_POINT, plus
 * notCompatible), in vpnsim's camelCase.
 */

/** Reasons of a failed negotiation: the tunnel never came up. */
export type IkeFailureReason =
  /** The peer's PSK digest did not verify (AUTHENTICATION_FAILED, RFC 7296 §2.21.2). */
  | 'authenticationFailed'
  /** No common IKE SA / phase-1 proposal (NO_PROPOSAL_CHOSEN, RFC 7296 §2.7). */
  | 'noProposalChosen'
  /** One end speaks IKEv1, the other IKEv2 (INVALID_MAJOR_VERSION, RFC 7296 §2.5). */
  | 'versionMismatch'
  /** Every retransmission of a request went unanswered, or a responder's half-open negotiation timed out. */
  | 'peerUnreachable'
  /** No common child SA / phase-2 (ESP) proposal. */
  | 'ipsecPhase2Failed'
  /** Traffic selectors do not mirror each other (TS_UNACCEPTABLE, RFC 7296 §2.9; IKEv1 INVALID-ID-INFORMATION). */
  | 'trafficSelectorMismatch';

/** Reasons an established tunnel goes down. */
export type IkeTeardownReason =
  /** R14: policy-based, no traffic either way for the idle timeout (300 s). */
  | 'idleTimeout'
  /** Route-based: DPD probes unanswered for the DPD timeout. */
  | 'dpdTimeout'
  /** IKEv1 phase-1 lifetime ran out: the tunnel drops and Main Mode runs again at once. */
  | 'rekey'
  /** The peer deleted the SA (a Delete payload), or restarted its negotiation from scratch. */
  | 'peerDown'
  /** Closed by an administrator (the `close` input's default reason). */
  | 'admin';

/** Every reason carried by a `down` effect. `close` may also pass its own string. */
export type IkeDownReason = IkeFailureReason | IkeTeardownReason;

/** The failure reasons, in the order of {@link IkeFailureReason}. */
export const IKE_FAILURE_REASONS: readonly IkeFailureReason[] = Object.freeze([
  'authenticationFailed', 'noProposalChosen', 'versionMismatch', 'peerUnreachable', 'ipsecPhase2Failed', 'trafficSelectorMismatch',
]);

/** True when `reason` says a negotiation failed (as opposed to an established tunnel going down). */
export function isFailureReason(reason: string): reason is IkeFailureReason {
  return (IKE_FAILURE_REASONS as readonly string[]).includes(reason);
}

/** Session status, Batfish's vocabulary in camelCase. */
export type IkeStatus =
  | 'established'
  | 'ikePhase1KeyMismatch'
  | 'ikePhase1Failed'
  | 'ipsecPhase2Failed'
  | 'missingEndpoint'
  | 'notCompatible';

/** Every status, in the order of {@link IkeStatus}. */
export const IKE_STATUSES: readonly IkeStatus[] = Object.freeze([
  'established', 'ikePhase1KeyMismatch', 'ikePhase1Failed', 'ipsecPhase2Failed', 'missingEndpoint', 'notCompatible',
]);

/**
 * Maps a failure reason to the status vocabulary:
 * authenticationFailed -> ikePhase1KeyMismatch; noProposalChosen ->
 * ikePhase1Failed; ipsecPhase2Failed and trafficSelectorMismatch ->
 * ipsecPhase2Failed; peerUnreachable -> missingEndpoint (nothing answers);
 * versionMismatch -> notCompatible (the two ends run different protocols, so
 * there are no proposals to compare; Batfish uses the same word for ends that
 * cannot be paired).
 */
export function ikeStatusOf(reason: IkeFailureReason): IkeStatus {
  switch (reason) {
    case 'authenticationFailed': return 'ikePhase1KeyMismatch';
    case 'noProposalChosen': return 'ikePhase1Failed';
    case 'ipsecPhase2Failed':
    case 'trafficSelectorMismatch': return 'ipsecPhase2Failed';
    case 'peerUnreachable': return 'missingEndpoint';
    case 'versionMismatch': return 'notCompatible';
  }
}
