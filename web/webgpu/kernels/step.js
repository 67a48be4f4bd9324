// The per-step record every step-dependent kernel (gather, loss, optimizer) reads from a
// uniform buffer. A chunk of training steps is one submission: before each step the
// encoder copies that step's record from a table into this buffer, so the same bind
// groups serve every step.
export const STEP_WGSL = /* wgsl */ `
struct Step {
  lr: f32,            // η of this step (schedule applied)
  stepSize: f32,      // Adam: η / (1 − β1ᵗ)
  invSqrtBc2: f32,    // Adam: 1 / √(1 − β2ᵗ)
  shrink: f32,        // AdamW: 1 − η·λ
  slot: u32,          // index of this step's loss in the losses buffer
  batchOffset: u32,   // first index of this micro-batch in the index table
  accumulate: u32,    // 1 after the first micro-batch of a step (gradients and loss add up)
  pad: u32,
}
`;
export const STEP_BYTES = 32;
/** Record stride in the table: copyBufferToBuffer offsets must be multiples of 4; 256 keeps them tidy. */
export const STEP_STRIDE = 256;

/** Writes one record at `byteOffset` of `view` (a DataView). */
export function writeStep(view, byteOffset, { lr = 0, stepSize = 0, invSqrtBc2 = 0, shrink = 1, slot = 0, batchOffset = 0, accumulate = 0 }) {
  view.setFloat32(byteOffset, lr, true);
  view.setFloat32(byteOffset + 4, stepSize, true);
  view.setFloat32(byteOffset + 8, invSqrtBc2, true);
  view.setFloat32(byteOffset + 12, shrink, true);
  view.setUint32(byteOffset + 16, slot, true);
  view.setUint32(byteOffset + 20, batchOffset, true);
  view.setUint32(byteOffset + 24, accumulate, true);
  view.setUint32(byteOffset + 28, 0, true);
}
