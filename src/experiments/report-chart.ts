/** The report's chart as SVG, pure (rendered to PNG with resvg by the caller): batch RMSE per arm over batches. */
import type { ExperimentReport } from './report.ts';

const COLOURS = ['#3b6ea5', '#d1603d', '#4c9a5b', '#8e6bb8', '#b8962e', '#5a5a5a', '#c2477f', '#2e9cb8'];
const escape = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A line per arm: the RMSE of each consecutive batch of 1,000 ratings, in the order they closed. */
export function batchChartSvg(report: ExperimentReport): string {
  const [width, height, left, right, top, bottom] = [960, 480, 70, 190, 50, 50];
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const all = report.arms.flatMap((a) => a.batches.map((b) => b.rmse)).filter(Number.isFinite);
  const most = Math.max(1, ...report.arms.map((a) => a.batches.length));
  const lo = all.length === 0 ? 0.8 : Math.min(...all);
  const hi = all.length === 0 ? 1.2 : Math.max(...all);
  const pad = Math.max(0.01, (hi - lo) * 0.1);
  const [y0, y1] = [lo - pad, hi + pad];
  const x = (k: number) => left + (most === 1 ? plotW / 2 : (k / (most - 1)) * plotW);
  const y = (v: number) => top + plotH - ((v - y0) / (y1 - y0)) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left + plotW / 2}" y="28" font-size="17" text-anchor="middle">${escape(`Experiment ${report.id} (${report.name}): online RMSE per batch of 1,000 ratings`)}</text>`,
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="#f7f7f7" stroke="#cccccc"/>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = y0 + ((y1 - y0) * t) / 4;
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e2e2e2"/>`,
      `<text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${v.toFixed(3)}</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotW / 2}" y="${height - 12}" font-size="12" text-anchor="middle">batch (1,000 ratings each, in arrival order)</text>`,
    `<text x="18" y="${top + plotH / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 18 ${top + plotH / 2})">RMSE (stars)</text>`,
  );
  report.arms.forEach((arm, k) => {
    const colour = COLOURS[k % COLOURS.length] as string;
    const points = arm.batches.map((b, j) => `${x(j).toFixed(1)},${y(b.rmse).toFixed(1)}`);
    if (points.length > 1)
      parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const p of points) {
      const [px, py] = p.split(',');
      parts.push(`<circle cx="${px}" cy="${py}" r="3.5" fill="${colour}"/>`);
    }
    const ly = top + 20 + k * 40;
    parts.push(
      `<rect x="${left + plotW + 16}" y="${ly - 10}" width="14" height="14" fill="${colour}"/>`,
      `<text x="${left + plotW + 36}" y="${ly + 2}" font-size="13">${escape(`${arm.name} (v${arm.version})`)}</text>`,
      `<text x="${left + plotW + 36}" y="${ly + 18}" font-size="11" fill="#666666">${arm.batches.length} batches, ${arm.ratings} ratings</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
