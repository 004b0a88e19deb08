/**
 * BGP-4 (RFC 4271): messages, the neighbor state machine, best path
 * selection, the speaker with its RIBs, and a session wiring two speakers
 * over the underlay.
 */
export * from './messages.js';
export * from './machine.js';
export * from './best-path.js';
export * from './speaker.js';
export * from './export-filter.js';
export * from './transport.js';
export * from './session.js';
export * from './jitter.js';
