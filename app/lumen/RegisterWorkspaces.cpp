#include "RegisterWorkspaces.h"

#include "events/EventsWorkspace.h"
#include "runs/RunsWorkspace.h"
#include "shapes/ShapesWorkspace.h"
#include "workspace/WorkspaceRegistry.h"

namespace lumen {

void registerWorkspaces(WorkspaceRegistry& registry) {
  registry.add(RunsWorkspace::info());
  registry.add(EventsWorkspace::info());
  registry.add(ShapesWorkspace::info());
}

} // namespace lumen
