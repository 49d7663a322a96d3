# Shared compile settings for Lumen's own targets.
function(lumen_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter
                                           -Wno-missing-field-initializers)
endfunction()

# Torch headers take most of the compile time on small machines: torch-using targets get a
# precompiled header. Each target builds its own because PCH reuse requires identical flags.
function(lumen_torch_pch target)
  target_precompile_headers(${target} PRIVATE "${PROJECT_SOURCE_DIR}/core/common/TorchPch.h")
endfunction()
