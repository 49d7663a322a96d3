#include "WelcomePage.h"

#include "RecentItemsPanel.h"
#include "workspace/WorkspaceRegistry.h"

#include <QCommandLinkButton>
#include <QDir>
#include <QFrame>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QStyle>
#include <QVBoxLayout>

namespace lumen {
namespace {

// Past this the lines get too long to read comfortably on a wide screen; the page centres.
constexpr int kMaxContentWidth = 1180;

QLabel* heading(const QString& text, double scale, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  QFont font = label->font();
  font.setPointSizeF(font.pointSizeF() * scale);
  font.setBold(true);
  label->setFont(font);
  return label;
}

// "Run files, event recordings or heart label maps", from the workspaces' file-dialog filters,
// so a workspace added later is named too.
QString fileKinds(const WorkspaceRegistry& registry) {
  QStringList kinds;
  for (const auto& info : registry.workspaces()) {
    QString kind = info.fileFilter.section(QLatin1Char('('), 0, 0).trimmed();
    if (kind.isEmpty())
      continue;
    // Lower-case "Event recordings" inside the sentence, but leave "CT images" alone.
    if (!kinds.isEmpty() && kind.size() > 1 && kind[1].isLower())
      kind[0] = kind[0].toLower();
    kinds << kind;
  }
  if (kinds.size() < 2)
    return kinds.join(QString());
  const QString last = kinds.takeLast();
  return QObject::tr("%1 or %2").arg(kinds.join(QStringLiteral(", ")), last);
}

} // namespace

WelcomePage::WelcomePage(const WorkspaceRegistry& registry, WorkspaceServices& services,
                         const QString& demoFolder, QWidget* parent)
    : QWidget(parent) {
  auto* icon = new QLabel(this);
  icon->setPixmap(QIcon(QStringLiteral(":/lumen/lumen.svg")).pixmap(80, 80));
  auto* title = heading(tr("Welcome to Lumen"), 2.2, this);
  auto* subtitle =
      new QLabel(tr("Deep learning for cardiac CT and event cameras: look at your data, train "
                    "models and inspect their results. Start by opening something."),
                 this);
  subtitle->setWordWrap(true);
  auto* titles = new QVBoxLayout;
  titles->addWidget(title);
  titles->addWidget(subtitle);
  auto* header = new QHBoxLayout;
  header->setSpacing(20);
  header->addWidget(icon, 0, Qt::AlignTop);
  header->addLayout(titles, 1);

  auto* columns = new QHBoxLayout;
  columns->setSpacing(48);
  columns->addWidget(buildStartColumn(registry, demoFolder), 1, Qt::AlignTop);
  columns->addWidget(buildRecentColumn(registry, services), 1, Qt::AlignTop);

  auto* content = new QWidget;
  content->setMaximumWidth(kMaxContentWidth);
  auto* body = new QVBoxLayout(content);
  body->setContentsMargins(40, 32, 40, 32);
  body->setSpacing(24);
  body->addLayout(header);
  body->addWidget(buildNotice());
  body->addLayout(columns);
  body->addWidget(buildWorkspaceLines(registry));
  body->addStretch(1);

  // Centred on wide screens, scrollable on small ones.
  auto* centred = new QWidget;
  auto* row = new QHBoxLayout(centred);
  row->addStretch(1);
  row->addWidget(content, 100);
  row->addStretch(1);
  auto* scroll = new QScrollArea(this);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setWidgetResizable(true);
  scroll->setWidget(centred);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(scroll);

  // Every choice a card with a border and a hover colour, so it reads as something to click.
  setStyleSheet(QStringLiteral(
      "QCommandLinkButton { border: 1px solid #cfd4db; border-radius: 6px; background: #ffffff;"
      " padding: 8px; }"
      "QCommandLinkButton:hover { border-color: #3d7fd0; background: #f1f6fd; }"
      "QCommandLinkButton:pressed { background: #dfeafa; }"
      "QCommandLinkButton:disabled { background: #f4f4f4; }"));
}

QWidget* WelcomePage::buildStartColumn(const WorkspaceRegistry& registry,
                                       const QString& demoFolder) {
  auto* column = new QWidget(this);
  auto* layout = new QVBoxLayout(column);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(8);
  layout->addWidget(heading(tr("Start"), 1.4, column));
  const auto add = [&](const QString& text, const QString& description, QStyle::StandardPixmap pm,
                       const QString& name, void (WelcomePage::*signal)()) {
    auto* button = new QCommandLinkButton(text, description, column);
    button->setObjectName(name);
    button->setIcon(style()->standardIcon(pm));
    button->setIconSize(QSize(32, 32));
    connect(button, &QCommandLinkButton::clicked, this, signal);
    layout->addWidget(button);
    return button;
  };
  add(tr("Open a file…"), tr("%1.").arg(fileKinds(registry)), QStyle::SP_DialogOpenButton,
      QStringLiteral("openFileButton"), &WelcomePage::openFileRequested);
  add(tr("Open a DICOM folder…"),
      tr("A folder with the images of one CT scan, as exported from the scanner or PACS."),
      QStyle::SP_DirIcon, QStringLiteral("openDicomButton"),
      &WelcomePage::openDicomFolderRequested);
  add(tr("Open a study folder…"), tr("A folder of CT scans together with their segmentations."),
      QStyle::SP_DirIcon, QStringLiteral("openStudyButton"),
      &WelcomePage::openStudyFolderRequested);
  demo_ = add(tr("Open the demo workspace"),
              tr("Example data and short trainings to try Lumen out.\nSaved in %1")
                  .arg(QDir::toNativeSeparators(demoFolder)),
              QStyle::SP_MediaPlay, QStringLiteral("demoButton"), &WelcomePage::demoRequested);
  return column;
}

QWidget* WelcomePage::buildRecentColumn(const WorkspaceRegistry& registry,
                                        WorkspaceServices& services) {
  auto* column = new QWidget(this);
  auto* title = new QHBoxLayout;
  title->addWidget(heading(tr("Recent"), 1.4, column));
  title->addStretch(1);
  clear_ = new QPushButton(tr("Clear the list"), column);
  clear_->setFlat(true);
  clear_->setObjectName(QStringLiteral("clearRecentButton"));
  connect(clear_, &QPushButton::clicked, this, &WelcomePage::clearRecentRequested);
  title->addWidget(clear_);
  recent_ = new RecentItemsPanel(registry, services, column);
  connect(recent_, &RecentItemsPanel::openRequested, this, &WelcomePage::recentRequested);
  auto* layout = new QVBoxLayout(column);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(8);
  layout->addLayout(title);
  layout->addWidget(recent_);
  clear_->hide();
  return column;
}

QWidget* WelcomePage::buildWorkspaceLines(const WorkspaceRegistry& registry) {
  auto* box = new QWidget(this);
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(8);
  layout->addWidget(heading(tr("What each workspace is for"), 1.4, box));
  for (const auto& info : registry.workspaces()) {
    auto* line = new QLabel(QStringLiteral("<a href=\"%1\"><b>%2</b></a> — %3")
                                .arg(info.id.toHtmlEscaped(), info.title.toHtmlEscaped(),
                                     info.description.toHtmlEscaped()),
                            box);
    line->setObjectName(QStringLiteral("workspace:") + info.id);
    line->setTextFormat(Qt::RichText);
    line->setWordWrap(true);
    line->setToolTip(tr("Go to the %1 workspace").arg(info.title));
    connect(line, &QLabel::linkActivated, this, &WelcomePage::workspaceRequested);
    layout->addWidget(line);
  }
  return box;
}

QWidget* WelcomePage::buildNotice() {
  notice_ = new QFrame(this);
  notice_->setObjectName(QStringLiteral("welcomeNotice"));
  // Amber, not red: the user did nothing wrong, a file moved.
  notice_->setStyleSheet(QStringLiteral("#welcomeNotice { background: #fff4d6; border: 1px solid "
                                        "#e0b44c; border-radius: 4px; }"
                                        "#welcomeNotice QLabel { color: #4a3500; }"));
  noticeText_ = new QLabel(notice_);
  noticeText_->setWordWrap(true);
  noticeText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  forget_ = new QPushButton(tr("Remove it from the list"), notice_);
  auto* dismiss = new QPushButton(tr("Dismiss"), notice_);
  connect(forget_, &QPushButton::clicked, this, [this] {
    const QString path = forgettable_;
    hideNotice();
    Q_EMIT forgetRequested(path);
  });
  connect(dismiss, &QPushButton::clicked, this, &WelcomePage::hideNotice);
  auto* layout = new QHBoxLayout(notice_);
  layout->setContentsMargins(14, 10, 10, 10);
  layout->addWidget(noticeText_, 1);
  layout->addWidget(forget_, 0, Qt::AlignVCenter);
  layout->addWidget(dismiss, 0, Qt::AlignVCenter);
  notice_->hide();
  return notice_;
}

void WelcomePage::setRecent(const QStringList& paths) {
  recent_->setPaths(paths);
  clear_->setVisible(!paths.isEmpty());
}

void WelcomePage::showNotice(const QString& text, const QString& forgettable) {
  noticeText_->setText(text);
  forgettable_ = forgettable;
  forget_->setVisible(!forgettable.isEmpty());
  notice_->show();
}

void WelcomePage::hideNotice() {
  notice_->hide();
  forgettable_.clear();
}

QString WelcomePage::notice() const {
  return notice_->isHidden() ? QString() : noticeText_->text();
}

void WelcomePage::setDemoStarted(const QString& folder) {
  demo_->setEnabled(false);
  demo_->setDescription(tr("Started: its progress shows in the Jobs panel below.\nSaved in %1")
                            .arg(QDir::toNativeSeparators(folder)));
}

} // namespace lumen
