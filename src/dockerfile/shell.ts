/**
 * A small POSIX shell reader, enough for the rules: simple commands split on
 * `&&`, `||`, `;`, `|`, `&` and newlines, quotes and escapes removed, `$( )`,
 * backticks and `<( )` read as nested commands, here-document bodies set apart
 * as data, `#` comments skipped. It never fails: malformed input gives its best
 * reading. Every character is looked at a bounded number of times, and nesting
 * deeper than MAX_DEPTH is read as plain text, so time is linear in the input.
 */

export interface ShellWord {
  /** Quotes removed and escapes resolved; `$VAR` and substitutions kept as written. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Part of the word was quoted or escaped. */
  readonly quoted: boolean;
}

export interface ShellHeredoc {
  readonly delimiter: string;
  readonly quoted: boolean;
  readonly fd: number;
  readonly content: string;
  /** Offset of the body in the script. */
  readonly contentStart: number;
}

export interface ShellRedirect {
  readonly op: string;
  readonly fd?: number;
  readonly target?: ShellWord;
}

export interface ShellCommand {
  /** Assignments and arguments, redirections left out. */
  readonly words: readonly ShellWord[];
  readonly redirects: readonly ShellRedirect[];
  readonly heredocs: readonly ShellHeredoc[];
  readonly start: number;
  readonly end: number;
  /** Commands joined by `|` share a pipeline number. */
  readonly pipeline: number;
  /** Position in its pipeline, 0 first. */
  readonly pipeIndex: number;
  /** The operator after the command: `|`, `&&`, `||`, `;`, `&`, a newline, or '' at the end. */
  readonly connector: string;
  /** 0 at top level; deeper inside `$( )`, backticks, `<( )` and `( )`. */
  readonly depth: number;
  /** Inside a command or process substitution. */
  readonly substitution: boolean;
}

const MAX_DEPTH = 24;

interface MutableCommand {
  words: ShellWord[];
  redirects: ShellRedirect[];
  heredocs: ShellHeredoc[];
  start: number;
  end: number;
}

interface Pending {
  readonly delimiter: string;
  readonly quoted: boolean;
  readonly chomp: boolean;
  readonly fd: number;
  readonly into: ShellHeredoc[];
}

class Reader {
  i = 0;
  pipeline = 0;
  readonly out: ShellCommand[] = [];
  readonly pending: Pending[] = [];

  constructor(readonly s: string) {}

