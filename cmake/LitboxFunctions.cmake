# CMake functions for projects whose tests litbox runs (the equivalents of LLVM's
# configure_lit_site_cfg, add_lit_testsuite and add_lit_testsuites). Loaded by
# find_package(litbox CONFIG) from an installed litbox, or by litbox's own CMakeLists.txt when
# it is part of the build (add_subdirectory / FetchContent).
#
# LITBOX_EXECUTABLE names the litbox binary (a path, or a generator expression).
# LITBOX_DEFAULT_ARGS (cache, default "-sv") are passed to every suite's litbox.
include_guard(GLOBAL)

set(LITBOX_DEFAULT_ARGS "-sv" CACHE STRING "Arguments litbox gets in every check target")

# litbox_configure_site(INPUT <lit.site.yaml.in> OUTPUT <lit.site.yaml>)
# Writes the build's facts into a site config: @VAR@ references are replaced by CMake
# variables (configure_file @ONLY), then generator expressions ($<TARGET_FILE:tool>) are
# evaluated. INPUT is relative to the current source dir, OUTPUT to the current binary dir.
function(litbox_configure_site)
  cmake_parse_arguments(ARG "" "INPUT;OUTPUT" "" ${ARGN})
  if(NOT ARG_INPUT OR NOT ARG_OUTPUT)
    message(FATAL_ERROR "litbox_configure_site: INPUT and OUTPUT are required")
  endif()
  get_filename_component(input "${ARG_INPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(output "${ARG_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  configure_file("${input}" "${output}.configured" @ONLY)
  file(GENERATE OUTPUT "${output}" INPUT "${output}.configured")
endfunction()

# The litbox command line of a suite (internal).
function(_litbox_command out_var)
  cmake_parse_arguments(ARG "" "SITE" "PARAMS;ARGS" ${ARGN})
  set(cmd "${LITBOX_EXECUTABLE}")
  if(ARG_SITE)
    list(APPEND cmd --site "${ARG_SITE}")
  endif()
  foreach(param IN LISTS ARG_PARAMS)
    list(APPEND cmd -D "${param}")
  endforeach()
  set(${out_var} ${cmd} ${LITBOX_DEFAULT_ARGS} ${ARG_ARGS} PARENT_SCOPE)
endfunction()

# litbox_add_testsuite(<target> DIRECTORY <dir> [SITE <lit.site.yaml>] [DEPENDS <targets>...]
#                      [PARAMS <name=value>...] [ARGS <litbox args>...] [LABELS <labels>...]
#                      [NO_CTEST])
# A target that runs litbox on <dir> (a suite, or a directory in one), after building DEPENDS,
# and a CTest entry of the same name (unless NO_CTEST) labelled `litbox` (and LABELS), which
# writes a JUnit report to <binary dir>/<target>.junit.xml. SITE: the build's lit.site.yaml,
# for a <dir> in the source tree (litbox --site).
function(litbox_add_testsuite target)
  cmake_parse_arguments(ARG "NO_CTEST" "DIRECTORY;SITE" "DEPENDS;PARAMS;ARGS;LABELS" ${ARGN})
  if(NOT ARG_DIRECTORY)
    message(FATAL_ERROR "litbox_add_testsuite(${target}): DIRECTORY is required")
  endif()
  get_filename_component(dir "${ARG_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  _litbox_command(cmd SITE "${ARG_SITE}" PARAMS ${ARG_PARAMS} ARGS ${ARG_ARGS})
  add_custom_target(${target}
    COMMAND ${cmd} "${dir}"
    DEPENDS ${ARG_DEPENDS}
    COMMENT "Running the litbox tests in ${dir}"
    USES_TERMINAL)
  if(NOT ARG_NO_CTEST)
    add_test(NAME ${target}
      COMMAND ${cmd} --no-progress-bar --xunit-xml-output "${CMAKE_CURRENT_BINARY_DIR}/${target}.junit.xml" "${dir}")
    set_tests_properties(${target} PROPERTIES LABELS "litbox;${ARG_LABELS}")
  endif()
endfunction()

# litbox_add_testsuites(<prefix> DIRECTORY <dir> [SITE ...] [DEPENDS ...] [PARAMS ...] [ARGS ...]
#                       [LABELS ...])
# As LLVM's add_lit_testsuites: <prefix> runs the whole of <dir> (and is a CTest entry), and
# every directory below it gets a target of its own (not a CTest entry: its tests are in the
# whole suite's), named <prefix>-<path below dir, lower case, '/' as '-'>: check-foo-sub-dir.
# Directories named Inputs or Output, or below them, and hidden ones are left out.
function(litbox_add_testsuites prefix)
  cmake_parse_arguments(ARG "" "DIRECTORY;SITE" "DEPENDS;PARAMS;ARGS;LABELS" ${ARGN})
  if(NOT ARG_DIRECTORY)
    message(FATAL_ERROR "litbox_add_testsuites(${prefix}): DIRECTORY is required")
  endif()
  get_filename_component(dir "${ARG_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(common SITE "${ARG_SITE}" DEPENDS ${ARG_DEPENDS} PARAMS ${ARG_PARAMS} ARGS ${ARG_ARGS})
  litbox_add_testsuite(${prefix} DIRECTORY "${dir}" ${common} LABELS ${ARG_LABELS})
  file(GLOB_RECURSE entries LIST_DIRECTORIES true "${dir}/*")
  list(SORT entries)
  foreach(entry IN LISTS entries)
    if(NOT IS_DIRECTORY "${entry}")
      continue()
    endif()
    file(RELATIVE_PATH rel "${dir}" "${entry}")
    if(rel MATCHES "(^|/)(Inputs|Output)(/|$)" OR rel MATCHES "(^|/)\\.")
      continue()
    endif()
    string(REPLACE "/" "-" name "${rel}")
    string(TOLOWER "${prefix}-${name}" name)
    litbox_add_testsuite(${name} DIRECTORY "${entry}" ${common} NO_CTEST)
  endforeach()
endfunction()
