// `lumen-cli segment infer` (one prompt -> mask request, as a MONAI Label client sends it) and
// `lumen-cli segment eval` (a simulated user clicking on labelled cases, Dice per click count).
#include "Commands.h"
#include "TerminalProgress.h"
#include "TrainingRunCommand.h"
#include "common/Error.h"
#include "common/Files.h"
#include "common/Text.h"
#include "io/CtVolumeIO.h"
#include "io/NiftiIO.h"
#include "segment/ChestClasses.h"
#include "segment/Datastore.h"
#include "segment/DatastoreNames.h"
#include "segment/PromptSegmentation.h"
#include "segment/PropagatorJobs.h"
#include "segment/SegmentEvaluation.h"
#include "segment/SegmentationBackends.h"
#include "segment/SyntheticChestCt.h"
#include "train/TrainingTasks.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

namespace lumen::cli {
namespace {

namespace fs = std::filesystem;

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void requireMaskPath(const std::string& path) {
  if (!endsWith(path, ".nii") && !endsWith(path, ".nii.gz") && !endsWith(path, ".nrrd"))
    throw UsageError("--output " + path + ": a mask is written as .nii, .nii.gz or .nrrd");
  parseOption("--output", [&] { requireWritableParent(path, "--output"); });
}

int inferCommand(const ParsedArgs& args) {
  const auto image = args.value("--image");
  const auto positives = args.value("--points");
  const auto output = args.value("--output");
  if (!image || !positives || !output)
    throw UsageError("segment infer needs --image, --points and --output");
  std::vector<PromptPoint> points =
      parseOption("--points", [&] { return parsePromptPoints(*positives, true); });
  if (const auto negatives = args.value("--negative")) {
    const auto more =
        parseOption("--negative", [&] { return parsePromptPoints(*negatives, false); });
    points.insert(points.end(), more.begin(), more.end());
  }
  BackendSources sources;
  sources.model = args.value("--model", "");
  const auto backend = parseOption("--backend", [&] {
    return makeSegmentationBackend(args.value("--backend", "classical"), sources);
  });
  SegmentationRequest request;
  request.points = points;
  request.plan.marginMm = args.number("--margin-mm", request.plan.marginMm, 0, 500);
  if (args.flag("--union"))
    request.combination = PassCombination::Union;
  requireMaskPath(*output);
  const std::string series = args.value("--series", "");

  SegmentationResult result;
  double readMs = 0, writeMs = 0;
  const int code = runWithProgress(makeJob("segment", [&](Job& job) {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const CtVolume volume = readCtVolume(*image, {}, series);
    const auto t1 = Clock::now();
    result = segmentWithPrompts(volume, request, *backend, &job);
    const auto t2 = Clock::now();
    writeLabelMask(*output, result.mask);
    readMs = std::chrono::duration<double, std::milli>(t1 - t0).count();
    writeMs = std::chrono::duration<double, std::milli>(Clock::now() - t2).count();
  }));
  if (code != 0)
    return code;
  if (args.flag("--json")) {
    auto j = nlohmann::ordered_json::parse(segmentationResultJson(result));
    j["timings_ms"]["read"] = std::round(readMs * 100) / 100;
    j["timings_ms"]["write"] = std::round(writeMs * 100) / 100;
    j["output"] = *output;
    std::printf("%s\n", j.dump(2).c_str());
  } else if (result.error.empty()) {
    std::printf("%lld voxels (%s mL, %.1f%% uncertain) in %.0f ms (read %.0f ms, write %.0f ms) "
                "-> %s\n",
                static_cast<long long>(result.voxels()),
                formatNumber(std::round(result.volumeMl * 100) / 100).c_str(),
                100 * result.uncertainFraction(), result.timings.totalMs, readMs, writeMs,
                output->c_str());
  }
  if (!result.error.empty()) {
    std::fprintf(stderr, "lumen-cli: %s (a blank mask was written to %s)\n", result.error.c_str(),
                 output->c_str());
    return 1;
  }
  return 0;
}

// ---- eval ----

struct EvalCase {
  std::string id, image, labels;
};

// Files of `folder` by MONAI Label id (hidden files and sub-folders skipped).
std::map<std::string, std::string> filesById(const std::string& folder) {
  std::map<std::string, std::string> out;
  const auto patterns = segment::defaultImagePatterns();
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && segment::matchesImagePattern(name, patterns))
      out.emplace(segment::idOfFileName(name, patterns), entry.path().string());
  }
  return out;
}

