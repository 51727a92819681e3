/**
 * The shared base class of every typed error thrown by abstractions-ts.
 *
 * `catch (e) { if (e instanceof AbstractionsError) ... }` catches all of the library's own
 * errors; `e.name` is the concrete class name (`'AddressSyntaxError'`, ...), so logs and
 * `String(e)` show which one. The prototype chain is set explicitly so `instanceof` works for
 * every subclass even when compiled to targets that break subclassing of built-ins.
 */
export class AbstractionsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.setPrototypeOf(this, new.target.prototype);
    // Non-enumerable like Error.prototype.name, so it does not clutter JSON or test diffs.
    Object.defineProperty(this, 'name', {
      value: new.target.name,
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }
}

/** An error as one line of text for a message, whatever was thrown (reading it may throw too). @internal */
export function errorText(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'an error that cannot be read';
  }
}
