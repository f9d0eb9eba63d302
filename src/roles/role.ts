/** The roles one Pacer process can play; `pacer start` plays all of them by default. */
export const roleNames = ['api', 'worker', 'scheduler'] as const;
export type RoleName = (typeof roleNames)[number];

/** A long-running part of the process, started and stopped by the wiring. */
export interface Role {
  readonly name: RoleName;
  start(): Promise<void>;
  /** Stops taking new work and finishes (or hands back) what is in flight. */
  stop(): Promise<void>;
}

/** Parses `api,worker` into role names; unknown names are a user error. */
export function parseRoles(text: string): RoleName[] | { unknown: string[] } {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(roleNames as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) return { unknown: unknown.length > 0 ? unknown : [text] };
  return [...new Set(names)] as RoleName[];
}

/**
 * Waits for `work` up to `graceMs`; true if it settled in time. A role's stop() uses it to give runs
 * in flight their grace period before aborting them.
 */
export async function settlesWithin(work: Promise<unknown>, graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
  try {
    return await Promise.race([work.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
