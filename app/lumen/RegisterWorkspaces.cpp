#include "RegisterWorkspaces.h"

#include "events/EventsWorkspace.h"
#include "runs/RunsWorkspace.h"
#include "segment/SegmentWorkspace.h"
#include "shapes/ShapesWorkspace.h"
#include "workspace/WorkspaceRegistry.h"

namespace lumen {

void registerWorkspaces(WorkspaceRegistry& registry) {
  registry.add(RunsWorkspace::info());
  registry.add(EventsWorkspace::info());
  // Before Shapes: Shapes opens any NIfTI file or folder, Segment claims only CTs, DICOM and
  // study folders and leaves heart label maps to Shapes (the first workspace that accepts wins).
  registry.add(SegmentWorkspace::info());
  registry.add(ShapesWorkspace::info());
}

} // namespace lumen
