// Helpers shared by the Node tests and the Chromium page: error norm and a seeded RNG.
/** ‖got − want‖₂ / ‖want‖₂ (plain ‖got − want‖₂ when want is all zero). */
export function relErr(got, want) {
  let num = 0, den = 0;
  for (let i = 0; i < want.length; i++) {
    const d = got[i] - want[i];
    num += d * d;
    den += want[i] * want[i];
  }
  return den > 0 ? Math.sqrt(num / den) : Math.sqrt(num);
}

/** Seeded uniform numbers in [lo, hi) (mulberry32): the tests are reproducible. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.uniform = (lo, hi) => lo + (hi - lo) * next();
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  next.array = (n, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * next());
  return next;
}
