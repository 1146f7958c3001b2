# cmake/toolchains/riscv64-linux-gnu.cmake - riscv64 (rv64gc, lp64d) with Debian's
# gcc-riscv64-linux-gnu.  See docs/targets.md.
#
# The native cache backend's Zicbom instructions (cbo.clean/inval/flush) are emitted with .insn.
# By default a hosted build asks the kernel (riscv_hwprobe) whether the hart has them and issues
# nothing otherwise.  -DMINALIGN_RISCV_ZICBOM=ON builds for rv64gc_zicbom instead: the
# instructions are then issued unconditionally.  scripts/test-cross.sh turns it on when the
# emulator executes Zicbom (qemu >= 8), so the tests really run them.
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(MINALIGN_CROSS_ARCH riscv64)
set(MINALIGN_CROSS_TRIPLET riscv64-linux-gnu)
set(MINALIGN_CROSS_QEMU qemu-riscv64)
if(MINALIGN_RISCV_ZICBOM)
	set(CMAKE_C_FLAGS_INIT "-march=rv64gc_zicbom")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MINALIGN_RISCV_ZICBOM)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
