#include "segment/SeriesDialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace lumen {

SeriesDialog::SeriesDialog(const QString& folder, std::vector<DicomSeriesInfo> series,
                           QWidget* parent)
    : QDialog(parent), folder_(folder), series_(std::move(series)),
      table_(new QTableWidget(int(series_.size()), 5, this)) {
  setWindowTitle(tr("Choose a DICOM series"));
  auto* intro = new QLabel(
      tr("%1 holds %2 series; which one do you want to segment?").arg(folder).arg(series_.size()),
      this);
  intro->setWordWrap(true);
  table_->setHorizontalHeaderLabels(
      {tr("Description"), tr("Modality"), tr("Slices"), tr("Size"), tr("Spacing (mm)")});
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  int firstReadable = -1;
  for (int row = 0; row < int(series_.size()); ++row) {
    const DicomSeriesInfo& s = series_[size_t(row)];
    const QString description =
        s.description.empty() ? tr("(no description)") : QString::fromStdString(s.description);
    const QStringList cells = {
        description, QString::fromStdString(s.modality), QString::number(s.slices),
        QStringLiteral("%1 × %2 × %3").arg(s.size[0]).arg(s.size[1]).arg(s.size[2]),
        QStringLiteral("%1 × %2 × %3")
            .arg(s.spacing[0], 0, 'g', 3)
            .arg(s.spacing[1], 0, 'g', 3)
            .arg(s.spacing[2], 0, 'g', 3)};
    for (int column = 0; column < cells.size(); ++column) {
      auto* item = new QTableWidgetItem(cells[column]);
      item->setToolTip(s.problem.empty() ? QString::fromStdString(s.uid)
                                         : QString::fromStdString(s.problem));
      if (!s.problem.empty())
        item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsSelectable));
      table_->setItem(row, column, item);
    }
    if (s.problem.empty() && firstReadable < 0)
      firstReadable = row;
  }
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
  layout->addWidget(table_, 1);
  layout->addWidget(buttons);
  // Tall enough for every series up to a dozen, no empty table below them.
  const int rows = std::min<int>(int(series_.size()), 12);
  resize(640, 130 + rows * table_->verticalHeader()->defaultSectionSize());

  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
    if (series_[size_t(row)].problem.empty())
      accept();
  });
  auto* open = buttons->button(QDialogButtonBox::Open);
  connect(table_, &QTableWidget::itemSelectionChanged, this,
          [this, open] { open->setEnabled(hasSelection()); });
  if (firstReadable >= 0)
    selectSeries(firstReadable);
  open->setEnabled(firstReadable >= 0);
}

bool SeriesDialog::hasSelection() const {
  return !table_->selectionModel()->selectedRows().isEmpty();
}

QString SeriesDialog::selectedUid() const {
  const auto rows = table_->selectionModel()->selectedRows();
  return rows.isEmpty() ? QString()
                        : QString::fromStdString(series_[size_t(rows.first().row())].uid);
}

void SeriesDialog::selectSeries(int row) {
  table_->selectRow(row);
}

} // namespace lumen
