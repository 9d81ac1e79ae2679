/** Two small charts as SVG text, framework-free: a latency histogram and a line chart. */

const W = 640;
const H = 320;
const M = { left: 60, right: 20, top: 36, bottom: 48 };
const COLOURS = ['#1f5fa8', '#c2461b', '#2f8a3b', '#7a3fa0'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<text x="${W / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${esc(yLabel)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

function ticks(max: number, axis: 'x' | 'y', scale: (v: number) => number): string {
  const out: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const p = scale(v);
    out.push(
      axis === 'x'
        ? `<text x="${p}" y="${H - M.bottom + 16}" text-anchor="middle">${fmt(v)}</text>`
        : `<text x="${M.left - 6}" y="${p + 4}" text-anchor="end">${fmt(v)}</text><line x1="${M.left}" y1="${p}" x2="${W - M.right}" y2="${p}" stroke="#ddd"/>`,
    );
  }
  return out.join('\n');
}

/** Latencies (ms) in 40 bins up to their 99.9th percentile; the p50 and p99 marked. */
export function latencyHistogram(title: string, samples: number[], marks: { p50: number; p99: number }): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const top = Math.max(1, sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.999))] ?? 1);
  const bins = new Array<number>(40).fill(0);
  for (const s of sorted) bins[Math.min(39, Math.floor((s / top) * 40))] += 1;
  const peak = Math.max(1, ...bins);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (v: number) => M.left + (v / top) * plotW;
  const y = (n: number) => H - M.bottom - (n / peak) * plotH;
  const bars = bins.map((n, i) => `<rect x="${M.left + (i * plotW) / 40 + 1}" y="${y(n)}" width="${plotW / 40 - 2}" height="${H - M.bottom - y(n)}" fill="${COLOURS[0]}"/>`);
  const mark = (v: number, label: string, colour: string) =>
    v <= top ? `<line x1="${x(v)}" y1="${M.top}" x2="${x(v)}" y2="${H - M.bottom}" stroke="${colour}" stroke-dasharray="4 3"/><text x="${x(v) + 4}" y="${M.top + 12}" fill="${colour}">${label} ${fmt(v)} ms</text>` : '';
  return frame(title, `latency, ms (${sorted.length} requests)`, 'requests', [ticks(top, 'x', x), ticks(peak, 'y', y), ...bars, mark(marks.p50, 'p50', COLOURS[2]), mark(marks.p99, 'p99', COLOURS[1])].join('\n'));
}

export interface Series {
  name: string;
  points: [number, number][];
}

export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  const maxX = Math.max(1, ...all.map((p) => p[0]));
  const maxY = Math.max(1e-9, ...all.map((p) => p[1])) * 1.1;
  const x = (v: number) => M.left + (v / maxX) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - (v / maxY) * (H - M.top - M.bottom);
  const lines = series.map((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const path = s.points.map((p, j) => `${j ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    const dots = s.points.map((p) => `<circle cx="${x(p[0])}" cy="${y(p[1])}" r="3" fill="${colour}"/>`).join('');
    return `<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>${dots}<text x="${M.left + 10}" y="${M.top + 14 + i * 16}" fill="${colour}">${esc(s.name)}</text>`;
  });
  return frame(title, xLabel, yLabel, [ticks(maxX, 'x', x), ticks(maxY, 'y', y), ...lines].join('\n'));
}
