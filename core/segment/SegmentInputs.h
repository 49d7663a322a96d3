// What a file or folder is to the Segment workspace, decided from names and headers only (it
// runs when the user picks a path, before any voxel is read): a study folder, one CT volume, a
// DICOM series folder, or nothing it opens. Heart label maps look like volumes too; they belong
// to the Shapes workspace and are told apart by their stored pixel type (bytes) or their name.
#pragma once
#include <string>

namespace lumen {

enum class SegmentInputKind {
  None,
  // datastore_v2.json, or CT volumes a Datastore lists (.nii, .nii.gz, .nrrd, .mha) directly
  // inside (MONAI Label's images_dir ".")
  StudyFolder,
  CtVolume,    // .nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd that is not a label map
  DicomFolder, // DICOM files directly inside (a .dcm file stands for its folder)
};

SegmentInputKind classifySegmentInput(const std::string& path);

// A volume file whose name says label, labels, seg, segmentation or mask, whose voxels are stored
// as bytes (Lumen's own label maps, ITK's uint8 masks), or a NIfTI file whose first slice's worth
// of voxels are all small whole numbers >= 0 of a few kinds (a CT's first voxels are air or
// padding, far below 0 HU). Header errors count as "no": the reader reports them on opening.
bool looksLikeLabelMap(const std::string& path);

// Whether the folder directly holds DICOM files: a .dcm name, or "DICM" at byte 128 (files
// without an extension, as scanners export them). Looks at a few dozen files at most.
bool holdsDicomFiles(const std::string& folder);

// The study folder an image file lies in (its folder, when that has a datastore_v2.json), else
// an empty string.
std::string studyFolderOf(const std::string& imagePath);

} // namespace lumen
