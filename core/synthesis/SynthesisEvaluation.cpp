#include "synthesis/SynthesisEvaluation.h"

#include "common/Error.h"
#include "common/Job.h"
#include "common/Text.h"
#include "io/CtVolumeIO.h"
#include "io/GridCheck.h"
#include "io/NiftiIO.h"
#include "synthesis/BodyMask.h"
#include "synthesis/PairedScans.h"

#include <cmath>
#include <map>

namespace lumen {

namespace {

Volume<uint8_t> readMask(const std::string& path, const FloatVolume& reference,
                         const std::string& referencePath) {
  const LabelVolume labels = readLabelVolume(path);
  requireSameGrid(labels.geometry, reference.geometry,
                  path + " is not on the grid of the reference " + referencePath);
  Volume<uint8_t> mask;
  mask.geometry = labels.geometry;
  mask.values.resize(labels.values.size());
  for (size_t n = 0; n < labels.values.size(); ++n)
    mask.values[n] = labels.values[n] != 0 ? 1 : 0;
  return mask;
}

} // namespace

SynthesisEvaluation evaluateSynthesisFiles(const SynthesisEvalFiles& files,
                                           const SynthesisMetricOptions& options, Job* job) {
  checkSynthesisMetricOptions(options);
  SynthesisEvaluation out;
  auto stage = [&](double fraction, const char* text) {
    if (job) {
      job->checkCancelled();
      job->setProgress(fraction, text);
    }
  };
  stage(0, "reading");
  const FloatVolume reference = readIntensityVolume(files.reference);
  const FloatVolume prediction = readIntensityVolume(files.prediction);
  requireSameGrid(prediction.geometry, reference.geometry,
                  files.prediction + " is not on the grid of the reference " + files.reference);
  std::optional<FloatVolume> ncct;
  if (!files.ncct.empty()) {
    ncct = readIntensityVolume(files.ncct);
    requireSameGrid(ncct->geometry, reference.geometry,
                    files.ncct + " is not on the grid of the reference " + files.reference);
  }
  Volume<uint8_t> mask;
  if (files.mask.empty()) {
    stage(0.1, "body mask");
    mask = bodyMask(reference);
    out.maskComputed = true;
  } else {
    mask = readMask(files.mask, reference, files.reference);
  }
  std::optional<Volume<uint8_t>> vessels;
  if (!files.vessels.empty()) {
    vessels = readMask(files.vessels, reference, files.reference);
    out.vesselSource = "file";
  } else if (ncct) {
    vessels = mask;
    for (size_t n = 0; n < mask.values.size(); ++n)
      vessels->values[n] =
          mask.values[n] && reference.values[n] - ncct->values[n] >= kVesselUptakeHu ? 1 : 0;
    out.vesselSource = "contrast uptake";
  } else {
    out.vesselSource = "none";
  }
  const Volume<uint8_t>* vesselMask = vessels ? &*vessels : nullptr;
  stage(0.15, "scoring the prediction");
  out.prediction = scoreSynthesis(prediction, reference, mask, vesselMask, options, job);
  if (ncct) {
    stage(0.55, "scoring the NCCT");
    out.ncct = scoreSynthesis(*ncct, reference, mask, vesselMask, options, job);
  }
  stage(1.0, "done");
  return out;
}

std::vector<SynthesisCaseScores> evaluateSynthesisFolders(const SynthesisEvalFiles& folders,
                                                          const SynthesisMetricOptions& options,
                                                          Job* job) {
  checkSynthesisMetricOptions(options);
  const auto predictions = scansInFolder(folders.prediction, "prediction");
  const auto references = scansInFolder(folders.reference, "reference");
  std::map<std::string, std::string> masks, vessels, ncct;
  if (!folders.mask.empty())
    masks = scansInFolder(folders.mask, "mask");
  if (!folders.vessels.empty())
    vessels = scansInFolder(folders.vessels, "vessel mask");
  if (!folders.ncct.empty())
    ncct = scansInFolder(folders.ncct, "NCCT");
  std::vector<std::string> missing;
  auto need = [&](const std::map<std::string, std::string>& in, const std::string& folder,
                  const std::string& name) {
    if (!folder.empty() && !in.count(name))
      missing.push_back(folder + "/" + name);
  };
  for (const auto& [name, path] : predictions) {
    need(references, folders.reference, name);
    need(masks, folders.mask, name);
    need(vessels, folders.vessels, name);
    need(ncct, folders.ncct, name);
  }
  if (!missing.empty())
    throw InputError(std::to_string(missing.size()) + " file(s) the predictions in " +
                     folders.prediction + " pair with are missing: " + joinLimited(missing, 10) +
                     " (any NIfTI, NRRD or MetaImage extension)");
  auto pick = [](const std::map<std::string, std::string>& in, const std::string& name) {
    const auto found = in.find(name);
    return found == in.end() ? std::string() : found->second;
  };
  std::vector<SynthesisCaseScores> out;
  size_t done = 0;
  for (const auto& [name, path] : predictions) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(done) / double(predictions.size()),
                       name + " (" + std::to_string(done + 1) + "/" +
                           std::to_string(predictions.size()) + ")");
    }
    const SynthesisEvalFiles files{path, references.at(name), pick(masks, name),
                                   pick(vessels, name), pick(ncct, name)};
    out.push_back({name, evaluateSynthesisFiles(files, options, nullptr)});
    ++done;
  }
  if (job)
    job->setProgress(1.0, "done");
  return out;
}

SynthesisSummary summarizeScores(const std::vector<SynthesisScores>& scores) {
  auto spread = [&](double SynthesisScores::*field) {
    ScoreSpread s;
    double sum = 0, squares = 0;
    for (const auto& score : scores)
      if (std::isfinite(score.*field)) {
        sum += score.*field;
        ++s.cases;
      }
    if (s.cases == 0)
      return ScoreSpread{std::nan(""), std::nan(""), 0};
    s.mean = sum / s.cases;
    for (const auto& score : scores)
      if (std::isfinite(score.*field))
        squares += (score.*field - s.mean) * (score.*field - s.mean);
    s.sd = s.cases > 1 ? std::sqrt(squares / (s.cases - 1)) : 0.0;
    return s;
  };
  return {spread(&SynthesisScores::maeHu), spread(&SynthesisScores::vesselMaeHu),
          spread(&SynthesisScores::psnrDb), spread(&SynthesisScores::ssim)};
}

} // namespace lumen
