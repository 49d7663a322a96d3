// A pipeline's GUI: one page of the main window's workspace area. Workspaces are registered in
// a WorkspaceRegistry (app/lumen/RegisterWorkspaces.cpp), never hard-coded in the main window.
#pragma once
#include <QString>
#include <QStringList>
#include <QWidget>
#include <functional>

namespace lumen {

class WorkspaceServices;

class Workspace : public QWidget {
  Q_OBJECT
public:
  explicit Workspace(WorkspaceServices& services, QWidget* parent = nullptr)
      : QWidget(parent), services_(services) {}

  // Opens a file or folder this workspace handles (see WorkspaceInfo::accepts). Returns false
  // and fills `error` with a message for the user when it cannot.
  virtual bool openPath(const QString& path, QString* error) = 0;

Q_SIGNALS:
  // A file or folder was opened successfully (for the recent-files list).
  void pathOpened(const QString& path);
  void statusMessage(const QString& message);

protected:
  WorkspaceServices& services() { return services_; }

private:
  WorkspaceServices& services_;
};

struct WorkspaceInfo {
  QString id;          // "runs", "events", "shapes"...
  QString title;       // shown on the tab
  QString description; // tooltip
  // File-dialog filter entry, e.g. "Event recordings (*.h5 *.aedat4 *.raw)".
  QString fileFilter;
  // Whether this workspace can open the path (a file or a folder). Called on the UI thread by
  // File ▸ Open and on a worker thread by the Welcome page's recent list: keep it quick (names,
  // a folder listing at most) and away from widgets.
  std::function<bool(const QString& path)> accepts;
  std::function<Workspace*(WorkspaceServices&, QWidget* parent)> create;
};

} // namespace lumen
