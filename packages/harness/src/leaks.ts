// The leak assertions every bundle test shares: a secret may appear raw only inside its own
// add-mask line; everything a reader can see (log, stderr, state, summary) is checked after
// masking, and the state file is checked raw (it is not a log: masking does not protect it).
import type { RunResult } from './run-action.ts';

export interface LeakReport {
  /** Secrets visible after runner masking. */
  visible: string[];
  /** Secrets printed before their add-mask line. */
  beforeMask: string[];
  /** Secrets stored in the state file. */
  inState: string[];
  /** Secrets in outputs or exported variables that were never registered as masks. */
  unmaskedFileValues: string[];
}

export function findLeaks(result: RunResult, secrets: string[]): LeakReport {
  const present = secrets.filter((secret) => secret !== '');
  const stateText = Object.entries(result.state)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  const fileValues = [...Object.values(result.outputs), ...Object.values(result.exported)].join('\n');
  const covered = (secret: string): boolean => result.log.masks.some((mask) => secret.includes(mask));
  return {
    visible: present.filter((secret) => result.visible.includes(secret)),
    beforeMask: [...new Set(result.log.shownBeforeMask)],
    inState: present.filter((secret) => stateText.includes(secret)),
    unmaskedFileValues: present.filter((secret) => fileValues.includes(secret) && !covered(secret)),
  };
}

export const NO_LEAKS: LeakReport = { visible: [], beforeMask: [], inState: [], unmaskedFileValues: [] };
