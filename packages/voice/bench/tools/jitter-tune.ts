/**
 * Parameter sweep for the adaptive buffer (the same parameters for every scenario): prints, per setting, the ratio of
 * the interpolated fixed-delay baseline to ours / strict baseline to ours, our late-loss % (L) and concealment % (C). Run: node --import tsx packages/voice/bench/tools/jitter-tune.ts
 */
import type { JitterBufferOptions } from '../../src/jitter/index.js';
import { evaluate, mean } from '../jitter.js';

// `--full`: the whole grid over two seeds (~3 min); by default a cross around the defaults on one seed (< 2 min).
const full = process.argv.includes('--full');
const settings: JitterBufferOptions[] = [];
if (full) {
  for (const quantile of [0.97, 0.99])
    for (const forgetFactor of [0.99, 0.996, 0.998]) settings.push({ quantile, forgetFactor });
} else {
  for (const quantile of [0.98, 0.99, 0.995]) settings.push({ quantile, forgetFactor: 0.998 });
  for (const forgetFactor of [0.996, 0.999]) settings.push({ quantile: 0.99, forgetFactor });
}
for (const s of settings) {
  const rows = evaluate(s, full ? [1, 2] : [1]);
  const cells = rows.map((r) => {
    const ours = mean(r.map((x) => x.ours.meanAddedDelayMs));
    return `${r[0]!.scenario.slice(0, 10)} ${(mean(r.map((x) => x.fixedInterpolatedMs)) / ours).toFixed(2)}/${(mean(r.map((x) => x.fixed.meanAddedDelayMs)) / ours).toFixed(2)} L${mean(r.map((x) => x.ours.lateLossPct)).toFixed(2)} C${mean(r.map((x) => x.ours.concealmentPct)).toFixed(1)}`;
  });
  console.log(JSON.stringify(s), '\n  ', cells.join('\n   '));
}
