// The mask of the Segment workspace: which backend segments, how opaque the overlay is, what the
// last request did (busy while it runs; voxels, millilitres, uncertain share and timings from its
// JSON result when done), and accepting it: the label's name, Accept (into the study folder) and
// Save Mask… (a file), Train (the learned backend on the study's final labels) and a model file
// of the user's (a TorchScript plug-in, a propagator run's checkpoint). A view only:
// the workspace fills it and acts on its signals.
#pragma once
#include <QString>
#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QToolButton;

namespace lumen {

class MaskPanel : public QWidget {
  Q_OBJECT
public:
  explicit MaskPanel(QWidget* parent = nullptr);

  QString backend() const;
  void setBackend(const QString& name);
  // The backends that would load for what is open (the study's trained propagator and
  // plug-ins); `current` stays selected, without a backendChanged signal.
  void setBackends(const QStringList& names, const QString& current);
  double opacity() const; // 0..1
  void setOpacity(double opacity);
  QString labelName() const;
  void setLabelName(const QString& name);

  // Busy shows a moving bar beside `text`; `tooltip` holds the details (the result's JSON).
  void setStatus(const QString& text, bool busy, const QString& tooltip = {});
  void setError(const QString& text);
  QString statusText() const;
  bool isBusy() const;

  // `why` is the tooltip of a disabled button.
  void setAcceptEnabled(bool enabled, const QString& why);
  void setSaveEnabled(bool enabled);
  void setTrainEnabled(bool enabled, const QString& why);

  QPushButton* acceptButton() const { return accept_; }
  QPushButton* saveButton() const { return save_; }
  QPushButton* trainButton() const { return train_; }
  QComboBox* backendBox() const { return backend_; }
  QToolButton* modelButton() const { return model_; }
  QSlider* opacitySlider() const { return opacity_; }

Q_SIGNALS:
  void backendChanged(const QString& name);
  void opacityChanged(double opacity);
  void acceptRequested();
  void saveRequested();
  void trainRequested();
  void modelFileRequested();

private:
  QComboBox* backend_;
  QSlider* opacity_;
  QProgressBar* busy_;
  QLabel* status_;
  QLineEdit* label_;
  QPushButton *accept_, *save_, *train_;
  QToolButton* model_;
  bool busyNow_ = false;
};

} // namespace lumen
