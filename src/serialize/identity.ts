import 'reflect-metadata';
import { Expose, instanceToPlain, plainToInstance } from 'class-transformer';
import type { EntityMeta, IdChain } from '../metadata/object-model';
import { chainToArray } from '../metadata/object-model';
import { UUID_RE } from '../address/parse';
import { newId } from '../util/ids';
import { SerializationError } from './errors';
import { excerpt } from '../util/excerpt';
import type { EntityIdJSON } from './format';

/**
 * The `$id` block, as a class-transformer class: `instanceToPlain` writes it, `plainToInstance`
 * (with `excludeExtraneousValues` and `exposeDefaultValues`) reads it back with the defaults of a new
 * entity for whatever the input leaves out. Raw input is type-checked before, so class-transformer's
 * lenient conversions never hide a bad value.
 */
export class EntityIdRecord implements EntityIdJSON {
  @Expose() ecsId = '';
  @Expose() lineageId = '';
  @Expose() rootEcsId: string | null = null;
  @Expose() previousEcsId: string | null = null;
  @Expose() oldIds: string[] = [];
  @Expose() createdAt: string = new Date().toISOString();
  @Expose() forkedAt: string | null = null;
  @Expose() derivedFromFunction: string | null = null;
  @Expose() derivedFromExecutionId: string | null = null;
  @Expose() siblingOutputEntities: string[] = [];
  @Expose() outputIndex: number | null = null;
  @Expose() attributeSource: Record<string, string | null> = {};
}

const KEYS: ReadonlyArray<keyof EntityIdJSON> = [
  'ecsId',
  'lineageId',
  'rootEcsId',
  'previousEcsId',
  'oldIds',
  'createdAt',
  'forkedAt',
  'derivedFromFunction',
  'derivedFromExecutionId',
  'siblingOutputEntities',
  'outputIndex',
  'attributeSource',
];
const KEY_SET = new Set<string>(KEYS);
const REQUIRED: ReadonlyArray<keyof EntityIdJSON> = ['ecsId', 'lineageId'];

const ISO_RE = /^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function isoOf(ms: number, path: string): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new SerializationError(`invalid timestamp ${ms}`, path);
  return d.toISOString();
}

/** Writes the `$id` block of an entity. */
export function encodeIdentity(meta: EntityMeta, path: string): EntityIdJSON {
  const record = Object.assign(new EntityIdRecord(), {
    ecsId: meta.ecsId,
    lineageId: meta.lineageId,
    rootEcsId: meta.rootEcsId,
    previousEcsId: meta.previousEcsId,
    oldIds: chainToArray(meta.history),
    createdAt: isoOf(meta.createdAt, `${path}.createdAt`),
    forkedAt: meta.forkedAt === null ? null : isoOf(meta.forkedAt, `${path}.forkedAt`),
    derivedFromFunction: meta.derivedFromFunction,
    derivedFromExecutionId: meta.derivedFromExecutionId,
    siblingOutputEntities: [...meta.siblingOutputEntities],
    outputIndex: meta.outputIndex,
    attributeSource: { ...meta.attributeSource },
  });
  return instanceToPlain(record) as EntityIdJSON;
}

function fail(message: string, path: string): never {
  throw new SerializationError(message, path);
}

function checkId(value: unknown, path: string, nullable: boolean): void {
  if (value === null && nullable) return;
  if (typeof value !== 'string' || !UUID_RE.test(value)) {
    fail(`expected a UUID${nullable ? ' or null' : ''}, got ${show(value)}`, path);
  }
}

function checkIdArray(value: unknown, path: string): void {
  if (!Array.isArray(value)) fail(`expected an array of UUIDs, got ${show(value)}`, path);
  value.forEach((v, i) => checkId(v, `${path}[${i}]`, false));
}

