# minalign - the two commands a newcomer needs are `make run` and `make test`.
# Each target first installs the Debian packages it needs (scripts/deps.sh says what it does).
JOBS ?= 2
.PHONY: all deps build run test bench fuzz check-sparse test-cross install format clean

all: build

deps:
	@scripts/deps.sh build

build: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

# The main job: what each policy saves and costs, on this machine's slab data.
run: build
	./build/debug/minalign report

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

install:
	@scripts/deps.sh build
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	cmake --install build/release $(if $(PREFIX),--prefix $(PREFIX),)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
