import { escapeHtml, html, trusted, type SafeHtml } from './html.js';

/*
 * Small charts rendered on the server as inline SVG: no charting library, nothing for the page
 * to fetch. Labels are escaped (type and status names come from files).
 */

const COLORS = ['#2b59c3', '#e07a1f', '#2e9d5b', '#b3261e', '#7b51c2', '#00838f', '#8d6e63', '#c2185b'];

/** A horizontal gauge: `value` of `max`, orange from 80%. */
export function gauge(value: number, max: number, label: string): SafeHtml {
  const share = max > 0 ? Math.min(1, value / max) : 0;
  const width = 280;
  const fill = share >= 0.8 ? '#e07a1f' : '#2b59c3';
  return trusted(
    `<svg class="gauge-svg" width="${width}" height="14" role="img" aria-label="${escapeHtml(label)}"><rect width="${width}" height="14" rx="7" fill="#e4e8f0"/><rect width="${Math.round(width * share)}" height="14" rx="7" fill="${fill}"/></svg>`,
  );
}

export interface DayCount {
  /** `YYYY-MM-DD`. */
  day: string;
  key: string;
  count: number;
}

function days(rows: readonly DayCount[]): string[] {
  return [...new Set(rows.map((row) => row.day))].sort();
}

function legend(keys: readonly string[], y: number): string {
  return keys
    .map(
      (key, index) =>
        `<rect x="${10 + index * 110}" y="${y}" width="10" height="10" fill="${COLORS[index % COLORS.length]}"/><text x="${24 + index * 110}" y="${y + 9}">${escapeHtml(key)}</text>`,
    )
    .join('');
}

/** Counts per day, stacked by key (verdicts, guard events). */
export function stackedBars(title: string, rows: readonly DayCount[]): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">${title}: nothing yet.</p>`;
  const keys = [...new Set(rows.map((row) => row.key))].sort();
  const dayList = days(rows);
  const totals = dayList.map((day) => rows.filter((row) => row.day === day).reduce((sum, row) => sum + row.count, 0));
  const max = Math.max(1, ...totals);
  const width = 520;
  const height = 160;
  const bar = Math.max(4, Math.min(40, (width - 40) / dayList.length - 4));
  let out = '';
  dayList.forEach((day, index) => {
    let top = height;
    const x = 30 + index * (bar + 4);
    keys.forEach((key, keyIndex) => {
      const count = rows.filter((row) => row.day === day && row.key === key).reduce((sum, row) => sum + row.count, 0);
      if (count === 0) return;
      const h = (count / max) * (height - 20);
      top -= h;
      out += `<rect x="${x}" y="${top.toFixed(1)}" width="${bar}" height="${h.toFixed(1)}" fill="${COLORS[keyIndex % COLORS.length]}"><title>${escapeHtml(`${day} ${key}: ${count}`)}</title></rect>`;
    });
  });
  const first = escapeHtml(dayList[0] ?? '');
  const last = escapeHtml(dayList.at(-1) ?? '');
  return trusted(
    `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg width="${width}" height="${height + 40}" role="img" aria-label="${escapeHtml(title)}"><line x1="28" y1="${height}" x2="${width}" y2="${height}" stroke="#999"/><text x="0" y="14">${max}</text><text x="30" y="${height + 14}">${first}</text><text x="${width - 70}" y="${height + 14}">${last}</text>${out}${legend(keys, height + 24)}</svg></figure>`,
  );
}

/** Running totals per key over days (topics by type created over time). */
export function cumulativeLines(title: string, rows: readonly DayCount[]): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">${title}: nothing yet.</p>`;
  const keys = [...new Set(rows.map((row) => row.key))].sort();
  const dayList = days(rows);
  const width = 520;
  const height = 160;
  const series = keys.map((key) => {
    let total = 0;
    return dayList.map((day) => {
      total += rows.filter((row) => row.day === day && row.key === key).reduce((sum, row) => sum + row.count, 0);
      return total;
    });
  });
  const max = Math.max(1, ...series.flat());
  const xOf = (index: number) => 30 + (dayList.length === 1 ? (width - 40) / 2 : (index / (dayList.length - 1)) * (width - 40));
  const yOf = (value: number) => height - (value / max) * (height - 20);
  const lines = series
    .map((points, keyIndex) => {
      const color = COLORS[keyIndex % COLORS.length] ?? '#000';
      const path = points.map((value, index) => `${xOf(index).toFixed(1)},${yOf(value).toFixed(1)}`).join(' ');
      const dots = points
        .map(
          (value, index) =>
            `<circle cx="${xOf(index).toFixed(1)}" cy="${yOf(value).toFixed(1)}" r="2.5" fill="${color}"><title>${escapeHtml(`${dayList[index] ?? ''} ${keys[keyIndex] ?? ''}: ${value}`)}</title></circle>`,
        )
        .join('');
      return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${path}"/>${dots}`;
    })
    .join('');
  return trusted(
    `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg width="${width}" height="${height + 40}" role="img" aria-label="${escapeHtml(title)}"><line x1="28" y1="${height}" x2="${width}" y2="${height}" stroke="#999"/><text x="0" y="14">${max}</text><text x="30" y="${height + 14}">${escapeHtml(dayList[0] ?? '')}</text><text x="${width - 70}" y="${height + 14}">${escapeHtml(dayList.at(-1) ?? '')}</text>${lines}${legend(keys, height + 24)}</svg></figure>`,
  );
}
