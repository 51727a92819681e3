/**
 * Building blocks of the generated file's text, shared by every emitter: indented lines, string
 * literals, object keys and line comments. Kept apart so that no emitter depends on another just
 * for these.
 */

/** Lines of code at a current indentation (two spaces a level). */
export class Lines {
  readonly lines: string[] = [];
  constructor(private indent = 0) {}
  line(text: string): this {
    this.lines.push(text === '' ? '' : '  '.repeat(this.indent) + text);
    return this;
  }
  open(text: string): this {
    this.line(text);
    this.indent++;
    return this;
  }
  close(text = '}'): this {
    this.indent--;
    return this.line(text);
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

/** A single-quoted JavaScript string literal. */
export function str(s: string): string {
  if (s.includes("'") && !s.includes('"') && !/[\\\n\r\u2028\u2029]/.test(s)) return `"${s}"`;
  return `'${s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}'`;
}

/** An object literal's key for `name`: the name itself when it is an identifier, else a string literal. */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : str(name);
}

/** Text for a line comment (line breaks in names or types would end it). */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

/** A line comment. */
export function comment(text: string): string {
  return `// ${oneLine(text)}`;
}

/** `n` and the noun: `1 class`, `2 classes`. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
