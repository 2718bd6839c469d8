# ctest script: compiles two files with one library's include directories
# (INCLUDES) and checks that the allowed include compiles and the forbidden
# one fails because the header is not visible at all.
#   cmake -DCXX=... -DINCLUDES=a;b -DSOURCES=dir -DWORK=dir -P check_include_tree.cmake
# Defaults check compiler/ (sees npu/, not quant/); another folder passes
#   -DALLOWED=<file.cc> -DFORBIDDEN=<file.cc> -DFORBIDDEN_HEADER=etch/<folder>/<h> -DWHAT=<folder>
if(NOT ALLOWED)
  set(ALLOWED compiler_uses_npu.cc)
  set(FORBIDDEN compiler_uses_quant.cc)
  set(FORBIDDEN_HEADER etch/quant/ptq.h)
  set(WHAT compiler)
endif()
set(flags -std=c++20 -fsyntax-only)
foreach(dir ${INCLUDES})
  list(APPEND flags -I${dir})
endforeach()
file(MAKE_DIRECTORY ${WORK})

execute_process(COMMAND ${CXX} ${flags} ${SOURCES}/${ALLOWED}
                RESULT_VARIABLE rc ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${ALLOWED} should compile with ${WHAT}/'s include flags:\n${err}")
endif()

execute_process(COMMAND ${CXX} ${flags} ${SOURCES}/${FORBIDDEN}
                RESULT_VARIABLE rc ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
if(rc EQUAL 0)
  message(FATAL_ERROR "${WHAT}/ including ${FORBIDDEN_HEADER} compiled; the layering is not enforced")
endif()
if(NOT err MATCHES "${FORBIDDEN_HEADER}: No such file")
  message(FATAL_ERROR "${WHAT}/ including ${FORBIDDEN_HEADER} failed for another reason:\n${err}")
endif()
message(STATUS "layering holds: ${WHAT}/ sees ${ALLOWED}'s headers, not ${FORBIDDEN_HEADER}")
