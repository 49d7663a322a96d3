#include "RecentItemsPanel.h"

#include "common/Job.h"
#include "workspace/JobContinuations.h"
#include "workspace/WorkspaceRegistry.h"
#include "workspace/WorkspaceServices.h"

#include <QCommandLinkButton>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QStyle>
#include <QVBoxLayout>
#include <memory>

namespace lumen {
namespace {
// Wide enough for a typical folder path, narrow enough that two columns fit a laptop screen.
constexpr int kFolderTextWidth = 460;
} // namespace

RecentItemsPanel::RecentItemsPanel(const WorkspaceRegistry& registry, WorkspaceServices& services,
                                   QWidget* parent)
    : QWidget(parent), registry_(registry), services_(services),
      continuations_(new JobContinuations(this, 50)), list_(new QVBoxLayout),
      empty_(new QLabel(tr("Files and folders you open will be listed here."), this)) {
  empty_->setWordWrap(true);
  empty_->setStyleSheet(QStringLiteral("color: #5f6368")); // a hint, not content, yet readable
  list_->setContentsMargins(0, 0, 0, 0);
  list_->setSpacing(8);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(empty_);
  layout->addLayout(list_);
}

void RecentItemsPanel::setPaths(const QStringList& paths) {
  paths_ = paths;
  checked_ = paths.isEmpty();
  const int generation = ++generation_;
  rebuild(nullptr);
  if (paths.isEmpty())
    return;
  auto probes = std::make_shared<std::vector<Probe>>();
  const WorkspaceRegistry* registry = &registry_;
  // Interactive: the pool keeps a worker for these, so the check never waits behind trainings.
  auto job = services_.submitQuietly(makeJob(
      "Check recent files",
      [paths, probes, registry](Job&) {
        for (const auto& path : paths) {
          const QFileInfo file(path);
          Probe probe;
          probe.exists = file.exists();
          probe.isDir = file.isDir();
          if (probe.exists)
            if (const WorkspaceInfo* info = registry->forPath(path))
              probe.workspace = info->title;
          probes->push_back(probe);
        }
      },
      JobPriority::Interactive));
  continuations_->whenFinished(job, [this, probes, generation](const Job& done) {
    if (generation != generation_ || done.state() != JobState::Succeeded)
      return; // a newer list replaced this one, or the check was cancelled at shutdown
    rebuild(probes.get());
    checked_ = true;
  });
}

void RecentItemsPanel::rebuild(const std::vector<Probe>* probes) {
  // deleteLater: the clicked button may be the one whose click led here (opening a recent item
  // moves it to the top of the list).
  for (auto* button : buttons_) {
    list_->removeWidget(button);
    button->hide();
    button->deleteLater();
  }
  buttons_.clear();
  for (int row = 0; row < paths_.size(); ++row) {
    const QString& path = paths_[row];
    const QString folder = folderText(path); // string handling only: no file system access
    QString description = folder;
    QStyle::StandardPixmap icon = QStyle::SP_FileIcon;
    if (probes && size_t(row) < probes->size()) {
      const Probe& probe = (*probes)[size_t(row)];
      if (!probe.exists) {
        description = tr("Not found %1: moved, renamed or deleted?").arg(folder);
        icon = QStyle::SP_MessageBoxWarning;
      } else {
        description = probe.workspace.isEmpty()
                          ? tr("%1. Lumen can no longer open this.").arg(folder)
                          : tr("%1. Opens in %2.").arg(folder, probe.workspace);
        icon = probe.isDir ? QStyle::SP_DirIcon : QStyle::SP_FileIcon;
      }
    }
    auto* button = new QCommandLinkButton(QFileInfo(path).fileName(), description, this);
    button->setToolTip(QDir::toNativeSeparators(path));
    button->setIcon(style()->standardIcon(icon));
    button->setIconSize(QSize(32, 32));
    connect(button, &QCommandLinkButton::clicked, this,
            [this, path] { Q_EMIT openRequested(path); });
    list_->addWidget(button);
    button->show(); // at once: a layout shows a late child only after the next event loop pass
    buttons_.push_back(button);
  }
  empty_->setVisible(paths_.isEmpty());
}

QString RecentItemsPanel::folderText(const QString& path) const {
  const QString folder = QDir::toNativeSeparators(QFileInfo(path).absolutePath());
  return fontMetrics().elidedText(tr("in %1").arg(folder), Qt::ElideMiddle, kFolderTextWidth);
}

} // namespace lumen
