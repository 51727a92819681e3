/** One-line progress on stderr, rewritten in place with '\r' (plain lines when stderr is not a TTY). */
export class ProgressLine {
  private last = 0;
  private width = 0;
  private readonly tty = !!process.stderr.isTTY;

  update(text: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    if (this.tty) {
      const pad = Math.max(0, this.width - text.length);
      process.stderr.write('\r' + text + ' '.repeat(pad));
      this.width = text.length;
    } else if (force) {
      process.stderr.write(text + '\n');
    }
  }

  done(): void {
    if (this.tty && this.width) process.stderr.write('\r' + ' '.repeat(this.width) + '\r');
    this.width = 0;
  }
}

export function formatProgress(p: {
  size: string;
  caseName: string;
  phase: string;
  done: number;
  total: number;
  job: number;
  jobs: number;
}): string {
  return `[${p.job}/${p.jobs}] size ${p.size} | ${p.caseName} | ${p.phase} ${p.done}/${p.total}`;
}
