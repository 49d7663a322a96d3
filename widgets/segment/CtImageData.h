// CT volumes and masks as VTK images for the Segment workspace's views. The voxels are copied
// (26 M int16 voxels in ~20 ms, on the UI thread where VTK objects live); the image keeps the
// volume's origin, spacing and direction, the slice views show it along its voxel axes and the
// 3D view places it in physical space with sceneToPhysical().
#pragma once
#include "io/Volume.h"

#include <cstdint>
#include <vtkSmartPointer.h>

class vtkImageData;
class vtkMatrix4x4;

namespace lumen {

vtkSmartPointer<vtkImageData> toImageData(const Volume<int16_t>& volume);
vtkSmartPointer<vtkImageData> toImageData(const Volume<uint8_t>& volume);

// The slice views' scene puts voxel (i, j, k) at origin + spacing ⊙ (i, j, k); physical space has
// it at origin + direction · (spacing ⊙ (i, j, k)). This maps the first onto the second.
vtkSmartPointer<vtkMatrix4x4> sceneToPhysical(const ImageGeometry& geometry);

} // namespace lumen
