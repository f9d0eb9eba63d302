import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { ConfigError } from '../../errors/pacer-error.js';
import { formatOfFileName } from '../../observations/formats/record-formats.js';
import type { FeedDefinition, FeedSourceSpec } from '../feed-schema.js';
import type { FeedSourceReader } from './feed-source.js';
import { sourceRecords } from './source-records.js';

type FileSpec = Extract<FeedSourceSpec, { type: 'file' }>;

/**
 * Reads a local file, or every file a glob in its last segment matches (`drop/*.csv`), sorted by
 * name; `.gz` files are decompressed as they stream. Paths are relative to the jobs folder.
 */
export function fileSource(feed: FeedDefinition, spec: FileSpec): FeedSourceReader {
  return async function* () {
    const files = await matchFiles(path.resolve(feed.baseDir, spec.path));
    for (const file of files) {
      const format = spec.format ?? formatOfFileName(file);
      if (!format)
        throw new ConfigError(`feed ${feed.id}: cannot tell the format of ${file}; set source.format`, [
          { code: 'unknown_format', field: 'source.format', message: `no format for ${path.basename(file)}` },
        ]);
      let stream: NodeJS.ReadableStream = createReadStream(file);
      if (file.endsWith('.gz')) stream = stream.pipe(createGunzip());
      yield {
        name: path.relative(feed.baseDir, file),
        records: sourceRecords(format, stream as AsyncIterable<Buffer>, {
          mapping: feed.mapping,
          recordsPath: spec.records,
          origin: file,
        }),
      };
    }
  };
}

async function matchFiles(pattern: string): Promise<string[]> {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  if (!/[*?]/.test(base)) {
    if (!(await stat(pattern).catch(() => undefined))?.isFile())
      throw new ConfigError(`file ${pattern} does not exist`, [
        { code: 'file_not_found', field: 'source.path', message: `cannot read ${pattern}` },
      ]);
    return [pattern];
  }
  const re = new RegExp(
    `^${base
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => re.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}
