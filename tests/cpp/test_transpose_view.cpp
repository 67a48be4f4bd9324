// Transpose as a view (core/tape.h, ValueState; ops/matmul.cpp): matmul of a transpose
// node runs the Aᵀ·B / A·Bᵀ GEMM on the transpose's input instead of copying it first.
// Every value and gradient must be the very bits of the copy path: the same graph with
// the transposed matrix given as a leaf of its own (the GEMM's bit-reproducibility
// contract makes the flagged and the copied product equal).
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/tape.h"
#include "doctest.h"
#include "ops/ops.h"
#include "teaching/trace.h"

using namespace gradlab;

namespace {

std::vector<double> random_values(int64_t n, uint32_t seed) {
  std::vector<double> v(static_cast<size_t>(n));
  uint32_t s = seed * 2654435761u + 1;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = -1 + 2 * (s / 4294967296.0);
  }
  return v;
}

// x [r, c] -> [c, r]
std::vector<double> transposed(const std::vector<double>& x, int r, int c) {
  std::vector<double> y(x.size());
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < c; ++j) y[size_t(j) * r + i] = x[size_t(i) * c + j];
  return y;
}

enum class Variant { ATB, ABT, ATBT };  // Xᵀ·B, A·Yᵀ, Xᵀ·Yᵀ
const char* variant_name(Variant v) { return v == Variant::ATB ? "Xᵀ·B" : v == Variant::ABT ? "A·Yᵀ" : "Xᵀ·Yᵀ"; }

// C[M,N] = op(P)·op(Q) and L = Σ C∘W (+ Σ op(P)∘V when fan_out: the transposed node has
// a second, non-matmul reader). With `view`, op(P) is transpose(P) of a leaf P stored
// transposed; without, the leaf holds the transposed matrix itself (the copy path).
struct Built {
  Tape t;
  int32_t P = -1, Q = -1, opP = -1, opQ = -1, C = -1, L = -1;
  explicit Built(DType d) : t(d) {}
};

void build(Built& b, Variant v, bool view, bool fan_out, int M, int K, int N) {
  Tape& t = b.t;
  const bool tp = v != Variant::ABT, tq = v != Variant::ATB;
  const std::vector<double> p = random_values(int64_t(M) * K, 1 + M), q = random_values(int64_t(K) * N, 2 + N);
  // p is op(P) [M,K] and q is op(Q) [K,N] in both graphs.
  if (tp && view) {
    b.P = t.leaf(Shape::mat(K, M), transposed(p, M, K).data(), "P");
    b.opP = t.apply(Op::Transpose, {b.P}, {});
  } else {
    b.P = b.opP = t.leaf(Shape::mat(M, K), p.data(), "P");
  }
  if (tq && view) {
    b.Q = t.leaf(Shape::mat(N, K), transposed(q, K, N).data(), "Q");
    b.opQ = t.apply(Op::Transpose, {b.Q}, {});
  } else {
    b.Q = b.opQ = t.leaf(Shape::mat(K, N), q.data(), "Q");
  }
  b.C = matmul(t, b.opP, b.opQ);
  const std::vector<double> w = random_values(int64_t(M) * N, 3);
  b.L = sum(t, mul(t, b.C, t.constant(Shape::mat(M, N), w.data())));
  if (fan_out) {
    const std::vector<double> vv = random_values(int64_t(M) * K, 4);
    b.L = add(t, b.L, sum(t, mul(t, b.opP, t.constant(Shape::mat(M, K), vv.data()))));
  }
}

const int kShapes[][3] = {{1, 1, 1}, {3, 5, 7}, {1, 7, 5}, {7, 1, 3}, {5, 9, 1}, {17, 9, 13}, {33, 65, 31}, {130, 67, 9}, {64, 300, 40}};

}  // namespace

TEST_CASE("transpose view: matmul of a transpose node gives the bits of the copy path (values, gradients; f32, f64)") {
  for (DType d : {DType::F32, DType::F64})
    for (Variant v : {Variant::ATB, Variant::ABT, Variant::ATBT})
      for (bool fan_out : {false, true})
        for (const auto& s : kShapes) {
          const int M = s[0], K = s[1], N = s[2];
          CAPTURE(dtype_name(d));
          CAPTURE(variant_name(v));
          CAPTURE(fan_out);
          CAPTURE(M);
          CAPTURE(K);
          CAPTURE(N);
          Built view(d), copy(d);
          build(view, v, true, fan_out, M, K, N);
          build(copy, v, false, fan_out, M, K, N);
          view.t.forward();
          copy.t.forward();
          const int32_t transposed_node = v == Variant::ABT ? view.opQ : view.opP;
          // Read only by matmul: left uncomputed. A second reader pins it (computed each forward).
          CHECK(view.t.node(transposed_node).op == Op::Transpose);
          CHECK(view.t.node(transposed_node).state == (fan_out && v != Variant::ABT ? ValueState::Pinned : ValueState::Deferred));
          CHECK(view.t.values(view.C) == copy.t.values(copy.C));
          CHECK(view.t.value_at(view.L) == copy.t.value_at(copy.L));
          view.t.backward(view.L);
          copy.t.backward(copy.L);
          // The transpose nodes carry their own gradient (teaching views show it) and pass it on.
          CHECK(view.t.grads(view.opP) == copy.t.grads(copy.opP));
          CHECK(view.t.grads(view.opQ) == copy.t.grads(copy.opQ));
          CHECK(view.t.grads(view.P) ==
                (v == Variant::ABT ? copy.t.grads(copy.P) : transposed(copy.t.grads(copy.P), M, K)));
          CHECK(view.t.grads(view.Q) ==
                (v == Variant::ATB ? copy.t.grads(copy.Q) : transposed(copy.t.grads(copy.Q), K, N)));
          // A read computes the deferred value: the transposed input, exactly.
          CHECK(view.t.values(view.opP) == copy.t.values(copy.opP));
          CHECK(view.t.values(view.opQ) == copy.t.values(copy.opQ));
        }
}

