# cmake/toolchains/aarch64-linux-gnu.cmake - arm64 with Debian's gcc-aarch64-linux-gnu.
# Tests run under qemu-aarch64 (its default CPU has every feature the native cache
# backend uses: dc cvac/civac at EL0, CTR_EL0 readable).  See docs/targets.md.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(MINALIGN_CROSS_ARCH aarch64)
set(MINALIGN_CROSS_TRIPLET aarch64-linux-gnu)
set(MINALIGN_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
