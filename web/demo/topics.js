// The site's topics in reading order: the index and each page's prev/next links use it.
export const TOPICS = Object.freeze([
  { id: 'graph', href: 'graph.html', title: 'Computation graph walkthrough', seeds: 'seed 002' },
  { id: 'chain-rule', href: 'chain-rule.html', title: 'The chain rule, gates and fan-out', seeds: 'seeds 002, 003' },
  { id: 'residuals', href: 'residuals.html', title: 'Residuals, a line fit by SGD, two layers', seeds: 'seed 000' },
  { id: 'two-layer', href: 'two-layer.html', title: 'A two-layer network and its finite-difference check', seeds: 'seed 001 App. A.1, App. D, exercise 3; seed 003' },
  { id: 'modes', href: 'modes.html', title: 'The Wengert tape; forward versus reverse mode', seeds: 'seed 001 §2.3, §8.4, B.1, B.2, C.2, exercises 1–2' },
  { id: 'activations', href: 'activations.html', title: 'Activation derivatives and saturation', seeds: 'seed 001 §5.2, §6.2, E.3' },
  { id: 'depth', href: 'depth.html', title: 'Vanishing gradients, initialization, clipping', seeds: 'seed 001 exercise 4, §6.3, E.4, §6.5' },
  { id: 'optimizers', href: 'optimizers.html', title: 'SGD, momentum, Adam and the schedule', seeds: 'seed 003' },
  { id: 'checkpointing', href: 'checkpointing.html', title: 'Gradient checkpointing', seeds: 'seed 001 exercise 5, §7.2; seed 002' },
  { id: 'precision', href: 'precision.html', title: 'Mixed precision and loss scaling', seeds: 'seed 001 §7.4' },
  { id: 'lora', href: 'lora.html', title: 'LoRA: the low-rank backward pass', seeds: 'seed 001 §9.2, exercise 7' },
  { id: 'discrete', href: 'discrete.html', title: 'Straight-through estimator and REINFORCE', seeds: 'seed 001 §2.5, §8.3, exercise 8' },
  { id: 'accumulation', href: 'accumulation.html', title: 'Gradient accumulation', seeds: 'seed 001 §9.3, seed 003' },
  { id: 'transformer', href: 'transformer.html', title: 'Attention, LayerNorm, residuals, softmax cross-entropy', seeds: 'seed 004; seed 001 §3.4, §5.3–5.5, exercise 6' },
  { id: 'memory', href: 'memory.html', title: 'The memory arithmetic of training', seeds: 'seed 001 §3.2, §7.1, §7.3, §9.4, App. H; seeds 002, 004' },
]);
