// The Events workspace: event-camera recordings side by side as "noisy", "denoised" and "clean"
// streams, each with its statistics and a 3D point cloud (the three clouds share one camera); a
// time-range control for the clouds; an accumulated frame with playback and the voxel grid of its
// window; and the denoiser trained on the opened pair's folders and run on the noisy stream, as
// background jobs. What is open and what runs is the EventsSession's (core); this widget shows
// it and forwards the user's intent.
#pragma once
#include "common/Job.h"
#include "events/EventsSession.h"
#include "vtk/SharedCamera.h"
#include "workspace/Workspace.h"

#include <QString>
#include <array>
#include <functional>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QTableWidget;
class vtkCamera;

namespace lumen {

class EventFrameView;
class JobContinuations;
class EventStreamPanel;
class VoxelTilesView;

class EventsWorkspace : public Workspace {
  Q_OBJECT
public:
  enum Slot { Noisy, Denoised, Clean, SlotCount };

  explicit EventsWorkspace(WorkspaceServices& services, QWidget* parent = nullptr);
  ~EventsWorkspace() override;

  static WorkspaceInfo info();

  // Event files (.h5) open into the slot their folder or name suggests, with their paired
  // partner when there is one; other formats are imported to <folder>/<stem>.h5 by a job first.
  // Files are read by jobs: a file that turns out unreadable is reported in its slot and the
  // status bar.
  bool openPath(const QString& path, QString* error) override;
  // Opens an event file into one slot.
  void openInSlot(Slot slot, const QString& path);

  // Trains the denoiser on the folders of the open noisy/clean pair. Throws on a bad config.
  JobPtr startTraining();
  // Trains on the given paired folders; the run goes to <runsFolder>/events-<time> (default
  // <dataset>/runs) and its curves to the monitor. `overrides` are --set style assignments.
  JobPtr startTraining(const QString& noisyDir, const QString& cleanDir,
                       const std::vector<std::string>& overrides = {},
                       const QString& runsFolder = {});
  // Denoises the noisy stream with a checkpoint; the result opens in the "denoised" slot.
  JobPtr startInference(const QString& checkpoint);
  QString lastRunDir() const { return QString::fromStdString(session_.lastRunDir()); }
  // Where inference writes the denoised version of a noisy recording.
  static QString denoisedPathFor(const QString& noisyPath);
  // Runs `then` on the UI thread once the job has succeeded (failures go to the status bar).
  void whenDone(JobPtr job, std::function<void()> then);

  // The displayed time range of the clouds (µs, absolute).
  void setTimeRange(int64_t t0, int64_t t1);
  int64_t rangeStart() const;
  int64_t rangeEnd() const;

  EventStreamPanel* panel(Slot slot) const { return panels_[size_t(slot)]; }
  EventFrameView* frameView() const { return frame_; }
  VoxelTilesView* voxelTiles() const { return tiles_; }
  vtkCamera* sharedCamera() const;
  QPushButton* trainButton() const { return train_; }
  QPushButton* inferButton() const { return infer_; }
  // What BAF, STCF and the denoised stream keep of the noisy one: method, kept, % of the
  // input, ESR, subset of the input (one row each).
  QTableWidget* keptEventsTable() const { return kept_; }
  EventsSession& session() { return session_; }

private:
  void sessionChanged(const EventsSession::Change& change);
  void streamLoaded(Slot slot);
  void updateTimeControls();
  void applyTimeRange();
  void showFrameSource();
  void updateTiles(int64_t t0, int64_t t1);
  void updateButtons();
  void showKeptEvents(const QString& failure);
  void chooseFile(Slot slot);
  void trainClicked();
  void inferClicked();

  std::array<EventStreamPanel*, SlotCount> panels_{};
  SharedCamera camera_;
  EventFrameView* frame_;
  VoxelTilesView* tiles_;
  QComboBox* frameSource_;
  QSlider* start_;
  QDoubleSpinBox* duration_;
  QLabel* rangeLabel_;
  QPushButton* train_;
  QPushButton* infer_;
  QLabel* keptTitle_;
  QTableWidget* kept_;
  JobContinuations* continuations_;
  EventsSession session_;
  int64_t origin_ = 0, end_ = 0; // time span of every loaded stream
  bool rangeInitialised_ = false;
  double spanMs_ = 0.0;
};

} // namespace lumen
