import type { StalenessReport } from './staleness-report.js';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const LINES = [
  { key: 'caught', label: 'stale facts caught', color: '#1a7f37' },
  { key: 'healedRight', label: 'of them healed right', color: '#1f6feb' },
  { key: 'missed', label: 'stale facts missed', color: '#d1242f' },
  { key: 'falseAlarms', label: 'false alarms', color: '#9a6700' },
] as const;

/**
 * An SVG line chart of the staleness benchmark along the history: cumulative stale facts caught,
 * healed right, missed, and false alarms after each step. Self-contained, deterministic.
 */
export function renderStalenessChart(report: StalenessReport, title = 'Staleness along the history: does the memory notice?'): string {
  const width = 800;
  const height = 420;
  const margin = { left: 56, right: 210, top: 52, bottom: 52 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const steps = Math.max(1, report.series.length);
  const top = Math.max(1, ...report.series.flatMap((point) => LINES.map((line) => point[line.key])));
  const x = (step: number) => margin.left + (steps === 1 ? plotWidth : ((step - 1) / (steps - 1)) * plotWidth);
  const y = (value: number) => margin.top + (1 - value / top) * plotHeight;
  const subtitle = `${report.repo.split('/').pop() ?? report.repo} ${report.from.slice(0, 7)}..${report.to.slice(0, 7)} · ${report.facts.length} facts · ${report.steps} steps · cumulative`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${margin.left}" y="40" fill="#57606a">${escapeXml(subtitle)}</text>`,
  ];
  const tickStep = Math.max(1, Math.ceil(top / 5));
  for (let value = 0; value <= top; value += tickStep) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#d0d7de"/>`,
    );
    parts.push(`<text x="${margin.left - 8}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end">${value}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(steps / 10));
  for (const point of report.series) {
    if ((point.step - 1) % labelEvery !== 0 && point.step !== steps) continue;
    parts.push(`<text x="${x(point.step).toFixed(1)}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${point.step}</text>`);
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="#24292f"/>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#24292f"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">step (commit checked)</text>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">facts (cumulative)</text>`,
  );
  LINES.forEach((line, index) => {
    const points = report.series.map((point) => `${x(point.step).toFixed(1)},${y(point[line.key]).toFixed(1)}`).join(' ');
    const dash = line.key === 'healedRight' ? ' stroke-dasharray="5 4"' : '';
    parts.push(`<polyline points="${points}" fill="none" stroke="${line.color}" stroke-width="2.5"${dash}/>`);
    const last = report.series.at(-1);
    const legendY = margin.top + 10 + index * 24;
    const legendX = margin.left + plotWidth + 20;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="${line.color}" stroke-width="2.5"${dash}/>`,
      `<text x="${legendX + 30}" y="${legendY + 4}">${escapeXml(`${line.label}: ${last ? last[line.key] : 0}`)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
