// The CPU trainer's minibatch order, reproduced in JavaScript so the GPU trains on the
// same batches: src/nn/rng.h (xoshiro128** seeded through SplitMix64, Lemire's unbiased
// bounded integers, Fisher–Yates) and Trainer::next_batch of src/nn/trainer.cpp
// ('random': B draws with replacement; 'epoch': passes over a seeded shuffle, a batch
// never straddles two passes).

const MASK64 = (1n << 64n) - 1n;

export class Rng {
  constructor(seed = 0) {
    this.s = new Uint32Array(4);
    this.reseed(seed);
  }
  reseed(seed) {
    let z = BigInt(seed) & MASK64;
    for (let i = 0; i < 2; i++) {
      z = (z + 0x9e3779b97f4a7c15n) & MASK64;
      let r = z;
      r = ((r ^ (r >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
      r = ((r ^ (r >> 27n)) * 0x94d049bb133111ebn) & MASK64;
      r ^= r >> 31n;
      this.s[2 * i] = Number(r & 0xffffffffn);
      this.s[2 * i + 1] = Number(r >> 32n);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }
  nextU32() {
    const s = this.s;
    const rotl = (x, k) => ((x << k) | (x >>> (32 - k))) >>> 0;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
  // (x·n) >> 32 and (x·n) mod 2³² exactly, from 16-bit halves (every product < 2⁵³).
  static mulHiLo(x, n) {
    const p1 = (x >>> 16) * n, p0 = (x & 0xffff) * n;
    const mid = (p1 % 65536) * 65536 + p0;
    return [Math.floor(p1 / 65536) + Math.floor(mid / 4294967296), mid % 4294967296];
  }
  /** Uniform integer in [0, n), n ≥ 1. */
  below(n) {
    let [hi, lo] = Rng.mulHiLo(this.nextU32(), n);
    if (lo < n) {
      const threshold = (4294967296 - n) % n;
      while (lo < threshold) [hi, lo] = Rng.mulHiLo(this.nextU32(), n);
    }
    return hi;
  }
  shuffle(idx) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
  }
}

/** Draws the sample indices of successive micro-batches exactly as the CPU trainer does. */
export class BatchSampler {
  constructor(n, batchSize, sampling, seed) {
    if (sampling !== 'random' && sampling !== 'epoch') throw new RangeError(`unknown sampling '${sampling}' (expected random or epoch)`);
    this.n = n;
    this.B = batchSize;
    this.sampling = sampling;
    this.rng = new Rng(seed);
    this.perm = null;
    this.pos = 0;
  }
  /** Writes one micro-batch of B indices into out[at ..]. */
  next(out, at) {
    const { n, B } = this;
    if (this.sampling === 'random') {
      for (let b = 0; b < B; b++) out[at + b] = this.rng.below(n);
      return;
    }
    if (this.pos + B > n) this.pos = n;  // a batch never straddles two passes
    for (let b = 0; b < B; b++) {
      if (this.perm === null || this.pos >= n) {
        this.perm ??= new Int32Array(n);
        for (let i = 0; i < n; i++) this.perm[i] = i;
        this.rng.shuffle(this.perm);
        this.pos = 0;
      }
      out[at + b] = this.perm[this.pos++];
    }
  }
}
