#include "segment/PromptPanel.h"

#include <QButtonGroup>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace lumen {

PromptPanel::PromptPanel(QWidget* parent)
    : QWidget(parent), tools_(new QButtonGroup(this)),
      table_(new QTableWidget(0, ColumnCount, this)), undo_(new QPushButton(tr("Undo"), this)),
      redo_(new QPushButton(tr("Redo"), this)), delete_(new QPushButton(tr("Delete"), this)),
      clear_(new QPushButton(tr("Clear"), this)) {
  struct ToolButton {
    Tool tool;
    QString text, tip;
  };
  const ToolButton buttons[] = {
      {Tool::Positive, tr("+ Point (P)"),
       tr("Click on the structure to add a positive point; Shift or Ctrl + click adds a negative "
          "one")},
      {Tool::Negative, tr("− Point (N)"),
       tr("Click on background to add a negative point; Shift or Ctrl + click adds a positive "
          "one")},
      {Tool::Crosshair, tr("Crosshair (C)"),
       tr("Click to move the crosshair: the other views show that voxel")},
  };
  auto* toolRow = new QHBoxLayout;
  toolRow->setSpacing(2);
  for (const auto& b : buttons) {
    auto* button = new QToolButton(this);
    button->setText(b.text);
    button->setToolTip(b.tip);
    button->setCheckable(true);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    tools_->addButton(button, int(b.tool));
    toolRow->addWidget(button);
  }
  tools_->button(int(Tool::Positive))->setChecked(true);

  table_->setHorizontalHeaderLabels({tr("#"), tr("Type"), tr("i"), tr("j"), tr("k")});
  table_->verticalHeader()->hide();
  // Compact rows: the side panel shares its height with two more panels and the docks.
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->horizontalHeader()->setSectionResizeMode(Number, QHeaderView::ResizeToContents);
  table_->setToolTip(tr("Double-click i, j or k to move a point; drag a marker in a slice view"));
  table_->setMinimumHeight(90);

  undo_->setToolTip(tr("Undo the last change of the points (Ctrl+Z)"));
  redo_->setToolTip(tr("Redo (Ctrl+Shift+Z or Ctrl+Y)"));
  delete_->setToolTip(tr("Remove the selected point (Delete)"));
  clear_->setToolTip(tr("Remove every point (one undo step)"));
  auto* edits = new QGridLayout;
  edits->addWidget(undo_, 0, 0);
  edits->addWidget(redo_, 0, 1);
  edits->addWidget(delete_, 0, 2);
  edits->addWidget(clear_, 0, 3);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(toolRow);
  layout->addWidget(table_, 1);
  layout->addLayout(edits);

  connect(tools_, &QButtonGroup::idClicked, this, [this](int id) {
    tool_ = Tool(id);
    Q_EMIT toolChanged(tool_);
  });
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    if (!filling_)
      Q_EMIT pointSelected(selectedPoint());
    updateButtons();
  });
  connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (filling_ || item->column() < I)
      return;
    const int row = item->row();
    VoxelIndex ijk{};
    for (int c = 0; c < 3; ++c) {
      bool ok = false;
      ijk[size_t(c)] = table_->item(row, I + c)->text().toLongLong(&ok);
      if (!ok)
        return; // the session's next setPoints puts the old value back
    }
    Q_EMIT pointEdited(row, ijk);
  });
  connect(undo_, &QPushButton::clicked, this, &PromptPanel::undoRequested);
  connect(redo_, &QPushButton::clicked, this, &PromptPanel::redoRequested);
  connect(delete_, &QPushButton::clicked, this, &PromptPanel::deleteRequested);
  connect(clear_, &QPushButton::clicked, this, &PromptPanel::clearRequested);
  setUndoRedo(false, false);
  updateButtons();
}

void PromptPanel::setTool(Tool tool) {
  tool_ = tool;
  tools_->button(int(tool))->setChecked(true);
  Q_EMIT toolChanged(tool_);
}

void PromptPanel::setPoints(const std::vector<PromptPoint>& points, int selected) {
  filling_ = true;
  table_->setRowCount(int(points.size()));
  for (int row = 0; row < int(points.size()); ++row) {
    const PromptPoint& p = points[size_t(row)];
    auto* number = new QTableWidgetItem(QString::number(row + 1));
    number->setFlags(number->flags() & ~Qt::ItemIsEditable);
    auto* kind = new QTableWidgetItem(p.positive ? tr("+ object") : tr("− background"));
    kind->setFlags(kind->flags() & ~Qt::ItemIsEditable);
    kind->setForeground(p.positive ? QColor(20, 150, 40) : QColor(200, 40, 40));
    table_->setItem(row, Number, number);
    table_->setItem(row, Kind, kind);
    for (int c = 0; c < 3; ++c)
      table_->setItem(row, I + c, new QTableWidgetItem(QString::number(p.ijk[size_t(c)])));
  }
  if (selected >= 0 && selected < int(points.size()))
    table_->selectRow(selected);
  else
    table_->clearSelection();
  filling_ = false;
  updateButtons();
}

int PromptPanel::selectedPoint() const {
  const auto rows = table_->selectionModel()->selectedRows();
  return rows.isEmpty() ? -1 : rows.first().row();
}

void PromptPanel::setUndoRedo(bool canUndo, bool canRedo) {
  undo_->setEnabled(canUndo);
  redo_->setEnabled(canRedo);
}

void PromptPanel::updateButtons() {
  delete_->setEnabled(selectedPoint() >= 0);
  clear_->setEnabled(table_->rowCount() > 0);
}

} // namespace lumen
