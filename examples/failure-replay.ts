/**
 * Failure replay: a site-to-site tunnel fails at 125 s and is restored at
 * 305 s while two hosts ping each other; print when the tunnel went down and
 * came back, and each ping outage. Run: npx tsx examples/failure-replay.ts
 */
import { loadScenario, runScenario, scenarioPath } from '../src/index.js';

const report = runScenario(await loadScenario(scenarioPath('replays/tunnel-drop-restore')));
console.log(`ran to t=${report.until} s`);
for (const d of report.tunnelDowntimes) {
  console.log(`tunnel ${d.connection}: down at ${d.downAt} s (${d.downReason}), up at ${d.upAt} s (${d.upReason})`);
}
for (const o of report.outages) {
  console.log(`outage ${o.from} -> ${o.to}: ${o.start} s .. ${o.end} s, ${o.lost} pings lost (${Object.keys(o.reasons).join(', ')})`);
}
console.log('drops by reason:', Object.entries(report.drops).map(([k, v]) => `${k} ${v}`).join(', '));
