# ctest script: compiles two files with one library's include directories
# (INCLUDES) and checks that the allowed include compiles and the forbidden
# one fails because the header is not visible at all.
#   cmake -DCXX=... -DINCLUDES=a;b -DSOURCES=dir -DWORK=dir -P check_include_tree.cmake
set(flags -std=c++20 -fsyntax-only)
foreach(dir ${INCLUDES})
  list(APPEND flags -I${dir})
endforeach()
file(MAKE_DIRECTORY ${WORK})

execute_process(COMMAND ${CXX} ${flags} ${SOURCES}/compiler_uses_npu.cc
                RESULT_VARIABLE rc ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "compiler/ including etch/npu/target.h should compile:\n${err}")
endif()

execute_process(COMMAND ${CXX} ${flags} ${SOURCES}/compiler_uses_quant.cc
                RESULT_VARIABLE rc ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
if(rc EQUAL 0)
  message(FATAL_ERROR "compiler/ including etch/quant/ptq.h compiled; the layering is not enforced")
endif()
if(NOT err MATCHES "etch/quant/ptq.h: No such file")
  message(FATAL_ERROR "compiler/ including etch/quant/ptq.h failed for another reason:\n${err}")
endif()
message(STATUS "layering holds: compiler/ sees npu/, not quant/")
