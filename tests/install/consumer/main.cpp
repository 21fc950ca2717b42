// Compiles against an *installed* coring (see tests/install/run.sh).
// Adjust the includes / names below if the public API changes.
#include <core/runtime.hpp>
#include <cstdio>
#include <http/server.hpp>

int main() {
  static_assert(sizeof(coring::runtime) > 0);
  std::puts("coring consumer OK");
  return 0;
}
