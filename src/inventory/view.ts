import type { FileRecord, LayerAnalysis } from './analysis.js';

interface Node {
  rec?: FileRecord;
  layer: number;
  children?: Map<string, Node>;
}

const MAX_SYMLINK_HOPS = 40;

function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

/**
 * The final filesystem of an image: layers applied in order with their
 * whiteouts and opaque directories (OCI image spec, "Representing changes").
 * Held as a tree so removing a directory is a single step.
 */
export class FileView {
  private readonly root: Node = { layer: -1 };

  /** Applies the next layer on top of the view. */
  apply(layer: number, a: LayerAnalysis): void {
    for (const dir of a.opaques) {
      const n = this.node(dir);
      if (n) n.children = undefined;
    }
    for (const w of a.whiteouts) {
      const parts = split(w);
      const name = parts.pop();
      const parent = this.node('/' + parts.join('/'));
      if (name !== undefined) parent?.children?.delete(name);
    }
    for (const rec of a.files) {
      const parts = split(rec.p);
      let n = this.root;
      for (const p of parts) {
        n.children ??= new Map();
        let next = n.children.get(p);
        if (!next) {
          next = { layer };
          n.children.set(p, next);
        }
        n = next;
      }
      if (rec.k !== 'd') n.children = undefined;
      n.rec = rec;
      n.layer = layer;
    }
  }

  /** Walks to `path` component by component, without building a list of them (the hot path of every lookup). */
  private node(path: string): Node | undefined {
    let n: Node | undefined = this.root;
    let i = 0;
    while (i < path.length) {
      let j = path.indexOf('/', i);
      if (j === -1) j = path.length;
      if (j > i && !(j === i + 1 && path.charCodeAt(i) === 46)) {
        n = n.children?.get(path.slice(i, j));
        if (!n) return undefined;
      }
      i = j + 1;
    }
    return n;
  }

  /** `path` when no component of it is a symlink, `..` or empty; else undefined (the caller resolves it fully). */
  private plain(path: string): string | undefined {
    if (path.length > 1 && path.endsWith('/')) return undefined;
    let n: Node | undefined = this.root;
    let i = path.startsWith('/') ? 1 : 0;
    while (i < path.length) {
      let j = path.indexOf('/', i);
      if (j === -1) j = path.length;
      const name = path.slice(i, j);
      if (name === '' || name === '.' || name === '..') return undefined;
      n = n?.children?.get(name);
      if (n?.rec?.k === 'l') return undefined;
      i = j + 1;
    }
    return path.startsWith('/') ? path : `/${path}`;
  }

  /** The member at `path` (not following symlinks) and the layer it comes from. */
  get(path: string): { rec: FileRecord; layer: number } | undefined {
    const n = this.node(path);
    return n?.rec ? { rec: n.rec, layer: n.layer } : undefined;
  }

  /**
   * Resolves every symlink in `path` inside the image root, like a chroot:
   * `..` stops at `/`, absolute targets restart at the image root. Returns
   * undefined on a loop (more than 40 links).
   */
  resolve(path: string): string | undefined {
    const fast = this.plain(path);
    if (fast !== undefined) return fast;
    const queue = split(path);
    const current: string[] = [];
    let hops = 0;
    while (queue.length > 0) {
      const c = queue.shift() as string;
      if (c === '..') {
        current.pop();
        continue;
      }
      const candidate = '/' + [...current, c].join('/');
      const n = this.node(candidate);
      if (n?.rec?.k === 'l' && n.rec.l !== undefined) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        const target = n.rec.l;
        if (target.startsWith('/')) current.length = 0;
        queue.unshift(...split(target));
        continue;
      }
      current.push(c);
    }
    return '/' + current.join('/');
  }

  /** Every member of the final filesystem, depth first, in name order. */
  *entries(): Generator<{ rec: FileRecord; layer: number }> {
    const stack: Node[] = [this.root];
    while (stack.length > 0) {
      const n = stack.pop() as Node;
      if (n.rec) yield { rec: n.rec, layer: n.layer };
      if (n.children) {
        const kids = [...n.children.entries()].sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
        for (const [, k] of kids) stack.push(k);
      }
    }
  }
}
