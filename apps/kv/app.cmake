# Included by apps/CMakeLists.txt (CORING_APP_TARGET=kv).
# kv's store is its own library, so that the tests (tests/apps/kv_store_test.cpp) and the
# micro-benchmarks (bench/micro/kv_store_bench.cpp) link the code kv runs.
add_library(kv_store STATIC "${CORING_APP_DIR}/store.cpp")
target_include_directories(kv_store PUBLIC "${CORING_APP_DIR}")
target_compile_features(kv_store PUBLIC cxx_std_20)
coring_target_warnings(kv_store)
get_target_property(_kv_srcs ${CORING_APP_TARGET} SOURCES)
list(FILTER _kv_srcs EXCLUDE REGEX "/store\\.cpp$")
set_target_properties(${CORING_APP_TARGET} PROPERTIES SOURCES "${_kv_srcs}")
target_link_libraries(${CORING_APP_TARGET} PRIVATE kv_store)
