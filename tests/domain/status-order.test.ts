import { describe, expect, it } from 'vitest';
import {
  compareWorstFirst,
  paceGap,
  statusesWorstFirst,
  type Rankable,
} from '../../src/domain/evaluation/status-order.js';
import { targetStatuses } from '../../src/domain/evaluation/target-evaluation.js';

const t = (
  id: string,
  status: Rankable['status'],
  progress: number | null,
  expectedProgress = 1,
  deadline = 0,
): Rankable => ({ id, status, progress, expectedProgress, deadline });
const order = (items: Rankable[]) => [...items].sort(compareWorstFirst).map((x) => x.id);

describe('worst first', () => {
  it('ranks every status: missed, off_track, at_risk, no_data, on_track, achieved', () => {
    expect([...statusesWorstFirst].sort()).toEqual([...targetStatuses].sort());
    expect(
      order([
        t('a', 'achieved', 1),
        t('b', 'on_track', 0.5),
        t('c', 'no_data', null),
        t('d', 'at_risk', 0.4),
        t('e', 'off_track', 0.2),
        t('f', 'missed', 0.9),
      ]),
    ).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
  });

  it('puts the target furthest behind its expected pace first within a status, unknown progress before any', () => {
    expect(
      order([t('near', 'off_track', 0.5, 0.6), t('far', 'off_track', 0.1, 0.9), t('unknown', 'off_track', null, 0.1)]),
    ).toEqual(['unknown', 'far', 'near']);
    expect(paceGap({ progress: 0.25, expectedProgress: 1 })).toBe(0.75);
  });

  it('breaks ties by the nearest deadline, then by id, so every run lists the same order', () => {
    expect(
      order([t('b', 'missed', null, 1, 200), t('c', 'missed', null, 1, 100), t('a', 'missed', null, 1, 200)]),
    ).toEqual(['c', 'a', 'b']);
  });
});
