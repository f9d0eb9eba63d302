import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../domain/catalog/catalog-validator.js';
import type { InputIssue } from '../errors/pacer-error.js';

/** Helpers shared by the YAML loaders (catalog, feeds): issues that name the file, the line and the field. */

/** Line of the deepest node that exists along `path` (a missing key points at its parent). */
export function locator(doc: Document, lineCounter: LineCounter) {
  return (p: (string | number)[]): number | undefined => {
    for (let depth = p.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(p.slice(0, depth), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
}

export function schemaIssue(zi: z.core.$ZodIssue, prefix: (string | number)[], value: unknown, file: string, locate: (path: (string | number)[]) => number | undefined, kinds: readonly string[]): InputIssue {
  const zpath = [...prefix, ...zi.path.filter((k): k is string | number => typeof k !== 'symbol')];
  const field = formatPath(zpath);
  let message = zi.message;
  const top = value as Record<string, unknown>;
  if (zpath.length === 1 && zpath[0] === 'kind') {
    message = `expected kind ${kinds.join(', ')}; got ${JSON.stringify(top?.kind)}`;
  } else if (zi.code === 'unrecognized_keys') {
    message = `unknown field${zi.keys.length > 1 ? 's' : ''} ${zi.keys.map((k) => `"${k}"`).join(', ')}`;
    return { code: 'unknown_field', file, line: locate([...zpath, zi.keys[0]!]), field: formatPath([...zpath, zi.keys[0]!]), message };
  } else if (zi.code === 'invalid_type' && getIn(value, zpath) === undefined) {
    message = 'required';
  }
  return { code: 'schema', file, line: locate(zpath), field: field || undefined, message };
}

function getIn(value: unknown, p: (string | number)[]): unknown {
  let cur = value;
  for (const key of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}
