// The list of workspaces the application offers, in registration order.
#pragma once
#include "workspace/Workspace.h"

#include <vector>

namespace lumen {

class WorkspaceRegistry {
public:
  void add(WorkspaceInfo info);
  const std::vector<WorkspaceInfo>& workspaces() const { return workspaces_; }
  const WorkspaceInfo* find(const QString& id) const;
  // The first registered workspace that accepts the path, or null.
  const WorkspaceInfo* forPath(const QString& path) const;
  // "All supported (...);;Runs (...);;..." for QFileDialog.
  QString fileDialogFilter() const;

private:
  std::vector<WorkspaceInfo> workspaces_;
};

// True when the file name ends with one of the suffixes (case-insensitive; ".nii.gz" works).
bool hasSuffix(const QString& path, const QStringList& suffixes);

} // namespace lumen
