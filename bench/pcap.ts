/**
 * Capture benchmark: packets per wall-clock second of a simulated tunnel
 * replay with the capture off and on, in one process.
 *
 * Workload: an IKEv1 policy-based tunnel between a gateway and a device
 * (Main Mode, Quick Mode, DPD) over two 5 ms underlay directions, and
 * `--pings` echo request/reply pairs (default 50,000) sent every 2 ms through
 * it, each carried by the kernel as one underlay transmission per direction.
 * With the capture on, every IKE message becomes a UDP 500 packet on the
 * gateway's and the device's capture points, every ping an ESP packet on
 * both public points and an ICMP packet on the connection's inner point,
 * written as pcapng to memory (the file system is left out of the figure).
 *
 * usage: tsx bench/pcap.ts [--json] [--pings=N] [--seed=S] [--repeat=N]
 * Prints seed, Node version, kernel events, packets, wall times and
 * packets/s off and on (median of `--repeat`, default 3, after one warm-up
 * each) and the ratio. Target: capture on at least 50 % of capture off.
 */
import { Simulator } from '../src/sim/kernel/simulator.js';
import { Rng } from '../src/sim/kernel/rng.js';
import { PathDirection } from '../src/sim/net/underlay.js';
import { ikeConfig } from '../src/protocols/ike/config.js';
import { IkeSession } from '../src/protocols/ike/session.js';
import { PcapCapture, type CaptureEnd } from '../src/wire/capture.js';

const args = new Map(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k!, v ?? 'true'] as const; }));
const pings = Number(args.get('pings') ?? 50000);
const seed = Number(args.get('seed') ?? 1);
const repeat = Number(args.get('repeat') ?? 3);

const GW: CaptureEnd = { ip: 0x14000001, points: ['VNet1GW:public'] };
const DEV: CaptureEnd = { ip: 0xcb00710a, points: ['Site1:device'] };
const VM: CaptureEnd = { ip: 0x0a010004, points: ['VNet1toSite1:inner'] };
const SRV: CaptureEnd = { ip: 0x0a65000a, points: [] };
const TS = { local: ['10.1.0.0/16'], remote: ['10.101.0.0/16'] };

interface Result { wallMs: number; packets: number; events: number; bytes: number }

function once(capture: boolean): Result {
  const sim = new Simulator();
  const rng = new Rng(seed);
  const fig = { latencyMs: 5, lossPercent: 0, bandwidthMbps: 10000 };
  const aToB = new PathDirection(sim, rng.stream('a'), fig);
  const bToA = new PathDirection(sim, rng.stream('b'), fig);
  let bytes = 0;
  const cap = capture ? new PcapCapture({ sink: (c) => { bytes += c.length; }, seed, comments: false }) : undefined;
  const s = new IkeSession({
    sim, name: 'ike/bench', aToB, bToA,
    a: ikeConfig({ id: 'gw', sharedKey: 'abc123', version: 'IKEv1', vpnType: 'PolicyBased', trafficSelectors: TS }),
    b: ikeConfig({ id: 'dev', sharedKey: 'abc123', version: 'IKEv1', vpnType: 'PolicyBased', trafficSelectors: { local: TS.remote, remote: TS.local } }),
    ...(cap ? { onMessage: (t: number, from: 'a' | 'b', msg: Parameters<PcapCapture['ike']>[3]) => cap.ike(t, from === 'a' ? GW : DEV, from === 'a' ? DEV : GW, msg) } : {}),
  });
  let packets = 0;
  const reply = (seq: number) => {
    packets++;
    if (cap) { cap.icmp(sim.now, SRV, VM, { reply: true, id: 1, seq }); cap.esp(sim.now, DEV, GW, 84); }
  };
  const request = (seq: number) => {
    packets++;
    if (cap) { cap.icmp(sim.now, VM, SRV, { reply: false, id: 1, seq }); cap.esp(sim.now, GW, DEV, 84); }
    bToA.transmit(140, reply, 'packet', seq);
  };
  s.traffic('a');
  for (let i = 0; i < pings; i++) {
    sim.schedule(1 + i * 0.002, () => {
      if (s.traffic('a')) aToB.transmit(140, request, 'packet', i);
    });
  }
  const t0 = performance.now();
  const r = sim.run({ until: 1 + pings * 0.002 + 1 });
  cap?.flush();
  return { wallMs: performance.now() - t0, packets, events: r.executed, bytes };
}

function median(capture: boolean): Result {
  once(capture);
  const runs = Array.from({ length: repeat }, () => once(capture)).sort((a, b) => a.wallMs - b.wallMs);
  return runs[Math.floor(runs.length / 2)]!;
}

const off = median(false);
const on = median(true);
const pps = (r: Result) => r.packets / (r.wallMs / 1000);
const out = {
  seed, node: process.version, pings, events: off.events, packets: off.packets,
  offMs: +off.wallMs.toFixed(1), onMs: +on.wallMs.toFixed(1),
  offPacketsPerSecond: Math.round(pps(off)), onPacketsPerSecond: Math.round(pps(on)),
  ratio: +(pps(on) / pps(off)).toFixed(3), captureBytes: on.bytes, target: 0.5,
};
if (args.has('json')) console.log(JSON.stringify(out));
else {
  console.log(`seed ${out.seed}, node ${out.node}, ${out.pings} pings, ${out.events} kernel events, ${out.packets} packets`);
  console.log(`capture off: ${out.offMs} ms, ${out.offPacketsPerSecond} packets/s`);
  console.log(`capture on:  ${out.onMs} ms, ${out.onPacketsPerSecond} packets/s (${out.captureBytes} bytes of pcapng)`);
  console.log(`ratio on/off ${out.ratio} (target >= ${out.target}) ${out.ratio >= out.target ? 'met' : 'NOT met'}`);
}
