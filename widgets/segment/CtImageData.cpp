#include "segment/CtImageData.h"

#include <cstring>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkPointData.h>
#include <vtkShortArray.h>
#include <vtkUnsignedCharArray.h>

namespace lumen {
namespace {

template <class Array, class T> vtkSmartPointer<vtkImageData> wrap(const Volume<T>& volume) {
  const ImageGeometry& g = volume.geometry;
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(int(g.size[0]), int(g.size[1]), int(g.size[2]));
  image->SetSpacing(g.spacing.data());
  image->SetOrigin(g.origin.data());
  image->SetDirectionMatrix(g.direction.data());
  auto values = vtkSmartPointer<Array>::New();
  values->SetNumberOfValues(vtkIdType(volume.values.size()));
  std::memcpy(values->GetPointer(0), volume.values.data(), volume.values.size() * sizeof(T));
  image->GetPointData()->SetScalars(values);
  return image;
}

} // namespace

vtkSmartPointer<vtkImageData> toImageData(const Volume<int16_t>& volume) {
  return wrap<vtkShortArray>(volume);
}

vtkSmartPointer<vtkImageData> toImageData(const Volume<uint8_t>& volume) {
  return wrap<vtkUnsignedCharArray>(volume);
}

vtkSmartPointer<vtkMatrix4x4> sceneToPhysical(const ImageGeometry& g) {
  // physical = origin + D (scene - origin) = D scene + (origin - D origin).
  auto matrix = vtkSmartPointer<vtkMatrix4x4>::New();
  for (int r = 0; r < 3; ++r) {
    double translation = g.origin[size_t(r)];
    for (int c = 0; c < 3; ++c) {
      const double d = g.direction[size_t(3 * r + c)];
      matrix->SetElement(r, c, d);
      translation -= d * g.origin[size_t(c)];
    }
    matrix->SetElement(r, 3, translation);
  }
  return matrix;
}

} // namespace lumen
