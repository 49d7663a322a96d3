#include "support/DicomSeriesWriter.h"

#include <algorithm>
#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkMetaDataObject.h>

namespace lumen::test {

int16_t seriesValue(int64_t i, int64_t j, int64_t k) {
  return int16_t(i * 3 - j * 5 + k * 100 - 900);
}

// One single-frame CT slice per file, written by ITK's GDCMImageIO with its position and
// orientation, named so the file order is not the slice order.
void writeSeries(const std::string& folder, const SeriesSpec& spec) {
  using Slice = itk::Image<int16_t, 3>;
  const ImageGeometry& g = spec.geometry;
  for (int64_t k = 0; k < g.size[2]; ++k) {
    if (std::find(spec.skip.begin(), spec.skip.end(), int(k)) != spec.skip.end())
      continue;
    Vec3 index{0, 0, double(k)};
    if (k == spec.shiftedSlice)
      index[2] += spec.shift / g.spacing[2];
    const Vec3 origin = g.indexToPhysical(index);
    auto image = Slice::New();
    Slice::RegionType region;
    region.SetSize({{itk::SizeValueType(g.size[0]), itk::SizeValueType(g.size[1]), 1}});
    image->SetRegions(region);
    image->SetSpacing(g.spacing.data());
    image->SetOrigin(origin.data());
    Slice::DirectionType direction;
    for (unsigned a = 0; a < 3; ++a)
      for (unsigned r = 0; r < 3; ++r)
        direction[r][a] = g.direction[3 * r + a];
    if (k == spec.tiltedSlice) { // swap the in-plane axes: another orientation
      for (unsigned r = 0; r < 3; ++r) {
        std::swap(direction[r][0], direction[r][1]);
        direction[r][2] = -direction[r][2];
      }
    }
    image->SetDirection(direction);
    image->Allocate();
    for (int64_t j = 0; j < g.size[1]; ++j)
      for (int64_t i = 0; i < g.size[0]; ++i)
        image->GetBufferPointer()[i + g.size[0] * j] = seriesValue(i, j, k);
    auto io = itk::GDCMImageIO::New();
    io->KeepOriginalUIDOn();
    // ImageFileWriter hands the image's dictionary to the ImageIO.
    auto& dict = image->GetMetaDataDictionary();
    itk::EncapsulateMetaData<std::string>(dict, "0008|0016", "1.2.840.10008.5.1.4.1.1.2");
    itk::EncapsulateMetaData<std::string>(dict, "0008|0018",
                                          spec.uid + "." + std::to_string(k + 1));
    itk::EncapsulateMetaData<std::string>(dict, "0020|000d", "1.2.826.0.1.3680043.2.1125.9");
    itk::EncapsulateMetaData<std::string>(dict, "0020|000e", spec.uid);
    itk::EncapsulateMetaData<std::string>(dict, "0008|0060", "CT");
    itk::EncapsulateMetaData<std::string>(dict, "0028|0004", "MONOCHROME2");
    itk::EncapsulateMetaData<std::string>(dict, "0008|103e", spec.description);
    itk::EncapsulateMetaData<std::string>(dict, "0020|0013", std::to_string(k + 1));
    auto writer = itk::ImageFileWriter<Slice>::New();
    writer->SetImageIO(io);
    writer->SetInput(image);
    // Names in reverse slice order, so reading by name alone would flip the volume.
    writer->SetFileName(folder + "/IM" + std::to_string(1000 - k) + ".dcm");
    writer->Update();
  }
}

} // namespace lumen::test
