# cmake -DIN=<file> -DOUT=<file.cpp> -DSYMBOL=<name> -P EmbedFileScript.cmake
file(READ "${IN}" _hex HEX)
string(LENGTH "${_hex}" _len)
math(EXPR _size "${_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
string(REGEX REPLACE "((0x..,){32})" "\\1\n" _bytes "${_bytes}")
file(WRITE "${OUT}.tmp"
"// Generated from ${IN} -- do not edit.
#include <cstddef>
extern const unsigned char ${SYMBOL}[];
extern const std::size_t ${SYMBOL}_size;
alignas(16) const unsigned char ${SYMBOL}[] = {
${_bytes}0x00};
const std::size_t ${SYMBOL}_size = ${_size};
")
file(RENAME "${OUT}.tmp" "${OUT}")
