#include "shapes/ClassMeshLayer.h"

#include "vtk/MeshPolyData.h"
#include "vtk/View3D.h"

#include <QColor>
#include <vtkActor.h>
#include <vtkPolyData.h>
#include <vtkProperty.h>

namespace lumen {

ClassMeshLayer::ClassMeshLayer(View3D* view, Style style) : view_(view), style_(style) {
  visible_.fill(true);
  opacity_.fill(1.0);
}

ClassMeshLayer::~ClassMeshLayer() = default;

void ClassMeshLayer::setMeshes(const ClassMeshes* meshes) {
  for (int c = 1; c <= kHeartClasses; ++c) {
    auto& actor = actors_[size_t(c - 1)];
    if (actor) {
      view_->removeProp(actor);
      actor = nullptr;
    }
    if (!meshes || (*meshes)[size_t(c - 1)].triangles.empty())
      continue;
    const auto rgb = heartClassColor(c);
    actor =
        view_->addPolyData(meshPolyData((*meshes)[size_t(c - 1)]), QColor(rgb[0], rgb[1], rgb[2]));
    if (style_ == Style::Wireframe) {
      actor->GetProperty()->SetRepresentationToWireframe();
      // Lines need no lighting to read: the class colour itself, as on the legend.
      actor->GetProperty()->LightingOff();
    } else {
      actor->GetProperty()->SetSpecular(0.2);
      actor->GetProperty()->SetSpecularPower(20);
    }
  }
  apply();
}

bool ClassMeshLayer::hasMesh(int label) const {
  return actors_[size_t(label - 1)] != nullptr;
}

void ClassMeshLayer::setAppearance(const std::array<bool, kHeartClasses>& visible,
                                   const std::array<double, kHeartClasses>& opacity) {
  visible_ = visible;
  opacity_ = opacity;
  apply();
}

bool ClassMeshLayer::isDrawn(int label) const {
  const auto& actor = actors_[size_t(label - 1)];
  return actor && actor->GetVisibility() != 0;
}

void ClassMeshLayer::apply() {
  for (size_t c = 0; c < actors_.size(); ++c) {
    if (!actors_[c])
      continue;
    actors_[c]->SetVisibility(visible_[c] && opacity_[c] > 0.0 ? 1 : 0);
    actors_[c]->GetProperty()->SetOpacity(opacity_[c]);
  }
  view_->requestRender();
}

} // namespace lumen
