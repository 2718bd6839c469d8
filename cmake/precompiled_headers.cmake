# Precompiled headers: the third-party and standard headers most etch files
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
