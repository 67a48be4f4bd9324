// MLP of the fast training path (llm.c style): one flat parameter buffer, one flat
// gradient buffer with the same layout (so JavaScript sees one Float32Array each),
// activations preallocated in a Workspace for a batch capacity, and
// forward / backward written as plain loops over layers, no tape, no virtual calls.
//
// Layer l maps [B, in_l] -> [B, out_l]:
//     h = layernorm ? LN(x) : x                 (LN on the layer's input: pre-norm)
//     z = h · W + b                             W [in, out] row-major, b [out]
//     a = act(z)
//     y = residual ? x + a : a                  (residual needs in == out)
// Parameter layout, layer after layer: [γ(in), β(in)] if layernorm, W (in·out), b (out).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/gemm.h"
#include "nn/layers.h"

namespace gradlab {

// Weight initializers (biases start at 0, LayerNorm γ = 1, β = 0).
//   XavierUniform U(±√(6/(in+out)))       XavierNormal N(0, √(2/(in+out)))
//   HeUniform     U(±√(6/in))             HeNormal     N(0, √(2/in))
//   Gpt2          N(0, 0.02); residual layers (the residual branch's output projection)
//                 N(0, 0.02/√(2R)), R = number of residual layers (GPT-2's 1/√(2L)).
//   Auto          HeNormal for relu, leakyRelu, gelu, silu, softplus; XavierUniform otherwise.
enum class Init : uint8_t { Auto, XavierUniform, XavierNormal, HeUniform, HeNormal, Gpt2 };
// "auto", "xavierUniform" ("xavier", "glorot"), "xavierNormal", "heUniform" ("kaiming"),
// "heNormal", "gpt2"; case-insensitive.
Init parse_init(const std::string& name);
const char* init_name(Init i);

struct MlpSpec {
  std::vector<int> sizes;               // [in, h1, ..., out]: at least 2 entries, all > 0
  std::vector<Activation> activations;  // one per layer (sizes.size() − 1 entries)
  std::vector<uint8_t> residual;        // per layer, 1 = y = x + act(xW + b); empty = none
  std::vector<uint8_t> layernorm;       // per layer, 1 = LayerNorm on the layer's input; empty = none
  double leaky_slope = 0.01;            // LeakyReLU's negative slope
  double ln_eps = 1e-5;
  Init init = Init::Auto;
  uint64_t seed = 0;

