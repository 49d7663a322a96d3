// `lumen-cli events ...`: import, stats, encode and decode event recordings.
#include "Commands.h"
#include "TerminalProgress.h"
#include "common/Error.h"
#include "common/Text.h"
#include "events/EventFile.h"
#include "events/EventFilters.h"
#include "events/EventImport.h"
#include "events/EventMetrics.h"
#include "events/KeptEvents.h"
#include "events/SyntheticEvents.h"
#include "events/VoxelFile.h"

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

namespace lumen::cli {
namespace {

SensorSize sensorOption(const ParsedArgs& args) {
  const auto text = args.value("--sensor");
  if (!text)
    return {};
  SensorSize s;
  char rest = 0;
  if (std::sscanf(text->c_str(), "%5dx%5d%c", &s.width, &s.height, &rest) != 2 || !s.valid() ||
      s.width > 65535 || s.height > 65535)
    throw UsageError("--sensor expects WIDTHxHEIGHT with sizes from 1 to 65535, e.g. 640x480");
  return s;
}

int importCommand(const ParsedArgs& args) {
  ImportOptions options;
  options.sort = args.flag("--sort");
  options.sensor = sensorOption(args);
  const std::string in = args.positional(0), out = args.positional(1);
  ImportResult result;
  const int code = runWithProgress(
      makeJob("import " + in, [&](Job& job) { result = importEvents(in, out, options, &job); }));
  if (code == 0) {
    std::printf("imported %llu events (%s, %dx%d sensor from %s) into %s\n",
                static_cast<unsigned long long>(result.events), eventFormatName(result.format),
                result.sensor.width, result.sensor.height, result.sensorSource.c_str(),
                out.c_str());
    // What the recording held besides the events: frames, IMU, triggers, words skipped.
    if (const std::string counts = describeCounts(result.counts); !counts.empty())
      std::printf("%s\n", counts.c_str());
  }
  return code;
}

int statsCommand(const ParsedArgs& args) {
  const std::string path = args.positional(0);
  EventFileReader reader(path);
  const EventStats stats = reader.scan();
  if (args.flag("--json")) {
    const nlohmann::json j{{"file", path},
                           {"num_events", stats.numEvents},
                           {"width", stats.sensor.width},
                           {"height", stats.sensor.height},
                           {"t_first_us", stats.tFirst},
                           {"t_last_us", stats.tLast},
                           {"duration_s", stats.durationSeconds()},
                           {"num_pos", stats.numPositive},
                           {"num_neg", stats.numNegative},
                           {"events_per_s", stats.eventsPerSecond()},
                           {"has_labels", reader.hasLabels()}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%s\n  events     %llu (%llu positive, %llu negative)\n  sensor     %d x %d%s\n"
              "  time       %lld .. %lld us (%.3f s)\n  rate       %.3g events/s\n",
              path.c_str(), static_cast<unsigned long long>(stats.numEvents),
              static_cast<unsigned long long>(stats.numPositive),
              static_cast<unsigned long long>(stats.numNegative), stats.sensor.width,
              stats.sensor.height, reader.sensorFromAttribute() ? "" : " (inferred)",
              static_cast<long long>(stats.tFirst), static_cast<long long>(stats.tLast),
              stats.durationSeconds(), stats.eventsPerSecond());
  return 0;
}

int encodeCommand(const ParsedArgs& args) {
  EncodeFileOptions options;
  options.voxel.bins = int(args.integer("--bins", 8, 1, 1024));
  options.windowUs = args.integer("--window-us", 20000, 1, int64_t(1) << 40);
  options.voxel.anchor =
      parseOption("--anchor", [&] { return parseVoxelAnchor(args.value("--anchor", "window")); });
  options.voxel.hard = args.flag("--hard");
  options.voxel.normalization = parseOption(
      "--normalize", [&] { return parseVoxelNormalization(args.value("--normalize", "none")); });
  options.keepPartial = !args.flag("--drop-partial");
  options.compression = parseOption("--compress", [&] {
    const std::string text = args.value("--compress", "none");
    if (text == "none")
      return 0;
    if (text == "gzip")
      return 4;
    if (text.size() == 6 && text.rfind("gzip-", 0) == 0 && text[5] >= '1' && text[5] <= '9')
      return text[5] - '0';
    throw InputError("'" + truncateText(text, 20) + "': expected none, gzip or gzip-1 .. gzip-9");
  });
  const std::string in = args.positional(0), out = args.positional(1);
  EncodeFileResult result;
  const int code = runWithProgress(
      makeJob("encode " + in, [&](Job& job) { result = encodeEventFile(in, out, options, &job); }));
  if (code == 0)
    std::printf("wrote %llu voxel grids (%d bins, %dx%d) of %llu events to %s\n",
                static_cast<unsigned long long>(result.segments), options.voxel.bins,
                result.sensor.width, result.sensor.height,
                static_cast<unsigned long long>(result.events), out.c_str());
  return code;
}

int decodeCommand(const ParsedArgs& args) {
  DecodeOptions options;
  options.jitter = args.flag("--jitter");
  options.seed = uint64_t(args.integer("--seed", 0, 0, INT64_MAX));
  options.hard = args.flag("--hard");
  const std::string in = args.positional(0), out = args.positional(1);
  DecodeFileResult result;
  const int code = runWithProgress(
      makeJob("decode " + in, [&](Job& job) { result = decodeVoxelFile(in, out, options, &job); }));
  if (code == 0)
    std::printf("decoded %llu segments into %llu events in %s\n",
                static_cast<unsigned long long>(result.segments),
                static_cast<unsigned long long>(result.events), out.c_str());
  return code;
}

int synthCommand(const ParsedArgs& args) {
  SyntheticEventConfig config;
  config.width = int(args.integer("--width", config.width, 8, 8192));
  config.height = int(args.integer("--height", config.height, 8, 8192));
  const int files = int(args.integer("--files", 10, 1, 100000));
  const auto seed = uint64_t(args.integer("--seed", 0, 0, INT64_MAX));
  const std::string out = args.positional(0);
  uint64_t events = 0;
  const int code = runWithProgress(makeJob("synthesise events", [&](Job& job) {
    events = writeSyntheticEventDataset(out, files, seed, config, &job);
  }));
  if (code == 0)
    std::printf("wrote %d paired 100 ms recordings (%dx%d, %llu events) to %s/%s and %s/%s\n",
                files, config.width, config.height, static_cast<unsigned long long>(events),
                out.c_str(), kNoisyFolder, out.c_str(), kCleanFolder);
  return code;
}

int filterCommand(const ParsedArgs& args) {
  FilterOptions options;
  options.method =
      parseOption("--method", [&] { return parseFilterMethod(args.value("--method", "stcf")); });
  options.dtUs = args.integer("--dt-us", options.dtUs, 1, int64_t(1) << 40);
  options.k = int(args.integer("--k", options.k, 1, 8));
  const std::string in = args.positional(0), out = args.positional(1);
  uint64_t kept = 0, total = 0;
  const int code = runWithProgress(makeJob("filter " + in, [&](Job& job) {
    job.setProgress(0.0, "reading " + in);
    const EventArray events = EventFileReader(in).readAll();
    job.checkCancelled();
    job.setProgress(0.3, "filtering");
    const FilterResult result = filterEvents(events, options);
    const EventArray output = events.select(result.keep);
    job.setProgress(0.7, "writing " + out);
    EventFileWriter writer(out, events.sensor, events.hasLabels());
    writer.setAttribute("source", in);
    writer.setAttribute("filter", options.method == FilterMethod::Baf ? "baf" : "stcf");
    writer.setAttribute("match_tolerance_us", "0");
    writer.append(output);
    writer.addDataset("/input_scores/score", result.score);
    writer.commit();
    kept = output.size();
    total = events.size();
  }));
  if (code == 0)
    std::printf("kept %llu of %llu events (%.1f%%) in %s\n", static_cast<unsigned long long>(kept),
                static_cast<unsigned long long>(total),
                total ? 100.0 * double(kept) / double(total) : 0.0, out.c_str());
  return code;
}

int compareCommand(const ParsedArgs& args) {
  KeptEventsOptions options;
  options.bafDtUs = args.integer("--baf-dt-us", options.bafDtUs, 1, int64_t(1) << 40);
  options.stcfDtUs = args.integer("--stcf-dt-us", options.stcfDtUs, 1, int64_t(1) << 40);
  options.stcfK = int(args.integer("--stcf-k", options.stcfK, 1, 8));
  options.esrWindowUs = args.integer("--esr-window-us", options.esrWindowUs, 1, int64_t(1) << 40);
  const std::string in = args.positional(0);
  const std::string denoised = args.positionalCount() > 1 ? args.positional(1) : "";
  KeptEventsTable table;
  const int code = runWithProgress(makeJob("compare " + in, [&](Job& job) {
    job.setProgress(0.0, "reading " + in);
    const EventArray input = EventFileReader(in).readAll();
    std::vector<std::pair<std::string, EventArray>> outputs;
    if (!denoised.empty()) {
      job.setProgress(0.2, "reading " + denoised);
      outputs.emplace_back(denoisedMethodName(denoised), EventFileReader(denoised).readAll());
    }
    job.checkCancelled();
    job.setProgress(0.4, "filtering and scoring");
    table = compareKeptEvents(in, input, outputs, options);
  }));
  if (code == 0)
    std::fputs(args.flag("--json") ? keptEventsJson(table).c_str()
                                   : formatKeptEventsTable(table).c_str(),
               stdout);
  return code;
}

// The tolerance `events filter` records with its output: whole microseconds, as text.
int64_t recordedTolerance(const std::string& path, const std::string& text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0)
    throw InputError(path + ": /events: attribute 'match_tolerance_us' is '" +
                     truncateText(text, 40) + "'; expected whole microseconds (0 or more)");
  return value;
}

int evalCommand(const ParsedArgs& args) {
  const auto input = args.value("--input");
  const auto referencePath = args.value("--reference");
  if (!input || !referencePath)
    throw UsageError("events eval needs --input DENOISED.h5 and --reference NOISY_WITH_LABELS.h5");
  std::optional<int64_t> givenTolerance;
  if (args.value("--tolerance-us"))
    givenTolerance = args.integer("--tolerance-us", 0, 0, int64_t(1) << 40);
  EventFileReader denoisedReader(*input);
  const EventArray denoised = denoisedReader.readAll();
  EventFileReader referenceReader(*referencePath);
  const EventArray reference = referenceReader.readAll();
  int64_t tolerance = 0;
  auto file = Hdf5File::openRead(*input);
  if (auto recorded = file.stringAttribute("/events", "match_tolerance_us"))
    tolerance = recordedTolerance(*input, *recorded);
  if (givenTolerance)
    tolerance = *givenTolerance;
  checkComparable({*input, denoised, denoisedReader.sensorFromAttribute()},
                  {*referencePath, reference, referenceReader.sensorFromAttribute()}, tolerance);
  DenoiseMetrics m = compareWithLabels(denoised, reference, tolerance);
  if (file.exists("/input_scores/score")) {
    const auto scores = file.read<float>("/input_scores/score");
    if (scores.size() == reference.size())
      m.auc = rocAuc(scores, reference.label);
  }
  const double esr = eventStructureRatio(denoised);
  const double esrReference = eventStructureRatio(reference);
  if (args.flag("--json")) {
    nlohmann::json j{{"input", *input},
                     {"reference", *referencePath},
                     {"tolerance_us", tolerance},
                     {"events", m.denoised},
                     {"reference_signal", m.signal},
                     {"reference_noise", m.noise},
                     {"true_positives", m.truePositives},
                     {"false_positives", m.falsePositives},
                     {"false_negatives", m.falseNegatives},
                     {"precision", m.precision},
                     {"recall", m.recall},
                     {"f1", m.f1},
                     {"snr_db", m.snrDb},
                     {"esr", esr},
                     {"esr_reference", esrReference}};
    j["auc"] = m.auc ? nlohmann::json(*m.auc) : nlohmann::json();
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%s vs %s (tolerance %lld us)\n  precision %.4f  recall %.4f  F1 %.4f  SNR %.2f dB"
              "\n  ESR %.4f (reference %.4f)%s\n",
              input->c_str(), referencePath->c_str(), static_cast<long long>(tolerance),
              m.precision, m.recall, m.f1, m.snrDb, esr, esrReference,
              m.auc ? ("  AUC " + std::to_string(*m.auc)).c_str() : "");
  return 0;
}

} // namespace

Command& addEventsCommands(Command& root) {
  auto& events =
      root.subcommand("events", "Event-camera streams: import, inspect, encode, decode, denoise");
  events
      .subcommand("import", "Convert a recording (AEDAT4, EVT2/EVT3 RAW, text, HDF5) to an "
                            "event HDF5 file")
      .positional({"IN", "the recording; its format is recognised from its content"})
      .positional({"OUT", "the event file to write (.h5)"})
      .option({"--sort", "", "sort events whose timestamps go backwards instead of refusing"})
      .option({"--sensor", "WxH",
               "sensor size for a recording that gives none (a different size than the "
               "recording's is refused)"})
      .handler(importCommand);
  events.subcommand("stats", "Count, sensor size, time span and polarities of an event file")
      .positional({"FILE", "an event HDF5 file"})
      .option({"--json", "", "print JSON"})
      .handler(statsCommand);
  events.subcommand("encode", "Encode an event file into voxel grids, one per time window")
      .positional({"IN", "event HDF5 file"})
      .positional({"OUT", "voxel HDF5 file (/voxels: segments x bins x height x width)"})
      .option({"--bins", "B", "temporal bins per window (default 8)"})
      .option({"--window-us", "US", "window length in microseconds (default 20000)"})
      .option({"--anchor", "window|events",
               "bin span: the window (default) or its first/last "
               "event (event_utils / E2VID)"})
      .option({"--hard", "", "hard binning instead of bilinear interpolation"})
      .option({"--normalize", "none|nonzero|percentile", "normalisation (default none)"})
      .option({"--drop-partial", "", "drop the last window when it is incomplete"})
      .option({"--compress", "none|gzip|gzip-N",
               "/voxels compression (default none: float grids gain little and gzip costs more "
               "than encoding)"})
      .handler(encodeCommand);
  events.subcommand("decode", "Decode voxel grids back into an event file")
      .positional({"IN", "voxel HDF5 file written by `events encode`"})
      .positional({"OUT", "event HDF5 file to write"})
      .option(
          {"--jitter", "", "random timestamps inside each bin (seeded) instead of evenly spaced"})
      .option({"--seed", "N", "seed for --jitter (default 0)"})
      .option({"--hard", "", "treat the grids as hard-binned (read from the file when recorded)"})
      .handler(decodeCommand);
  events.subcommand("synth", "Write paired synthetic recordings: noisy (labelled) and clean")
      .description("An ideal DVS model over moving scenes gives the clean events; the noisy file "
                   "adds background\nactivity, hot pixels and a flickering flare, with "
                   "/events/label = 1 for signal and 0 for noise.")
      .positional({"OUTDIR", "folder for background_with_flare_events/ and "
                             "background_with_light_events/"})
      .option({"--files", "N", "number of 100 ms pairs (default 10)"})
      .option({"--seed", "S", "random seed (default 0)"})
      .option({"--width", "W", "sensor width (default 240)"})
      .option({"--height", "H", "sensor height (default 180)"})
      .handler(synthCommand);
  events.subcommand("filter", "Denoise with a classical filter: BAF or STCF (baselines)")
      .positional({"IN", "event HDF5 file"})
      .positional({"OUT", "filtered event file (labels kept; /input_scores/score per input event)"})
      .option({"--method", "baf|stcf",
               "background activity filter or spatiotemporal correlation "
               "filter (default stcf)"})
      .option({"--dt-us", "US", "correlation time window (default 10000)"})
      .option({"--k", "K", "STCF: neighbours needed within dt (default 2)"})
      .handler(filterCommand);
  events.subcommand("compare", "What BAF, STCF and a denoised file keep of a recording (no labels)")
      .description("For real recordings, which have no signal/noise labels: per method the events "
                   "kept, their share\nof the input, the event structure ratio (ESR, E-MLB) and "
                   "whether the output is a subset of\nthe input (every event exactly one of its "
                   "own, as a denoiser that only removes writes).")
      .positional({"IN", "the recording (event HDF5 file)"})
      .positional({"DENOISED", "a denoised version of it, e.g. from events infer", true})
      .option({"--baf-dt-us", "US", "BAF correlation window (default 10000)"})
      .option({"--stcf-dt-us", "US", "STCF correlation window (default 10000)"})
      .option({"--stcf-k", "K", "STCF: neighbours needed within dt (default 2)"})
      .option({"--esr-window-us", "US", "ESR window (default 20000)"})
      .option({"--json", "", "print JSON"})
      .handler(compareCommand);
  events.subcommand("eval", "Score a denoised file against a labelled noisy reference")
      .option({"--input", "DENOISED.h5", "the denoised events"})
      .option({"--reference", "NOISY.h5", "the noisy input with /events/label (1 signal, 0 noise)"})
      .option({"--tolerance-us", "US",
               "time tolerance when matching events (default: recorded "
               "in the input, else 0)"})
      .option({"--json", "", "print JSON"})
      .handler(evalCommand);
  return events;
}

} // namespace lumen::cli
