# FindLlhttp
# ----------
# 1. Looks for a system libllhttp (library + llhttp.h) -> IMPORTED target Llhttp::llhttp.
# 2. Otherwise builds the llhttp C sources shipped by Debian's node-llhttp
#    (override with LLHTTP_SOURCE_DIR / LLHTTP_INCLUDE_DIR) as the STATIC target
#    `coring_llhttp` (ALIAS Llhttp::llhttp, exported as coring::llhttp).
# Set Llhttp_SYSTEM_ONLY to skip step 2.
# Result variables: Llhttp_FOUND, Llhttp_VERSION, Llhttp_INCLUDE_DIR,
# Llhttp_FROM_SOURCE (TRUE when the static library is built from source).

find_library(Llhttp_LIBRARY NAMES llhttp)
find_path(Llhttp_SYSTEM_INCLUDE_DIR NAMES llhttp.h)
mark_as_advanced(Llhttp_LIBRARY Llhttp_SYSTEM_INCLUDE_DIR)

set(LLHTTP_SOURCE_DIR "/usr/share/llhttp" CACHE PATH "Directory with llhttp.c, api.c, http.c")
set(LLHTTP_INCLUDE_DIR "/usr/share/include/llhttp" CACHE PATH "Directory with llhttp.h (source build)")

set(Llhttp_FROM_SOURCE FALSE)
if(Llhttp_LIBRARY AND Llhttp_SYSTEM_INCLUDE_DIR)
  set(Llhttp_INCLUDE_DIR "${Llhttp_SYSTEM_INCLUDE_DIR}")
elseif(NOT Llhttp_SYSTEM_ONLY AND EXISTS "${LLHTTP_SOURCE_DIR}/llhttp.c" AND EXISTS "${LLHTTP_SOURCE_DIR}/api.c"
       AND EXISTS "${LLHTTP_SOURCE_DIR}/http.c" AND EXISTS "${LLHTTP_INCLUDE_DIR}/llhttp.h")
  set(Llhttp_FROM_SOURCE TRUE)
  set(Llhttp_INCLUDE_DIR "${LLHTTP_INCLUDE_DIR}")
  set(Llhttp_LIBRARY coring_llhttp)
else()
  unset(Llhttp_INCLUDE_DIR)
endif()

if(Llhttp_INCLUDE_DIR)
  file(STRINGS "${Llhttp_INCLUDE_DIR}/llhttp.h" _llhttp_ver
       REGEX "^#define LLHTTP_VERSION_(MAJOR|MINOR|PATCH)[ \t]+[0-9]+")
  foreach(_part MAJOR MINOR PATCH)
    string(REGEX REPLACE ".*LLHTTP_VERSION_${_part}[ \t]+([0-9]+).*" "\\1" _llhttp_${_part} "${_llhttp_ver}")
  endforeach()
  set(Llhttp_VERSION "${_llhttp_MAJOR}.${_llhttp_MINOR}.${_llhttp_PATCH}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Llhttp
  REQUIRED_VARS Llhttp_LIBRARY Llhttp_INCLUDE_DIR
  VERSION_VAR Llhttp_VERSION)

if(Llhttp_FOUND AND NOT TARGET Llhttp::llhttp)
  if(Llhttp_FROM_SOURCE)
    include(GNUInstallDirs)
    add_library(coring_llhttp STATIC
      "${LLHTTP_SOURCE_DIR}/llhttp.c" "${LLHTTP_SOURCE_DIR}/api.c" "${LLHTTP_SOURCE_DIR}/http.c")
    add_library(Llhttp::llhttp ALIAS coring_llhttp)
    set_target_properties(coring_llhttp PROPERTIES
      LINKER_LANGUAGE C POSITION_INDEPENDENT_CODE ON EXPORT_NAME llhttp OUTPUT_NAME coring_llhttp)
    target_compile_options(coring_llhttp PRIVATE -w)
    target_include_directories(coring_llhttp PUBLIC
      "$<BUILD_INTERFACE:${Llhttp_INCLUDE_DIR}>"
      "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/coring/llhttp>")
  else()
    add_library(Llhttp::llhttp UNKNOWN IMPORTED)
    set_target_properties(Llhttp::llhttp PROPERTIES
      IMPORTED_LOCATION "${Llhttp_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${Llhttp_INCLUDE_DIR}")
  endif()
endif()
