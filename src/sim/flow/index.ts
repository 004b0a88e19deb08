export { MaxMinSolver, maxMinFair, CAP_LIMITED, UNCONSTRAINED } from './max-min.js';
export type { MaxMinResource, MaxMinFlow, MaxMinShare, MaxMinResult } from './max-min.js';
export {
  espPacket, espGoodputFactor, sstpPacket, sstpGoodputFactor, ESP_TRANSFORMS,
  AZURE_MSS_BYTES, IPV4_HEADER_BYTES, TCP_HEADER_BYTES, UDP_HEADER_BYTES,
} from './overhead.js';
export type { EspTransform, EspOptions, SstpOptions, SstpTls, PacketBreakdown } from './overhead.js';
export { FlowEngine } from './flow-engine.js';
export type {
  FlowSpec, FlowHandle, FlowOutcome, FlowStartEvent, FlowEndEvent, FlowEngineEvents, FlowEngineOptions,
  ResourceOptions, ResourceStats, FlowGroupStats,
} from './flow-engine.js';
export { jainIndex } from './fairness.js';
