#include "segment/StudyPanel.h"

#include "segment/DatastoreStrategies.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace lumen {
namespace {

// The strategies a person picks from; "chosen" is what a click on a row does.
struct StrategyChoice {
  const char* name;
  const char* label;
};
const StrategyChoice kStrategies[] = {{"first", "First unlabeled"},
                                      {"random", "Random (least recently served)"},
                                      {"uncertainty", "Most uncertain"}};

} // namespace

StudyPanel::StudyPanel(QWidget* parent)
    : QWidget(parent), title_(new QLabel(this)), table_(new QTableWidget(0, ColumnCount, this)),
      strategy_(new QComboBox(this)), next_(new QPushButton(tr("Next Sample"), this)) {
  auto* openFolder = new QPushButton(tr("Open Study…"), this);
  openFolder->setToolTip(tr("A study folder (datastore_v2.json or CT images, as MONAI Label "
                            "keeps them) or a DICOM series folder"));
  auto* openFile = new QPushButton(tr("Open CT…"), this);
  openFile->setToolTip(tr("One CT volume: NIfTI, NRRD or MetaImage"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(openFolder);
  buttons->addWidget(openFile);

  title_->setWordWrap(true);
  title_->setTextFormat(Qt::RichText);

  table_->setHorizontalHeaderLabels({tr("Image"), tr("Final"), tr("Uncertain")});
  table_->horizontalHeaderItem(Final)->setToolTip(tr("A person's label (labels/final) exists"));
  table_->horizontalHeaderItem(Uncertain)->setToolTip(
      tr("Uncertain fraction of the image's last segmentation (active learning)"));
  table_->verticalHeader()->hide();
  // Compact rows: the side panel shares its height with two more panels and the docks.
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(Image, QHeaderView::Stretch);
  table_->horizontalHeader()->setSectionResizeMode(Final, QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(Uncertain, QHeaderView::ResizeToContents);
  table_->setMinimumHeight(90);

  for (const auto& s : kStrategies) {
    strategy_->addItem(tr(s.label), QString::fromLatin1(s.name));
    for (const auto& info : segment::sampleStrategies())
      if (info.name == s.name)
        strategy_->setItemData(strategy_->count() - 1, QString::fromStdString(info.description),
                               Qt::ToolTipRole);
  }
  next_->setToolTip(tr("Open the next image the strategy picks (Ctrl+N)"));
  auto* nextRow = new QHBoxLayout;
  nextRow->addWidget(strategy_, 1);
  nextRow->addWidget(next_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(buttons);
  layout->addWidget(title_);
  layout->addWidget(table_, 1);
  layout->addLayout(nextRow);

  connect(openFolder, &QPushButton::clicked, this, &StudyPanel::openFolderRequested);
  connect(openFile, &QPushButton::clicked, this, &StudyPanel::openFileRequested);
  connect(next_, &QPushButton::clicked, this, &StudyPanel::nextRequested);
  // A single click opens the row, as in MONAI Label's and ITK-SNAP's lists.
  connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) {
    if (auto* item = table_->item(row, Image))
      Q_EMIT imageActivated(item->data(Qt::UserRole).toString());
  });
  setStudy({}, {});
}

void StudyPanel::setStudy(const QString& folder, const std::vector<segment::ImageRecord>& images) {
  const bool study = !folder.isEmpty();
  int labelled = 0;
  for (const auto& image : images)
    labelled += image.completed() ? 1 : 0;
  title_->setText(study ? tr("<b>%1</b> · %2 of %3 labelled")
                              .arg(QDir(folder).dirName().toHtmlEscaped())
                              .arg(labelled)
                              .arg(images.size())
                        : tr("<b>No study open</b> · open a study folder to label its images "
                             "one after another"));
  title_->setToolTip(folder);
  table_->setRowCount(int(images.size()));
  for (int row = 0; row < int(images.size()); ++row) {
    const auto& image = images[size_t(row)];
    const QString id = QString::fromStdString(image.id);
    auto* name = new QTableWidgetItem(id);
    name->setData(Qt::UserRole, id);
    name->setToolTip(QString::fromStdString(image.path));
    auto* final = new QTableWidgetItem(image.completed() ? tr("yes") : QStringLiteral("—"));
    final->setTextAlignment(Qt::AlignCenter);
    if (image.completed())
      final->setForeground(QColor(40, 160, 70));
    const auto fraction = image.uncertainFraction();
    auto* uncertain = new QTableWidgetItem(
        fraction ? QStringLiteral("%1 %").arg(*fraction * 100.0, 0, 'f', 0) : QString());
    uncertain->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    table_->setItem(row, Image, name);
    table_->setItem(row, Final, final);
    table_->setItem(row, Uncertain, uncertain);
  }
  next_->setEnabled(study);
  strategy_->setEnabled(study);
  setCurrentImage(current_);
}

void StudyPanel::setCurrentImage(const QString& id) {
  current_ = id;
  const int row = rowOf(id);
  const QSignalBlocker block(table_);
  if (row < 0)
    table_->clearSelection();
  else
    table_->selectRow(row);
  for (int r = 0; r < table_->rowCount(); ++r) {
    QFont font = table_->font();
    font.setBold(r == row);
    table_->item(r, Image)->setFont(font);
  }
}

int StudyPanel::rowOf(const QString& id) const {
  for (int row = 0; row < table_->rowCount(); ++row)
    if (table_->item(row, Image)->data(Qt::UserRole).toString() == id)
      return row;
  return -1;
}

QString StudyPanel::finalText(int row) const {
  return table_->item(row, Final)->text();
}

QString StudyPanel::strategy() const {
  return strategy_->currentData().toString();
}

void StudyPanel::setStrategy(const QString& name) {
  const int index = strategy_->findData(name);
  if (index >= 0)
    strategy_->setCurrentIndex(index);
}

} // namespace lumen
