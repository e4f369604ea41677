// A deadline for reading the scoreboard's figures from a store (the dashboard's request, `kairos
// report value`): a store that does not answer in time is an error the caller names, never a page
// or a command that hangs. The store's own work goes on (a query cannot be called back from
// here); only the answer is no longer waited for.

/** How long the scoreboard waits for the store's figures by default: 20 s. */
export const VALUE_DEADLINE_MS = 20_000;

/** `work`'s result, or the error `late()` makes once `ms` have passed without one. */
export async function withinDeadline<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    // Promise.race subscribes to `work`, so its rejection after the deadline is not unhandled.
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
