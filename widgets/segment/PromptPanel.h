// The prompts of the Segment workspace: the click tool (positive point, negative point,
// crosshair), the points placed so far (select one, edit its voxel, delete it), and undo/redo.
// A view only: the workspace fills it from the SegmentSession and acts on its signals.
#pragma once
#include "segment/PromptPlan.h"

#include <QWidget>
#include <vector>

class QButtonGroup;
class QPushButton;
class QTableWidget;
class QToolButton;

namespace lumen {

class PromptPanel : public QWidget {
  Q_OBJECT
public:
  enum class Tool { Positive, Negative, Crosshair };
  enum Column { Number, Kind, I, J, K, ColumnCount };

  explicit PromptPanel(QWidget* parent = nullptr);

  Tool tool() const { return tool_; }
  void setTool(Tool tool);

  // The session's points and the selected one (-1: none).
  void setPoints(const std::vector<PromptPoint>& points, int selected);
  int selectedPoint() const;
  void setUndoRedo(bool canUndo, bool canRedo);

  QTableWidget* table() const { return table_; }
  QPushButton* undoButton() const { return undo_; }
  QPushButton* redoButton() const { return redo_; }
  QPushButton* deleteButton() const { return delete_; }

Q_SIGNALS:
  void toolChanged(Tool tool);
  void pointSelected(int index); // -1: selection cleared
  void pointEdited(int index, const VoxelIndex& ijk);
  void undoRequested();
  void redoRequested();
  void deleteRequested();
  void clearRequested();

private:
  void updateButtons();

  Tool tool_ = Tool::Positive;
  QButtonGroup* tools_;
  QTableWidget* table_;
  QPushButton *undo_, *redo_, *delete_, *clear_;
  bool filling_ = false; // setPoints is writing the cells, not the user
};

} // namespace lumen