TEST_CASE("transpose view: gradients against a float64 reference computed here (odd shapes)") {
  // Xᵀ·B with L = Σ C∘W: dX[k][m] = Σ_n B[k][n]·W[m][n], dB[k][n] = Σ_m X[k][m]·W[m][n].
  const int M = 13, K = 7, N = 11;
  for (DType d : {DType::F32, DType::F64}) {
    CAPTURE(dtype_name(d));
    Built b(d);
    build(b, Variant::ATB, true, false, M, K, N);
    b.t.forward();
    b.t.backward(b.L);
    const std::vector<double> X = b.t.values(b.P), B = b.t.values(b.Q);
    const std::vector<double> W = random_values(int64_t(M) * N, 3);
    std::vector<double> w32 = W;
    if (d == DType::F32)
      for (double& x : w32) x = double(float(x));
    const std::vector<double> C = b.t.values(b.C), dX = b.t.grads(b.P), dB = b.t.grads(b.Q);
    const double tol = d == DType::F32 ? 1e-5 : 1e-13;
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n) {
        double c = 0;
        for (int k = 0; k < K; ++k) c += X[size_t(k) * M + m] * B[size_t(k) * N + n];
        CHECK(std::abs(C[size_t(m) * N + n] - c) <= tol * K);
      }
    for (int k = 0; k < K; ++k)
      for (int m = 0; m < M; ++m) {
        double g = 0;
        for (int n = 0; n < N; ++n) g += B[size_t(k) * N + n] * w32[size_t(m) * N + n];
        CHECK(std::abs(dX[size_t(k) * M + m] - g) <= tol * N);
      }
    for (int k = 0; k < K; ++k)
      for (int n = 0; n < N; ++n) {
        double g = 0;
        for (int m = 0; m < M; ++m) g += X[size_t(k) * M + m] * w32[size_t(m) * N + n];
        CHECK(std::abs(dB[size_t(k) * N + n] - g) <= tol * M);
      }
  }
}

TEST_CASE("transpose view: a node still shows its input's values as of its last forward") {
  Tape t(DType::F32);
  const std::vector<double> x0 = {1, 2, 3, 4, 5, 6}, x1 = {-1, -2, -3, -4, -5, -6}, eye = {1, 0, 0, 1};
  const int32_t X = t.leaf(Shape::mat(2, 3), x0.data(), "X");
  const int32_t T = t.apply(Op::Transpose, {X}, {});  // [3, 2]
  const int32_t C = matmul(t, T, t.constant(Shape::mat(2, 2), eye.data()));
  CHECK(t.deferred(T));
  t.set_values(X, x1.data(), 6);  // before forward(): T and C keep the old values
  CHECK(t.values(T) == std::vector<double>{1, 4, 2, 5, 3, 6});
  CHECK(t.values(C) == std::vector<double>{1, 4, 2, 5, 3, 6});
  t.forward();
  CHECK(t.deferred(T));
  CHECK(t.values(C) == std::vector<double>{-1, -4, -2, -5, -3, -6});
  CHECK(t.values(T) == std::vector<double>{-1, -4, -2, -5, -3, -6});
  CHECK(!t.deferred(T));  // read: computed until the next forward
  t.forward();
  CHECK(t.deferred(T));
  // A vector's transpose is itself (numpy): nothing to defer.
  const int32_t v = t.leaf(Shape::vec(2), eye.data(), "v");
  const int32_t vt = t.apply(Op::Transpose, {v}, {});
  matmul(t, vt, t.constant(Shape::mat(2, 2), eye.data()));
  CHECK(!t.deferred(vt));
  // A transpose of a deferred transpose reads its value: the inner one is pinned.
  const int32_t TT = t.apply(Op::Transpose, {T}, {});
  matmul(t, TT, T);
  CHECK(t.node(T).state == ValueState::Pinned);
  CHECK(t.deferred(TT));
  t.forward();
  CHECK(t.values(TT) == x1);
}

TEST_CASE("transpose view: forward-mode tangents and the per-node gradient check see the transpose") {
  Built view(DType::F64), copy(DType::F64);
  build(view, Variant::ATBT, true, false, 5, 4, 3);
  build(copy, Variant::ATBT, false, false, 5, 4, 3);
  // Tangent of L along P and Q (P and Q given stored transposed in the view graph).
  std::vector<std::vector<double>> dir_view(size_t(view.t.size())), dir_copy(size_t(copy.t.size()));
  const std::vector<double> dp = random_values(20, 7), dq = random_values(12, 8);
  dir_copy[size_t(copy.P)] = dp;
  dir_copy[size_t(copy.Q)] = dq;
  dir_view[size_t(view.P)] = transposed(dp, 5, 4);
  dir_view[size_t(view.Q)] = transposed(dq, 4, 3);
  REQUIRE(view.t.deferred(view.opP));
  const auto tv = jvp(view.t, dir_view), tc = jvp(copy.t, dir_copy);
  CHECK(tv[size_t(view.C)] == tc[size_t(copy.C)]);
  CHECK(tv[size_t(view.L)] == tc[size_t(copy.L)]);
  // Finite differences at every node, the transpose nodes included (a perturbed
  // transpose value must reach the matmul).
  view.t.forward();
  for (const NodeCheck& c : node_gradcheck(view.t, view.L)) {
    CAPTURE(c.name);
    CHECK(c.rel_error < 1e-7);
  }
}
