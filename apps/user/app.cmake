# Included by apps/CMakeLists.txt (CORING_APP_TARGET=user).
# Defines: extern const unsigned char users_json[]; extern const std::size_t users_json_size;
# (or #include "users_json.hpp")
coring_embed_file(${CORING_APP_TARGET} "${CORING_APP_DIR}/users.json" users_json)
