#include "train/MetricAlerts.h"

#include "common/Text.h"

#include <cmath>
#include <filesystem>
#include <yaml-cpp/yaml.h>

namespace lumen {
namespace {

const std::string kReal = "D_real";
const std::string kFake = "D_fake";

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* nonFiniteName(double value) {
  if (std::isnan(value))
    return "NaN";
  return value > 0 ? "+Inf" : "-Inf";
}

struct Scale {
  double equilibrium, realTarget, fakeTarget, away;
};

// Where an informative discriminator's outputs settle, and the targets it is trained towards.
Scale scaleOf(GanLoss gan) {
  if (gan == GanLoss::Hinge)
    return {0.0, 1.0, -1.0, 0.5};
  return {0.5, 0.9, 0.1, 0.15};
}

} // namespace

GanLoss ganLossOfRun(const std::string& runDir) {
  const auto path = std::filesystem::path(runDir) / "config.yaml";
  std::error_code error;
  if (!std::filesystem::exists(path, error))
    return GanLoss::LeastSquares;
  try {
    const YAML::Node config = YAML::LoadFile(path.string());
    const YAML::Node loss = config["gan"] ? config["gan"]["loss"] : YAML::Node();
    if (loss && loss.IsScalar()) {
      const std::string name = loss.as<std::string>();
      if (name == "hinge")
        return GanLoss::Hinge;
      if (name == "nonsaturating" || name == "bce")
        return GanLoss::NonSaturating;
    }
  } catch (const YAML::Exception&) {
    // An unreadable config is the Runs workspace's to report; alerts keep the default scale.
  }
  return GanLoss::LeastSquares;
}

std::vector<std::string> MetricAlerts::check(const std::string& run,
                                             const std::vector<MetricsRecord>& records) {
  std::vector<std::string> messages;
  const Scale scale = scaleOf(gan_);
  for (const MetricsRecord& record : records) {
    for (const auto& [name, value] : record.scalars) {
      if (name.find("loss") != std::string::npos && !std::isfinite(value) &&
          reported_.insert("nonfinite " + name).second)
        messages.push_back(run + ": " + name + " is " + nonFiniteName(value) + " at step " +
                           std::to_string(record.step));
      // "val/psnr" pairs with "val/psnr_noisy_input": the score of doing nothing.
      if (const auto identity = record.scalars.find(name + kIdentitySuffix);
          identity != record.scalars.end() && name.find("psnr") != std::string::npos) {
        int& worse = belowIdentityStreak_[name];
        worse = value < identity->second ? worse + 1 : 0;
        if (worse >= kIdentityStreak && reported_.insert("identity " + name).second)
          messages.push_back(
              run + ": " + name + " = " + formatNumber(std::round(value * 100) / 100) +
              " dB is below " + name + kIdentitySuffix + " = " +
              formatNumber(std::round(identity->second * 100) / 100) + " dB at epoch " +
              std::to_string(record.epoch) + " for " + std::to_string(kIdentityStreak) +
              " validations: the model is worse than passing its input through");
      }
      // "D_real" pairs with "D_fake" under the same prefix ("train/D_real" with "train/D_fake").
      if (!endsWith(name, kReal))
        continue;
      const std::string prefix = name.substr(0, name.size() - kReal.size());
      const auto fake = record.scalars.find(prefix + kFake);
      if (fake == record.scalars.end())
        continue;
      const double real = value, generated = fake->second;
      const double mean = 0.5 * (real + generated);
      const bool stuck = std::abs(real - generated) < kAgreement &&
                         std::abs(mean - scale.equilibrium) > scale.away;
      const bool overpowered = real > scale.realTarget && generated < scale.fakeTarget;
      int& stuckRun = stuckStreak_[prefix];
      int& winningRun = overpoweredStreak_[prefix];
      stuckRun = stuck ? stuckRun + 1 : 0;
      winningRun = overpowered ? winningRun + 1 : 0;
      if (stuckRun >= kStreak && reported_.insert("stuck " + prefix).second)
        messages.push_back(
            run + ": discriminator collapse at step " + std::to_string(record.step) + ": " + name +
            " = " + formatNumber(std::round(real * 1000) / 1000) + " and " + prefix + kFake +
            " = " + formatNumber(std::round(generated * 1000) / 1000) + " for " +
            std::to_string(kStreak) + " records, one constant away from the equilibrium " +
            formatNumber(scale.equilibrium) + ": it no longer tells real from generated");
      if (winningRun >= kStreak && reported_.insert("overpowered " + prefix).second)
        messages.push_back(run + ": the discriminator overpowers the generator at step " +
                           std::to_string(record.step) + " (" + name + " > " +
                           formatNumber(scale.realTarget) + " and " + prefix + kFake + " < " +
                           formatNumber(scale.fakeTarget) + " for " + std::to_string(kStreak) +
                           " records): the generator gets almost no gradient");
    }
  }
  return messages;
}

void MetricAlerts::reset() {
  reported_.clear();
  stuckStreak_.clear();
  overpoweredStreak_.clear();
  belowIdentityStreak_.clear();
}

} // namespace lumen
