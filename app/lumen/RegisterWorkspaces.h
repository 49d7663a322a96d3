// The workspaces Lumen offers. Adding a pipeline = one line in RegisterWorkspaces.cpp.
#pragma once

namespace lumen {
class WorkspaceRegistry;
void registerWorkspaces(WorkspaceRegistry& registry);
} // namespace lumen