  // sizes with `hidden` on every hidden layer and `output` on the last layer.
  static MlpSpec make(std::vector<int> sizes, Activation hidden, Activation output = Activation::None,
                      uint64_t seed = 0);
  // Same with activation names ("tanh", ...); fail()s on unknown names.
  static MlpSpec make(std::vector<int> sizes, const std::string& hidden,
                      const std::string& output = "none", uint64_t seed = 0);
};

// Checks an architecture; fail()s naming the problem (fewer than 2 sizes, a width ≤ 0,
// wrong number of activations, residual with in ≠ out, too many parameters, ...).
void validate_spec(const MlpSpec& spec);

struct LayerInfo {
  int in = 0, out = 0;
  Activation act = Activation::None;
  bool residual = false, layernorm = false;
  bool need_z = false;  // backward needs the pre-activation z
  size_t ln_gamma = 0, ln_beta = 0, w = 0, b = 0;  // offsets into the flat buffers
};

template <class T> class Mlp;

// Activations for a batch capacity; one allocation at construction, none afterwards.
template <class T> class Workspace {
 public:
  Workspace(const Mlp<T>& model, int batch_capacity);
  Workspace(Workspace&&) = default;
  Workspace& operator=(Workspace&&) = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  int capacity() const { return cap_; }
  const T* output() const { return out_; }  // logits [B, out] after forward()
  T* dlogits() { return d_cur_; }           // the loss writes dL/dlogits [B, out] here
  size_t bytes() const { return arena_.size() * sizeof(T); }

  // Per-layer buffers of the last forward() (for diagnostics, src/nn/diagnostics.h);
  // l in [0, num_layers()), not checked here. Rows past that forward's batch are stale.
  int num_layers() const { return int(layers_.size()); }
  const T* activation(int l) const { return layers_[size_t(l)].a; }  // a = act(z) [B, out]
  const T* layer_output(int l) const { return layers_[size_t(l)].y; }  // a, or x + a if residual

 private:
  friend class Mlp<T>;
  struct Layer {
    T *z = nullptr, *a = nullptr, *y = nullptr;                 // [B, out]
    T *ln_out = nullptr, *ln_mean = nullptr, *ln_rstd = nullptr;  // [B, in], [B], [B]
  };
  int cap_ = 0;
  std::vector<T> arena_;
  std::vector<Layer> layers_;
  T *d_cur_ = nullptr, *d_nxt_ = nullptr, *d_tmp_ = nullptr, *d_z_ = nullptr;  // [B, max width]
  const T* out_ = nullptr;
};

template <class T> class Mlp {
 public:
  explicit Mlp(const MlpSpec& spec);  // validates, allocates and initializes from spec.seed

  const MlpSpec& spec() const { return spec_; }
  const std::vector<LayerInfo>& layers() const { return layers_; }
  int num_layers() const { return int(layers_.size()); }
  int input_dim() const { return spec_.sizes.front(); }
  int output_dim() const { return spec_.sizes.back(); }
  int max_width() const { return max_width_; }

  // The flat buffers (JavaScript: one Float32Array view each).
  size_t num_params() const { return params_.size(); }
  T* params() { return params_.data(); }
  const T* params() const { return params_.data(); }
  T* grads() { return grads_.data(); }
  const T* grads() const { return grads_.data(); }
  void zero_grad();

  // Re-initialize all parameters (deterministic in seed).
  void init_params(Init init, uint64_t seed);

  // ‖∂L/∂θ‖₂ of each layer's parameters (W, b and LayerNorm γ, β) from grads():
  // the gradient-norm-by-depth view.
  std::vector<double> layer_grad_norms() const;

  // Export: the flat parameter vector and the layer sizes it belongs to.
  std::vector<T> export_params() const { return params_; }
  std::vector<int> layer_sizes() const { return spec_.sizes; }
  // Import: fail()s unless `sizes` equals the model's layer sizes, `len` equals
  // num_params() and every value is finite; then copies the values in.
  void import_params(const T* data, size_t len, const int* sizes, size_t n_sizes);
  void import_params(const std::vector<T>& data, const std::vector<int>& sizes) {
    import_params(data.data(), data.size(), sizes.data(), sizes.size());
  }

  // forward: x [B, in] -> ws.output() [B, out]. B ≤ ws.capacity() (checked).
  // `train` keeps what backward needs (the pre-activations z).
  void forward(Workspace<T>& ws, const T* x, int B, bool train = true) const;
  // backward: from ws.dlogits() [B, out] (as the loss wrote it) back to the parameters;
  // ACCUMULATES into grads() (call zero_grad() first, once per optimizer step).
  // Destroys ws.dlogits(). Needs forward(ws, x, B, true) with the same x and B before it.
  void backward(Workspace<T>& ws, const T* x, int B);

  // Inference: x [n, in] -> out [n, out], in chunks through an internal workspace.
  // fail()s on size mismatches (names them).
  void predict(const T* x, size_t x_len, int n, T* out, size_t out_len) const;
  std::vector<T> predict(const std::vector<T>& x) const;  // n = x.size() / input_dim

 private:
  MlpSpec spec_;
  std::vector<LayerInfo> layers_;
  std::vector<T> params_, grads_;
  int max_width_ = 0;
  mutable std::unique_ptr<Workspace<T>> infer_ws_;
};

extern template class Workspace<float>;
extern template class Workspace<double>;
extern template class Mlp<float>;
extern template class Mlp<double>;

}  // namespace gradlab
