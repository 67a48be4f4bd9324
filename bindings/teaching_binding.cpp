// Embind: the teaching experiments that are one call each (they return JSON text).
#include <emscripten/bind.h>

#include <cmath>
#include <string>

#include "binding_util.h"
#include "core/error.h"
#include "teaching/experiments.h"
#include "teaching/stochastic.h"

using namespace gradlab;

namespace gradlab::bindings {
namespace {

std::string numbers(const std::vector<double>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += cat(i ? "," : "", std::isfinite(v[i]) ? format_number(v[i]) : "null");
  return out + "]";
}
uint64_t to_seed(double s) {
  if (!(s >= 0 && s <= 9007199254740991.0 && s == std::floor(s)))
    fail("seed must be a non-negative integer, got ", s);
  return uint64_t(s);
}

std::string vanishing_gradients_json(int depth, int width, double seed) {
  return guard(std::string(), [&] {
    std::string out = "[";
    bool first = true;
    for (const DepthProfile& p : vanishing_gradients(depth, width, to_seed(seed))) {
      out += cat(first ? "" : ",", "{\"name\":\"", p.name, "\",\"loss\":", format_number(p.loss),
                 ",\"gradNorms\":", numbers(p.grad_norms), ",\"activationMean\":", numbers(p.act_mean),
                 ",\"activationStd\":", numbers(p.act_std), "}");
      first = false;
    }
    return out + "]";
  });
}

std::string reinforce_bernoulli_json(double theta, double samples, double seed) {
  return guard(std::string(), [&] {
    if (!(samples >= 2 && samples <= 1e8 && samples == std::floor(samples)))
      fail("reinforce: samples must be an integer from 2 to 100000000, got ", samples);
    const Estimate e = reinforce_bernoulli(theta, int64_t(samples), to_seed(seed));
    return cat("{\"estimate\":", format_number(e.estimate), ",\"stdError\":", format_number(e.std_error),
               ",\"exact\":", format_number(e.exact), ",\"samples\":", e.samples, "}");
  });
}

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_teaching) {
  emscripten::function("vanishingGradientsJson", &gradlab::bindings::vanishing_gradients_json);
  emscripten::function("reinforceBernoulliJson", &gradlab::bindings::reinforce_bernoulli_json);
}
