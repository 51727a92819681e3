/**
 * The file names of modules, as the reader (type texts print module paths without their
 * extension), the CLI (`--runtime`) and the emitter (relative import specifiers) see them.
 */

/** A script file name's extension: `.d` for a declaration file, then the kind (`ts`, `mts`, `js`, ...). */
export const SCRIPT_EXTENSION = /(\.d)?\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/** The TypeScript files a module path written without an extension may stand for, in this order. */
export const SOURCE_EXTENSIONS: readonly string[] = ['.ts', '.tsx', '.d.ts', '.mts', '.cts', '.d.mts', '.d.cts'];
