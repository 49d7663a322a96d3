#include "RegisterWorkspaces.h"

#include "events/EventsWorkspace.h"
#include "runs/RunsWorkspace.h"
#include "workspace/WorkspaceRegistry.h"

namespace lumen {

void registerWorkspaces(WorkspaceRegistry& registry) {
  registry.add(RunsWorkspace::info());
  registry.add(EventsWorkspace::info());
}

} // namespace lumen
