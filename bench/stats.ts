// Statistics shared by the bench's host-side modules. A module of its own, so
// that `npm run bench -- registry` loads neither autocannon nor the backend's
// test support. (The in-process child script keeps its own: another process.)

/** The median: the middle value, or the mean of the two middle values. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
