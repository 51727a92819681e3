import type { FieldModel } from '../model';
import type { Lines } from '../text';
import { FieldEqualsEmitter } from './field-equals';
import { ForEachChildEmitter } from './for-each-child';
import { FreezeFieldEmitter } from './freeze-field';
import type { Helper } from './op-emitter';
import { ThawFieldEmitter } from './thaw-field';

/**
 * Code for the four ClassOps of one class, specialised per field from its ValueType. Each
 * operation (a file of its own here) mirrors, for values of the declared type, exactly what the
 * generic helpers in src/metadata/values.ts do (forEachEntityIn, valueEquals, thawValue,
 * freezeValue): same visit sequence, paths, places and containers; same equality; same copies,
 * holes and frozen containers. Fields the generated code cannot specialise fall back to those
 * helpers; so do Maps with keys of any type when they are compared or thawed (object keys are
 * data: copied, and matched by structure).
 */

/** Writes the four operations of a class with these fields; returns the helpers they call. */
export function emitClassOps(out: Lines, fields: readonly FieldModel[]): ReadonlySet<Helper> {
  const used = new Set<Helper>();
  new ForEachChildEmitter(fields, used).emit(out);
  new FieldEqualsEmitter(fields, used).emit(out);
  new ThawFieldEmitter(fields, used).emit(out);
  new FreezeFieldEmitter(fields, used).emit(out);
  return used;
}