std::vector<EvalCase> evalCases(const ParsedArgs& args, std::string* labelsFolder) {
  std::vector<EvalCase> cases;
  if (const auto image = args.value("--image")) {
    const auto label = args.value("--label");
    if (!label)
      throw UsageError("--image needs --label, its ground-truth label map");
    parseOption("--image", [&] { requireFile(*image, "image"); });
    parseOption("--label", [&] { requireFile(*label, "label map"); });
    cases.push_back({fs::path(*image).filename().string(), *image, *label});
    *labelsFolder = fs::path(*label).parent_path().string();
    return cases;
  }
  std::string images, labels;
  if (const auto studies = args.value("--studies")) {
    images = *studies;
    labels = (fs::path(*studies) / "labels" / "final").string();
  } else if (args.value("--images") && args.value("--labels")) {
    images = *args.value("--images");
    labels = *args.value("--labels");
  } else {
    throw UsageError("segment eval needs --studies DIR, --images DIR --labels DIR, or --image "
                     "FILE --label FILE");
  }
  parseOption("--images", [&] { requireFolder(images, "image folder"); });
  parseOption("--labels", [&] { requireFolder(labels, "label folder"); });
  const auto imageFiles = filesById(images);
  const auto labelFiles = filesById(labels);
  for (const auto& [id, path] : imageFiles)
    if (const auto label = labelFiles.find(id); label != labelFiles.end())
      cases.push_back({id, path, label->second});
  if (cases.empty())
    throw UsageError("no image in " + images + " has a label map of the same id in " + labels);
  *labelsFolder = labels;
  return cases;
}

// "aorta=13,lv=8"; without --objects, the chest phantoms' blood pools when the labels come from
// `ct synth` (its phantoms.json beside the labels folder).
std::vector<EvaluationObject> evalObjects(const ParsedArgs& args, const std::string& labels) {
  std::vector<EvaluationObject> objects;
  if (const auto text = args.value("--objects")) {
    size_t start = 0;
    while (start < text->size()) {
      const size_t end = std::min(text->find(',', start), text->size());
      const std::string item = text->substr(start, end - start);
      start = end + 1;
      const size_t eq = item.find('=');
      EvaluationObject o;
      const char* first = item.data() + (eq == std::string::npos ? 0 : eq + 1);
      const char* last = item.data() + item.size();
      const auto [at, ec] = std::from_chars(first, last, o.label);
      if (eq == std::string::npos || eq == 0 || ec != std::errc() || at != last || o.label < 1)
        throw UsageError("--objects expects NAME=LABEL pairs such as aorta=13,lv=8, got '" +
                         truncateText(item, 40) + "'");
      o.name = item.substr(0, eq);
      objects.push_back(o);
    }
    return objects;
  }
  // ct synth's labels/ sits beside phantoms.json; a --study's cta/labels/final/ three levels down.
  const fs::path folder(labels);
  const bool synthetic =
      fs::exists(folder.parent_path() / "phantoms.json") ||
      fs::exists(folder.parent_path().parent_path().parent_path() / "phantoms.json");
  if (synthetic) {
    for (int label : {kChestAorta, kChestLV, kChestLA, kChestRV, kChestPulmonaryArtery})
      objects.push_back({chestClassName(label), label});
    return objects;
  }
  throw UsageError("--objects NAME=LABEL,... is needed: which labels of the maps to segment");
}

