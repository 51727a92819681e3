/**
 * package.json `sideEffects` (bundlers drop a listed-as-pure module whose exports go unused) names
 * exactly the modules of src/ that do something when imported: a top-level statement that is an
 * expression (a call, a property definition), a decorated class (it registers itself) or a bare
 * `import '…'`. A module that gains or loses one must be added to or removed from the list.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
}

function hasImportTimeEffect(statement: ts.Statement): boolean {
  return (
    ts.isExpressionStatement(statement) ||
    (ts.isClassDeclaration(statement) && (ts.getDecorators(statement) ?? []).length > 0) ||
    (ts.isImportDeclaration(statement) && statement.importClause === undefined)
  );
}

test('sideEffects lists the modules of src/ with import-time effects, and only those', () => {
  const withEffects = sourceFiles(SRC)
    .filter((file) => {
      const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      return source.statements.some(hasImportTimeEffect);
    })
    .map((file) => `./dist/src/${path.relative(SRC, file).split(path.sep).join('/').replace(/\.ts$/, '.js')}`);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { sideEffects: string[] };
  expect([...pkg.sideEffects].sort()).toEqual(withEffects.sort());
});
