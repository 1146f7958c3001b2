#!/usr/bin/env bash
# bench/dma/run.sh BUILDDIR - map/unmap and bounce costs, the floor beside each, and the
# 1-thread vs 2-thread bounce throughput, all measured in one run of bench_dma; then the IOMMU
# and kmalloc-bounce costs (bench_iommu).
set -euo pipefail
build=${1:-build/bench}
exe="$build/bench/dma/bench_dma"
if [ ! -x "$exe" ]; then
	echo "bench/dma: $exe not built (configure with -DMINALIGN_BUILD_BENCH=ON)" >&2
	exit 1
fi
"$exe" "${@:2}"
if [ -x "$build/bench/dma/bench_iommu" ]; then
	echo
	"$build/bench/dma/bench_iommu"
fi
