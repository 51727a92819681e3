/** Shared test entities, scenarios and a small parser for the Mermaid text the renderers emit. */
import { Agent } from '../../examples/gridmap/model';
import { Entity, entity, EntityRegistry } from '../../src';

export { Agent };

/** A grid node with a `label`: a primitive field the renderers show, naming each node in the diagrams. */
@entity()
export class LabeledNode extends Entity {
  position: [number, number] = [0, 0];
  label = '';
  agents: Agent[] = [];
}
/**
 * A grid map of labeled nodes. It shares its name and field names with examples/gridmap/model.ts's
 * GridMap on purpose: test/codegen/metadata-mode.test.ts checks that the runtime cannot tell the
 * two generated specs apart once both node classes are loaded.
 */
@entity()
export class GridMap extends Entity {
  nodes: LabeledNode[] = [];
  width = 0;
  height = 0;
}
@entity()
export class Hub extends Entity {
  title = '';
  byName: Map<string | number, Agent> = new Map();
  members: Set<Agent> = new Set();
  byKey: Record<string, Agent> = {};
  grid: Agent[][] = [];
  lead: Agent | null = null;
}

/** `n` nodes with `m` agents each, agents named `a-<node>-<k>`. */
export function grid(n: number, m: number): GridMap {
  return new GridMap({
    width: n,
    height: 1,
    nodes: Array.from(
      { length: n },
      (_, i) =>
        new LabeledNode({
          position: [i, 0],
          label: `node-${i}`,
          agents: Array.from({ length: m }, (_, k) => new Agent({ name: `a-${i}-${k}` })),
        }),
    ),
  });
}

/**
 * v1: 3 nodes x 2 agents. v2 (checkout + edit + version):
 *  - move:   a-0-1 from nodes[0] to the end of nodes[2]
 *  - add:    a new agent `fresh` at nodes[1].agents[2]
 *  - remove: a-2-0 from nodes[2]
 *  - data:   a-1-0 renamed to `renamed`, root width 3 -> 4
 */
export function fourChanges(reg: EntityRegistry) {
  const g = grid(3, 2);
  g.promoteToRoot();
  const v1 = g.ecsId;
  const t1 = reg.getStoredTree(v1);
  const lineageOfName = (name: string): string => {
    for (const e of t1.nodes.values())
      if ((e as unknown as Agent).name === name) return (e as unknown as Agent).lineageId;
    throw new Error(name);
  };
  const ids = {
    root: g.lineageId,
    node0: g.nodes[0].lineageId,
    node1: g.nodes[1].lineageId,
    node2: g.nodes[2].lineageId,
    moved: lineageOfName('a-0-1'),
    removed: lineageOfName('a-2-0'),
    renamed: lineageOfName('a-1-0'),
    untouched: [lineageOfName('a-0-0'), lineageOfName('a-1-1'), lineageOfName('a-2-1')],
    added: '',
  };
  const co = reg.checkout<GridMap>(v1);
  const [moving] = co.nodes[0].agents.splice(1, 1);
  co.nodes[2].agents.push(moving);
  const fresh = new Agent({ name: 'fresh', speed: 2 });
  co.nodes[1].agents.push(fresh);
  co.nodes[2].agents.splice(0, 1);
  co.nodes[1].agents[0].name = 'renamed';
  co.width = 4;
  const r = reg.version(co);
  ids.added = fresh.lineageId;
  return { v1, v2: r.rootEcsId, ids, working: co };
}

export interface ParsedNode {
  id: string;
  /** The label as written (escaped). */
  raw: string;
  /** The label lines, entity codes decoded. */
  lines: string[];
}
export interface ParsedEdge {
  from: string;
  to: string;
  arrow: string;
  raw: string;
  label: string;
}
export interface ParsedMermaid {
  header: string;
  comments: string[];
  nodes: ParsedNode[];
  edges: ParsedEdge[];
  classDefs: Map<string, string>;
  classes: Map<string, string[]>;
  linkStyles: { indices: number[]; style: string }[];
  /** Lines this parser did not recognise (should be none). */
  unknown: string[];
}

/** Decodes Mermaid entity codes (`#34;` -> `"`). */
export function decode(text: string): string {
  return text.replace(/#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
}

/** A strict parser for the subset of Mermaid the renderers emit; anything else lands in `unknown`. */
export function parseMermaid(text: string): ParsedMermaid {
  const [header, ...rest] = text.replace(/\n$/, '').split('\n');
  const out: ParsedMermaid = {
    header,
    comments: [],
    nodes: [],
    edges: [],
    classDefs: new Map(),
    classes: new Map(),
    linkStyles: [],
    unknown: [],
  };
  for (const line of rest) {
    let m: RegExpMatchArray | null;
    if (line.startsWith('%%')) out.comments.push(line);
    else if ((m = line.match(/^ {2}([nv]\d+)\["([^"\n]*)"\]$/)))
      out.nodes.push({ id: m[1], raw: m[2], lines: m[2].split('<br/>').map(decode) });
    else if ((m = line.match(/^ {2}([nv]\d+) (-->|-\.->|-\.-)(?:\|"([^"\n]*)"\|)? ([nv]\d+)$/)))
      out.edges.push({ from: m[1], arrow: m[2], raw: m[3] ?? '', label: decode(m[3] ?? ''), to: m[4] });
    else if ((m = line.match(/^ {2}classDef (\w+) (\S+(?: \S+)*)$/))) out.classDefs.set(m[1], m[2]);
    else if ((m = line.match(/^ {2}class ([nv]\d+(?:,[nv]\d+)*) (\w+)$/))) out.classes.set(m[2], m[1].split(','));
    else if ((m = line.match(/^ {2}linkStyle (\d+(?:,\d+)*) (\S+)$/)))
      out.linkStyles.push({ indices: m[1].split(',').map(Number), style: m[2] });
    else out.unknown.push(line);
  }
  return out;
}

export function nodeWith(p: ParsedMermaid, predicate: (lines: string[]) => boolean): ParsedNode {
  const found = p.nodes.filter((n) => predicate(n.lines));
  if (found.length !== 1) throw new Error(`expected exactly one matching node, found ${found.length}`);
  return found[0];
}
