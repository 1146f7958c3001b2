/* SPDX-License-Identifier: MIT */
/*
 * cache/native.c - the host's own cache maintenance instructions (cache model NATIVE).
 *
 * Owns: the per-line instruction loop on CPU virtual addresses of RAM (ma_phys_to_virt) and the
 * hardware line size.  There is no shadow memory: devices see the CPU view.
 *
 * Invalidate-only instructions are privileged on both arm64 and riscv, so a hosted (user-space)
 * build invalidates with clean+invalidate instead: on a line that the preceding for_device
 * maintenance left clean the effect is the same.  A firmware port running privileged defines
 * MINALIGN_NATIVE_PRIVILEGED to get the true invalidates (and, on 32-bit arm, any maintenance).
 *
 *  - arm64: the line size is CTR_EL0.DminLine.  Clean is `dc cvac`, clean+invalidate `dc civac`
 *    (both allowed at EL0 when the kernel sets SCTLR_EL1.UCI, as Linux does), invalidate is
 *    `dc ivac` (UNDEFINED at EL0), then one `dsb sy` for the whole range.
 *  - riscv (Zicbom): cbo.clean, cbo.flush, cbo.inval (user mode: the kernel leaves it disabled),
 *    then `fence rw, rw`.  The encodings are emitted with .insn so that an assembler without
 *    Zicbom accepts them.  The instructions trap where the hart (or the emulator: qemu 7.2 has no
 *    Zicbom) lacks them, so a hosted Linux build asks the kernel first with the riscv_hwprobe
 *    syscall (Zicbom bit and block size); without a yes it issues nothing.  A build whose
 *    -march has Zicbom, or a privileged port, uses them unconditionally.
 *  - arm (32-bit): a documented stub.  Maintenance to the point of coherency (DCCMVAC, DCIMVAC,
 *    DCCIMVAC) is PL1-only, and Linux's ARM cacheflush syscall only makes the I- and D-caches
 *    coherent to the point of unification, which is useless for DMA.  So a hosted build issues
 *    nothing (the machine is treated as coherent); MINALIGN_NATIVE_PRIVILEGED gets the CP15 ops.
 *  - everything else (x86, ...): DMA is coherent, no instruction is issued.
 *
 * Every model walks the range the same way, page by page, so the per-thread
 * ma_cache_native_lines_touched counts the lines an operation covered on any host: tests prove
 * unaligned ranges are fully covered.  A host that issues no instruction (NATIVE_NOOP) counts
 * each page's lines with one division instead of stepping them (the fast path of a bounce).
 *
 * Locking: none; the instructions are per line and the counter is per thread.
 */
#include "cache/internal.h"

_Thread_local uint64_t ma_cache_native_lines_touched MA_TLS_IE; /* hot: initial-exec */

#if defined(__aarch64__)

unsigned int ma_native_probe(void)
{
	uint64_t ctr;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	return 4u << ((ctr >> 16) & 0xf); /* DminLine: log2 of the line in 4-byte words */
}

static inline void native_line(uintptr_t va, enum ma_cache_op op)
{
	switch (op) {
	case MA_CACHE_CLEAN:
		__asm__ volatile("dc cvac, %0" : : "r"(va) : "memory");
		break;
	case MA_CACHE_INVAL:
#ifdef MINALIGN_NATIVE_PRIVILEGED
		__asm__ volatile("dc ivac, %0" : : "r"(va) : "memory");
#else
		__asm__ volatile("dc civac, %0" : : "r"(va) : "memory");
#endif
		break;
	case MA_CACHE_FLUSH:
		__asm__ volatile("dc civac, %0" : : "r"(va) : "memory");
		break;
	}
}

