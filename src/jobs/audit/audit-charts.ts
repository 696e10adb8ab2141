/**
 * The audit report's charts as SVG, pure (the job renders them to PNG with resvg): for one protected
 * attribute, a panel per metric with a bar per group.
 */
import type { Attribute, GroupMetrics } from './audit-metrics.ts';

const PANELS: readonly { key: keyof GroupMetrics; title: string; format: (v: number) => string }[] = [
  { key: 'genresPerList', title: 'Genres per list', format: (v) => v.toFixed(1) },
  { key: 'avgPopularity', title: 'Average popularity of recommended titles', format: (v) => v.toFixed(0) },
  {
    key: 'headShare',
    title: 'Share of slots on the popular head',
    format: (v) => `${(v * 100).toFixed(1)} %`,
  },
  { key: 'hitRate', title: 'Hit rate on later watches', format: (v) => `${(v * 100).toFixed(1)} %` },
];

const escape = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** An SVG of the four group metrics of `attribute` (2 × 2 panels, one bar per group). */
export function groupChartSvg(attribute: Attribute, groups: readonly GroupMetrics[]): string {
  const rows = groups.filter((g) => g.attribute === attribute);
  const [width, height, panelW, panelH] = [960, 640, 460, 280];
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="26" font-size="18" text-anchor="middle">Served lists by ${attribute === 'age' ? 'age band' : 'gender'}</text>`,
  ];
  PANELS.forEach((panel, k) => {
    const x0 = 20 + (k % 2) * (panelW + 20);
    const y0 = 44 + Math.floor(k / 2) * (panelH + 18);
    const values = rows.map((g) => Number(g[panel.key]) || 0);
    const max = Math.max(...values, 1e-9);
    const plotTop = y0 + 30;
    const plotH = panelH - 70;
    const slot = rows.length === 0 ? 0 : (panelW - 20) / rows.length;
    parts.push(
      `<rect x="${x0}" y="${y0}" width="${panelW}" height="${panelH}" fill="#f7f7f7" stroke="#cccccc"/>`,
      `<text x="${x0 + 10}" y="${y0 + 20}" font-size="14">${escape(panel.title)}</text>`,
    );
    rows.forEach((g, j) => {
      const v = values[j] as number;
      const h = (v / max) * plotH;
      const bx = x0 + 10 + j * slot + slot * 0.15;
      const bw = slot * 0.7;
      const by = plotTop + plotH - h;
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${g.group === 'unknown' ? '#999999' : '#3b6ea5'}"/>`,
        `<text x="${(bx + bw / 2).toFixed(1)}" y="${(by - 4).toFixed(1)}" font-size="11" text-anchor="middle">${escape(panel.format(v))}</text>`,
        `<text x="${(bx + bw / 2).toFixed(1)}" y="${plotTop + plotH + 16}" font-size="12" text-anchor="middle">${escape(g.group)}</text>`,
        `<text x="${(bx + bw / 2).toFixed(1)}" y="${plotTop + plotH + 32}" font-size="10" fill="#666666" text-anchor="middle">${g.lists} lists</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}
