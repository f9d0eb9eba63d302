import type { ObservationIssue } from './observation.js';
import { storableText } from './stored-text.js';

/**
 * The issues of one batch: every one is counted, the first `keep` are kept for the response. A
 * million bad lines must not become a million objects in memory.
 */
export class IssueList {
  readonly kept: ObservationIssue[] = [];
  total = 0;
  /** Records with at least one issue. */
  rejected = 0;
  private lastLine = -1;

  constructor(private readonly keep = 100) {}

  add(line: number, field: string, code: string, message: string): void {
    this.total++;
    if (line !== this.lastLine) {
      this.rejected++;
      this.lastLine = line;
    }
    // Issues echo client text, and the kept ones are stored with the batch: no NUL or lone surrogate may pass.
    if (this.kept.length < this.keep) {
      this.kept.push({ line, field: storableText(field), code, message: storableText(message) });
    }
  }
}
