// Stand-ins for the dependency bag's clock and logger: time that passes only when slept, and a log
// that remembers every line by level.
import type { Clock, Logger } from '@cloudcreds/core';

export function fakeClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  let now = 0;
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

export type RecordingLogger = Logger & { lines: Record<'info' | 'warning' | 'notice' | 'debug', string[]> };

export function recordingLogger(debug = false): RecordingLogger {
  const lines = {
    info: [] as string[],
    warning: [] as string[],
    notice: [] as string[],
    debug: [] as string[],
  };
  return {
    lines,
    info: (message) => lines.info.push(message),
    warning: (message) => lines.warning.push(message),
    notice: (message) => lines.notice.push(message),
    debug: (message) => lines.debug.push(message),
    isDebug: () => debug,
  };
}
