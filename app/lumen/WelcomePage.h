// The page Lumen opens on when no path was given: what to do first (open a file, a DICOM folder,
// a study folder, or the demo), the recent files and folders, and one line per registered
// workspace on what it is for. The page only asks; the main window opens, shows dialogs and
// owns the recent list.
#pragma once
#include <QWidget>

class QCommandLinkButton;
class QFrame;
class QLabel;
class QPushButton;

namespace lumen {

class RecentItemsPanel;
class WorkspaceRegistry;
class WorkspaceServices;

class WelcomePage : public QWidget {
  Q_OBJECT
public:
  // `demoFolder`: where the demo button creates its data, told to the user before they click.
  WelcomePage(const WorkspaceRegistry& registry, WorkspaceServices& services,
              const QString& demoFolder, QWidget* parent = nullptr);

  void setRecent(const QStringList& paths);
  RecentItemsPanel* recent() const { return recent_; }

  // A message at the top of the page, e.g. why a recent item did not open. With `forgettable`
  // (a path in the recent list) it offers to remove that path from the list.
  void showNotice(const QString& text, const QString& forgettable = {});
  void hideNotice();
  // The notice shown now, or an empty string.
  QString notice() const;

  // The demo runs once per session: its button then says where, and stays disabled.
  void setDemoStarted(const QString& folder);

  QCommandLinkButton* demoButton() const { return demo_; }
  QPushButton* forgetButton() const { return forget_; }

Q_SIGNALS:
  void openFileRequested();
  void openDicomFolderRequested();
  void openStudyFolderRequested();
  void demoRequested();
  void recentRequested(const QString& path);
  void forgetRequested(const QString& path);
  void clearRecentRequested();
  void workspaceRequested(const QString& id);

private:
  QWidget* buildStartColumn(const WorkspaceRegistry& registry, const QString& demoFolder);
  QWidget* buildRecentColumn(const WorkspaceRegistry& registry, WorkspaceServices& services);
  QWidget* buildWorkspaceLines(const WorkspaceRegistry& registry);
  QWidget* buildNotice();

  QFrame* notice_ = nullptr;
  QLabel* noticeText_ = nullptr;
  QPushButton* forget_ = nullptr;
  QString forgettable_;
  QCommandLinkButton* demo_ = nullptr;
  QPushButton* clear_ = nullptr;
  RecentItemsPanel* recent_ = nullptr;
};

} // namespace lumen
