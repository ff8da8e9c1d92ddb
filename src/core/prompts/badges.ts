// Pure (no Node APIs): also bundled into the Generator panel's page.

/** Seed 000's usage suffix: `[unused]` or `[3x used]`. */
export function usageBadge(count: number): string {
  return count === 0 ? '[unused]' : `[${count}x used]`;
}