static inline void native_barrier(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

#elif defined(__riscv)

#if defined(__riscv_zicbom) || defined(MINALIGN_NATIVE_PRIVILEGED)
static bool native_zicbom = true;

unsigned int ma_native_probe(void)
{
	return 0; /* the block size comes from the device tree: use the configured line */
}
#elif defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>

#define NATIVE_NR_RISCV_HWPROBE	 258 /* riscv_hwprobe(pairs, count, cpusetsize, cpus, flags) */
#define NATIVE_HWPROBE_IMA_EXT_0 4
#define NATIVE_HWPROBE_ZICBOM	 (1ull << 55)
#define NATIVE_HWPROBE_ZICBOM_BS 12

static bool native_zicbom;

unsigned int ma_native_probe(void)
{
	struct {
		int64_t key;
		uint64_t value;
	} kv[2] = {{NATIVE_HWPROBE_IMA_EXT_0, 0}, {NATIVE_HWPROBE_ZICBOM_BS, 0}};

	native_zicbom = syscall(NATIVE_NR_RISCV_HWPROBE, kv, 2, 0, NULL, 0) == 0 &&
			kv[0].key >= 0 && (kv[0].value & NATIVE_HWPROBE_ZICBOM);
	if (!native_zicbom || kv[1].key < 0 || kv[1].value > 4096)
		return 0;
	return (unsigned int)kv[1].value;
}
#else
static bool native_zicbom;

unsigned int ma_native_probe(void)
{
	return 0;
}
#endif

/* CBO instructions: MISC-MEM opcode 0x0f, funct3 2, rd x0, imm 0 inval / 1 clean / 2 flush. */
static inline void native_line(uintptr_t va, enum ma_cache_op op)
{
	if (!native_zicbom)
		return;
	switch (op) {
	case MA_CACHE_CLEAN:
		__asm__ volatile(".insn i 0x0f, 2, x0, %0, 1" : : "r"(va) : "memory");
		break;
	case MA_CACHE_INVAL:
#ifdef MINALIGN_NATIVE_PRIVILEGED
		__asm__ volatile(".insn i 0x0f, 2, x0, %0, 0" : : "r"(va) : "memory");
		break;
#endif
	case MA_CACHE_FLUSH:
		__asm__ volatile(".insn i 0x0f, 2, x0, %0, 2" : : "r"(va) : "memory");
		break;
	}
}

static inline void native_barrier(void)
{
	__asm__ volatile("fence rw, rw" : : : "memory");
}

#elif defined(__arm__) && defined(MINALIGN_NATIVE_PRIVILEGED)

unsigned int ma_native_probe(void)
{
	uint32_t ctr;

	__asm__ volatile("mrc p15, 0, %0, c0, c0, 1" : "=r"(ctr)); /* CTR */
	return 4u << ((ctr >> 16) & 0xf);
}

static inline void native_line(uintptr_t va, enum ma_cache_op op)
{
	switch (op) {
	case MA_CACHE_CLEAN: /* DCCMVAC */
		__asm__ volatile("mcr p15, 0, %0, c7, c10, 1" : : "r"(va) : "memory");
		break;
	case MA_CACHE_INVAL: /* DCIMVAC */
		__asm__ volatile("mcr p15, 0, %0, c7, c6, 1" : : "r"(va) : "memory");
		break;
	case MA_CACHE_FLUSH: /* DCCIMVAC */
		__asm__ volatile("mcr p15, 0, %0, c7, c14, 1" : : "r"(va) : "memory");
		break;
	}
}

static inline void native_barrier(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

#else /* x86 and other coherent hosts; 32-bit arm user space (see above) */

#define NATIVE_NOOP 1 /* no instruction: ma_native_op() counts lines without stepping them */

unsigned int ma_native_probe(void)
{
	return 0;
}

static inline void native_barrier(void)
{
}

#endif

/* Lines of @step bytes from @lo (line-aligned) up to @next. */
static inline uint64_t native_lines(phys_addr_t lo, phys_addr_t next, unsigned int step)
{
	return (uint64_t)((next - lo + step - 1) / step);
}

void ma_native_op(phys_addr_t phys, size_t size, enum ma_cache_op op, unsigned int step)
{
	phys_addr_t lo = MA_ALIGN_DOWN(phys, (phys_addr_t)step);
	phys_addr_t hi = phys + size;
	uint64_t n = 0;

	while (lo < hi) {
		phys_addr_t next =
			MA_MIN(MA_ALIGN_DOWN(lo, (phys_addr_t)PAGE_SIZE) + PAGE_SIZE, hi);

		if (!ma_cache_page_uncached(lo)) {
#ifdef NATIVE_NOOP
			/* nothing to issue: count the lines the loop below would step */
			(void)op;
			n += native_lines(lo, next, step);
#else
			for (phys_addr_t a = lo; a < next; a += step, n++)
				native_line((uintptr_t)ma_phys_to_virt(a), op);
#endif
		}
		lo = MA_ALIGN_UP(next, (phys_addr_t)step);
	}
	native_barrier();
	ma_cache_native_lines_touched += n;
}
