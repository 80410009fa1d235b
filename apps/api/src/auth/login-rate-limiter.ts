/**
 * Sliding-window limiter for sign-in attempts, keyed on IP + email and on IP alone.
 * In-process: with several API instances each keeps its own window, which still bounds
 * guessing to N × instances per minute.
 */
export class LoginRateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an attempt; returns the seconds to wait when over the limit, else 0. */
  attempt(ip: string, email: string): number {
    const t = this.now();
    const keys = [`ip+email:${ip}|${email.toLowerCase()}`, `ip:${ip}`];
    const limits = [this.perMinute, this.perMinute * 4];
    let wait = 0;
    keys.forEach((key, i) => {
      const list = (this.hits.get(key) ?? []).filter((x) => t - x < 60_000);
      if (list.length >= limits[i]!) {
        wait = Math.max(wait, Math.ceil((list[0]! + 60_000 - t) / 1000));
      } else {
        list.push(t);
      }
      this.hits.set(key, list);
    });
    if (this.hits.size > 10_000) this.prune(t);
    return wait;
  }

  /** A successful sign-in clears the user's window. */
  reset(ip: string, email: string): void {
    this.hits.delete(`ip+email:${ip}|${email.toLowerCase()}`);
  }

  private prune(t: number): void {
    for (const [k, v] of this.hits) if (v.every((x) => t - x >= 60_000)) this.hits.delete(k);
  }
}
