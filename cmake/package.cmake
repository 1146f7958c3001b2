# cmake/package.cmake - `make deb`: CPack's DEB generator turns the install components into two
# Debian packages, as Debian splits a library:
#   minalign          the program, its man page and bundled sample, libminalign.so.<soversion>,
#                     libminalign-malloc.so (LD_PRELOAD);
#                     Depends computed by dpkg-shlibdeps (libc6, liburcu8)
#   libminalign-dev   headers, libminalign.a, the libminalign.so link, minalign.pc;
#                     Depends: minalign (= version), liburcu-dev (minalign.pc requires
#                     liburcu-bp, and a static link needs it)
# Built from the `deb` preset (release, prefix /usr, no tests).
set(CPACK_PACKAGE_NAME minalign)
set(CPACK_PACKAGE_VENDOR "minalign")
set(CPACK_PACKAGE_CONTACT "minalign maintainers <minalign@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"small kmalloc objects and non-coherent DMA: library, simulator and report")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME minalign)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_GENERATE_SHLIBS ON) # shlibs file and the ldconfig trigger
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
	"what each kmalloc alignment policy costs, and whether it is safe
minalign implements how small kmalloc objects and non-coherent DMA live together,
outside the kernel.  This package holds the minalign program (report, whatif,
replay, stress, bench), its manual page and bundled slabinfo sample, and the
shared library.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libminalign-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "minalign (= ${PROJECT_VERSION}), liburcu-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION
	"minalign library: headers, static library and pkg-config file
Kernel-named kmalloc, DMA-mapping, SWIOTLB and devres APIs with a write-back
cache simulator: #include <minalign/minalign.h>, pkg-config --cflags --libs
minalign.")
include(CPack)
