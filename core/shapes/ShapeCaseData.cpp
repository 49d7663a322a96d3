#include "shapes/ShapeCaseData.h"

#include "common/Job.h"
#include "io/NiftiIO.h"
#include "shapes/ShapeDataset.h"
#include "shapes/ShapeEvaluation.h"
#include "shapes/ShapePreparation.h"

namespace lumen {
namespace {

ClassSet presentIn(const Volume<uint8_t>& classes) {
  ClassSet present;
  for (uint8_t label : classes.values)
    if (label > 0)
      present[size_t(label - 1)] = true;
  return present;
}

} // namespace

std::shared_ptr<const ShapeCase> loadShapeCase(const std::string& path, const std::string& classMap,
                                               Job* job) {
  auto loaded = std::make_shared<ShapeCase>();
  loaded->path = path;
  loaded->classMap = classMap;
  if (job)
    job->setProgress(0.0, "reading the label map");
  loaded->labels = readLabelVolume(path);
  loaded->truth = mapClasses(loaded->labels, classMapByName(classMap));
  loaded->present = presentIn(loaded->truth);
  if (job) {
    job->checkCancelled();
    job->setProgress(0.2, "extracting class surfaces");
  }
  loaded->meshes = labelMapMeshes(loaded->truth, job);
  return loaded;
}

ClassSet scanCaseClasses(const std::string& path, const std::string& classMap) {
  return presentIn(mapClasses(readLabelVolume(path), classMapByName(classMap)));
}

ScoredCompletion completeAndScore(const ShapeCase& shapeCase, const std::string& checkpoint,
                                  const std::vector<int>& keep, int resolution, Job* job) {
  ScoredCompletion scored;
  scored.checkpoint = checkpoint;
  if (job)
    job->setProgress(0.0, "loading the model");
  const TrainedShapeModel model(checkpoint, "auto");
  CompletionOptions options;
  options.prepare.classMap = shapeCase.classMap;
  // Sampled as `shapes prepare` samples this file, so the scores are those `shapes eval` gives
  // for the case with the same classes hidden.
  options.prepare.seed = caseSeed(0, caseIdOfPath(shapeCase.path));
  options.keep = keep;
  options.resolution = resolution;
  // The network's own labels everywhere: with the input copied through, visible classes would
  // score a perfect Dice that says nothing about the model.
  options.modelOnly = true;
  ScoredLabelMapCompletion completed =
      completeAndScoreLabelMap(model, shapeCase.labels, options, job);
  scored.result = std::move(completed.completion);
  scored.hidden = shapeCase.present & ~scored.result.visible;
  for (const auto& [label, score] : completed.scores.classes)
    scored.scores.push_back(score);
  return scored;
}

} // namespace lumen
