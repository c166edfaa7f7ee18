/**
 * Called after each failed socket receive with the running count of failures:
 * every hundredth waits 50 ms, so a socket that keeps failing never spins a
 * core while one that fails now and then loses no time.
 */
export async function pauseAfterErrors(errors: number): Promise<void> {
  if (errors % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 50));
}
