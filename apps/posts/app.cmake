# Included by apps/CMakeLists.txt (CORING_APP_TARGET=posts).
# Everything but main.cpp is the library posts_core, so that the tests link the store,
# the validation and the log replay that the server runs.
find_package(simdjson REQUIRED)
find_package(ZLIB REQUIRED)
get_target_property(_posts_srcs ${CORING_APP_TARGET} SOURCES)
set(_posts_lib_srcs ${_posts_srcs})
list(FILTER _posts_lib_srcs EXCLUDE REGEX "/main\\.cpp$")
add_library(posts_core STATIC ${_posts_lib_srcs})
target_include_directories(posts_core PUBLIC "${CORING_APP_DIR}")
target_link_libraries(posts_core PUBLIC coring::http simdjson::simdjson ZLIB::ZLIB)
coring_target_warnings(posts_core)
set_target_properties(${CORING_APP_TARGET} PROPERTIES SOURCES "${CORING_APP_DIR}/main.cpp")
target_link_libraries(${CORING_APP_TARGET} PRIVATE posts_core)