int evalCommand(const ParsedArgs& args) {
  std::string labelsFolder;
  const auto cases = evalCases(args, &labelsFolder);
  const auto objects = evalObjects(args, labelsFolder);
  const int clicks = int(args.integer("--clicks", 5, 1, 20));
  const auto maxCases = size_t(args.integer("--cases", 1000, 1, 100000));
  BackendSources sources;
  sources.model = args.value("--model", "");
  sources.study = args.value("--studies", "");
  std::vector<std::shared_ptr<const SegmentationBackend>> backends;
  for (const auto& name : args.value("--backend", "classical") == "all"
                              ? availableSegmentationBackends(sources)
                              : std::vector<std::string>{args.value("--backend", "classical")})
    backends.push_back(
        parseOption("--backend", [&] { return makeSegmentationBackend(name, sources); }));

  std::map<std::string, std::vector<ClickCurve>> curves;
  const int code = runWithProgress(makeJob("segment eval", [&](Job& job) {
    const size_t n = std::min(cases.size(), maxCases);
    for (size_t c = 0; c < n; ++c) {
      job.setProgress(double(c) / double(n), cases[c].id);
      const CtVolume image = readCtVolume(cases[c].image);
      const LabelVolume labels = readLabelVolume(cases[c].labels);
      for (const auto& backend : backends) {
        auto more = evaluateClicks(image, labels, cases[c].id, objects, *backend, clicks, &job);
        auto& all = curves[backend->name()];
        all.insert(all.end(), more.begin(), more.end());
      }
    }
  }));
  if (code != 0)
    return code;

  // SAM-Med3D's published overall Dice (its paper's point-prompt table), for reference.
  const std::map<int, double> samMed3d{{1, 0.763}, {3, 0.790}, {5, 0.798}, {10, 0.807}};
  nlohmann::ordered_json json;
  for (const auto& [backend, list] : curves) {
    const auto summary = summarizeClicks(list, clicks);
    if (args.flag("--json")) {
      auto& b = json["backends"][backend];
      for (const auto& s : summary)
        b[s.object] = {{"cases", s.cases}, {"dice", s.meanDice}, {"ms_per_request", s.meanMs}};
      for (const auto& c : list) {
        std::string positives, negatives;
        for (const auto& p : c.points) {
          auto& text = p.positive ? positives : negatives;
          text += (text.empty() ? "" : ";") + std::to_string(p.ijk[0]) + "," +
                  std::to_string(p.ijk[1]) + "," + std::to_string(p.ijk[2]);
        }
        json["cases"].push_back({{"backend", backend},
                                 {"case", c.caseId},
                                 {"object", c.object},
                                 {"dice", c.dice},
                                 {"points", positives},
                                 {"negative", negatives}});
      }
      continue;
    }
    std::printf("backend %s, %zu case(s), Dice after k clicks:\n", backend.c_str(),
                std::min(cases.size(), maxCases));
    std::printf("  %-14s %5s", "object", "cases");
    for (int k = 1; k <= clicks; ++k)
      std::printf(" %6s", ("k=" + std::to_string(k)).c_str());
    std::printf(" %9s\n", "ms/click");
    for (const auto& s : summary) {
      std::printf("  %-14s %5d", s.object.c_str(), s.cases);
      for (double d : s.meanDice)
        std::printf(" %6.3f", d);
      std::printf(" %9.0f\n", s.meanMs);
    }
  }
  if (args.flag("--json")) {
    json["reference"]["SAM-Med3D (published, overall)"] = samMed3d;
    std::printf("%s\n", json.dump(2).c_str());
  } else {
    std::printf("  %-14s %5s", "SAM-Med3D*", "");
    for (int k = 1; k <= clicks; ++k) {
      const auto it = samMed3d.find(k);
      if (it == samMed3d.end())
        std::printf(" %6s", "");
      else
        std::printf(" %6.3f", it->second);
    }
    std::printf("\n  * published overall Dice of SAM-Med3D (another data set), for scale\n");
  }
  return 0;
}

// ---- train ----

int trainCommand(const ParsedArgs& args) {
  std::vector<std::string> overrides;
  std::string runDir;
  if (const auto studies = args.value("--studies")) {
    parseOption("--studies", [&] {
      if (!fs::is_directory(*studies))
        throw InputError(*studies + " is not a folder");
    });
    overrides.push_back("data.studies=" + *studies);
    if (!args.value("--run-dir"))
      runDir = prepareStudyPropagatorRun(*studies);
  } else if (!args.value("--config") && !args.value("--run-dir")) {
    throw UsageError("segment train needs --studies DIR (a study folder with labels/final), or a "
                     "--config naming data.studies");
  }
  return runTrainingCommand(
      "segment", args, overrides, [](const std::string&) { return "propagator"; }, runDir);
}

} // namespace

