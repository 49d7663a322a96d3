#include "workspace/WorkspaceRegistry.h"

#include <QRegularExpression>
#include <stdexcept>

namespace lumen {

void WorkspaceRegistry::add(WorkspaceInfo info) {
  if (find(info.id))
    throw std::logic_error("workspace '" + info.id.toStdString() + "' is registered twice");
  workspaces_.push_back(std::move(info));
}

const WorkspaceInfo* WorkspaceRegistry::find(const QString& id) const {
  for (const auto& info : workspaces_)
    if (info.id == id)
      return &info;
  return nullptr;
}

const WorkspaceInfo* WorkspaceRegistry::forPath(const QString& path) const {
  for (const auto& info : workspaces_)
    if (info.accepts && info.accepts(path))
      return &info;
  return nullptr;
}

QString WorkspaceRegistry::fileDialogFilter() const {
  QStringList patterns, entries;
  static const QRegularExpression inParens(R"(\(([^)]*)\))");
  for (const auto& info : workspaces_) {
    if (info.fileFilter.isEmpty())
      continue;
    entries << info.fileFilter;
    const auto match = inParens.match(info.fileFilter);
    if (match.hasMatch())
      patterns << match.captured(1);
  }
  entries.prepend(QStringLiteral("All supported files (%1)").arg(patterns.join(' ')));
  entries << QStringLiteral("All files (*)");
  return entries.join(QStringLiteral(";;"));
}

bool hasSuffix(const QString& path, const QStringList& suffixes) {
  for (const auto& suffix : suffixes)
    if (path.endsWith(suffix, Qt::CaseInsensitive))
      return true;
  return false;
}

} // namespace lumen
