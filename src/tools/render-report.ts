/** A report of a port operation the tools do not know the shape of: its `text` if it has one, else its JSON. */
export function renderReport(report: unknown): { text: string; data: Record<string, unknown> } {
  const data: Record<string, unknown> =
    typeof report === 'object' && report !== null && !Array.isArray(report)
      ? { ...(report as Record<string, unknown>) }
      : { result: report };
  const text = typeof data.text === 'string' ? data.text : JSON.stringify(report, null, 2);
  return { text, data };
}
