/** Minimum of the values seen in the last `windowMs` (a monotonic deque: O(1) amortised per sample). */
export interface MinWindow {
  add(atMs: number, value: number): void;
  /** Minimum over the window ending at the newest sample; null when empty. The newest sample never expires. */
  min(): number | null;
  clear(): void;
}

export function createMinWindow(windowMs: number): MinWindow {
  const times: number[] = [];
  const values: number[] = [];
  let head = 0;
  return {
    add(atMs, value) {
      while (values.length > head && values[values.length - 1]! >= value) {
        values.pop();
        times.pop();
      }
      values.push(value);
      times.push(atMs);
      while (head < values.length - 1 && times[head]! < atMs - windowMs) head++;
      if (head > 64 && head * 2 > values.length) {
        values.splice(0, head);
        times.splice(0, head);
        head = 0;
      }
    },
    min() {
      return values.length > head ? values[head]! : null;
    },
    clear() {
      values.length = 0;
      times.length = 0;
      head = 0;
    },
  };
}
