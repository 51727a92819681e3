/**
 * `npm run build` (and `prepack`): the package's two builds, from tsconfig.build.json.
 *
 *  - CommonJS: src/ and codegen/ to dist/src and dist/codegen, as tsconfig.build.json says.
 *  - ES modules: src/ to dist/esm, with the same options but `module: es2022`, and two changes
 *    tsc does not make: relative specifiers name the file Node's ES module resolution needs
 *    ('./entity/entity' → './entity/entity.js', './events' → './events/index.js'), in the code
 *    and in the declarations; and src/util/module-format.ts is compiled from ESM_MODULE_FORMAT
 *    below (an ES module has no `require`). dist/esm/package.json says `"type": "module"` and
 *    repeats the package's `sideEffects` for its files (bundlers read the nearest package.json).
 *
 * The output folders are emptied first, so no file of a deleted module is ever packed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');
const ESM_OUT = path.join(DIST, 'esm');
const MODULE_FORMAT = path.join(SRC, 'util', 'module-format.ts');

/** src/util/module-format.ts of the ES module build. */
const ESM_MODULE_FORMAT = `/**
 * What differs between the package's two builds: the ES module build's text of
 * src/util/module-format.ts (scripts/build.mjs compiles it in place of that file).
 */
import { createRequire } from 'node:module';

/** Which build this copy of the package is. */
export const BUILD_FORMAT: 'commonjs' | 'esm' = 'esm';

/** \`require\` as seen from this package (see src/util/module-format.ts). */
export const packageRequire: NodeJS.Require = createRequire(import.meta.url);
`;

const formatHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => ROOT,
  getNewLine: () => '\n',
};

function fail(diagnostics) {
  if (diagnostics.length === 0) process.stderr.write('build: the compiler skipped the emit without saying why\n');
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost));
  process.exit(1);
}

/** Compiles `rootNames` with `options`; exits with the compiler's messages on any error. */
function compile(rootNames, options, { host = ts.createCompilerHost(options), transformers } = {}) {
  const program = ts.createProgram({ rootNames, options, host });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) fail(diagnostics);
  const emitted = program.emit(undefined, undefined, undefined, false, transformers);
  if (emitted.emitSkipped || emitted.diagnostics.length > 0) fail(emitted.diagnostics);
}

/** A relative specifier as Node's ES module resolution needs it: with the file's name. */
function esmSpecifier(specifier, fromFile) {
  if (!/^\.\.?(\/|$)/.test(specifier)) return specifier;
  const target = path.resolve(path.dirname(fromFile), specifier);
  if (fs.existsSync(`${target}.ts`)) return `${specifier}.js`;
  if (fs.existsSync(path.join(target, 'index.ts'))) return `${specifier.replace(/\/$/, '')}/index.js`;
  throw new Error(`${path.relative(ROOT, fromFile)}: cannot find the module '${specifier}'`);
}

/**
 * The transformer that rewrites relative specifiers: of imports and exports, `import('…')` types
 * (declarations) and dynamic `import('…')` calls.
 */
function withFileNames(context) {
  const f = context.factory;
  return (sourceFile) => {
    const literal = (node) => f.createStringLiteral(esmSpecifier(node.text, sourceFile.fileName));
    /** `node` with its child `specifier` (a string literal) replaced by `replacement`. */
    const replacing = (node, specifier, replacement) =>
      ts.visitEachChild(node, (child) => (child === specifier ? replacement : visit(child)), context);
    const visit = (node) => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
        return replacing(node, node.moduleSpecifier, literal(node.moduleSpecifier));
      if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
        return replacing(node, node.argument, f.updateLiteralTypeNode(node.argument, literal(node.argument.literal)));
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [first] = node.arguments;
        if (first !== undefined && ts.isStringLiteral(first)) return replacing(node, first, literal(first));
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(sourceFile, visit);
  };
}

const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.build.json'), undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => fail([d]),
});
if (parsed.errors.length > 0) fail(parsed.errors);

for (const dir of ['src', 'esm', 'codegen']) fs.rmSync(path.join(DIST, dir), { recursive: true, force: true });

// CommonJS: dist/src, dist/codegen.
compile(parsed.fileNames, parsed.options);

// ES modules: dist/esm.
const esmOptions = {
  ...parsed.options,
  module: ts.ModuleKind.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  rootDir: SRC,
  outDir: ESM_OUT,
};
const host = ts.createCompilerHost(esmOptions);
const readFile = host.readFile.bind(host);
host.readFile = (file) => (path.resolve(file) === MODULE_FORMAT ? ESM_MODULE_FORMAT : readFile(file));
compile(
  parsed.fileNames.filter((file) => path.resolve(file).startsWith(SRC + path.sep)),
  esmOptions,
  { host, transformers: { after: [withFileNames], afterDeclarations: [withFileNames] } },
);

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const sideEffects = pkg.sideEffects.map((file) => {
  if (!file.startsWith('./dist/src/')) throw new Error(`package.json sideEffects: ${file} is not in ./dist/src/`);
  return `./${file.slice('./dist/src/'.length)}`;
});
fs.writeFileSync(path.join(ESM_OUT, 'package.json'), `${JSON.stringify({ type: 'module', sideEffects }, null, 2)}\n`);
