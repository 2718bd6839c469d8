# Build speed. Precompiled headers: the third-party and standard headers most etch files
# include are parsed once per target instead of once per file. On a 2-core CI
# runner parsing them was over a third of the two full builds (Release and
# ASan+UBSan): CLI11 alone takes 3-6 s to parse per subcommand file, gtest
# about 2 s per test file.
#
# Only system headers go in, never etch's own: a change to an etch header then
# rebuilds what includes it and nothing more, and the per-folder include trees
# (the layering check) stay the only way a file reaches another folder.
# -DETCH_PRECOMPILE_HEADERS=OFF builds without them, which shows a missing
# #include that a precompiled header would otherwise hide.
option(ETCH_PRECOMPILE_HEADERS "Precompile the standard and third-party headers per target" ON)

set(ETCH_PCH_STD
    <algorithm> <cmath> <cstdint> <cstring> <filesystem> <functional> <limits> <map>
    <memory> <optional> <set> <sstream> <string> <utility> <vector>)

# etch_precompile_headers(<target> [extra headers...]): the standard set plus
# the given third-party headers, for every C++ file of <target>.
function(etch_precompile_headers target)
  if(ETCH_PRECOMPILE_HEADERS)
    target_precompile_headers(${target} PRIVATE ${ETCH_PCH_STD} ${ARGN})
  endif()
endfunction()

# Unity batches: the etch executable, the test executables and the Python
# module compile several files per translation unit, so the inline code of
# CLI11, nlohmann::json, gtest and pybind11 is generated once per batch instead
# of once per file (a third less compile time on a 2-core CI runner).
# -DETCH_UNITY_BUILD=OFF compiles file by file, which shows a missing #include
# or a helper name two files of a batch both define.
option(ETCH_UNITY_BUILD "Compile the CLI, test and Python targets in batches of files" ON)

# etch_unity_batches(<target> <files per batch>)
function(etch_unity_batches target size)
  if(ETCH_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${size})
  endif()
endfunction()
