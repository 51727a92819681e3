/** One diagram of a Markdown document. */
export interface MarkdownSection {
  readonly title: string;
  /** Mermaid source, e.g. from `toMermaid`, `diffToMermaid` or `lineageToMermaid`. */
  readonly mermaid: string;
  /** Optional Markdown text shown between the heading and the diagram. */
  readonly description?: string;
}

export interface MarkdownOptions {
  /** A document title (`# title`) above the sections. */
  readonly title?: string;
  /** Heading level of the section titles, 1-6 (default 2). */
  readonly headingLevel?: number;
}

/**
 * A Markdown document with each diagram in a ```mermaid fence under its own heading
 * (GitHub, GitLab and most Markdown viewers render it). Titles are kept on one line; a fence
 * is made longer than any backtick run in the diagram so it can never be closed early.
 */
export function toMarkdown(sections: readonly MarkdownSection[], options: MarkdownOptions = {}): string {
  const level = Math.min(6, Math.max(1, Math.trunc(options.headingLevel ?? 2)));
  const parts: string[] = [];
  if (options.title !== undefined) parts.push(`# ${oneLine(options.title)}`);
  for (const s of sections) {
    parts.push(`${'#'.repeat(level)} ${oneLine(s.title)}`);
    if (s.description !== undefined && s.description.trim() !== '') parts.push(s.description.trim());
    const body = s.mermaid.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
    const longestRun = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
    const fence = '`'.repeat(Math.max(3, longestRun + 1));
    parts.push(`${fence}mermaid\n${body}\n${fence}`);
  }
  return parts.join('\n\n') + '\n';
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