namespace {

void printDemoTable(const std::string& backend, int cases, int clicks,
                    const std::vector<ClickCurve>& curves) {
  std::printf("Dice after k clicks, backend %s, %d cases:\n  %-8s", backend.c_str(), cases,
              "object");
  for (int k = 1; k <= clicks; ++k)
    std::printf("    k=%d", k);
  std::printf("\n");
  for (const auto& s : summarizeClicks(curves, clicks)) {
    std::printf("  %-8s", s.object.c_str());
    for (double d : s.meanDice)
      std::printf("  %5.3f", d);
    std::printf("\n");
  }
}

} // namespace

int segmentDemo(const std::string& workspace, int learnedEpochs) {
  const std::string folder = workspace + "/segment";
  const std::string trainFolder = workspace + "/segment-train";
  constexpr int kCases = 3, kTrainCases = 4, kClicks = 5;
  std::printf("\nSegmentation: three synthetic chest CTs (non-contrast, CTA, labels) in %s, then a "
              "simulated user clicking the aorta and heart chambers of each CTA",
              folder.c_str());
  if (learnedEpochs > 0)
    std::printf(", with the classical backend and with the learned one, trained first for %d "
                "epoch(s) on %d other chests (%s/cta, a study with final labels)",
                learnedEpochs, kTrainCases, trainFolder.c_str());
  std::printf(".\n");
  const std::vector<EvaluationObject> objects{
      {chestClassName(kChestAorta), kChestAorta},
      {chestClassName(kChestLV), kChestLV},
      {chestClassName(kChestLA), kChestLA},
      {chestClassName(kChestRV), kChestRV},
      {chestClassName(kChestPulmonaryArtery), kChestPulmonaryArtery}};
  int code = runWithProgress(makeJob("segmentation demo: synthetic chests", [&](Job& job) {
    writeSyntheticChestCts(folder, kCases, 100, SyntheticChestCtOptions{}, true, &job);
    segment::Datastore study(folder + "/cta"); // the CTAs as a MONAI Label study folder
    if (learnedEpochs > 0) {
      // Other seeds than the evaluated chests: the learned backend is measured on cases it never
      // saw.
      const auto train = writeSyntheticChestCts(trainFolder, kTrainCases, 0,
                                                SyntheticChestCtOptions{}, true, &job);
      linkSyntheticLabelsAsFinal(trainFolder, train.cases);
    }
  }));
  if (code != 0)
    return code;
  std::vector<std::pair<std::string, std::shared_ptr<const SegmentationBackend>>> backends{
      {"classical", makeSegmentationBackend("classical")}};
  if (learnedEpochs > 0) {
    const std::string studies = trainFolder + "/cta";
    const std::string run = prepareStudyPropagatorRun(studies);
    const auto& task = trainingTask("segment");
    code = runWithProgress(
        task.start(task.resolve("", {"data.studies=" + studies,
                                     "trainer.epochs=" + std::to_string(learnedEpochs)}),
                   run, TrainingRunOptions{}));
    if (code != 0)
      return code;
    BackendSources sources;
    sources.study = studies;
    backends.emplace_back("learned", makeSegmentationBackend("learned", sources));
  }
  std::vector<std::vector<ClickCurve>> curves(backends.size());
  code = runWithProgress(makeJob("segmentation demo: simulated clicks", [&](Job& job) {
    for (int c = 0; c < kCases; ++c) {
      char id[16];
      std::snprintf(id, sizeof id, "case_%03d", c);
      job.setProgress(double(c) / kCases, id);
      const auto image = readCtVolume(folder + "/cta/" + id + ".nii.gz");
      const auto labels = readLabelVolume(folder + "/labels/" + id + ".nii.gz");
      for (size_t b = 0; b < backends.size(); ++b) {
        auto more = evaluateClicks(image, labels, id, objects, *backends[b].second, kClicks, &job);
        curves[b].insert(curves[b].end(), more.begin(), more.end());
      }
    }
  }));
  if (code != 0)
    return code;
  for (size_t b = 0; b < backends.size(); ++b)
    printDemoTable(backends[b].first, kCases, kClicks, curves[b]);
  std::printf("The CTAs form a study folder: lumen-cli segment serve --studies %s/cta\n",
              folder.c_str());
  return 0;
}

