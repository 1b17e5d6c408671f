# cocoon_module(NAME DEPS ...): a static library from src/NAME/*.cc (and
# subfolders), plus a gtest binary NAME_test from tests/unit/NAME/*_test.cc.
set(COCOON_ALL_MODULES "" CACHE INTERNAL "")

function(cocoon_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${name}/*.cc)
  if(srcs)
    add_library(cocoon_${name} STATIC ${srcs})
  else()
    add_library(cocoon_${name} INTERFACE)
  endif()
  if(srcs)
    target_link_libraries(cocoon_${name} PUBLIC ${M_DEPS})
  else()
    target_link_libraries(cocoon_${name} INTERFACE ${M_DEPS})
  endif()
  set(COCOON_ALL_MODULES ${COCOON_ALL_MODULES} cocoon_${name} CACHE INTERNAL "")

  file(GLOB_RECURSE tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/${name}/*_test.cc)
  if(tests)
    add_executable(${name}_test ${tests})
    target_link_libraries(${name}_test PRIVATE cocoon_${name} GTest::gtest GTest::gtest_main GTest::gmock)
    gtest_discover_tests(${name}_test DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
  endif()
endfunction()

# Modules that exist only once their folder does (the sandbox, later stages).
function(cocoon_optional_modules)
  foreach(spec "control;cocoon_base"
               "gofer;cocoon_linux"
               "platform;cocoon_base"
               "kernel;cocoon_platform;cocoon_gofer"
               "sandbox;cocoon_native;cocoon_control;cocoon_kernel;cocoon_gofer")
    list(GET spec 0 name)
    list(SUBLIST spec 1 -1 deps)
    if(EXISTS ${CMAKE_SOURCE_DIR}/src/${name})
      cocoon_module(${name} DEPS ${deps})
    endif()
  endforeach()
endfunction()
