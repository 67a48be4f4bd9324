// Names of the activations (kernels/activation.h).
#include "kernels/activation.h"

#include <cctype>

#include "base/error.h"

namespace gradlab {

namespace {
// In enum order.
const char* const kActivationNames[kActivationCount] = {"none", "relu",  "leakyRelu", "tanh",
                                                        "sigmoid", "gelu", "silu",      "softplus"};
std::string lower(const std::string& s) {
  std::string r = s;
  for (char& c : r) c = char(std::tolower(static_cast<unsigned char>(c)));
  return r;
}
}  // namespace

Activation parse_activation(const std::string& name) {
  const std::string l = lower(name);
  for (int i = 0; i < kActivationCount; ++i)
    if (l == lower(kActivationNames[i])) return Activation(i);
  if (l == "leaky_relu") return Activation::LeakyRelu;
  if (l == "linear" || l == "identity") return Activation::None;
  fail("unknown activation '", name,
       "' (expected one of none, relu, leakyRelu, tanh, sigmoid, gelu, silu, softplus)");
}

const char* activation_name(Activation a) {
  const int i = int(a);
  return i >= 0 && i < kActivationCount ? kActivationNames[i] : "?";
}

}  // namespace gradlab
