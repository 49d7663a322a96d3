// `lumen-cli ct ...`: the CT group (no LibTorch: lumen-cli runs it itself).
#include "Commands.h"

namespace lumen::cli {

void addCtCommands(Command& root) {
  auto& ct = root.subcommand("ct", "CT volumes: read any format, inspect DICOM series, synthetic "
                                   "chest phantoms");
  addCtInfoCommand(ct);
  addCtSynthCommand(ct);
}

} // namespace lumen::cli
