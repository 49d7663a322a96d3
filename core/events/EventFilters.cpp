#include "events/EventFilters.h"

#include "common/Error.h"

#include <algorithm>

namespace lumen {

FilterMethod parseFilterMethod(const std::string& text) {
  if (text == "baf")
    return FilterMethod::Baf;
  if (text == "stcf")
    return FilterMethod::Stcf;
  throw InputError("unknown filter method '" + text + "': expected baf or stcf");
}

FilterResult filterEvents(const EventArray& events, const FilterOptions& options) {
  if (options.dtUs <= 0)
    throw InputError("the filter's dt must be positive");
  if (options.k < 1 || options.k > 8)
    throw InputError("STCF support k must be between 1 and 8");
  const int W = events.sensor.width, H = events.sensor.height;
  // Padded by one pixel on each side so neighbours need no bounds checks.
  const int stride = W + 2;
  std::vector<int64_t> last(size_t(stride) * size_t(H + 2), INT64_MIN / 2);
  FilterResult result;
  result.keep.resize(events.size());
  result.score.resize(events.size());
  const int offsets[8] = {-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1};
  const double dt = double(options.dtUs);
  for (size_t i = 0; i < events.size(); ++i) {
    const int64_t t = events.t[i];
    const size_t cell = size_t(events.y[i] + 1) * size_t(stride) + size_t(events.x[i] + 1);
    int support = 0;
    int64_t newest = INT64_MIN / 2;
    for (int o : offsets) {
      const int64_t n = last[size_t(int64_t(cell) + o)];
      newest = std::max(newest, n);
      support += (t - n <= options.dtUs) ? 1 : 0;
    }
    if (options.method == FilterMethod::Baf) {
      const double age = double(t - newest);
      result.keep[i] = age <= dt;
      result.score[i] = float(std::max(0.0, 1.0 - age / (4.0 * dt)));
    } else {
      result.keep[i] = support >= options.k;
      result.score[i] = float(support);
    }
    last[cell] = t;
  }
  return result;
}

} // namespace lumen
