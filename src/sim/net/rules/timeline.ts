/**
 * The timeline replay: entries in time order (ties in file order) over a copy
 * of the configuration; each entry is checked at its instant
 * (timeline-actions.ts), and after an entry that changes the configuration
 * the rules that can see the change run again on what it touched
 * (recheck.ts; every rule for an entry it does not know). An error is reported once
 * even if several states show it.
 */
import { checkConfig } from './config.js';
import { recheck, scopeOf } from './recheck.js';
import { KIND_LABEL, type Config, type Ctx, type Item } from './model.js';
import { suggest } from './report.js';
import { checkTimelineEntry, type TimelineEntry, type TimelineEnv } from './timeline-actions.js';

/** Replays the timeline over `cfg` (which it changes) and checks every entry. */
export function checkTimeline(ctx: Ctx, cfg: Config, entries: Item<TimelineEntry>[], flowNames: Set<string>): void {
  const r = ctx.report;
  const order = entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.def.at - b.e.def.at || a.i - b.i);
  const env: TimelineEnv = {
    flowNames,
    nameFree(name, path, who) {
      const live = ctx.names.get(name);
      if (live || flowNames.has(name)) {
        r.error(`${path}.name`, 'duplicate', `${who}: name "${name}" is already in use${live ? ` by a ${KIND_LABEL[live.kind]} (${live.path})` : ' by a flow'}`, 'Give every object a name of its own');
        return false;
      }
      return true;
    },
    hostOrClient(name, path, who) {
      if (cfg.hosts.has(name) || cfg.clients.has(name) || ctx.opaque.has(name) || ctx.brokenKinds.has('host') || ctx.brokenKinds.has('client')) return;
      r.error(path, 'ref', `${who}: no host or client named "${name}"`, suggest(name, [...cfg.hosts.keys(), ...cfg.clients.keys()], 'host or client'));
    },
    changed() {
      cfg.version++;
      changed = true;
    },
  };
  let changed = false;
  for (const { e } of order) {
    const scope = scopeOf(e.def, cfg);
    changed = false;
    checkTimelineEntry(ctx, cfg, e, env);
    if (!changed) continue;
    if (scope) recheck(ctx, cfg, scope);
    else checkConfig(ctx, cfg);
  }
}
