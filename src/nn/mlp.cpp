#include "nn/mlp.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "base/error.h"
#include "kernels/fast_math.h"
#include "base/rng.h"

namespace gradlab {

namespace {

constexpr int64_t kMaxParams = int64_t(1) << 28;  // 1 GiB of f32: beyond any wasm heap we run in
constexpr int kMaxWidth = 1 << 24;

// "[2,16,1]" with cat(), not iostreams: an ostringstream pulls ~33 KB of locale code into the wasm.
std::string sizes_str(const int* s, size_t n) {
  std::string out = "[";
  for (size_t i = 0; i < n; ++i) out += cat(i ? "," : "", s[i]);
  return out + "]";
}
std::string sizes_str(const std::vector<int>& s) { return sizes_str(s.data(), s.size()); }

// dz[B,N] = dy ⊙ act'(·); db[N] += Σ_rows dz: nn/layers.h's activation_backward. The f32
// activations whose derivative is a plain formula of y (or z) — none, relu, leakyRelu,
// tanh, sigmoid — take the SIMD kernels of fast_math.h instead: the same formulas in the
// same operation order (so the same bits), without the scalar loop's unpredictable
// branch on the sign of each ReLU output (~10 cycles per element on random signs).
template <class T>
void act_backward(int B, int N, Activation act, T slope, const T* dy, const T* z, const T* a, T* dz, T* db) {
  activation_backward(B, N, act, slope, dy, z, a, dz, db);
}
template <>
void act_backward<float>(int B, int N, Activation act, float slope, const float* dy, const float* z,
                         const float* a, float* dz, float* db) {
  switch (act) {
    case Activation::None:
    case Activation::Relu:
    case Activation::LeakyRelu:
    case Activation::Tanh:
    case Activation::Sigmoid:
      fast_activation_backward(int64_t(B) * N, act, slope, dy, z, a, dz);
      if (db) fast_column_sum_acc(B, N, dz, db);
      return;
    default: activation_backward(B, N, act, slope, dy, z, a, dz, db);
  }
}

}  // namespace

Init parse_init(const std::string& name) {
  std::string l = name;
  for (char& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (l == "auto" || l == "default") return Init::Auto;
  if (l == "xavieruniform" || l == "xavier" || l == "glorot" || l == "glorotuniform" ||
      l == "xavier_uniform")
    return Init::XavierUniform;
  if (l == "xaviernormal" || l == "glorotnormal" || l == "xavier_normal") return Init::XavierNormal;
  if (l == "heuniform" || l == "kaiming" || l == "kaiminguniform" || l == "he_uniform")
    return Init::HeUniform;
  if (l == "henormal" || l == "he" || l == "kaimingnormal" || l == "he_normal") return Init::HeNormal;
  if (l == "gpt2" || l == "gpt-2") return Init::Gpt2;
  fail("unknown initializer '", name,
       "' (expected one of auto, xavierUniform, xavierNormal, heUniform, heNormal, gpt2)");
}

const char* init_name(Init i) {
  switch (i) {
    case Init::Auto: return "auto";
    case Init::XavierUniform: return "xavierUniform";
    case Init::XavierNormal: return "xavierNormal";
    case Init::HeUniform: return "heUniform";
    case Init::HeNormal: return "heNormal";
    case Init::Gpt2: return "gpt2";
  }
  return "?";
}

MlpSpec MlpSpec::make(std::vector<int> sizes, Activation hidden, Activation output, uint64_t seed) {
  MlpSpec s;
  s.sizes = std::move(sizes);
  const size_t L = s.sizes.size() >= 2 ? s.sizes.size() - 1 : 0;
  s.activations.assign(L, hidden);
  if (L) s.activations.back() = output;
  s.seed = seed;
  return s;
}

MlpSpec MlpSpec::make(std::vector<int> sizes, const std::string& hidden, const std::string& output,
                      uint64_t seed) {
  return make(std::move(sizes), parse_activation(hidden), parse_activation(output), seed);
}

void validate_spec(const MlpSpec& s) {
  if (s.sizes.size() < 2)
    fail("an MLP needs at least 2 layer sizes (input and output), got ", s.sizes.size(), ": ",
         sizes_str(s.sizes));
  for (size_t i = 0; i < s.sizes.size(); ++i) {
    if (s.sizes[i] <= 0)
      fail("layer size ", i, " is ", s.sizes[i], " in ", sizes_str(s.sizes),
           "; every width must be positive");
    if (s.sizes[i] > kMaxWidth)
      fail("layer size ", i, " is ", s.sizes[i], ", above the limit of ", kMaxWidth);
  }
  const size_t L = s.sizes.size() - 1;
  if (s.activations.size() != L)
    fail("sizes ", sizes_str(s.sizes), " describe ", L, " layers but ", s.activations.size(),
         " activations were given");
  for (size_t l = 0; l < L; ++l)
    if (uint8_t(s.activations[l]) > uint8_t(Activation::Softplus))
      fail("layer ", l, " has an invalid activation code ", int(s.activations[l]));
  if (!s.residual.empty() && s.residual.size() != L)
    fail("residual flags: expected one per layer (", L, "), got ", s.residual.size());
  if (!s.layernorm.empty() && s.layernorm.size() != L)
    fail("layernorm flags: expected one per layer (", L, "), got ", s.layernorm.size());
  for (size_t l = 0; l < s.residual.size(); ++l)
    if (s.residual[l] && s.sizes[l] != s.sizes[l + 1])
      fail("layer ", l, " is residual (y = x + f(x)) but its input width ", s.sizes[l],
           " differs from its output width ", s.sizes[l + 1]);
  if (!std::isfinite(s.leaky_slope))
    fail("leakyRelu slope must be finite, got ", s.leaky_slope);
  if (!(s.ln_eps > 0) || !std::isfinite(s.ln_eps))
    fail("LayerNorm eps must be positive and finite, got ", s.ln_eps);
  if (uint8_t(s.init) > uint8_t(Init::Gpt2)) fail("invalid initializer code ", int(s.init));
  int64_t total = 0;
  for (size_t l = 0; l < L; ++l) {
    const int64_t in = s.sizes[l], out = s.sizes[l + 1];
    total += in * out + out;
    if (!s.layernorm.empty() && s.layernorm[l]) total += 2 * in;
    if (total > kMaxParams)
      fail("model ", sizes_str(s.sizes), " has more than ", kMaxParams, " parameters");
  }
}

// ---- Workspace ----------------------------------------------------------------

template <class T> Workspace<T>::Workspace(const Mlp<T>& m, int cap) {
  if (cap <= 0) fail("workspace batch capacity must be positive, got ", cap);
  if (int64_t(cap) * m.max_width() > (int64_t(1) << 28))
    fail("batch size ", cap, " times the widest layer (", m.max_width(), ") is too large");
  cap_ = cap;
  const int64_t B = cap;
  // size the arena
  int64_t total = 4 * B * m.max_width();  // d_cur, d_nxt, d_tmp, d_z
  for (const LayerInfo& L : m.layers()) {
    if (L.need_z) total += B * L.out;
    total += B * L.out;                    // a
    if (L.residual) total += B * L.out;    // y
    if (L.layernorm) total += B * L.in + 2 * B;
  }
  arena_.assign(size_t(total), T(0));
  T* p = arena_.data();
  auto take = [&p](int64_t n) {
    T* r = p;
    p += n;
    return r;
  };
  d_cur_ = take(B * m.max_width());
  d_nxt_ = take(B * m.max_width());
  d_tmp_ = take(B * m.max_width());
  d_z_ = take(B * m.max_width());
  layers_.resize(m.layers().size());
  for (size_t l = 0; l < m.layers().size(); ++l) {
    const LayerInfo& L = m.layers()[l];
    Layer& w = layers_[l];
    if (L.need_z) w.z = take(B * L.out);
    w.a = take(B * L.out);
    w.y = L.residual ? take(B * L.out) : w.a;
    if (L.layernorm) {
      w.ln_out = take(B * L.in);
      w.ln_mean = take(B);
      w.ln_rstd = take(B);
    }
  }
  out_ = layers_.back().y;
}

// ---- Mlp ----------------------------------------------------------------------

template <class T> Mlp<T>::Mlp(const MlpSpec& spec) : spec_(spec) {
  validate_spec(spec_);
  const size_t L = spec_.sizes.size() - 1;
  layers_.resize(L);
  size_t off = 0;
  max_width_ = 0;
  for (size_t l = 0; l < L; ++l) {
    LayerInfo& li = layers_[l];
    li.in = spec_.sizes[l];
    li.out = spec_.sizes[l + 1];
    li.act = spec_.activations[l];
    li.residual = !spec_.residual.empty() && spec_.residual[l];
    li.layernorm = !spec_.layernorm.empty() && spec_.layernorm[l];
    li.need_z = activation_needs_preact(li.act, spec_.leaky_slope);
    if (li.layernorm) {
      li.ln_gamma = off;
      off += size_t(li.in);
      li.ln_beta = off;
      off += size_t(li.in);
    }
    li.w = off;
    off += size_t(li.in) * size_t(li.out);
    li.b = off;
    off += size_t(li.out);
    max_width_ = std::max(max_width_, std::max(li.in, li.out));
  }
  params_.assign(off, T(0));
  grads_.assign(off, T(0));
  init_params(spec_.init, spec_.seed);
}

template <class T> void Mlp<T>::zero_grad() { std::fill(grads_.begin(), grads_.end(), T(0)); }

template <class T> void Mlp<T>::init_params(Init init, uint64_t seed) {
  if (uint8_t(init) > uint8_t(Init::Gpt2)) fail("invalid initializer code ", int(init));
  spec_.init = init;
  spec_.seed = seed;
  Rng rng(seed);
  int n_residual = 0;
  for (const LayerInfo& li : layers_) n_residual += li.residual ? 1 : 0;
  for (const LayerInfo& li : layers_) {
    Init k = init;
    if (k == Init::Auto) {
      switch (li.act) {
        case Activation::Relu:
        case Activation::LeakyRelu:
        case Activation::Gelu:
        case Activation::Silu:
        case Activation::Softplus: k = Init::HeNormal; break;
        default: k = Init::XavierUniform; break;
      }
    }
    const double fin = li.in, fout = li.out;
    T* w = params_.data() + li.w;
    const size_t n = size_t(li.in) * size_t(li.out);
    bool uniform = false;
    double scale = 0;  // bound for uniform, std for normal
    switch (k) {
      case Init::XavierUniform: uniform = true; scale = std::sqrt(6.0 / (fin + fout)); break;
      case Init::XavierNormal: scale = std::sqrt(2.0 / (fin + fout)); break;
      case Init::HeUniform: uniform = true; scale = std::sqrt(6.0 / fin); break;
      case Init::HeNormal: scale = std::sqrt(2.0 / fin); break;
      case Init::Gpt2:
        scale = 0.02;
        if (li.residual) scale = 0.02 / std::sqrt(2.0 * n_residual);
        break;
      case Init::Auto: break;
    }
    if (uniform) {
      for (size_t i = 0; i < n; ++i) w[i] = T(scale * (2.0 * rng.uniform() - 1.0));
    } else {
      for (size_t i = 0; i < n; ++i) w[i] = T(scale * rng.normal());
    }
    std::fill(params_.begin() + li.b, params_.begin() + li.b + li.out, T(0));
    if (li.layernorm) {
      std::fill(params_.begin() + li.ln_gamma, params_.begin() + li.ln_gamma + li.in, T(1));
      std::fill(params_.begin() + li.ln_beta, params_.begin() + li.ln_beta + li.in, T(0));
    }
  }
}

template <class T> std::vector<double> Mlp<T>::layer_grad_norms() const {
  std::vector<double> norms;
  norms.reserve(layers_.size());
  for (const LayerInfo& L : layers_) {
    const size_t begin = L.layernorm ? L.ln_gamma : L.w;
    const size_t end = L.b + size_t(L.out);
    double s = 0;
    for (size_t i = begin; i < end; ++i) s += double(grads_[i]) * double(grads_[i]);
    norms.push_back(std::sqrt(s));
  }
  return norms;
}

template <class T>
void Mlp<T>::import_params(const T* data, size_t len, const int* sizes, size_t n_sizes) {
  const std::vector<int>& mine = spec_.sizes;
  if (n_sizes != mine.size() || !std::equal(mine.begin(), mine.end(), sizes))
    fail("parameter import: layer sizes ", sizes_str(sizes, n_sizes), " do not match the model's ",
         sizes_str(mine));
  if (len != params_.size())
    fail("parameter import: got ", len, " values but the model ", sizes_str(mine), " has ",
         params_.size(), " parameters");
  for (size_t i = 0; i < len; ++i)
    if (!std::isfinite(double(data[i])))
      fail("parameter import: value ", i, " is ", double(data[i]), " (not finite)");
  std::copy(data, data + len, params_.begin());
}

template <class T> void Mlp<T>::forward(Workspace<T>& ws, const T* x, int B, bool train) const {
  if (B <= 0 || B > ws.capacity())
    fail("forward: batch of ", B, " rows does not fit the workspace capacity ", ws.capacity());
  if (ws.layers_.size() != layers_.size()) fail("forward: workspace belongs to another model");
  const T* in = x;  // [B, L.in]
  const T slope = T(spec_.leaky_slope);
  for (size_t l = 0; l < layers_.size(); ++l) {
    const LayerInfo& L = layers_[l];
    auto& w = ws.layers_[l];
    const T* h = in;
    if (L.layernorm) {  // h [B, in] = LN(in)
      layernorm_forward(B, L.in, in, params_.data() + L.ln_gamma, params_.data() + L.ln_beta,
                        T(spec_.ln_eps), w.ln_out, w.ln_mean, w.ln_rstd);
      h = w.ln_out;
    }
    // a [B, out] = act(h·W + b), z kept when backward needs it
    linear_forward(B, L.out, L.in, h, params_.data() + L.w, params_.data() + L.b, L.act, slope,
                   (train && L.need_z) ? w.z : nullptr, w.a);
    if (L.residual) residual_forward(int64_t(B) * L.out, in, w.a, w.y);  // y = in + a
    in = w.y;
  }
}

template <class T> void Mlp<T>::backward(Workspace<T>& ws, const T* x, int B) {
  if (B <= 0 || B > ws.capacity())
    fail("backward: batch of ", B, " rows does not fit the workspace capacity ", ws.capacity());
  const T slope = T(spec_.leaky_slope);
  T* dy = ws.d_cur_;   // dL/dy of the current layer [B, out]
  T* nxt = ws.d_nxt_;  // receives dL/dx [B, in]
  T* P = params_.data();
  T* G = grads_.data();
  for (int l = int(layers_.size()) - 1; l >= 0; --l) {
    const LayerInfo& L = layers_[l];
    auto& w = ws.layers_[l];
    const T* x_in = l == 0 ? x : ws.layers_[l - 1].y;  // layer input [B, in]
    const T* h = L.layernorm ? w.ln_out : x_in;        // linear input [B, in]
    // dz [B,out] = dy ⊙ act'(z); db += Σ rows. In place unless dy is needed again (residual).
    T* dz = L.residual ? ws.d_z_ : dy;
    act_backward(B, L.out, L.act, slope, dy, w.z, w.a, dz, G + L.b);
    const bool need_dh = l > 0 || L.layernorm;  // the network input needs no gradient
    T* dh = L.layernorm ? ws.d_tmp_ : nxt;
    // dW [in,out] += hᵀ·dz ; dh [B,in] = dz·Wᵀ
    linear_backward(B, L.in, L.out, h, P + L.w, dz, G + L.w, need_dh ? dh : nullptr);
    if (L.layernorm)  // dx [B,in] = LN backward(dh); dγ, dβ +=
      layernorm_backward(B, L.in, dh, x_in, P + L.ln_gamma, w.ln_mean, w.ln_rstd,
                         l > 0 ? nxt : nullptr, G + L.ln_gamma, G + L.ln_beta);
    if (l == 0) break;
    if (L.residual) add_inplace(int64_t(B) * L.in, nxt, dy);  // dx += dy (skip path)
    std::swap(dy, nxt);  // local roles only: ws.dlogits() stays the same buffer
  }
}

template <class T>
void Mlp<T>::predict(const T* x, size_t x_len, int n, T* out, size_t out_len) const {
  if (n < 0) fail("predict: number of samples must be non-negative, got ", n);
  const size_t in = size_t(input_dim()), od = size_t(output_dim());
  if (x_len != size_t(n) * in)
    fail("predict: x has ", x_len, " values but n_samples × input width = ", n, " × ", in, " = ",
         size_t(n) * in);
  if (out_len < size_t(n) * od)
    fail("predict: output buffer has ", out_len, " values but n_samples × output width = ", n,
         " × ", od, " = ", size_t(n) * od);
  if (n == 0) return;
  const int chunk = 256;
  if (!infer_ws_) infer_ws_.reset(new Workspace<T>(*this, chunk));
  for (int r = 0; r < n; r += chunk) {
    const int b = std::min(chunk, n - r);
    forward(*infer_ws_, x + size_t(r) * in, b, false);
    std::memcpy(out + size_t(r) * od, infer_ws_->output(), size_t(b) * od * sizeof(T));
  }
}

template <class T> std::vector<T> Mlp<T>::predict(const std::vector<T>& x) const {
  const size_t in = size_t(input_dim());
  if (x.size() % in != 0)
    fail("predict: x has ", x.size(), " values, not a multiple of the input width ", in);
  const int n = int(x.size() / in);
  std::vector<T> out(size_t(n) * size_t(output_dim()));
  predict(x.data(), x.size(), n, out.data(), out.size());
  return out;
}

template class Workspace<float>;
template class Workspace<double>;
template class Mlp<float>;
template class Mlp<double>;

}  // namespace gradlab
