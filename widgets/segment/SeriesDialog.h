// Picks one series of a DICOM folder that holds several (a scout, a thin and a thick
// reconstruction...), showing what listDicomSeries found: description, modality, slices, size,
// spacing, and why a series cannot be read. Non-modal (open()), so nothing waits in a nested loop.
#pragma once
#include "io/DicomSeries.h"

#include <QDialog>
#include <vector>

class QTableWidget;

namespace lumen {

class SeriesDialog : public QDialog {
  Q_OBJECT
public:
  SeriesDialog(const QString& folder, std::vector<DicomSeriesInfo> series,
               QWidget* parent = nullptr);

  const QString& folder() const { return folder_; }
  // The uid of the selected series (the first readable one until the user picks); it may be
  // empty when anonymisation removed it.
  bool hasSelection() const;
  QString selectedUid() const;
  void selectSeries(int row);
  QTableWidget* table() const { return table_; }

private:
  QString folder_;
  std::vector<DicomSeriesInfo> series_;
  QTableWidget* table_;
};

} // namespace lumen
