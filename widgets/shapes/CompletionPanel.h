// The completion controls of the Shapes workspace: which trained model (a checkpoint, browsable),
// the grid resolution, Complete and Save…, and the per-class metrics of the last completion.
#pragma once
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace lumen {

class MetricsTable;

class CompletionPanel : public QWidget {
  Q_OBJECT
public:
  explicit CompletionPanel(QWidget* parent = nullptr);

  QString checkpoint() const;
  void setCheckpoint(const QString& path);
  int resolution() const;
  void setResolution(int samples);

  QPushButton* completeButton() const { return complete_; }
  QPushButton* saveButton() const { return save_; }
  MetricsTable* metrics() const { return metrics_; }
  // What the shown completion was made from, or why there is none.
  void setResultText(const QString& text);
  void setSummary(const QString& html);

Q_SIGNALS:
  void checkpointChanged(const QString& path);
  void completeRequested();
  void saveRequested();

private:
  void browse();

  QLineEdit* checkpoint_;
  QSpinBox* resolution_;
  QPushButton* complete_;
  QPushButton* save_;
  QLabel* result_;
  MetricsTable* metrics_;
  QLabel* summary_;
};

} // namespace lumen
