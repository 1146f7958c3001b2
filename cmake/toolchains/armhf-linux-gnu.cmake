# cmake/toolchains/armhf-linux-gnu.cmake - 32-bit Arm (ARMv7-A, hard float, Thumb-2) with
# Debian's gcc-arm-linux-gnueabihf: the 32-bit target (4-byte pointers and size_t, 64-bit
# phys_addr_t and dma_addr_t).  Tests run under qemu-arm.  See docs/targets.md.
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(MINALIGN_CROSS_ARCH armhf)
set(MINALIGN_CROSS_TRIPLET arm-linux-gnueabihf)
set(MINALIGN_CROSS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
