# One helper per kind of target, so every library, test and fuzzer is built the same way.

# weft_library(NAME SOURCES ... DEPS ...): a static library whose headers are found from the
# repository root (#include "core/http/header_map.h").
function(weft_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/plugins/include)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# weft_test(NAME SOURCES ... DEPS ... [LABELS ...]): one Boost.Test executable, registered with CTest.
function(weft_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} Boost::unit_test_framework)
  target_compile_definitions(${name} PRIVATE BOOST_TEST_DYN_LINK)
  add_test(NAME ${name} COMMAND ${name} --log_level=message)
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 600)
endfunction()

# weft_fuzzer(NAME SOURCE CORPUS DIR DEPS ...): a libFuzzer target when WEFT_FUZZ is on; otherwise
# the same entry point is linked with a small driver that replays the seed corpus under CTest.
function(weft_fuzzer name)
  cmake_parse_arguments(ARG "" "SOURCE;CORPUS" "DEPS" ${ARGN})
  if(WEFT_FUZZ)
    add_executable(${name} ${ARG_SOURCE})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  else()
    add_executable(${name}_replay ${ARG_SOURCE} ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus_replay_main.cc)
    target_link_libraries(${name}_replay PRIVATE ${ARG_DEPS})
    add_test(NAME ${name}_replay COMMAND ${name}_replay ${ARG_CORPUS})
    set_tests_properties(${name}_replay PROPERTIES LABELS "fuzz" TIMEOUT 300)
  endif()
endfunction()