void addSegmentCommands(Command& segment) {
  segment.subcommand("infer", "Segment one object of a CT from 3D point prompts")
      .description(
          "Points are voxel indices of the image as stored (i,j,k; k the slice), as MONAI Label's\n"
          "clients send them. The positive points, sorted by slice, give key-slice boxes; a\n"
          "forward and a backward pass propagate through them. The mask has the image's\n"
          "geometry: 0 background, 1 certain (both passes), 2 uncertain (one pass). An invalid\n"
          "request writes a blank mask and exits 1 with the error (in the JSON with --json).")
      .option({"--image", "VOLUME", "CT: .nii/.nii.gz/.nrrd/.mha or a DICOM series folder"})
      .option({"--series", "UID", "the series to read when the folder holds several"})
      .option({"--points", "I,J,K;...", "positive points inside the object"})
      .option({"--negative", "I,J,K;...", "negative points on background to keep out"})
      .option({"--backend", "NAME", "classical (default), learned or torchscript"})
      .option({"--model", "PATH",
               "learned: a `segment train` run folder; torchscript: a TorchScript file"})
      .option({"--margin-mm", "MM", "margin of the key-slice boxes (default 20)"})
      .option({"--union", "", "a voxel either pass finds is certain (MedSAM2's union mode)"})
      .option({"--output", "MASK", "label map to write: .nii, .nii.gz or .nrrd"})
      .option({"--json", "", "print the JSON result (voxels, mL, uncertain fraction, timings)"})
      .handler(inferCommand);
  segment.subcommand("eval", "Dice per object and click count, from a simulated user")
      .description(
          "For every labelled case and object, a simulated user clicks: 1 click on the middle\n"
          "slice, 2 on the lowest and highest slices, 3 adds the middle; beyond 3, one correction\n"
          "at a time in the largest error region. Cases: --studies DIR (images in DIR, ground\n"
          "truth in DIR/labels/final), --images DIR --labels DIR (same ids; `ct synth`'s cta/ and\n"
          "labels/), or --image FILE --label FILE.")
      .option({"--studies", "DIR", "a study folder with labels/final"})
      .option({"--images", "DIR", "folder of CT images"})
      .option({"--labels", "DIR", "folder of label maps with the images' ids"})
      .option({"--image", "FILE", "one CT image"})
      .option({"--label", "FILE", "its label map"})
      .option({"--objects", "NAME=LABEL,...",
               "objects to segment (default for ct synth: "
               "Aorta, LV, LA, RV, PA)"})
      .option({"--backend", "NAME",
               "classical (default), learned, torchscript, a study plug-in, or all (every one "
               "that has a model)"})
      .option({"--model", "PATH",
               "learned: a run folder (default: the study's models/propagator); torchscript: a "
               "TorchScript file"})
      .option({"--clicks", "K", "click budget, 1-20 (default 5)"})
      .option({"--cases", "N", "evaluate at most N cases"})
      .option({"--json", "", "print JSON"})
      .handler(evalCommand);
  auto& train = segment.subcommand(
      "train", "Train the learned 2D propagator on a study folder's final labels");
  train.description(
      "Every image of the study with a labels/final/ map is a case; each label value of the map\n"
      "is an object. The run goes to STUDIES/models/propagator, where the learned backend of\n"
      "`segment infer|eval|serve` and the Segment workspace look; an unfinished run there\n"
      "resumes, a finished one is kept as models/propagator-<time> and a new one trains.\n"
      "val/pipeline_dice scores the whole prompt pipeline on held-out cases with three clicks,\n"
      "next to val/classical_dice, the classical backend on the same clicks.");
  train.option({"--studies", "DIR", "the study folder to learn from"});
  addTrainingOptions(train, "segment", "propagator");
  train.handler(trainCommand);
}

} // namespace lumen::cli

namespace lumen::cli {

void addSegmentGroup(Command& root) {
  auto& segment = root.subcommand(kSegmentCommand.name, kSegmentCommand.summary);
  addSegmentDatastoreCommand(segment);
  addSegmentCommands(segment);
  addSegmentServeCommand(segment);
}

} // namespace lumen::cli
