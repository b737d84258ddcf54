/** Never wait longer than this between two attempts, however many failed before. */
export const MAX_RETRY_DELAY_MS = 6 * 60 * 60 * 1000;

/**
 * Delay before the next attempt after `attempts` failed ones: base · 2^(attempts−1), capped, plus up
 * to 10% random jitter so that messages which failed together (an SMTP outage) do not all retry in
 * the same instant.
 */
export function retryDelayMs(attempts: number, baseMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const delay = Math.min(baseMs * 2 ** exponent, MAX_RETRY_DELAY_MS);
  return Math.round(delay + delay * 0.1 * random());
}
