/**
 * Settles as `promise` does, or resolves with undefined once `ms` have passed,
 * whichever comes first. The timer never outlives the call.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `promise` settles (either way) within `ms`; the timer never outlives the call. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return (await withTimeout(promise.then(() => true, () => true), ms)) ?? false;
}
