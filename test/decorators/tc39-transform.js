/**
 * The `tc39` Jest project's transform of test/decorators/: TypeScript with tsconfig.tc39.json
 * (standard decorators, no emitDecoratorMetadata), transpiled file by file. Not ts-jest: it keeps
 * one compiler per Jest project, so a second ts-jest transform in the project would compile the
 * library with these options too (or these files with the library's). types.test.ts type-checks
 * the files with the same options.
 */
const crypto = require('node:crypto');
const path = require('node:path');
const ts = require('typescript');

const configFile = path.join(__dirname, '..', '..', 'tsconfig.tc39.json');
const { options } = ts.parseJsonConfigFileContent(
  ts.readConfigFile(configFile, ts.sys.readFile).config,
  ts.sys,
  path.dirname(configFile),
);
const optionsKey = JSON.stringify([ts.version, options]);

module.exports = {
  process(source, fileName) {
    const out = ts.transpileModule(source, { compilerOptions: { ...options, sourceMap: true }, fileName });
    return { code: out.outputText, map: out.sourceMapText };
  },
  getCacheKey(source, fileName) {
    return crypto.createHash('sha256').update(optionsKey).update(fileName).update(source).digest('hex');
  },
};
