#pragma once
namespace vigie {
// Version of libvigie, from the project version in CMakeLists.txt.
inline constexpr const char* kVersion = VIGIE_VERSION;
}  // namespace vigie
