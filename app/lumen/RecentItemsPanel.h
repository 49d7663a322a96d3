// The welcome page's "Recent" column: the files and folders the main window keeps in its
// recent list, one large button each. Whether each still exists and which workspace opens it is
// found by a quiet job, because a file check on a sleeping network drive must not freeze the
// window; until then a button shows only its name and folder.
#pragma once
#include <QStringList>
#include <QWidget>
#include <vector>

class QCommandLinkButton;
class QLabel;
class QVBoxLayout;

namespace lumen {

class JobContinuations;
class WorkspaceRegistry;
class WorkspaceServices;

class RecentItemsPanel : public QWidget {
  Q_OBJECT
public:
  RecentItemsPanel(const WorkspaceRegistry& registry, WorkspaceServices& services,
                   QWidget* parent = nullptr);

  // Shows these paths, newest first, and starts checking them.
  void setPaths(const QStringList& paths);
  const QStringList& paths() const { return paths_; }
  int count() const { return int(buttons_.size()); }
  QCommandLinkButton* button(int row) const { return buttons_.at(size_t(row)); }
  // True once the current paths have been checked (each button then says where it opens, or
  // that it was not found).
  bool checked() const { return checked_; }

Q_SIGNALS:
  // The user clicked an item, found or not: the main window opens it or explains why not.
  void openRequested(const QString& path);

private:
  struct Probe {
    bool exists = false;
    bool isDir = false;
    QString workspace; // title of the workspace that opens it; empty when none does
  };
  // One button per path; with `probes` (one per path) they say where each opens or that it is
  // gone. Rebuilt rather than edited, so each button's height fits its final text.
  void rebuild(const std::vector<Probe>* probes);
  QString folderText(const QString& path) const;

  const WorkspaceRegistry& registry_;
  WorkspaceServices& services_;
  JobContinuations* continuations_;
  QVBoxLayout* list_;
  QLabel* empty_;
  QStringList paths_;
  std::vector<QCommandLinkButton*> buttons_;
  int generation_ = 0; // a newer list makes an older check's results stale
  bool checked_ = false;
};

} // namespace lumen
