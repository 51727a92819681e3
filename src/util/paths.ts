import type { PathSegment } from '../metadata/types';

/** Human-readable position: `GridMap.nodes[3].agents[0]` (with `rootName` '': `.nodes[3].agents[0]`). */
export function formatPath(rootName: string, segments: readonly PathSegment[]): string {
  let s = rootName;
  for (const seg of segments)
    s += typeof seg === 'number' ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  return s;
}
