import * as fs from 'node:fs';

/** The parts of a V8 .cpuprofile (node --cpu-prof) the summary needs. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  sampledMs: number;
  /** Share of the busy (non-idle) time by where the code lives: a package, the app, Node, GC. */
  byOwner: { owner: string; percent: number }[];
  /** The functions with the most self time. */
  top: { fn: string; percent: number }[];
}

/** Who owns a frame: the npm package, the app's own code, Node's internals, or V8 (GC, compiler). */
function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/dist/')) return 'app (dist/)';
  if (url.includes('/bench/')) return 'bench';
  return url;
}

/**
 * Summarizes the samples taken in the last `windowMs` of the profile (the load run; the server
 * is stopped right after it, so start-up compilation stays out of the picture).
 */
export function summarizeProfile(file: string, windowMs: number, top = 25): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const from = profile.endTime - windowMs * 1000;
  const selfByFn = new Map<string, number>();
  const selfByOwner = new Map<string, number>();
  let t = profile.startTime;
  let busy = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from) continue;
    const next = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    total += next;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busy += next;
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${lineNumber + 1}`;
    selfByFn.set(name, (selfByFn.get(name) ?? 0) + next);
    const who = owner(url, functionName);
    selfByOwner.set(who, (selfByOwner.get(who) ?? 0) + next);
  }
  const pct = (us: number) => Math.round((us / Math.max(busy, 1)) * 1000) / 10;
  return {
    sampledMs: Math.round(total / 1000),
    byOwner: [...selfByOwner].sort((a, b) => b[1] - a[1]).map(([o, us]) => ({ owner: o, percent: pct(us) })),
    top: [...selfByFn]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, us]) => ({ fn, percent: pct(us) })),
  };
}
