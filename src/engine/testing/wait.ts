/** Waits for a condition in tests that drive workers over message channels: a guard against hanging, not a timing assertion. */
export async function waitUntil(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
