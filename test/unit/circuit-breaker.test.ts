import { beforeEach, describe, expect, it } from "vitest";
import { admit, OPEN_MS, recordFailure, recordSuccess, releaseProbe, resetCircuitBreakers } from "../../src/resilience/circuit-breaker.ts";

describe("a circuit breaker", () => {
  beforeEach(resetCircuitBreakers);
  const t0 = 1_000_000;

  it("stays closed through two failures and opens on the third, failing fast with Retry-After", () => {
    recordFailure("sam", "alice", t0);
    recordFailure("sam", "alice", t0);
    expect(admit("sam", "alice", t0)).toEqual({ allowed: true, probe: false });
    recordFailure("sam", "alice", t0);
    expect(admit("sam", "alice", t0 + 1)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(admit("garage", "alice", t0 + 1)).toEqual({ allowed: true, probe: false });
  });

  it("a success resets the count", () => {
    recordFailure("sam", "alice", t0);
    recordFailure("sam", "alice", t0);
    recordSuccess("sam");
    recordFailure("sam", "alice", t0);
    expect(admit("sam", "alice", t0).allowed).toBe(true);
  });

  it("after 30 s lets exactly one request probe; its success closes the circuit", () => {
    for (let i = 0; i < 3; i++) recordFailure("sam", "alice", t0);
    expect(admit("sam", "alice", t0 + OPEN_MS)).toEqual({ allowed: true, probe: true });
    expect(admit("sam", "alice", t0 + OPEN_MS).allowed).toBe(false);
    recordSuccess("sam");
    expect(admit("sam", "alice", t0 + OPEN_MS)).toEqual({ allowed: true, probe: false });
  });

  it("a failed probe reopens the circuit for another 30 s", () => {
    for (let i = 0; i < 3; i++) recordFailure("sam", "alice", t0);
    expect(admit("sam", "alice", t0 + OPEN_MS).allowed).toBe(true);
    recordFailure("sam", "alice", t0 + OPEN_MS);
    expect(admit("sam", "alice", t0 + OPEN_MS + 1)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(admit("sam", "alice", t0 + 2 * OPEN_MS)).toEqual({ allowed: true, probe: true });
  });

  it("a probe whose client left lets the next request probe", () => {
    for (let i = 0; i < 3; i++) recordFailure("sam", "alice", t0);
    expect(admit("sam", "alice", t0 + OPEN_MS).allowed).toBe(true);
    releaseProbe("sam");
    expect(admit("sam", "alice", t0 + OPEN_MS)).toEqual({ allowed: true, probe: true });
  });

  it("a circuit opened by one user's failures is open for that user only, until a second user sees it fail", () => {
    for (let i = 0; i < 3; i++) recordFailure("sam", "mallory", t0);
    expect(admit("sam", "mallory", t0 + 1).allowed).toBe(false);
    expect(admit("sam", "alice", t0 + 1)).toEqual({ allowed: true, probe: false });
    recordFailure("sam", "alice", t0 + 2);
    expect(admit("sam", "alice", t0 + 3).allowed).toBe(false);
    expect(admit("sam", "bob", t0 + 3).allowed).toBe(false);
  });
});
