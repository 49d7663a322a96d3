#include "RegisterWorkspaces.h"

#include "runs/RunsWorkspace.h"
#include "workspace/WorkspaceRegistry.h"

namespace lumen {

void registerWorkspaces(WorkspaceRegistry& registry) {
  registry.add(RunsWorkspace::info());
}

} // namespace lumen
