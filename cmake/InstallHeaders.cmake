# Run at install time (install(CODE) in the top-level CMakeLists.txt): copies each
# header of coring's libraries to <prefix>/<includedir>/coring/<lib>/, rewriting its
# own includes from "core/x.hpp" to "coring/core/x.hpp", so that a consumer includes
# <coring/http/launch.hpp> with only <prefix>/<includedir> on its include path and
# coring's folder names never clash with the consumer's own.
# Inputs: CORING_SOURCE_DIR, CORING_INCLUDE_DEST (absolute), CORING_HEADER_LIBS.
foreach(_lib IN LISTS CORING_HEADER_LIBS)
  file(GLOB _headers "${CORING_SOURCE_DIR}/${_lib}/*.hpp")
  foreach(_header IN LISTS _headers)
    get_filename_component(_name "${_header}" NAME)
    set(_dest "${CORING_INCLUDE_DEST}/coring/${_lib}/${_name}")
    file(READ "${_header}" _text)
    string(REGEX REPLACE "#include \"(core|http)/" "#include \"coring/\\1/" _text "${_text}")
    if(EXISTS "${_dest}")
      file(READ "${_dest}" _old)
      if(_old STREQUAL _text)
        message(STATUS "Up-to-date: ${_dest}")
        continue()
      endif()
    endif()
    message(STATUS "Installing: ${_dest}")
    file(WRITE "${_dest}" "${_text}")
  endforeach()
endforeach()
