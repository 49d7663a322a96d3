// The nearest-neighbour retrieval baseline for shape completion: align the visible
// classes of a case and of every reference case by their visible-class frames (centre and
// isotropic scale, as the network's input), pick the reference whose visible surfaces are closest
// (class-wise Chamfer distance), and copy its labels - the missing classes among them - into the
// case's frame.
#pragma once
#include "shapes/PreparedShape.h"
#include "shapes/ShapeSampling.h"

#include <string>
#include <vector>

namespace lumen {

class RetrievalBaseline {
public:
  // References need their dense /grid/labels. `margin` must match the frames' rule.
  RetrievalBaseline(std::vector<PreparedShape> references, double margin,
                    size_t pointsPerClass = 256);

  struct Match {
    size_t index = 0;
    std::string caseId;
    double distance = 0; // mean class-wise Chamfer distance, visible-frame units
  };
  Match nearest(const PreparedShape& query, ClassSet visible) const;

  // Labels on the query's grid (/grid/labels layout) copied from the best reference.
  std::vector<uint8_t> predictGrid(const PreparedShape& query, ClassSet visible,
                                   Match* match = nullptr) const;

private:
  std::vector<PreparedShape> references_;
  double margin_;
  size_t pointsPerClass_;
};

} // namespace lumen
