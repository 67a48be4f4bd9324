// Losses of the fast training path. Each returns the loss value (summed in
// double, in a fixed order: deterministic) and, when `dlogits` is non-null,
// writes dL/dlogits scaled by `scale` (gradient accumulation passes 1/accum).
// Reported losses are means, as PyTorch's default reduction='mean'.
// Transcendentals come from detmath.h, so the bits do not depend on the libm.
#pragma once
#include <cstdint>
#include <string>

namespace gradlab {

// HalfMse is ½·MSE, the loss of seed 001 (§4.3, App. A.1): its gradient is ŷ − y, not 2(ŷ − y).
enum class LossKind : uint8_t { Mse, CrossEntropy, Bce, HalfMse };
constexpr LossKind kLastLoss = LossKind::HalfMse;
// "mse", "halfMse" (alias "half_mse"), "crossEntropy" (alias "ce", "softmaxCrossEntropy"),
// "bce" (alias "bceWithLogits", "binaryCrossEntropy"); case-insensitive. fail()s on an unknown name.
LossKind parse_loss(const std::string& name);
const char* loss_name(LossKind k);

// MSE: pred [B,C], target [B,C]: L = Σ (pred − target)² / (B·C)
//      dpred = scale · 2(pred − target) / (B·C)
// With half: L = ½·Σ (pred − target)² / (B·C), dpred = scale · (pred − target) / (B·C).
template <class T>
double mse_loss(int B, int C, const T* pred, const T* target, T* dpred, double scale = 1.0, bool half = false);

// Softmax cross-entropy fused with log-sum-exp: logits [B,C], labels [B] in [0, C):
//      L = Σ_b (logsumexp(z_b) − z_b[y_b]) / B
//      dlogits = scale · (softmax(z_b) − onehot(y_b)) / B
// Labels are not checked here (the trainer validates them once, on set_data).
template <class T>
double softmax_cross_entropy(int B, int C, const T* logits, const int32_t* labels, T* dlogits,
                             double scale = 1.0);

// Binary cross-entropy with logits: logits [B,C], targets [B,C] in [0,1]:
//      L = Σ (max(z,0) − z·t + log(1 + e^−|z|)) / (B·C)
//      dlogits = scale · (σ(z) − t) / (B·C)
template <class T>
double bce_with_logits(int B, int C, const T* logits, const T* targets, T* dlogits, double scale = 1.0);

}  // namespace gradlab
