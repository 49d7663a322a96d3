#include "shapes/ShapeEvaluation.h"

#include "common/DatasetSplit.h"
#include "common/Error.h"
#include "common/Job.h"
#include "shapes/PreparedShape.h"
#include "shapes/ShapeCompletion.h"
#include "shapes/ShapeDataset.h"
#include "shapes/ShapeRetrieval.h"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

namespace lumen {
namespace {

std::vector<std::string> casesOf(const std::string& dir, const std::string& split) {
  if (split == "all") {
    auto cases = readCaseList(dir, "train");
    for (auto& id : readCaseList(dir, "val"))
      cases.push_back(id);
    return cases;
  }
  if (split != "train" && split != "val")
    throw InputError("--split must be train, val or all, got '" + split + "'");
  return readCaseList(dir, split);
}

nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json toJson(const SummaryScores& s) {
  return {{"dice", number(s.dice)},    {"hd95_mm", number(s.hd95)},
          {"assd_mm", number(s.assd)}, {"chamfer_mm", number(s.chamfer)},
          {"pairs", s.pairs},          {"missed_pairs", s.missed}};
}

} // namespace

MethodScores scoreOnCaseGrid(const std::string& method, const std::vector<uint8_t>& predicted,
                             const PreparedShape& truth, ClassSet scored) {
  if (truth.grid.n == 0)
    throw InputError(truth.caseId +
                     " has no /grid/labels: prepare it again with this version of Lumen");
  if (predicted.size() != truth.grid.labels.size())
    throw InputError(method + ": " + std::to_string(predicted.size()) + " labels for the " +
                     std::to_string(truth.grid.labels.size()) + " samples of " + truth.caseId +
                     "'s grid");
  MethodScores scores;
  scores.method = method;
  const std::array<int64_t, 3> size{truth.grid.n, truth.grid.n, truth.grid.n};
  const double h = truth.grid.step() * truth.frame.scaleMm;
  for (int c : classLabels(scored))
    scores.classes[c] = scoreClass(predicted, truth.grid.labels, size, {h, h, h}, c);
  return scores;
}

MethodScores scoreModelOnCase(const TrainedShapeModel& model, const PreparedShape& truth,
                              ClassSet visible, ClassSet scored, const ShapeDecodeOptions& decode,
                              uint64_t seed) {
  if (truth.grid.n == 0)
    throw InputError(truth.caseId +
                     " has no /grid/labels: prepare it again with this version of Lumen");
  const NetworkInput input =
      visibleInput(truth.surfacePoints.data(), truth.surfaceLabels.data(),
                   truth.surfaceLabels.size(), visible, model.config().data.margin);
  // The case grid's samples (-1 + step * i in case units) in the network's input frame.
  GridSpec grid;
  grid.size = {truth.grid.n, truth.grid.n, truth.grid.n};
  for (size_t d = 0; d < 3; ++d) {
    grid.origin[d] = (-1.0 - input.frame.center[d]) / input.frame.scale;
    grid.spacing[d] = truth.grid.step() / input.frame.scale;
  }
  const DecodedGrid decoded = model.decode(input.points, input.labels, grid, decode, seed);
  return scoreOnCaseGrid("model", decoded.labels, truth, scored);
}

ScoredLabelMapCompletion completeAndScoreLabelMap(const TrainedShapeModel& model,
                                                  const LabelVolume& input,
                                                  const CompletionOptions& options, Job* job) {
  ScoredLabelMapCompletion out;
  out.completion = completeLabelMap(model, input, options, job);
  const PreparedShape& truth = out.completion.prepared;
  if (job)
    job->setProgress(0.95, "scoring on the case grid");
  ShapeDecodeOptions decode;
  decode.largestComponent = options.largestComponent;
  out.scores = scoreModelOnCase(model, truth, out.completion.visible,
                                classSetOf(truth.present) & classSetOf(truth.annotated), decode,
                                options.seed);
  return out;
}

ShapeEvaluation evaluateShapes(const std::string& checkpoint, const ShapeEvalOptions& o, Job* job) {
  const auto start = std::chrono::steady_clock::now();
  const TrainedShapeModel model(checkpoint, o.device);
  const double margin = model.config().data.margin;
  std::vector<std::string> ids = casesOf(o.data, o.split);
  if (o.maxCases > 0 && ids.size() > size_t(o.maxCases))
    ids.resize(size_t(o.maxCases));
  if (ids.empty())
    throw InputError(o.data + ": the " + o.split + " split has no cases");
  std::unique_ptr<RetrievalBaseline> baseline;
  if (o.baseline) {
    const std::string refDir = o.reference.empty() ? o.data : o.reference;
    std::vector<PreparedShape> references;
    for (const auto& id : readCaseList(refDir, "train")) {
      if (job)
        job->checkCancelled();
      auto shape = readPreparedShape(caseFile(refDir, id));
      // Only fully annotated references can lend every missing class.
      if (classSetOf(shape.annotated).all())
        references.push_back(std::move(shape));
    }
    baseline = std::make_unique<RetrievalBaseline>(std::move(references), margin);
  }
  const ClassSet dropped = classSetOf(o.drop);
  ShapeEvaluation result;
  result.checkpoint = checkpoint;
  result.data = o.data;
  result.split = o.split;
  result.inputs = o.drop.empty() ? "protocol " + std::to_string(o.protocol)
                                 : "drop " + describeClasses(dropped);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(i) / double(ids.size()),
                       "case " + std::to_string(i + 1) + "/" + std::to_string(ids.size()));
    }
    const PreparedShape truth = readPreparedShape(caseFile(o.data, ids[i]));
    if (truth.grid.n == 0)
      throw InputError(caseFile(o.data, ids[i]) +
                       " has no /grid/labels: prepare it again with this version of Lumen");
    const ClassSet available = classSetOf(truth.present) & classSetOf(truth.annotated);
    ClassSet visible;
    if (o.drop.empty()) {
      // Drawn from the case's own name: the same inputs whichever cases are evaluated with it.
      std::mt19937_64 rng(nameHash(ids[i], o.seed));
      visible = chooseInputClasses(o.protocol, available, o.phases, rng);
    } else {
      visible = available & ~dropped;
    }
    if (visible.none())
      throw InputError(ids[i] + ": dropping " + describeClasses(dropped) +
                       " leaves no visible class");
    CaseEvaluation evaluation;
    evaluation.caseId = ids[i];
    evaluation.visible = visible;
    evaluation.completed = available & ~visible;

    ShapeDecodeOptions decode;
    decode.largestComponent = o.largestComponent;
    evaluation.methods.push_back(
        scoreModelOnCase(model, truth, visible, available, decode, o.seed));
    if (baseline) {
      RetrievalBaseline::Match match;
      const auto predicted = baseline->predictGrid(truth, visible, &match);
      evaluation.methods.push_back(scoreOnCaseGrid("retrieval", predicted, truth, available));
      evaluation.methods.back().retrieved = match.caseId;
    }
    result.cases.push_back(std::move(evaluation));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::map<std::string, std::map<std::string, SummaryScores>> ShapeEvaluation::summary() const {
  std::map<std::string, std::map<std::string, SummaryScores>> sums;
  for (const auto& c : cases)
    for (const auto& m : c.methods)
      for (const auto& [label, s] : m.classes) {
        auto& acc = sums[m.method][c.visible[size_t(label - 1)] ? "visible" : "completed"];
        // Missed classes carry the penalty distance, so every pair counts in every mean.
        acc.dice += s.dice;
        acc.hd95 += s.hd95;
        acc.assd += s.assd;
        acc.chamfer += s.chamfer;
        ++acc.pairs;
        acc.missed += s.missed();
      }
  for (auto& [method, splits] : sums)
    for (auto& [split, s] : splits) {
      s.dice /= s.pairs;
      s.hd95 /= s.pairs;
      s.assd /= s.pairs;
      s.chamfer /= s.pairs;
    }
  return sums;
}

