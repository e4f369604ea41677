// The scoreboard's deadline on the store (server/value/deadline.ts): an answer in time is passed
// on, no answer in time is the caller's error, and an answer that comes too late is dropped
// without an unhandled rejection.
import { describe, expect, it } from "vitest";
import { withinDeadline } from "../../server/value/deadline.ts";

describe("withinDeadline", () => {
  it("passes on an answer that comes in time", async () => {
    await expect(withinDeadline(Promise.resolve(42), 1000, () => new Error("late"))).resolves.toBe(42);
  });

  it("fails with the caller's error when no answer comes in time", async () => {
    const never = new Promise<number>(() => undefined);
    await expect(withinDeadline(never, 20, () => new Error("the store did not answer"))).rejects.toThrow("the store did not answer");
  });

  it("drops a failure that comes after the deadline", async () => {
    const slow = new Promise<number>((_, reject) => setTimeout(() => reject(new Error("too late to matter")), 60));
    await expect(withinDeadline(slow, 10, () => new Error("late"))).rejects.toThrow("late");
    // Give the late rejection time to happen: vitest fails the file on an unhandled one.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
});
