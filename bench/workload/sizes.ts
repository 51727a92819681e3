/**
 * Reference workload sizes (SPEC §10). entities = 1 (GridMap) + N (nodes) + N*M (agents).
 */
export interface Size {
  /** Label used in tables and on the CLI, e.g. '50x50'. */
  label: string;
  /** N: number of nodes in the grid map. */
  nodes: number;
  /** M: agents per node in the initial state. */
  agentsPerNode: number;
  /** 1 + N + N*M. */
  entities: number;
}

function size(label: string, nodes: number, agentsPerNode: number): Size {
  return { label, nodes, agentsPerNode, entities: 1 + nodes + nodes * agentsPerNode };
}

export const SIZES: readonly Size[] = [
  size('10x10', 10, 10), //        111
  size('20x20', 20, 20), //        421
  size('50x20', 50, 20), //      1,051
  size('50x50', 50, 50), //      2,551
  size('100x100', 100, 100), // 10,101
  size('100x1000', 100, 1000), // 100,101
];

/** Sizes used by `--quick` (up to 2,551 entities). */
export const QUICK_SIZES: readonly Size[] = SIZES.filter((s) => s.entities <= 2551);

export function sizeByLabel(label: string): Size {
  const s = SIZES.find((x) => x.label === label);
  if (!s) throw new Error(`unknown size '${label}' (known: ${SIZES.map((x) => x.label).join(', ')})`);
  return s;
}

/** Grid layout: width = ceil(sqrt(N)), height = ceil(N / width); node i sits at [i % width, floor(i / width)]. */
export function gridDims(nodes: number): { width: number; height: number } {
  const width = Math.ceil(Math.sqrt(nodes));
  return { width, height: Math.ceil(nodes / width) };
}

export function nodePosition(i: number, width: number): [number, number] {
  return [i % width, Math.floor(i / width)];
}

/** Unique agent name: agent-<node>-<k>. */
export function agentName(node: number, k: number): string {
  return `agent-${node}-${k}`;
}

/** Deterministic agent speed (no PRNG needed, identical for every implementation). */
export function agentSpeed(node: number, k: number): number {
  return 1 + ((node * 31 + k * 17) % 100) / 10;
}

/** Plain-data shape of the workload; baselines build their own representation from it. */
export interface PlainAgent {
  name: string;
  speed: number;
}
export interface PlainNode {
  position: [number, number];
  agents: PlainAgent[];
}
export interface PlainGridMap {
  nodes: PlainNode[];
  width: number;
  height: number;
}

/** Fresh plain (mutable, unfrozen) initial state for a size. */
export function buildPlainGridMap(s: Size): PlainGridMap {
  const { width, height } = gridDims(s.nodes);
  const nodes: PlainNode[] = [];
  for (let n = 0; n < s.nodes; n++) {
    const agents: PlainAgent[] = [];
    for (let k = 0; k < s.agentsPerNode; k++) agents.push({ name: agentName(n, k), speed: agentSpeed(n, k) });
    nodes.push({ position: nodePosition(n, width), agents });
  }
  return { nodes, width, height };
}
