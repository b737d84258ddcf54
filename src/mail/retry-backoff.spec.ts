import { describe, expect, it } from '@jest/globals';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from './retry-backoff.js';

describe('retryDelayMs', () => {
  const noJitter = () => 0;

  it('doubles with every failed attempt, starting at the base', () => {
    expect([1, 2, 3, 4, 5].map((attempts) => retryDelayMs(attempts, 2000, noJitter))).toEqual([
      2000, 4000, 8000, 16000, 32000,
    ]);
  });

  it('adds at most 10% jitter', () => {
    expect(retryDelayMs(3, 1000, () => 0.999)).toBe(4400);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(4200);
  });

  it('is capped however many attempts failed (no overflow for large counts)', () => {
    expect(retryDelayMs(100, 3_600_000, noJitter)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1_000_000, 1, noJitter)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('treats a zero attempt count like the first attempt', () => {
    expect(retryDelayMs(0, 50, noJitter)).toBe(50);
  });
});