function checkIso(value: unknown, path: string, nullable: boolean): void {
  if (value === null && nullable) return;
  if (typeof value !== 'string' || !ISO_RE.test(value) || Number.isNaN(Date.parse(value))) {
    fail(`expected an ISO date string${nullable ? ' or null' : ''}, got ${show(value)}`, path);
  }
}

function checkNullableString(value: unknown, path: string): void {
  if (value !== null && typeof value !== 'string') fail(`expected a string or null, got ${show(value)}`, path);
}

export function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function' || typeof v === 'symbol') return String(typeof v);
  try {
    return excerpt(JSON.stringify(v), 60);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * Reads a `$id` block into the identity of a new working object (fresh `liveId`, not stored,
 * no root live id yet: the caller sets it once the tree is built).
 */
export function decodeIdentity(raw: unknown, path: string): EntityMeta {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail(`expected the identity object, got ${show(raw)}`, path);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KEY_SET.has(k)) fail(`unknown identity key '${excerpt(k)}' (known: ${KEYS.join(', ')})`, `${path}.${k}`);
  for (const k of REQUIRED) if (!(k in o)) fail(`missing '${k}'`, `${path}.${k}`);
  checkId(o.ecsId, `${path}.ecsId`, false);
  checkId(o.lineageId, `${path}.lineageId`, false);
  if ('rootEcsId' in o) checkId(o.rootEcsId, `${path}.rootEcsId`, true);
  if ('previousEcsId' in o) checkId(o.previousEcsId, `${path}.previousEcsId`, true);
  if ('oldIds' in o) checkIdArray(o.oldIds, `${path}.oldIds`);
  if ('createdAt' in o) checkIso(o.createdAt, `${path}.createdAt`, false);
  if ('forkedAt' in o) checkIso(o.forkedAt, `${path}.forkedAt`, true);
  if ('derivedFromFunction' in o) checkNullableString(o.derivedFromFunction, `${path}.derivedFromFunction`);
  if ('derivedFromExecutionId' in o) checkNullableString(o.derivedFromExecutionId, `${path}.derivedFromExecutionId`);
  if ('siblingOutputEntities' in o) checkIdArray(o.siblingOutputEntities, `${path}.siblingOutputEntities`);
  if (
    'outputIndex' in o &&
    o.outputIndex !== null &&
    !(Number.isInteger(o.outputIndex) && (o.outputIndex as number) >= 0)
  ) {
    fail(`expected a non-negative integer or null, got ${show(o.outputIndex)}`, `${path}.outputIndex`);
  }
  if ('attributeSource' in o) {
    const a = o.attributeSource;
    if (typeof a !== 'object' || a === null || Array.isArray(a))
      fail(`expected an object, got ${show(a)}`, `${path}.attributeSource`);
    for (const [k, v] of Object.entries(a)) checkId(v, `${path}.attributeSource.${k}`, true);
  }
  const r = plainToInstance(EntityIdRecord, o, { excludeExtraneousValues: true, exposeDefaultValues: true });
  const lower = (s: string): string => s.toLowerCase();
  let history: IdChain | null = null;
  for (const id of r.oldIds) history = { id: lower(id), next: history };
  const attributeSource: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(r.attributeSource)) attributeSource[k] = v === null ? null : lower(v);
  return {
    ecsId: lower(r.ecsId),
    liveId: newId(),
    lineageId: lower(r.lineageId),
    rootEcsId: r.rootEcsId === null ? null : lower(r.rootEcsId),
    rootLiveId: null,
    previousEcsId: r.previousEcsId === null ? null : lower(r.previousEcsId),
    history,
    createdAt: Date.parse(r.createdAt),
    forkedAt: r.forkedAt === null ? null : Date.parse(r.forkedAt),
    derivedFromFunction: r.derivedFromFunction,
    derivedFromExecutionId: r.derivedFromExecutionId,
    siblingOutputEntities: r.siblingOutputEntities.map(lower),
    outputIndex: r.outputIndex,
    attributeSource,
    stored: false,
    parentLineageId: null,
    place: '',
  };
}
