import { EntityRegistry } from '../../src';
import { toMarkdown, toMermaid } from '../../src/viz';
import { grid } from './fixtures';

describe('toMarkdown', () => {
  test('each diagram in a ```mermaid fence under its heading', () => {
    EntityRegistry.reset();
    const tree = toMermaid(grid(1, 1));
    const md = toMarkdown([
      { title: 'Tree', mermaid: tree },
      { title: 'Other', mermaid: 'graph LR\n  a --> b', description: 'Some *text*.' },
    ]);
    expect(md).toBe(
      `## Tree\n\n\`\`\`mermaid\n${tree.trimEnd()}\n\`\`\`\n\n## Other\n\nSome *text*.\n\n\`\`\`mermaid\ngraph LR\n  a --> b\n\`\`\`\n`,
    );
    expect(md.match(/```mermaid/g)).toHaveLength(2);
  });

  test('document title, heading level, one-line titles', () => {
    const md = toMarkdown([{ title: 'multi\nline   title', mermaid: 'graph TD\n' }], {
      title: 'Report',
      headingLevel: 3,
    });
    expect(md).toBe('# Report\n\n### multi line   title\n\n```mermaid\ngraph TD\n```\n');
    expect(toMarkdown([{ title: 't', mermaid: 'graph TD' }], { headingLevel: 9 }).startsWith('###### t')).toBe(true);
    expect(toMarkdown([])).toBe('\n');
  });

  test('a fence is longer than any backtick run inside the diagram; CRLF normalised', () => {
    const md = toMarkdown([{ title: 't', mermaid: 'graph TD\r\n  a["````"]\r\n' }]);
    expect(md).toBe('## t\n\n`````mermaid\ngraph TD\n  a["````"]\n`````\n');
  });
});
