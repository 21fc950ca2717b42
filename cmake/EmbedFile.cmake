# coring_embed_file(<target> <file> <symbol>)
#
# Embeds <file> (relative paths are resolved against CMAKE_CURRENT_SOURCE_DIR) into
# <target> at build time. Defines, in the global namespace:
#   extern const unsigned char <symbol>[];   // file bytes followed by one extra '\0'
#   extern const std::size_t   <symbol>_size; // file size in bytes (without the '\0')
# A matching header "<symbol>.hpp" is put on <target>'s PRIVATE include path.
# The file is regenerated whenever <file> changes.

set(_CORING_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/EmbedFileScript.cmake")

function(coring_embed_file target file symbol)
  if(NOT symbol MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "coring_embed_file: '${symbol}' is not a valid C identifier")
  endif()
  get_filename_component(_in "${file}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(_dir "${CMAKE_CURRENT_BINARY_DIR}/coring_embed/${target}")
  set(_out "${_dir}/${symbol}.cpp")
  file(CONFIGURE OUTPUT "${_dir}/${symbol}.hpp" CONTENT
"#pragma once
#include <cstddef>
extern const unsigned char ${symbol}[];
extern const std::size_t ${symbol}_size;
" @ONLY)
  add_custom_command(
    OUTPUT "${_out}"
    COMMAND "${CMAKE_COMMAND}" -DIN=${_in} -DOUT=${_out} -DSYMBOL=${symbol} -P "${_CORING_EMBED_SCRIPT}"
    DEPENDS "${_in}" "${_CORING_EMBED_SCRIPT}"
    COMMENT "Embedding ${file} as ${symbol}"
    VERBATIM)
  target_sources(${target} PRIVATE "${_out}")
  target_include_directories(${target} PRIVATE "${_dir}")
endfunction()
