// The Segment workspace's datastore browser: the open study's images with their labelled state
// (a `final` label or not) and the uncertain fraction of their last result, the strategy that
// picks the next image, Next Sample, and buttons to open a study, a CT or a DICOM folder. A view
// only: the workspace fills it from its StudyFolder and acts on its signals.
#pragma once
#include "segment/Datastore.h"

#include <QString>
#include <QWidget>
#include <vector>

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace lumen {

class StudyPanel : public QWidget {
  Q_OBJECT
public:
  enum Column { Image, Final, Uncertain, ColumnCount };

  explicit StudyPanel(QWidget* parent = nullptr);

  // An empty folder: no study (a single CT is open, or nothing).
  void setStudy(const QString& folder, const std::vector<segment::ImageRecord>& images);
  // Marks the row of the image being annotated; empty: none.
  void setCurrentImage(const QString& id);
  QString currentImage() const { return current_; }

  // "first", "random" or "uncertainty".
  QString strategy() const;
  void setStrategy(const QString& name);

  QTableWidget* table() const { return table_; }
  QPushButton* nextButton() const { return next_; }
  int rowOf(const QString& id) const;
  // "yes" or "—" for the Final column of a row.
  QString finalText(int row) const;

Q_SIGNALS:
  void openFolderRequested();
  void openFileRequested();
  void imageActivated(const QString& id);
  void nextRequested();

private:
  QLabel* title_;
  QTableWidget* table_;
  QComboBox* strategy_;
  QPushButton* next_;
  QString current_;
};

} // namespace lumen
