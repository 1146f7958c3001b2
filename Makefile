# minalign - the two commands a newcomer needs are `make run` and `make test`.
# Each target first installs the Debian packages it needs (scripts/deps.sh says what it does).
JOBS ?= 2
.PHONY: all deps build run test bench fuzz check-sparse test-cross install deb format clean

all: build

deps:
	@scripts/deps.sh build

build: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

# The main job: what each policy saves and costs, on this machine's slab data.  Builds only the
# library and the program (release), quietly: the build's log is shown only if it fails.
run:
	@scripts/deps.sh build
	@scripts/quiet-build.sh release minalign
	@./build/release/minalign report

test:
	@scripts/deps.sh test
	@JOBS=$(JOBS) scripts/test.sh

bench:
	@scripts/deps.sh bench
	@cmake --preset bench >/dev/null
	@cmake --build --preset bench -j $(JOBS)
	@for r in bench/run.sh bench/dma/run.sh bench/programs/run.sh; do [ ! -x $$r ] || $$r build/bench || exit 1; done

fuzz:
	@scripts/deps.sh fuzz
	@scripts/fuzz.sh long

check-sparse:
	@scripts/deps.sh sparse
	@scripts/check-sparse.sh

test-cross:
	@scripts/deps.sh cross
	@scripts/test-cross.sh

# Installs the library, headers, minalign.pc, the program, its man page and sample under PREFIX
# (default /usr/local).  Only what is installed is built: the test suite is not.
install:
	@scripts/deps.sh build
	@scripts/quiet-build.sh install all
	cmake --install build/install $(if $(PREFIX),--prefix $(PREFIX),)

# Debian packages minalign and libminalign-dev in build/deb/ (cmake/package.cmake).
deb:
	@scripts/deps.sh deb
	@scripts/quiet-build.sh deb all
	@cd build/deb && cpack -G DEB >cpack.log 2>&1 || { cat cpack.log; exit 1; }
	@ls -1 build/deb/*.deb

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
