/** Point-to-site IKEv2 client connect model (RFC 7296) with the gateway's IKEv2/OpenVPN client limit. */
export {
  ikev2P2sClientMachine, ikev2P2sGatewayMachine, ikev2P2sClientConfig, ikev2P2sGatewayConfig, ikev2SetupRoundTrips, ikev2MessageBytes,
  Ikev2ClientPool, Ikev2P2sSession, IKE_AUTH_ROUNDS,
} from './ikev2-client.js';
export type {
  Ikev2P2sAuth, Ikev2P2sMessage, Ikev2P2sClientConfig, Ikev2P2sGatewayConfig, Ikev2P2sClientState, Ikev2P2sClientInput, Ikev2P2sClientEffect,
  Ikev2P2sGatewayState, Ikev2P2sGatewayInput, Ikev2P2sGatewayEffect, Ikev2P2sStatus, Ikev2P2sSessionOptions,
} from './ikev2-client.js';
