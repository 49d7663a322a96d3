// The study folder the Segment workspace works in: one Datastore (MONAI Label's layout, shared
// with any server on the folder) and its sample selector, every call a quiet background job so
// the UI thread never waits on the disk or the folder lock. Results arrive as signals on the UI
// thread; a result for a folder that has been replaced since is dropped. While a folder is open
// it is re-listed every few seconds, so labels a MONAI Label server or a colleague saves appear.
#pragma once
#include "common/Job.h"
#include "segment/Datastore.h"

#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <vector>

class QTimer;

namespace lumen {

class JobContinuations;
namespace segment {
class SampleSelector;
}

class StudyFolder : public QObject {
  Q_OBJECT
public:
  using Submit = std::function<JobPtr(JobPtr)>;
  StudyFolder(Submit submit, JobContinuations* continuations, QObject* parent = nullptr);
  ~StudyFolder() override;

  // Opens (creating labels/ when missing, as MONAI Label does) and lists the folder.
  void open(const QString& folder);
  void close();
  bool isOpen() const { return store_ != nullptr; }
  QString folder() const { return folder_; }
  std::shared_ptr<segment::Datastore> datastore() const { return store_; }

  // Re-lists the images (after an accept, or when someone else changed the folder).
  void refresh();
  const std::vector<segment::ImageRecord>& images() const { return images_; }
  const segment::ImageRecord* image(const QString& id) const;

  // Picks the next image by a strategy ("first", "random", "uncertainty", or "chosen" with
  // `imageId`) and records it as served, as POST /activelearning/{strategy} does.
  void next(const QString& strategy, const QString& imageId = {});

Q_SIGNALS:
  void opened(const QString& folder);
  void listed();
  void sampleChosen(const QString& id, const QString& path, const QString& strategy);
  void nothingToServe(const QString& reason);
  // Warnings the datastore reported (a corrupt JSON moved aside, orphan labels).
  void warning(const QString& message);
  void failed(const QString& message);

private:
  void list();
  void onRefreshTimer();

  Submit submit_;
  JobContinuations* continuations_;
  QString folder_;
  std::shared_ptr<segment::Datastore> store_;
  std::shared_ptr<segment::SampleSelector> selector_;
  std::vector<segment::ImageRecord> images_;
  QTimer* refreshTimer_;
  bool listing_ = false;    // a listing job is on its way: the timer waits for it
  uint64_t generation_ = 0; // bumped by open() and close(): older results are dropped
};

} // namespace lumen
