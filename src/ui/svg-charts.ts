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
  const last = dayList.length > 1 ? escapeHtml(dayList.at(-1) ?? '') : '';
  return trusted(
    `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg width="${width}" height="${height + 40}" viewBox="0 0 ${width} ${height + 40}" role="img" aria-label="${escapeHtml(title)}"><line x1="28" y1="${height}" x2="${width}" y2="${height}" stroke="#999"/><text x="0" y="14">${max}</text><text x="30" y="${height + 14}">${first}</text><text x="${width - 70}" y="${height + 14}">${last}</text>${out}${legend(keys, height + 24)}</svg></figure>`,
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
    `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg width="${width}" height="${height + 40}" viewBox="0 0 ${width} ${height + 40}" role="img" aria-label="${escapeHtml(title)}"><line x1="28" y1="${height}" x2="${width}" y2="${height}" stroke="#999"/><text x="0" y="14">${max}</text><text x="30" y="${height + 14}">${escapeHtml(dayList[0] ?? '')}</text><text x="${width - 70}" y="${height + 14}">${dayList.length > 1 ? escapeHtml(dayList.at(-1) ?? '') : ''}</text>${lines}${legend(keys, height + 24)}</svg></figure>`,
  );
}

/** Horizontal bars, largest first (recall hits per topic). */
export function rankedBars(title: string, items: readonly { label: string; value: number }[], limit = 12): SafeHtml {
  const shown = [...items].sort((a, b) => b.value - a.value || a.label.localeCompare(b.label)).slice(0, limit);
  if (shown.length === 0) return html`<p class="muted">${title}: nothing yet.</p>`;
  const max = Math.max(1, ...shown.map((item) => item.value));
  const width = 520;
  const bars = shown
    .map((item, index) => {
      const y = 6 + index * 20;
      const length = Math.max(2, (item.value / max) * 260);
      return `<text x="0" y="${y + 12}">${escapeHtml(item.label.length > 34 ? `${item.label.slice(0, 33)}…` : item.label)}</text><rect x="220" y="${y}" width="${length.toFixed(1)}" height="14" fill="${COLORS[0]}"/><text x="${(226 + length).toFixed(1)}" y="${y + 12}">${item.value}</text>`;
    })
    .join('');
  return trusted(
    `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg width="${width}" height="${shown.length * 20 + 12}" viewBox="0 0 ${width} ${shown.length * 20 + 12}" role="img" aria-label="${escapeHtml(title)}">${bars}</svg></figure>`,
  );
}

export interface GraphNode {
  id: string;
  label: string;
  /** Colour group (topic type). */
  group: string;
  href: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** supersedes, fixed-by, … */
  rel: string;
}

/** Nodes on a circle, edges as arrows labelled by relation: supersede chains and lesson links. */
export function linkGraph(title: string, nodes: readonly GraphNode[], edges: readonly GraphEdge[]): SafeHtml {
  if (edges.length === 0) return html`<p class="muted">${title}: no supersede or lesson links yet.</p>`;
  const size = 520;
  const center = size / 2;
  const radius = size / 2 - 90;
  const groups = [...new Set(nodes.map((node) => node.group))].sort();
  const place = new Map(
    nodes.map((node, index) => {
      const angle = (2 * Math.PI * index) / nodes.length - Math.PI / 2;
      return [node.id, { x: center + radius * Math.cos(angle), y: center + radius * Math.sin(angle) }];
    }),
  );
  const arrows = edges
    .flatMap((edge) => {
      const from = place.get(edge.from);
      const to = place.get(edge.to);
      if (!from || !to) return [];
      const midX = (from.x + to.x) / 2;
      const midY = (from.y + to.y) / 2;
      return [
        `<line x1="${from.x.toFixed(1)}" y1="${from.y.toFixed(1)}" x2="${to.x.toFixed(1)}" y2="${to.y.toFixed(1)}" stroke="#98a2b3" stroke-width="1.5" marker-end="url(#arrow)"/><text x="${midX.toFixed(1)}" y="${(midY - 3).toFixed(1)}" text-anchor="middle">${escapeHtml(edge.rel)}</text>`,
      ];
    })
    .join('');
  const dots = nodes
    .map((node) => {
      const at = place.get(node.id) ?? { x: center, y: center };
      const color = COLORS[groups.indexOf(node.group) % COLORS.length] ?? '#000';
      const label = node.label.length > 28 ? `${node.label.slice(0, 27)}…` : node.label;
      return `<a href="${escapeHtml(node.href)}"><circle cx="${at.x.toFixed(1)}" cy="${at.y.toFixed(1)}" r="7" fill="${color}"><title>${escapeHtml(node.label)}</title></circle><text x="${at.x.toFixed(1)}" y="${(at.y + 20).toFixed(1)}" text-anchor="middle">${escapeHtml(label)}</text></a>`;
    })
    .join('');
  return trusted(
    `<figure class="chart graph"><figcaption>${escapeHtml(title)}</figcaption><svg width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="${escapeHtml(title)}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#98a2b3"/></marker></defs>${arrows}${dots}${legend(groups, size - 16)}</svg></figure>`,
  );
}
