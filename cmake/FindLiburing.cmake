# FindLiburing
# ------------
# Finds liburing. Result variables: Liburing_FOUND, Liburing_VERSION,
# Liburing_INCLUDE_DIR, Liburing_LIBRARY. Imported target: Liburing::liburing.

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_LIBURING QUIET liburing)
endif()

find_path(Liburing_INCLUDE_DIR NAMES liburing.h HINTS ${PC_LIBURING_INCLUDE_DIRS})
find_library(Liburing_LIBRARY NAMES uring HINTS ${PC_LIBURING_LIBRARY_DIRS})

if(PC_LIBURING_VERSION)
  set(Liburing_VERSION "${PC_LIBURING_VERSION}")
elseif(Liburing_INCLUDE_DIR AND EXISTS "${Liburing_INCLUDE_DIR}/liburing/io_uring_version.h")
  file(STRINGS "${Liburing_INCLUDE_DIR}/liburing/io_uring_version.h" _lu_ver
       REGEX "^#define IO_URING_VERSION_(MAJOR|MINOR)[ \t]+[0-9]+")
  string(REGEX REPLACE ".*MAJOR[ \t]+([0-9]+).*" "\\1" _lu_major "${_lu_ver}")
  string(REGEX REPLACE ".*MINOR[ \t]+([0-9]+).*" "\\1" _lu_minor "${_lu_ver}")
  set(Liburing_VERSION "${_lu_major}.${_lu_minor}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Liburing
  REQUIRED_VARS Liburing_LIBRARY Liburing_INCLUDE_DIR
  VERSION_VAR Liburing_VERSION)

if(Liburing_FOUND AND NOT TARGET Liburing::liburing)
  add_library(Liburing::liburing UNKNOWN IMPORTED)
  set_target_properties(Liburing::liburing PROPERTIES
    IMPORTED_LOCATION "${Liburing_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Liburing_INCLUDE_DIR}")
endif()

mark_as_advanced(Liburing_INCLUDE_DIR Liburing_LIBRARY)
