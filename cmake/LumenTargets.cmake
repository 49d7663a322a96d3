# Shared compile settings for Lumen's own targets.
function(lumen_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter
                                           -Wno-missing-field-initializers)
endfunction()

# Torch headers take most of the compile time on small machines: torch-using targets share one
# precompiled header. It is built by a target of its own that has only LibTorch's flags, because
# GCC refuses a PCH built with a macro the user does not define (lumen_core's ITK and VTK
# definitions, for one), while the user may add its own macros and include paths (Qt's, the
# tests'). Reusing it saves about a minute of compiling per torch-using target.
function(lumen_torch_pch target)
  if(NOT TARGET lumen_torch_pch)
    set(anchor "${PROJECT_BINARY_DIR}/generated/torch_pch_anchor.cpp")
    if(NOT EXISTS "${anchor}")
      file(WRITE "${anchor}" "// The source of the target that builds the shared LibTorch PCH.\n")
    endif()
    add_library(lumen_torch_pch OBJECT "${anchor}")
    target_link_libraries(lumen_torch_pch PRIVATE ${TORCH_LIBRARIES})
    lumen_warnings(lumen_torch_pch) # -Wpedantic changes the predefined macros, so all agree
    target_precompile_headers(lumen_torch_pch PRIVATE "${PROJECT_SOURCE_DIR}/core/common/TorchPch.h")
  endif()
  target_precompile_headers(${target} REUSE_FROM lumen_torch_pch)
  # An executable compiles -fPIE, which GCC's PCH check tells from the library's -fPIC (Qt
  # adds -fPIC to the test suites anyway).
  target_compile_options(${target} PRIVATE -fPIC)
endfunction()
