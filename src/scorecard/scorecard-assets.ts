import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** A static file the pages load, read once at start and kept with its gzip. */
export interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
  /** Short content hash: the URL carries it, so browsers may cache the file for good. */
  version: string;
}

const require = createRequire(import.meta.url);
const own = (name: string) => fileURLToPath(new URL(`./assets/${name}`, import.meta.url));

/**
 * The files served under `/assets/`: the scorecard's stylesheet and chart script, and uPlot
 * straight from its npm package (no CDN: the scorecard works offline).
 */
const sources = {
  'scorecard.css': { path: own('scorecard.css'), type: 'text/css; charset=utf-8' },
  'target-chart.js': { path: own('target-chart.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.min.js': { path: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.min.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
} as const;

export type AssetName = keyof typeof sources;

export class ScorecardAssets {
  private constructor(private readonly assets: ReadonlyMap<string, Asset>) {}

  static async load(): Promise<ScorecardAssets> {
    const entries = await Promise.all(
      Object.entries(sources).map(async ([name, source]) => {
        const body = await readFile(source.path);
        const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
        return [name, { body, gzip: gzipSync(body, { level: 9 }), type: source.type, version }] as const;
      }),
    );
    return new ScorecardAssets(new Map(entries));
  }

  get(name: string): Asset | undefined {
    return this.assets.get(name);
  }

  /** The versioned URL pages link to. */
  url(name: AssetName): string {
    return `/assets/${name}?v=${this.assets.get(name)!.version}`;
  }
}
