/**
 * vpnsim: a discrete-event simulator of Azure VPN gateway topologies.
 * Named exports only.
 */
export { VpnsimError, ValidationError, ScenarioValidationError, NotFoundError, UsageError, SimulationError } from './errors.js';
export type { ValidationIssue } from './errors.js';
export { Simulator, EventQueue, Timer, Rng, RandomStream, toMicros, toSeconds, MICROS_PER_SECOND } from './sim/kernel/index.js';
export type { RunOptions, RunResult, RunStopReason, EventHandle, EventHandler } from './sim/kernel/index.js';
export { HeapEventQueue } from './sim/kernel/index.js';
export type { SimulatorOptions, EventSet, EventSetKind } from './sim/kernel/index.js';
export { SKU_CATALOGUE, SKU_NAMES, skuSpec, defaultGeneration } from './sim/net/skus.js';
export type { SkuSpec, SkuEra, Generation, VpnType, TunnelCipher } from './sim/net/skus.js';
export { defineScenario } from './sim/net/scenario.js';
export type * from './sim/net/scenario.js';
export { parsePrefix, parseAddress, formatAddress, isCanonicalAddress, isCanonicalCidr, sortCidrs, comparePrefixes, overlaps, covers, contains } from './sim/net/prefix.js';
export type { Prefix } from './sim/net/prefix.js';
export { validateScenario, parseScenario } from './sim/net/validate.js';
export type { ValidationResult } from './sim/net/validate.js';
export { loadScenario, readScenarioFile, SCENARIO_EXTENSIONS } from './sim/net/load.js';
export { SCENARIO_SCHEMA, TIMELINE_ACTIONS } from './sim/net/scenario-schema.js';
export { reservedAsnReason } from './sim/net/asn.js';
export { SstpSession, SstpServerPool, sstpClientConfig, sstpServerConfig, sstpClientMachine, sstpServerMachine, setupRoundTrips, MAX_TRUSTED_ROOTS } from './protocols/sstp/index.js';
export type { SstpSessionState, SstpSessionStatus, SstpSessionOptions, SstpClientOptions, SstpServerOptions, SstpReason, ClientOs, PppAuthMethod, ClientCertificate } from './protocols/sstp/index.js';
export { Ikev2P2sSession, Ikev2ClientPool, ikev2SetupRoundTrips } from './protocols/p2s/index.js';
export type { Ikev2P2sStatus, Ikev2P2sSessionOptions, Ikev2P2sAuth } from './protocols/p2s/index.js';
export { BgpSpeaker, BgpNeighbor, BgpSession, SegmentStream, stepBgp, initialBgpState, bgpNeighborConfig, bgpTimerInput, negotiateTimers, isAcceptableHoldTime, checkOpen, BGP_DEFAULTS, BgpTimer, selectBestPath, comparePaths, BEST_PATH_RULES, DEFAULT_LOCAL_PREF, azureExportFilter, AZURE_MAX_PREFIXES, packUpdates, messageBytes, segmentBytes, notificationReason } from './protocols/bgp/index.js';
export type { BgpFsmState, BgpMachineState, BgpInput, BgpEffect, BgpTransition, BgpNeighborOptions, BgpNeighborConfig, BgpPeerInfo, BgpSpeakerOptions, AddNeighborOptions, BgpRoute, BestRoute, BgpNeighborInfo, ExportFilter, RibChangeListener, NeighborStateListener, BgpSessionOptions, BgpSessionEnd, BgpStateEvent, BgpMessage, BgpSegment, UpdateMessage, OpenMessage, NotificationMessage, KeepaliveMessage, PathAttributes, PathCandidate, BestPathRule, PathComparison, BestPathResult, Comparator as BestPathComparator, Origin as BgpOrigin } from './protocols/bgp/index.js';
export { MaxMinSolver, maxMinFair, CAP_LIMITED, UNCONSTRAINED, FlowEngine, jainIndex, espPacket, espGoodputFactor, sstpPacket, sstpGoodputFactor, ESP_TRANSFORMS, AZURE_MSS_BYTES } from './sim/flow/index.js';
export type { MaxMinResource, MaxMinFlow, MaxMinShare, MaxMinResult, FlowSpec, FlowHandle, FlowOutcome, FlowStartEvent, FlowEndEvent, FlowEngineEvents, FlowEngineOptions, ResourceOptions, ResourceStats, FlowGroupStats, EspTransform, EspOptions, SstpOptions, SstpTls, PacketBreakdown } from './sim/flow/index.js';
export { IkeSession, DATA_WHILE_NEGOTIATING, ikeConfig, ikeDefaults, ikeStep, initialIkeState, isNegotiating, IKE_TIMERS, ikeStatusOf, isFailureReason, IKE_FAILURE_REASONS, IKE_STATUSES, STRONGSWAN_RETRANSMIT, retransmitSchedule, giveUpAfter, DEFAULT_DPD_TIMEOUT, IDLE_TIMEOUT_SECONDS, HALF_OPEN_TIMEOUT, AZURE_IKE_PROPOSALS, AZURE_ESP_PROPOSALS, messageBytes as ikeMessageBytes, pskDigest } from './protocols/ike/index.js';
export type { IkeConfig, IkeOptions, IkeState, IkePhase, IkeInput, IkeEffect, IkeMessage, IkeExchange, IkeNotify, IkeSessionState, IkeSessionEvent, IkeSessionOptions, IkeEnd, IkeFailureReason, IkeTeardownReason, IkeDownReason, IkeStatus, RetransmitPolicy, DpdSettings, TrafficSelectors } from './protocols/ike/index.js';
