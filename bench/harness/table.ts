/** Minimal markdown table renderer. */
export type Align = 'left' | 'right';

export function renderTable(headers: string[], rows: string[][], align?: Align[]): string {
  const cols = headers.length;
  const widths = headers.map((h, c) => Math.max(h.length, 3, ...rows.map((r) => (r[c] ?? '').length)));
  const cell = (s: string, c: number) =>
    (align?.[c] ?? 'left') === 'right' ? s.padStart(widths[c]) : s.padEnd(widths[c]);
  const line = (r: string[]) => '| ' + Array.from({ length: cols }, (_, c) => cell(r[c] ?? '', c)).join(' | ') + ' |';
  const sep =
    '|' +
    widths
      .map((w, c) => ((align?.[c] ?? 'left') === 'right' ? ' ' + '-'.repeat(w - 1) + ': ' : ' ' + '-'.repeat(w) + ' '))
      .join('|') +
    '|';
  return [line(headers), sep, ...rows.map(line)].join('\n');
}

export function fmtNum(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtInt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return Math.round(x).toLocaleString('en-US');
}
