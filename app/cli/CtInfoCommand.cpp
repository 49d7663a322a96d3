// `lumen-cli ct info PATH`: what a CT volume or DICOM folder holds (format, stored type,
// geometry, HU range, series), without printing any patient identifier.
#include "Commands.h"
#include "common/Error.h"
#include "common/Text.h"
#include "io/CtVolumeIO.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace lumen::cli {
namespace {

std::string triple(const Vec3& v, const char* separator) {
  return formatNumber(v[0]) + separator + formatNumber(v[1]) + separator + formatNumber(v[2]);
}

nlohmann::json seriesJson(const DicomSeriesInfo& s) {
  nlohmann::json j{{"uid", s.uid},           {"description", s.description},
                   {"modality", s.modality}, {"slices", s.slices},
                   {"size", s.size},         {"spacing", s.spacing}};
  if (!s.problem.empty())
    j["problem"] = s.problem;
  return j;
}

int ctInfoCommand(const ParsedArgs& args) {
  const std::string path = args.positional(0);
  const std::string uid = args.value("--series", "");
  const VolumeFormat format = volumeFormatOf(path);
  if (!uid.empty() && format != VolumeFormat::DicomSeries)
    throw UsageError("--series picks a series of a DICOM folder; " + path + " is a " +
                     volumeFormatName(format) + " file");
  const VolumeHeader header = readVolumeHeader(path, uid);
  const bool chosen =
      format != VolumeFormat::DicomSeries || !uid.empty() || header.series.size() == 1;
  CtVolume volume;
  if (chosen)
    volume = readCtVolume(path, {}, uid);
  const ImageGeometry& g = volume.geometry;
  const auto [lo, hi] = std::minmax_element(volume.values.begin(), volume.values.end());

  if (args.flag("--json")) {
    nlohmann::json out{
        {"path", path}, {"format", volumeFormatName(format)}, {"pixel_type", header.pixelType}};
    if (chosen) {
      out["size"] = g.size;
      out["spacing"] = g.spacing;
      out["origin"] = g.origin;
      out["direction"] = g.direction;
      out["orientation"] = g.orientationCode();
      out["hu_min"] = *lo;
      out["hu_max"] = *hi;
    }
    if (format == VolumeFormat::DicomSeries) {
      out["series"] = nlohmann::json::array();
      for (const DicomSeriesInfo& s : header.series)
        out["series"].push_back(seriesJson(s));
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("path:        %s\nformat:      %s\n", path.c_str(), volumeFormatName(format));
  if (chosen) {
    std::printf("pixel type:  %s\n", header.pixelType.c_str());
    std::printf("size:        %lld x %lld x %lld voxels\n", static_cast<long long>(g.size[0]),
                static_cast<long long>(g.size[1]), static_cast<long long>(g.size[2]));
    std::printf("spacing:     %s mm\n", triple(g.spacing, " x ").c_str());
    std::printf("origin:      %s mm (LPS)\n", triple(g.origin, ", ").c_str());
    std::printf("orientation: %s\n", g.orientationCode().c_str());
    std::printf("direction:   %s\n", joinLimited(
                                         [&] {
                                           std::vector<std::string> items;
                                           for (double v : g.direction)
                                             items.push_back(formatNumber(v));
                                           return items;
                                         }(),
                                         9, " ")
                                         .c_str());
    std::printf("HU range:    %d to %d\n", int(*lo), int(*hi));
  }
  if (format == VolumeFormat::DicomSeries) {
    std::printf("series:      %zu\n", header.series.size());
    for (const DicomSeriesInfo& s : header.series)
      std::printf("  %s  %lldx%lld, spacing %s mm\n", describeSeries(s).c_str(),
                  static_cast<long long>(s.size[0]), static_cast<long long>(s.size[1]),
                  triple(s.spacing, " x ").c_str());
    if (!chosen)
      std::printf("choose a series with --series UID\n");
  }
  return 0;
}

} // namespace

void addCtInfoCommand(Command& ct) {
  ct.subcommand("info", "Describe a CT volume or a DICOM folder: format, geometry, HU range")
      .description("Reads NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr), MetaImage (.mha, .mhd) or a "
                   "folder of DICOM files. For a\nfolder it lists the series (uid, description, "
                   "modality, slices); with one series, or one chosen\nwith --series, it also "
                   "reads the voxels. No patient identifier is read or printed.")
      .positional({"PATH", "a volume file or a DICOM folder"})
      .option({"--series", "UID", "the SeriesInstanceUID to read from a DICOM folder"})
      .option({"--json", "", "print JSON"})
      .handler(ctInfoCommand);
}

} // namespace lumen::cli
