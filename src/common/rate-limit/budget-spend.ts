import { ThrottlerStorage } from '@nestjs/throttler';

/** The answer to spending several hits of a budget at once. */
export interface BudgetSpend {
  allowed: boolean;
  /** Hits counted in the window after this spend (or before it, when refused). */
  totalHits: number;
  /** When refused: whole seconds until the window (or the block) ends. */
  retryAfterSeconds: number;
}

/**
 * A counter storage that can also spend `cost` hits in one step, all or none: a bulk request of
 * n invitations costs n emails of the organization's hourly budget (API.md). A spend that does not
 * fit is refused without counting anything and without blocking the key, so a smaller request may
 * still fit; the counters are the same ones @nestjs/throttler's per-hit `increment` uses.
 */
export interface SpendableStorage extends ThrottlerStorage {
  spend(key: string, ttl: number, limit: number, cost: number): Promise<BudgetSpend>;
}
