# cmake/toolchains/riscv64-linux-gnu.cmake - riscv64 (rv64gc, lp64d) with Debian's
# gcc-riscv64-linux-gnu.  The Zicbom cbo.* instructions are emitted with .insn, so no -march
# change is needed; qemu-riscv64-static executes them.  See docs/targets.md.
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(MINALIGN_CROSS_ARCH riscv64)
set(MINALIGN_CROSS_TRIPLET riscv64-linux-gnu)
set(MINALIGN_CROSS_QEMU qemu-riscv64-static)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