std::string ShapeEvaluation::toJson() const {
  nlohmann::json j;
  j["checkpoint"] = checkpoint;
  j["data"] = data;
  j["split"] = split;
  j["inputs"] = inputs;
  j["cases"] = cases.size();
  j["seconds"] = seconds;
  j["missed_class_distance"] = "a class a method did not predict at all counts with Dice 0 and "
                               "the case grid's diagonal in mm as HD95 and ASSD (twice it as "
                               "Chamfer); missed_pairs counts them";
  for (const auto& [method, splits] : summary())
    for (const auto& [split, s] : splits)
      j["summary"][method][split] = lumen::toJson(s);
  // Per class: mean Dice over the cases where the class was visible / completed.
  std::map<std::string, std::map<int, std::map<std::string, std::pair<double, int>>>> perClass;
  for (const auto& c : cases) {
    nlohmann::json entry;
    entry["case"] = c.caseId;
    entry["visible"] = describeClasses(c.visible);
    entry["completed"] = describeClasses(c.completed);
    for (const auto& m : c.methods) {
      if (!m.retrieved.empty())
        entry["retrieved"] = m.retrieved;
      for (const auto& [label, s] : m.classes) {
        const std::string role = c.visible[size_t(label - 1)] ? "visible" : "completed";
        entry[m.method][heartClassName(label)] = {{"role", role},
                                                  {"dice", number(s.dice)},
                                                  {"hd95_mm", number(s.hd95)},
                                                  {"assd_mm", number(s.assd)},
                                                  {"chamfer_mm", number(s.chamfer)},
                                                  {"missed", s.missed()}};
        auto& acc = perClass[m.method][label][role];
        acc.first += s.dice;
        ++acc.second;
      }
    }
    j["per_case"].push_back(entry);
  }
  for (const auto& [method, labels] : perClass)
    for (const auto& [label, roles] : labels)
      for (const auto& [role, acc] : roles)
        j["per_class_dice"][method][heartClassName(label)][role] = acc.first / acc.second;
  return j.dump(2);
}

} // namespace lumen
