/**
 * Which indicators a token may write: a list of ids and `*` patterns (`vneid_*`, `*_ratio`).
 * No list means every indicator. Patterns use only `*`, so they are safe to compile to a regular
 * expression and cheap to test.
 */
export class IndicatorScope {
  private readonly patterns: RegExp[] | undefined;
  private readonly decided = new Map<string, boolean>();

  constructor(readonly spec: readonly string[] | undefined) {
    this.patterns = spec?.map((p) => new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`));
  }

  allows(indicatorId: string): boolean {
    if (!this.patterns) return true;
    let allowed = this.decided.get(indicatorId);
    if (allowed === undefined) {
      allowed = this.patterns.some((p) => p.test(indicatorId));
      this.decided.set(indicatorId, allowed);
    }
    return allowed;
  }

  describe(): string {
    return this.spec ? this.spec.join(', ') : 'all indicators';
  }
}

/** A valid scope entry: an indicator id shape with optional `*` wildcards. */
export const scopePattern = /^[a-z0-9_*]{1,100}$/;

/** Splits `vneid_*, chip_id_cards_issued` into entries; returns the invalid ones too. */
export function parseScope(text: string): { patterns: string[]; invalid: string[] } {
  const patterns = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { patterns, invalid: patterns.filter((p) => !scopePattern.test(p)) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
