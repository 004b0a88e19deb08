/**
 * The HTML report in a real browser: Debian's Chromium driven by
 * puppeteer-core. The expected lanes, bars and states come from the run
 * report of the same scenario and seed, not from the page.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { loadScenario } from '../../src/sim/net/load.js';
import { runScenario, runJson } from '../../src/sim/engine/replay.js';
import { collectRun, runFromJson, scenarioReport } from '../../src/views/report.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve('test-artifacts');

async function launch(profile: string): Promise<Browser> {
  // No skip: a machine without Chromium fails this test (`.ci/packages.d/chromium.txt` installs it).
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package`);
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
  });
}

test('report of a tunnel failure: lanes, outage bars, cursor states, offline, no console errors', async () => {
  const file = 'scenarios/replays/tunnel-drop-restore.json';
  const scenario = await loadScenario(file);
  const run = runScenario(scenario);
  // The run implies: VNet1toSite1 goes down after its fail at 125 s and up after the restore at 305 s,
  // and at least one pinged pair has an outage in between.
  const down = run.tunnelEvents.find((e) => e.connection === 'VNet1toSite1' && e.state === 'down')!;
  const up = run.tunnelEvents.find((e) => e.connection === 'VNet1toSite1' && e.state === 'up' && e.t > down.t)!;
  assert.ok(down && up, 'the scenario no longer fails and restores VNet1toSite1');
  assert.ok(run.outages.length > 0);

  const other = runFromJson(runJson(runScenario(await loadScenario('scenarios/replays/gateway-reboot.json'))), 'gateway-reboot.json');
  const html = await scenarioReport(scenario, { compare: [other] });
  const dir = mkdtempSync(join(tmpdir(), 'vpnsim-report-'));
  const page_ = join(dir, 'report.html');
  writeFileSync(page_, html);
  const browser = await launch(join(dir, 'profile'));
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
    await page.setViewport({ width: 1300, height: 1000 });
    await page.goto(pathToFileURL(page_).href, { waitUntil: 'load' });

    // One lane per tunnel that changed state and per BGP session; the compared run's lanes too.
    const lanes = await page.$$eval('g.lane', (gs) => gs.map((g) => `${(g as SVGGElement).dataset.run}|${(g as SVGGElement).dataset.lane}`));
    const label = scenario.name;
    for (const c of new Set(run.tunnelEvents.map((e) => e.connection))) assert.ok(lanes.includes(`${label}|tunnel:${c}`), `lane of ${c}`);
    for (const b of new Set(run.bgpEvents.map((e) => `${e.session} at ${e.speaker}`))) assert.ok(lanes.includes(`${label}|bgp:${b}`), `lane of ${b}`);
    for (const c of new Set(other.lanes.map((l) => l.name))) assert.ok(lanes.includes(`gateway-reboot.json|tunnel:${c}`), `compared lane of ${c}`);

    // One outage bar per outage of the run, at its start.
    const bars = await page.$$eval('g.pair[data-run] rect.outage', (rs) => rs.map((r) => `${(r.parentNode as SVGGElement).dataset.run}|${(r.parentNode as SVGGElement).dataset.pair}|${(r as SVGRectElement).dataset.from}`));
    for (const o of run.outages) assert.ok(bars.includes(`${label}|${o.from}->${o.to}|${o.start}`), `outage bar ${o.from}->${o.to} at ${o.start}`);

    const stateAt = async (t: number) => {
      await page.$eval('#cursor', (el, v) => {
        const input = el as HTMLInputElement;
        input.value = String(v);
        input.dispatchEvent(new Event('input'));
      }, t);
      return page.$$eval('#states tr', (trs) => Object.fromEntries(trs.map((tr) => [`${(tr as HTMLElement).dataset.run}|${(tr as HTMLElement).dataset.lane}`, (tr as HTMLElement).dataset.state])));
    };
    const o = run.outages.find((x) => x.end !== null && x.start > down.t)!;
    const mid = (o.start + o.end!) / 2;
    const during = await stateAt(mid);
    assert.is(during[`${label}|tunnel:VNet1toSite1`], 'down');
    assert.is(during[`${label}|ping:${o.from}->${o.to}`], 'outage');
    // The topology's edge follows the cursor.
    const edgeDown = await page.$eval('[id="conn:VNet1toSite1"] path', (p) => p.getAttribute('stroke'));
    const after = await stateAt(up.t + 1);
    assert.is(after[`${label}|tunnel:VNet1toSite1`], 'up');
    const edgeUp = await page.$eval('[id="conn:VNet1toSite1"] path', (p) => p.getAttribute('stroke'));
    assert.is.not(edgeDown, edgeUp);
    const cursorText = await page.$eval('#cursor-time', (e) => e.textContent);
    assert.is(cursorText, `t=${Math.round((up.t + 1) * 1000) / 1000} s`);

    // Charts rendered at build time are in the page as SVG.
    assert.ok(await page.$('#drops svg'), 'drops chart');

    await stateAt(mid);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    assert.equal(errors, [], 'console errors');
    assert.equal(requests, [], 'network requests');
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flow goodput over time is sampled from the run', () => {
  // tunnel-failure: Basic gateway (100 Mbit/s), two flows; Branch1's tunnel fails at 10 s and is restored at 20 s.
  // While it is down, Branch1's flow has no rate; Branch2's flow takes the gateway.
  return loadScenario('scenarios/throughput/tunnel-failure.json').then((sc) => {
    const r = collectRun(sc, { until: 40, samples: 40 });
    assert.ok(r.flows.length >= 2);
    const at = (flow: number, t: number) => r.flows[flow]!.points.find(([x]) => x === t)![1];
    const total5 = r.flows.reduce((a, f) => a + f.points.find(([x]) => x === 5)![1], 0);
    assert.ok(total5 > 50 && total5 <= 100, `goodput at 5 s: ${total5}`);
    const rates15 = r.flows.map((_, i) => at(i, 15));
    assert.ok(rates15.includes(0), `one flow stalls while its tunnel is down: ${rates15}`);
    assert.ok(Math.max(...rates15) > total5 / 2 + 1, `the other takes the gateway: ${rates15}`);
  });
});

test.run();
