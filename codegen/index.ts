/**
 * abstractions-codegen, programmatic API (build time only; the runtime never imports this).
 *
 *   readProject(tsconfig)  -> CodegenModel (entity classes, fields, registered functions, diagnostics)
 *   emit(model, options)   -> the text of the generated file
 *   generate(options)      -> both, with timings; compareWithFile / writeIfChanged for --check and writing
 *   main(argv)             -> the CLI
 */
export { readProject, type ReadOptions, type ReadResult } from './reader';
export { emit, hashMatches, recordedHash, HEADER, type EmitOptions } from './emitter';
export { RUNTIME_HELPERS } from './emit-imports';
export {
  generate,
  compareWithFile,
  writeIfChanged,
  formatDiagnostics,
  type GenerateOptions,
  type GenerateResult,
  type FileState,
} from './generate';
export { main, parseArgs, runOnce, watch, USAGE, type CliIo, type CliOptions, type Watcher } from './cli';
export type * from './model';
