// One set of per-class surfaces (a case's ground truth, or a completion) in a 3D view: an actor
// per class in the class's colour, whose visibility and opacity the workspace sets from the
// class table. A layer draws either solid surfaces or wireframes (ground truth laid over a
// completion).
#pragma once
#include "shapes/ClassMeshes.h"

#include <array>
#include <vtkSmartPointer.h>

class vtkActor;

namespace lumen {

class View3D;

class ClassMeshLayer {
public:
  enum class Style { Surface, Wireframe };

  ClassMeshLayer(View3D* view, Style style);
  ~ClassMeshLayer();
  ClassMeshLayer(const ClassMeshLayer&) = delete;
  ClassMeshLayer& operator=(const ClassMeshLayer&) = delete;

  // Replaces the surfaces (null: none). Keeps the current visibility and opacity.
  void setMeshes(const ClassMeshes* meshes);
  bool hasMesh(int label) const;
  // Per class (index label - 1): drawn at all, and how opaque.
  void setAppearance(const std::array<bool, kHeartClasses>& visible,
                     const std::array<double, kHeartClasses>& opacity);
  bool isDrawn(int label) const;

private:
  void apply();

  View3D* view_;
  Style style_;
  std::array<vtkSmartPointer<vtkActor>, kHeartClasses> actors_;
  std::array<bool, kHeartClasses> visible_{};
  std::array<double, kHeartClasses> opacity_{};
};

} // namespace lumen
