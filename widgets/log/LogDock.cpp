#include "log/LogDock.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace lumen {

namespace {

QString colourFor(LogLevel level) {
  switch (level) {
  case LogLevel::Debug:
    return QStringLiteral("#808080");
  case LogLevel::Warning:
    return QStringLiteral("#e67e00");
  case LogLevel::Error:
    return QStringLiteral("#d32f2f");
  case LogLevel::Info:
    break;
  }
  return {};
}

} // namespace

LogDock::LogDock(QWidget* parent) : QDockWidget(tr("Log"), parent) {
  auto* body = new QWidget(this);
  text_ = new QPlainTextEdit(body);
  text_->setReadOnly(true);
  text_->setMaximumBlockCount(kMaxLines);
  text_->setLineWrapMode(QPlainTextEdit::NoWrap);
  text_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

  levelBox_ = new QComboBox(body);
  for (LogLevel level : {LogLevel::Debug, LogLevel::Info, LogLevel::Warning, LogLevel::Error})
    levelBox_->addItem(QString::fromLatin1(logLevelName(level)), int(level));
  levelBox_->setCurrentIndex(levelBox_->findData(int(level_)));
  auto* clearButton = new QPushButton(tr("Clear"), body);

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Show from"), body));
  controls->addWidget(levelBox_);
  controls->addStretch(1);
  controls->addWidget(clearButton);
  auto* layout = new QVBoxLayout(body);
  layout->addLayout(controls);
  layout->addWidget(text_, 1);
  setWidget(body);

  connect(levelBox_, &QComboBox::currentIndexChanged, this,
          [this](int index) { setLevel(LogLevel(levelBox_->itemData(index).toInt())); });
  connect(clearButton, &QPushButton::clicked, this, &LogDock::clear);

  // Everything reaches the dock; the combo box only filters what is displayed.
  sink_ = std::make_shared<CallbackLogSink>([this](const LogRecord& r) { receive(r); });
  sink_->threshold = LogLevel::Debug;
  logger().addSink(sink_);
}

LogDock::~LogDock() {
  // The logger calls sinks under its mutex, so once this returns no callback is running or
  // will run; a drain already queued dies with this object.
  logger().removeSink(sink_);
}

void LogDock::receive(const LogRecord& record) {
  bool first = false;
  {
    std::lock_guard lock(pendingMutex_);
    first = pending_.empty();
    pending_.push_back(record);
  }
  // One queued drain per batch, however many records arrive before the UI thread gets to it.
  if (first)
    QMetaObject::invokeMethod(this, &LogDock::drainPending, Qt::QueuedConnection);
}

void LogDock::drainPending() {
  std::vector<LogRecord> batch;
  {
    std::lock_guard lock(pendingMutex_);
    batch.swap(pending_);
  }
  for (LogRecord& record : batch) {
    display(record);
    kept_.push_back(std::move(record));
    if (kept_.size() > size_t(kMaxLines))
      kept_.pop_front();
  }
}

void LogDock::display(const LogRecord& record) {
  if (record.level < level_)
    return;
  QString line = QString::fromStdString(formatLogRecord(record)).toHtmlEscaped();
  line.replace(QLatin1Char('\n'), QLatin1String("<br>"));
  const QString colour = colourFor(record.level);
  // white-space:pre keeps column-aligned messages (tables, paths with spaces) as written.
  text_->appendHtml(colour.isEmpty()
                        ? QStringLiteral("<span style=\"white-space:pre\">%1</span>").arg(line)
                        : QStringLiteral("<span style=\"white-space:pre; color:%1\">%2</span>")
                              .arg(colour, line));
}

void LogDock::setLevel(LogLevel level) {
  {
    const QSignalBlocker block(levelBox_);
    levelBox_->setCurrentIndex(levelBox_->findData(int(level)));
  }
  if (level == level_)
    return;
  level_ = level;
  reshow();
}

void LogDock::reshow() {
  text_->clear();
  for (const LogRecord& record : kept_)
    display(record);
}

void LogDock::clear() {
  kept_.clear();
  text_->clear();
}

QString LogDock::plainText() const {
  return text_->toPlainText();
}

} // namespace lumen
