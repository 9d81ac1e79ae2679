import { problems, type Results } from '../../bench/report';
import { latency, percentile } from '../../bench/stats';
import { latencyHistogram, lineChart } from '../../bench/svg';

const machine = { cores: 2, cpu: 'x', memoryGiB: 24, node: 'v20', temporalSdk: '1', temporalServer: 't', postgres: '18' };
const scenario = (id: number, figures: Record<string, unknown>) => ({ id, name: `s${id}`, figures, headline: '', goals: [] });

test('percentiles are nearest-rank, and an empty sample has none', () => {
  const samples = Array.from({ length: 100 }, (_, i) => i + 1);
  expect([percentile(samples, 50), percentile(samples, 99), percentile(samples, 100)]).toEqual([50, 99, 100]);
  expect(latency([3, 1, 2])).toEqual({ count: 3, p50: 2, p90: 3, p99: 3, max: 3, mean: 2 });
  expect(Number.isNaN(latency([]).p99)).toBe(true);
});

test('a run is refused when a scenario is missing, failed, or has a figure that is not a number', () => {
  const ok: Results = { date: '2026-12-06T00:00:00Z', mode: 'quick', args: '--quick', machine, seconds: 1, retriedActions: 0, scenarios: [scenario(1, { perSecond: 2.5 }), scenario(2, { p99: 4 })] };
  expect(problems(ok, [1, 2])).toEqual([]);
  expect(problems(ok, [1, 2, 3])).toEqual(['scenario 3 did not run']);
  const broken: Results = { ...ok, scenarios: [{ id: 1, name: 's1', error: 'boom' }, scenario(2, { p99: latency([]).p99 })] };
  expect(problems(JSON.parse(JSON.stringify(broken)) as Results, [1, 2])).toEqual(['scenario 1 failed: boom', expect.stringMatching(/^scenario 2 has a figure that is not a number/)]);
});

test('the plots are SVG documents with their marks and series', () => {
  const histogram = latencyHistogram('a <read>', [1, 2, 2, 3, 40], { p50: 2, p99: 40 });
  expect(histogram).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(histogram).toContain('a &lt;read&gt;');
  expect(histogram).toContain('p99 40.0 ms');
  const chart = lineChart('t', 'x', 'y', [{ name: 'floor', points: [[1, 2], [4, 3]] }, { name: 'ours', points: [[1, 1], [4, 2]] }]);
  expect(chart.match(/<path /g)).toHaveLength(2);
  expect(chart).toContain('>ours</text>');
});
