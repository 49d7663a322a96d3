// `lumen-cli shapes ...`: synthetic hearts, preparation, training phases, completion, evaluation.
#include "Commands.h"
#include "TerminalProgress.h"
#include "TrainingRunCommand.h"
#include "common/AtomicFile.h"
#include "common/Config.h"
#include "common/Error.h"
#include "common/Files.h"
#include "common/Resources.h"
#include "common/Text.h"
#include "io/NiftiIO.h"
#include "shapes/ClassMeshes.h"
#include "shapes/CompletionFiles.h"
#include "shapes/ShapeCompletion.h"
#include "shapes/ShapeDataset.h"
#include "shapes/ShapeEvaluation.h"
#include "shapes/ShapeJobs.h"
#include "shapes/SyntheticHeart.h"
#include "train/RunDirectory.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

namespace lumen::cli {
namespace {

Vec3 spacingOption(const ParsedArgs& args, Vec3 fallback) {
  const auto text = args.value("--spacing");
  if (!text)
    return fallback;
  Vec3 s{};
  char rest = 0;
  if (std::sscanf(text->c_str(), "%lf,%lf,%lf%c", &s[0], &s[1], &s[2], &rest) != 3)
    throw UsageError("--spacing expects X,Y,Z in millimetres, e.g. 1.25,1.25,2.5");
  // Finer than 0.25 mm, a phantom heart would need billions of voxels.
  for (double mm : s)
    if (!(mm >= 0.25 && mm <= 20))
      throw UsageError("--spacing: each voxel side must be 0.25 to 20 mm, got " + formatNumber(mm));
  return s;
}

constexpr int64_t kMaxSeed = int64_t(1) << 53; // as large as every tool reading seeds agrees on

int synthCommand(const ParsedArgs& args) {
  SyntheticHeartOptions options;
  options.spacing = spacingOption(args, options.spacing);
  const std::string out = args.positional(0);
  const int cases = int(args.integer("--cases", 10, 1, 100000));
  const auto seed = uint64_t(args.integer("--seed", 0, 0, kMaxSeed));
  std::vector<std::string> paths;
  const int code = runWithProgress(makeJob("synthetic hearts", [&](Job& job) {
    paths = writeSyntheticHearts(out, cases, seed, options, &job);
  }));
  if (code == 0)
    std::printf("wrote %zu synthetic hearts (10 classes) to %s\n", paths.size(), out.c_str());
  return code;
}

int prepareCommand(const ParsedArgs& args) {
  const auto input = args.value("--input"), output = args.value("--output");
  if (!input || !output)
    throw UsageError("shapes prepare needs --input DIR and --output DIR");
  ShapeDatasetOptions options;
  options.prepare.classMap = args.value("--class-map", "heart10");
  parseOption("--class-map", [&] { return classMapByName(options.prepare.classMap); });
  options.prepare.points = int(args.integer("--points", 8192, 1, 1 << 22));
  const int queries = int(args.integer("--queries", 100000, 0, 10000000));
  options.prepare.volumeQueries = queries;
  options.prepare.nearQueries = queries;
  options.prepare.grid = int(args.integer("--grid", 128, kMinPreparationGrid, kMaxPreparationGrid));
  options.prepare.seed = uint64_t(args.integer("--seed", 0, 0, kMaxSeed));
  if (const auto list = args.value("--unannotated"))
    options.prepare.unannotated =
        parseOption("--unannotated", [&] { return parseHeartClassList(*list); });
  options.valFraction = args.number("--val-fraction", 0.2, 0.0, 1.0);
  options.splitSeed = uint64_t(args.integer("--split-seed", 0, 0, kMaxSeed));
  options.threads = int(args.integer("--threads", 0, 0, 1024));
  ShapeDatasetResult result;
  const int code = runWithProgress(makeJob("prepare " + *input, [&](Job& job) {
    result = prepareShapeDataset(*input, *output, options, &job);
  }));
  if (code == 0)
    std::printf("prepared %zu cases into %s (%zu train, %zu val) in %.1f s\n",
                result.train.size() + result.val.size(), output->c_str(), result.train.size(),
                result.val.size(), result.seconds);
  return code;
}

int trainCommand(const ParsedArgs& args) {
  // --phase and --init are shorthands for the config keys; they win over --set.
  std::vector<std::string> shorthands;
  if (const auto phase = args.value("--phase"))
    shorthands.push_back("phase=" + *phase);
  if (const auto init = args.value("--init"))
    shorthands.push_back("init=" + *init);
  return runTrainingCommand("shapes", args, shorthands, [](const std::string& config) {
    return "shapes-p" + YAML::Load(config)["phase"].as<std::string>();
  });
}

int completeCommand(const ParsedArgs& args) {
  const auto checkpoint = args.value("--checkpoint"), input = args.value("--input"),
             output = args.value("--output");
  if (!checkpoint || !input || !output)
    throw UsageError("shapes complete needs --checkpoint CK, --input LABELS.nii.gz and --output "
                     "OUT.nii.gz");
  requireWritableParent(*output, "--output");
  CompletionOptions options;
  options.prepare.classMap = args.value("--class-map", "heart10");
  parseOption("--class-map", [&] { return classMapByName(options.prepare.classMap); });
  // Sampled as `shapes prepare` samples a file of this name, so a prepared case completes from
  // exactly the input the model was trained and evaluated on.
  options.prepare.seed = caseSeed(0, caseIdOfPath(*input));
  if (const auto keep = args.value("--keep"))
    options.keep = parseOption("--keep", [&] { return parseHeartClassList(*keep); });
  options.resolution =
      int(args.integer("--resolution", 128, kMinCompletionResolution, kMaxCompletionResolution));
  options.modelOnly = args.flag("--model-only");
  options.largestComponent = !args.flag("--keep-islands");
  const std::string meshes = args.value("--meshes", "");
  std::vector<std::string> formats{"vtp"};
  if (!meshes.empty()) {
    const std::string format = args.value("--mesh-format", "stl");
    if (format != "stl" && format != "obj" && format != "ply")
      throw UsageError("--mesh-format must be stl, obj or ply, got '" + format + "'");
    formats.push_back(format);
    if (std::filesystem::exists(meshes) && !std::filesystem::is_directory(meshes))
      throw UsageError("--meshes " + meshes + " is a file, expected a folder");
  }
  CompletionResult result;
  std::vector<std::string> meshFiles;
  const int code = runWithProgress(makeJob("complete " + *input, [&](Job& job) {
    // The input first: a broken file fails before the model is loaded.
    const LabelVolume labels = readLabelVolume(*input);
    const TrainedShapeModel model(*checkpoint, args.value("--device", "auto"));
    result = completeLabelMap(model, labels, options, &job);
    // All or nothing: a failure part-way leaves neither the label map nor some of the meshes.
    meshFiles = writeCompletionFiles(result, *output, meshes, formats);
  }));
  if (code != 0)
    return code;
  std::printf("input classes:     %s\ncompleted classes: %s\n",
              describeClasses(result.visible).c_str(), describeClasses(result.completed).c_str());
  std::printf("decoded %lld grid samples with %lld network queries in %.2f s\n",
              static_cast<long long>(result.gridSamples), static_cast<long long>(result.evaluated),
              result.seconds);
  std::printf("label map: %s\n", output->c_str());
  if (!meshes.empty())
    std::printf("meshes: %zu files in %s\n", meshFiles.size(), meshes.c_str());
  return 0;
}

std::string cell(double v, const char* format) {
  if (!std::isfinite(v))
    return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

int evalCommand(const ParsedArgs& args) {
  const auto checkpoint = args.value("--checkpoint"), data = args.value("--data");
  if (!checkpoint || !data)
    throw UsageError("shapes eval needs --checkpoint CK and --data PREPARED_DIR");
  ShapeEvalOptions options;
  options.data = *data;
  options.split = args.value("--split", "val");
  options.reference = args.value("--reference", "");
  if (const auto drop = args.value("--drop"))
    options.drop = parseOption("--drop", [&] { return parseHeartClassList(*drop); });
  options.protocol = int(args.integer("--protocol", 2, 1, 4));
  options.baseline = !args.flag("--no-baseline");
  options.largestComponent = !args.flag("--keep-islands");
  options.maxCases = int(args.integer("--max-cases", 0, 0, 1 << 30));
  options.seed = uint64_t(args.integer("--seed", 0, 0, kMaxSeed));
  options.device = args.value("--device", "auto");
  const bool json = args.flag("--json");
  ShapeEvaluation result;
  const int code = runWithProgress(makeJob("evaluate " + *checkpoint, [&](Job& job) {
    // Protocols 2 and 3 draw inputs with the model's own phase settings.
    options.phases = loadConfig<ShapeTrainConfig>(runConfigOfCheckpoint(*checkpoint)).phases;
    result = evaluateShapes(*checkpoint, options, &job);
  }));
  if (code != 0)
    return code;
  const std::string text = result.toJson();
  if (const auto out = args.value("--output"))
    replaceFileAtomically(*out, [&](const std::string& temp) {
      std::ofstream file(temp);
      file << text << "\n";
      if (!file)
        throw IoError("could not write " + *out);
    });
  if (json) {
    std::printf("%s\n", text.c_str());
    return 0;
  }
  std::printf("%zu cases of %s (%s), inputs: %s\n", result.cases.size(), data->c_str(),
              options.split.c_str(), result.inputs.c_str());
  std::printf("%-10s %-10s %6s %7s %8s %10s %10s %12s\n", "METHOD", "CLASSES", "PAIRS", "MISSED",
              "DICE", "HD95 mm", "ASSD mm", "CHAMFER mm");
  int missed = 0;
  for (const auto& [method, splits] : result.summary())
    for (const auto& [split, s] : splits) {
      std::printf("%-10s %-10s %6d %7d %8s %10s %10s %12s\n", method.c_str(), split.c_str(),
                  s.pairs, s.missed, cell(s.dice, "%.4f").c_str(), cell(s.hd95, "%.2f").c_str(),
                  cell(s.assd, "%.2f").c_str(), cell(s.chamfer, "%.2f").c_str());
      missed += s.missed;
    }
  if (missed > 0)
    std::printf("MISSED: classes a method did not predict at all; they count in the means with "
                "Dice 0 and the case grid's diagonal as distance\n");
  std::printf("(%.1f s)\n", result.seconds);
  return 0;
}

} // namespace

int shapesDemo(const std::string& workspace) {
  const std::string hearts = workspace + "/hearts", prepared = workspace + "/hearts-prepared";
  const std::string stamp = timestampName();
  const std::string phase1 = workspace + "/runs/shapes-p1-" + stamp;
  const std::string phase2 = workspace + "/runs/shapes-p2-" + stamp;
  int code = runWithProgress(makeJob("synthetic hearts and preparation", [&](Job& job) {
    SyntheticHeartOptions heart;
    heart.spacing = {1.5, 1.5, 1.5};
    writeSyntheticHearts(hearts, 24, 0, heart, &job);
    ShapeDatasetOptions options;
    options.prepare.volumeQueries = options.prepare.nearQueries = 20000;
    options.prepare.grid = 96;
    prepareShapeDataset(hearts, prepared, options, &job);
  }));
  const std::vector<std::string> quick{"data.dirs=[" + prepared + "]", "data.cached_queries=8192",
                                       "data.val_queries=4096"};
  auto train = [&](int phase, const std::string& runDir, const std::string& init, int epochs) {
    auto overrides = quick;
    overrides.push_back("phase=" + std::to_string(phase));
    if (!init.empty())
      overrides.push_back("init=" + init);
    overrides.push_back("trainer.epochs=" + std::to_string(epochs));
    const auto config =
        loadConfig<ShapeTrainConfig>(findResource("configs/shapes/small.yaml"), overrides);
    std::printf("\nShape autoencoder, phase %d; watch it with:\n  lumen-cli monitor %s\n\n", phase,
                runDir.c_str());
    return runWithProgress(shapeTrainingJob(config, runDir));
  };
  if (code == 0)
    code = train(1, phase1, "", 20);
  if (code == 0)
    code = train(2, phase2, phase1 + "/checkpoints/best.pt", 10);
  if (code != 0)
    return code;
  // A held-out heart with its great vessels, LAA, coronaries and veins hidden, completed.
  const std::string checkpoint = phase2 + "/checkpoints/best.pt";
  const std::string caseId = readCaseList(prepared, "val").front();
  const std::string completed = workspace + "/" + caseId + "_completed.nii.gz";
  CompletionOptions options;
  options.keep = parseHeartClassList("myo,la,lv,ra,rv");
  options.prepare.grid = 96; // as the demo prepared its dataset
  options.prepare.seed = caseSeed(0, caseId);
  ShapeEvaluation scores;
  code = runWithProgress(makeJob("complete " + caseId + " and evaluate", [&](Job& job) {
    const TrainedShapeModel model(checkpoint);
    const auto result =
        completeLabelMap(model, readLabelVolume(hearts + "/" + caseId + ".nii.gz"), options, &job);
    writeCompletionFiles(result, completed, workspace + "/" + caseId + "_meshes", {"vtp", "stl"});
    ShapeEvalOptions eval;
    eval.data = prepared;
    eval.drop = parseHeartClassList("ao,pa,laa,cor,pv");
    scores = evaluateShapes(checkpoint, eval, &job);
  }));
  if (code != 0)
    return code;
  std::printf("\nShape completion of held-out hearts from Myo, LA, LV, RA, RV (Dice):\n");
  for (const auto& [method, splits] : scores.summary())
    std::printf("  %-10s visible %.3f   completed %.3f\n", method.c_str(),
                splits.count("visible") ? splits.at("visible").dice : 0.0,
                splits.count("completed") ? splits.at("completed").dice : 0.0);
  std::printf("completed heart: %s (meshes in %s_meshes)\n", completed.c_str(),
              (workspace + "/" + caseId).c_str());
  return 0;
}

void addShapesCommands(Command& root) {
  auto& shapes = root.subcommand(kShapesCommand.name, kShapesCommand.summary);
  shapes.subcommand("synth", "Write synthetic 10-class heart label maps (NIfTI)")
      .description("A parametric phantom: chambers, a myocardial shell around the LV, aorta and "
                   "pulmonary artery\nleaving the ventricles, LAA, pulmonary veins and coronary "
                   "arteries on the epicardium,\nwith random size, proportions and pose per case.")
      .positional({"OUTDIR", "folder for heart_###.nii.gz"})
      .option({"--cases", "N", "number of hearts (default 10)"})
      .option({"--seed", "S", "seed of the first heart; case c uses S + c (default 0)"})
      .option({"--spacing", "X,Y,Z", "voxel size in mm, 0.25-20 (default 1.25,1.25,1.25)"})
      .handler(synthCommand);
  shapes.subcommand("prepare", "Prepare label maps for shape learning: one HDF5 per case")
      .description("Per case: surface points with one-hot classes, volume and near-surface "
                   "queries with per-class\noccupancy and signed distance, and the normalisation "
                   "frame; plus train.csv and val.csv.\nCases run in parallel.")
      .option({"--input", "DIR", "folder of NIfTI label maps (.nii, .nii.gz)"})
      .option({"--output", "DIR", "folder for <case>.h5, train.csv and val.csv"})
      .option({"--class-map", "NAME",
               "heart10 (default) or mmwhs7 (7 MM-WHS classes; LAA, "
               "coronaries and PVs unannotated)"})
      .option({"--unannotated", "CLASSES",
               "classes to treat as not labelled, e.g. laa,cor,pv (a partially "
               "labelled dataset)"})
      .option({"--points", "N", "surface points per case (default 8192)"})
      .option({"--queries", "Q", "volume and near-surface queries each (default 100000)"})
      .option({"--grid", "N", "distance-field grid per axis, 8-256 (default 128)"})
      .option({"--val-fraction", "F",
               "share of cases for validation (default 0.2); a case's split follows from its "
               "name alone"})
      .option({"--split-seed", "S", "seed of the name hash that splits the cases (default 0)"})
      .option({"--seed", "S", "sampling seed (default 0)"})
      .option({"--threads", "N", "parallel cases (default: one per core)"})
      .handler(prepareCommand);
  auto& shapesTrain =
      shapes.subcommand("train", "Train the VecSet autoencoder, one phase at a time");
  shapesTrain
      .description("Phases: 1 reconstruction (all present classes in, all out); 2 "
                   "completion (2-5 random\nclasses dropped from the input); 3 configured class "
                   "subsets and their unions in; 4 partially\nlabelled datasets. Dropped classes "
                   "stay supervised; unannotated ones never are. Each phase\nstarts from the "
                   "previous phase's best.pt (--init).")
      .option({"--phase", "N", "training phase 1-4 (default: the config's)"})
      .option({"--init", "CHECKPOINT",
               "weights to start from, e.g. runs/shapes-p1/checkpoints/best.pt"});
  addTrainingOptions(shapesTrain, "shapes", "shapes-p<phase>");
  shapesTrain.handler(trainCommand);
  shapes.subcommand("complete", "Complete a heart label map with a trained model")
      .description("The kept classes' surfaces are encoded; the latent set is decoded coarse to "
                   "fine into a\n10-class label map in the input's geometry, plus per-class "
                   "meshes in millimetres.")
      .option({"--checkpoint", "CK", "a shapes run's checkpoints/best.pt"})
      .option({"--input", "LABELS", "NIfTI label map"})
      .option({"--output", "OUT", "completed NIfTI label map (values 1-10)"})
      .option({"--keep", "CLASSES", "input classes, e.g. myo,lv,rv (default: all present)"})
      .option({"--class-map", "NAME", "heart10 (default) or mmwhs7"})
      .option({"--meshes", "DIR", "also write per-class meshes (VTP and --mesh-format)"})
      .option({"--mesh-format", "FMT", "stl (default), obj or ply"})
      .option(
          {"--resolution", "N", "grid samples along the heart's longest side, 8-512 (default 128)"})
      .option({"--model-only", "",
               "output the network's labels everywhere (default: the input's "
               "classes keep their voxels)"})
      .option({"--keep-islands", "", "keep every predicted component (default: the largest only)"})
      .option({"--device", "DEV", "auto (default), cpu, cuda"})
      .handler(completeCommand);
  shapes.subcommand("eval", "Score completion against ground truth and the retrieval baseline")
      .description("Per held-out case, some classes are hidden; the model's dense prediction and "
                   "the nearest-\nneighbour retrieval baseline are scored per class (Dice, HD95, "
                   "ASSD, Chamfer in mm),\nseparately for visible and completed classes.")
      .option({"--checkpoint", "CK", "a shapes run's checkpoints/best.pt"})
      .option({"--data", "DIR", "prepared dataset (from shapes prepare)"})
      .option({"--split", "NAME", "val (default), train or all"})
      .option({"--drop", "CLASSES", "classes hidden from every case's input"})
      .option({"--protocol", "N", "without --drop: inputs drawn as training phase N (default 2)"})
      .option({"--reference", "DIR", "retrieval database (default: --data's train split)"})
      .option({"--no-baseline", "", "skip the retrieval baseline"})
      .option({"--max-cases", "N", "evaluate at most N cases"})
      .option({"--seed", "S", "seed of the drawn inputs (default 0)"})
      .option({"--json", "", "print the full results as JSON"})
      .option({"--output", "FILE", "also write the JSON to FILE"})
      .option({"--keep-islands", "", "keep every predicted component (default: the largest only)"})
      .option({"--device", "DEV", "auto (default), cpu, cuda"})
      .handler(evalCommand);
}

} // namespace lumen::cli
