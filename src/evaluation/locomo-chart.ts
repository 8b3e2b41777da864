import type { LocomoReport } from './locomo-report.js';

const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#57606a'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * An SVG line chart of evidence recall against the token budget: per retriever a solid line for
 * "all evidence recalled" (labelled) and a dashed one for "any evidence recalled". Self-contained
 * (no fonts or scripts fetched), deterministic for a given report.
 */
export function renderLocomoChart(report: LocomoReport, title = 'LoCoMo evidence recall within a token budget'): string {
  const width = 800;
  const height = 440;
  const margin = { left: 64, right: 230, top: 48, bottom: 56 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const maxBudget = Math.max(1, ...report.budgets);
  const x = (budget: number) => margin.left + (budget / maxBudget) * plotWidth;
  const y = (value: number) => margin.top + (1 - value) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${margin.left}" y="40" fill="#57606a">${escapeXml(`${report.conversations.join(', ')} · ${report.questions} questions (categories 1–4) · ${report.tokenizer}`)}</text>`,
  ];
  for (let tick = 0; tick <= 10; tick += 2) {
    const value = tick / 10;
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y(value)}" y2="${y(value)}" stroke="#d0d7de" stroke-width="1"/>`,
    );
    parts.push(`<text x="${margin.left - 8}" y="${y(value) + 4}" text-anchor="end">${value.toFixed(1)}</text>`);
  }
  for (const budget of report.budgets) {
    parts.push(
      `<line x1="${x(budget)}" x2="${x(budget)}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight + 5}" stroke="#24292f"/>`,
    );
    parts.push(`<text x="${x(budget)}" y="${margin.top + plotHeight + 20}" text-anchor="middle">${budget}</text>`);
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="#24292f"/>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#24292f"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">token budget (o200k tokens of the recalled text)</text>`,
    `<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">share of questions</text>`,
  );
  Object.entries(report.retrievers).forEach(([name, summary], index) => {
    const color = COLORS[index % COLORS.length] ?? '#000000';
    const points = (key: 'all' | 'any') =>
      report.budgets
        .map((budget) => [budget, summary.budgets[String(budget)]?.[key]] as const)
        .filter((point): point is readonly [number, number] => point[1] !== undefined);
    const path = (key: 'all' | 'any') =>
      points(key)
        .map(([budget, value]) => `${x(budget).toFixed(1)},${y(value).toFixed(1)}`)
        .join(' ');
    parts.push(`<polyline points="${path('any')}" fill="none" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 4" opacity="0.8"/>`);
    parts.push(`<polyline points="${path('all')}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
    for (const [budget, value] of points('all')) {
      parts.push(`<circle cx="${x(budget).toFixed(1)}" cy="${y(value).toFixed(1)}" r="4" fill="${color}"/>`);
      parts.push(
        `<text x="${x(budget).toFixed(1)}" y="${(y(value) - 9).toFixed(1)}" text-anchor="middle" fill="${color}">${value.toFixed(2)}</text>`,
      );
    }
    const legendY = margin.top + 10 + index * 44;
    const legendX = margin.left + plotWidth + 20;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2.5"/>`,
      `<text x="${legendX + 30}" y="${legendY + 4}">${escapeXml(name)}: all evidence</text>`,
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY + 18}" y2="${legendY + 18}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
      `<text x="${legendX + 30}" y="${legendY + 22}">${escapeXml(name)}: any evidence</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
