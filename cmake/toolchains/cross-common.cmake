# cmake/toolchains/cross-common.cmake - shared part of the Debian cross toolchain files.
#
# The including file sets MINALIGN_CROSS_ARCH (aarch64, riscv64, armhf), MINALIGN_CROSS_TRIPLET
# (the GNU triplet Debian's cross gcc is named after), MINALIGN_CROSS_QEMU (the qemu-user binary,
# found as <name>-static or <name>) and CMAKE_SYSTEM_PROCESSOR.
#
# What this gives:
#  - the compiler <triplet>-gcc, and <triplet>-g++ when installed (tests/CMakeLists.txt skips
#    the C++ header check of a cross build without it rather than use the host's c++);
#  - the target's C library from Debian's libc6-dev-<arch>-cross in /usr/<triplet>;
#  - liburcu-bp and cmocka built for the target from Debian's source packages by
#    scripts/cross-deps.sh into MINALIGN_CROSS_PREFIX (default build/cross-deps/<arch>/prefix),
#    found through pkg-config restricted to that prefix;
#  - CMAKE_CROSSCOMPILING_EMULATOR = qemu-<cpu>[-static] -L /usr/<triplet>, so ctest runs every
#    test program under qemu-user.
set(CMAKE_SYSTEM_NAME Linux)

get_filename_component(_minalign_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(NOT MINALIGN_CROSS_PREFIX)
	set(MINALIGN_CROSS_PREFIX "${_minalign_root}/build/cross-deps/${MINALIGN_CROSS_ARCH}/prefix")
endif()
# try_compile() projects re-read this file; hand them the same prefix.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MINALIGN_CROSS_PREFIX)

set(MINALIGN_CROSS_SYSROOT "/usr/${MINALIGN_CROSS_TRIPLET}")

find_program(_minalign_cc "${MINALIGN_CROSS_TRIPLET}-gcc" REQUIRED NO_CMAKE_FIND_ROOT_PATH)
set(CMAKE_C_COMPILER "${_minalign_cc}")
find_program(_minalign_cxx "${MINALIGN_CROSS_TRIPLET}-g++" NO_CMAKE_FIND_ROOT_PATH)
if(_minalign_cxx)
	set(CMAKE_CXX_COMPILER "${_minalign_cxx}")
endif()

set(CMAKE_FIND_ROOT_PATH "${MINALIGN_CROSS_PREFIX}" "${MINALIGN_CROSS_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config sees only the target's .pc files, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} "${MINALIGN_CROSS_PREFIX}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
unset(ENV{PKG_CONFIG_SYSROOT_DIR})

find_program(_minalign_qemu NAMES "${MINALIGN_CROSS_QEMU}-static" "${MINALIGN_CROSS_QEMU}"
	NO_CMAKE_FIND_ROOT_PATH)
if(_minalign_qemu)
	set(CMAKE_CROSSCOMPILING_EMULATOR "${_minalign_qemu};-L;${MINALIGN_CROSS_SYSROOT}")
else()
	message(WARNING "${MINALIGN_CROSS_QEMU}[-static] not found (Debian: qemu-user): "
		"the ${MINALIGN_CROSS_ARCH} tests can be built but not run here")
endif()
