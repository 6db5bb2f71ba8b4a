// What the stand-ins share for "wait until something matching has arrived":
// check what is there, else be woken on each arrival, with a deadline.

/** Resolves with the first of `items()` matching `predicate`, now or once a waiter in `waiters` is woken. */
export function waitForItem<T>(
  items: () => readonly T[],
  predicate: (item: T) => boolean,
  waiters: Set<() => void>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const check = () => {
      const found = items().find(predicate);
      if (found === undefined) return false;
      clearTimeout(timer);
      waiters.delete(check);
      resolve(found);
      return true;
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`${what} after ${timeoutMs} ms`));
    }, timeoutMs);
    if (!check()) waiters.add(check);
  });
}
