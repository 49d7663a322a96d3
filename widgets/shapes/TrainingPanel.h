// The dataset and training controls of the Shapes workspace: the prepared dataset (made with
// Prepare… from a folder of label maps, or an existing one), the training phase and
// epochs, which checkpoint a phase starts from, and Train.
#pragma once
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace lumen {

class TrainingPanel : public QWidget {
  Q_OBJECT
public:
  explicit TrainingPanel(QWidget* parent = nullptr);

  QString preparedDir() const;
  void setPreparedDir(const QString& dir);
  int phase() const;
  void setPhase(int phase);
  int epochs() const;
  void setEpochs(int epochs);
  // The checkpoint the chosen phase would start from (empty: random weights).
  void setInitText(const QString& init);
  // Where the last run went and how it stands.
  void setRunText(const QString& html);

  QPushButton* prepareButton() const { return prepare_; }
  QPushButton* trainButton() const { return train_; }

Q_SIGNALS:
  void prepareRequested();
  void trainRequested();
  // The prepared folder or the phase changed (the starting checkpoint may be another).
  void settingsChanged();

private:
  void browse();

  QLineEdit* prepared_;
  QPushButton* prepare_;
  QComboBox* phase_;
  QSpinBox* epochs_;
  QLabel* init_;
  QLabel* run_;
  QPushButton* train_;
};

} // namespace lumen