  private blank(): void {
    const s = this.s;
    for (;;) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\r') this.i++;
      else if (c === '\\' && s[this.i + 1] === '\n') this.i += 2;
      else return;
    }
  }

  /** Reads commands until `closer` (consumed) or the end. */
  list(depth: number, closer: string, substitution: boolean): void {
    const s = this.s;
    let pipeIndex = 0;
    while (this.i < s.length) {
      const before = this.i;
      this.blank();
      const c = s[this.i];
      if (c === undefined) break;
      if (c === closer) {
        this.i++;
        return;
      }
      if (c === '(' && depth < MAX_DEPTH) {
        this.i++;
        this.list(depth + 1, ')', substitution);
        continue;
      }
      const cmd = this.command(depth, closer);
      const op = this.operator(closer);
      if (cmd !== undefined) {
        this.out.push({
          ...cmd,
          pipeline: this.pipeline,
          pipeIndex,
          connector: op,
          depth,
          substitution,
        });
      }
      if (op === '|') pipeIndex++;
      else if (cmd !== undefined || op !== '') {
        this.pipeline++;
        pipeIndex = 0;
      }
      if (op === '\n') this.bodies();
      if (this.i === before) this.i++;
    }
  }

  private operator(closer: string): string {
    const s = this.s;
    this.blank();
    const c = s[this.i];
    const d = s[this.i + 1];
    if (c === undefined || c === closer) return '';
    if (c === '\n') {
      this.i++;
      return '\n';
    }
    if (c === '|') {
      if (d === '|') {
        this.i += 2;
        return '||';
      }
      this.i += d === '&' ? 2 : 1;
      return '|';
    }
    if (c === '&') {
      this.i += d === '&' ? 2 : 1;
      return d === '&' ? '&&' : '&';
    }
    if (c === ';') {
      this.i += d === ';' ? 2 : 1;
      return ';';
    }
    if (c === ')') {
      this.i++;
      return ';';
    }
    return '';
  }

  /** Reads pending here-document bodies after a newline. */
  private bodies(): void {
    const s = this.s;
    for (const p of this.pending.splice(0)) {
      const contentStart = this.i;
      let content = '';
      while (this.i < s.length) {
        let nl = s.indexOf('\n', this.i);
        if (nl < 0) nl = s.length;
        const line = s.slice(this.i, nl);
        this.i = Math.min(s.length, nl + 1);
        if ((p.chomp ? line.replace(/^\t+/, '') : line) === p.delimiter) break;
        content += line + '\n';
      }
      p.into.push({ delimiter: p.delimiter, quoted: p.quoted, fd: p.fd, content, contentStart });
    }
  }

  private command(depth: number, closer: string): MutableCommand | undefined {
    const s = this.s;
    const cmd: MutableCommand = { words: [], redirects: [], heredocs: [], start: this.i, end: this.i };
    for (;;) {
      this.blank();
      const c = s[this.i];
      if (c === undefined || c === '\n' || c === ';' || c === '|' || c === closer || c === ')') break;
      if (c === '&' && s[this.i + 1] !== '>') break;
      if (c === '#') {
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? s.length : nl;
        break;
      }
      if (c === '(' && cmd.words.length === 0 && depth < MAX_DEPTH) {
        this.i++;
        this.list(depth + 1, ')', false);
        cmd.start = this.i;
        continue;
      }
      if (this.redirect(cmd, depth, closer)) continue;
      const w = this.word(depth, closer);
      if (w.end === w.start) {
        this.i++;
        continue;
      }
      cmd.words.push(w);
      cmd.end = w.end;
    }
    return cmd.words.length > 0 || cmd.redirects.length > 0 ? cmd : undefined;
  }

  private redirect(cmd: MutableCommand, depth: number, closer: string): boolean {
    const s = this.s;
    let j = this.i;
    while (j < s.length && j - this.i < 9 && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    const c = s[j];
    const amp = j === this.i && c === '&' && s[j + 1] === '>';
    if (!amp && c !== '<' && c !== '>') return false;
    if ((c === '<' || c === '>') && s[j + 1] === '(') return false;
    const fd = j > this.i ? Number.parseInt(s.slice(this.i, j), 10) : undefined;
    let op = '';
    for (const cand of ['&>>', '&>', '<<<', '<<-', '<<', '<&', '<>', '<', '>>', '>&', '>|', '>']) {
      if (s.startsWith(cand, j)) {
        op = cand;
        break;
      }
    }
    this.i = j + op.length;
    this.blank();
    const target = this.word(depth, closer);
    const redirect: ShellRedirect = {
      op,
      ...(fd !== undefined ? { fd } : {}),
      ...(target.end > target.start ? { target } : {}),
    };
    cmd.redirects.push(redirect);
    cmd.end = Math.max(cmd.end, this.i);
    if ((op === '<<' || op === '<<-') && target.end > target.start) {
      this.pending.push({
        delimiter: target.text,
        quoted: target.quoted,
        chomp: op === '<<-',
        fd: fd ?? 0,
        into: cmd.heredocs,
      });
    }
    return true;
  }

  /** Skips to the `close` matching an already consumed `open`, counting nesting, without reading commands. */
  private skipBalanced(open: string, close: string): void {
    const s = this.s;
    let n = 1;
    while (this.i < s.length && n > 0) {
      const c = s[this.i];
      if (c === '\\') this.i++;
      else if (c === open) n++;
      else if (c === close) n--;
      this.i++;
    }
  }

  private substitution(depth: number, closer: string): void {
    if (depth + 1 >= MAX_DEPTH) {
      if (closer === '`') {
        const end = this.s.indexOf('`', this.i);
        this.i = end < 0 ? this.s.length : end + 1;
      } else this.skipBalanced('(', ')');
      return;
    }
    this.list(depth + 1, closer, true);
  }

  private word(depth: number, closer: string): ShellWord {
    const s = this.s;
    const start = this.i;
    let text = '';
    let quoted = false;
    while (this.i < s.length) {
      const c = s[this.i] as string;
      const d = s[this.i + 1];
      if (c === '\\') {
        if (d === '\n') this.i += 2;
        else {
          if (d !== undefined) text += d;
          quoted = true;
          this.i += 2;
        }
        continue;
      }
      if (c === "'") {
        const end = s.indexOf("'", this.i + 1);
        const stop = end < 0 ? s.length : end;
        text += s.slice(this.i + 1, stop);
        quoted = true;
        this.i = stop + 1;
        continue;
      }
      if (c === '"') {
        this.i++;
        text += this.doubleQuoted(depth);
        quoted = true;
        continue;
      }
      if (c === '$' || c === '`' || ((c === '<' || c === '>') && d === '(' && this.i === start)) {
        if (c === '`' && closer === '`') break;
        const from = this.i;
        if (this.expansion(depth)) {
          text += s.slice(from, this.i);
          continue;
        }
      }
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || ';&|<>()'.includes(c)) break;
      if (c === closer) break;
      text += c;
      this.i++;
    }
    return { text, start, end: this.i, quoted };
  }

  /** Reads `$( )`, `$(( ))`, `${ }`, backticks and `<( )` at the cursor; false when there is none. */
  private expansion(depth: number): boolean {
    const s = this.s;
    const c = s[this.i];
    const d = s[this.i + 1];
    if (c === '`') {
      this.i++;
      this.substitution(depth, '`');
      return true;
    }
    if (c === '<' || c === '>') {
      this.i += 2;
      this.substitution(depth, ')');
      return true;
    }
    if (d === '(' && s[this.i + 2] === '(') {
      this.i += 3;
      this.skipBalanced('(', ')');
      if (s[this.i] === ')') this.i++;
      return true;
    }
    if (d === '(') {
      this.i += 2;
      this.substitution(depth, ')');
      return true;
    }
    if (d === '{') {
      this.i += 2;
      this.skipBalanced('{', '}');
      return true;
    }
    return false;
  }

  private doubleQuoted(depth: number): string {
    const s = this.s;
    let text = '';
    while (this.i < s.length) {
      const c = s[this.i] as string;
      const d = s[this.i + 1];
      if (c === '"') {
        this.i++;
        break;
      }
      if (c === '\\' && d !== undefined && '$`"\\\n'.includes(d)) {
        if (d !== '\n') text += d;
        this.i += 2;
        continue;
      }
      if (c === '$' || c === '`') {
        const from = this.i;
        if (this.expansion(depth)) {
          text += s.slice(from, this.i);
          continue;
        }
      }
      text += c;
      this.i++;
    }
    return text;
  }
}

/** Reads a shell script into its simple commands, nested ones (substitutions, subshells) before the command holding them. */
export function parseShell(script: string): ShellCommand[] {
  const r = new Reader(script);
  r.list(0, '', false);
  return r.out;
}
