import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../domain/catalog/catalog-validator.js';
import type { InputIssue } from '../errors/pacer-error.js';

/** Helpers shared by the YAML loaders (catalog, feeds): issues that name the file, the line and the field. */

/** Every `*.yaml`/`*.yml` below `root`, recursively, sorted. */
export async function yamlFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/**
 * The non-empty documents of a YAML text, each with a locator of its paths. A syntax error is one
 * issue of `file`, its first: after one mistake the parser reports most later lines too, and those
 * are not mistakes of their own. Documents with an error are left out.
 */
export function yamlDocuments(
  text: string,
  file: string,
  issues: InputIssue[],
): { value: unknown; locate: (path: (string | number)[]) => number | undefined }[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(docs)) return []; // an empty file holds no documents
  const out: { value: unknown; locate: (path: (string | number)[]) => number | undefined }[] = [];
  let reported = false;
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      if (!reported) {
        const line = lineCounter.linePos(err.pos[0]).line;
        issues.push({ code: 'yaml_syntax', file, line, message: err.message.split('\n')[0]! });
      }
      reported = true;
      continue;
    }
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push({ value, locate: locator(doc, lineCounter) });
  }
  return out;
}

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

export function schemaIssue(
  zi: z.core.$ZodIssue,
  prefix: (string | number)[],
  value: unknown,
  file: string,
  locate: (path: (string | number)[]) => number | undefined,
  kinds: readonly string[],
): InputIssue {
  const zpath = [...prefix, ...zi.path.filter((k): k is string | number => typeof k !== 'symbol')];
  const field = formatPath(zpath);
  let message = zi.message;
  const top = value as Record<string, unknown>;
  if (zpath.length === 1 && zpath[0] === 'kind') {
    message = `expected kind ${kinds.join(', ')}; got ${JSON.stringify(top?.kind)}`;
  } else if (zi.code === 'unrecognized_keys') {
    message = `unknown field${zi.keys.length > 1 ? 's' : ''} ${zi.keys.map((k) => `"${k}"`).join(', ')}`;
    return {
      code: 'unknown_field',
      file,
      line: locate([...zpath, zi.keys[0]!]),
      field: formatPath([...zpath, zi.keys[0]!]),
      message,
    };
  } else if ((zi.code === 'invalid_type' || zi.code === 'invalid_union') && getIn(value, zpath) === undefined) {
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
