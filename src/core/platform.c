/* SPDX-License-Identifier: MIT */
/*
 * core/platform.c - the host side of the platform seam (POSIX + Linux).
 *
 * Owns: memory reservation (mmap, MAP_NORESERVE: RAM is committed lazily on first touch),
 * locks, condition variables, threads, thread-exit keys, the current CPU, time and randomness.
 * A firmware port replaces this one file.  No state beyond the thread-id allocator.
 */
#include "core/platform.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

void *ma_plat_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/*
 * Reserve @size bytes plus slack and return the first address congruent to @phase modulo @align;
 * *base and *len describe the whole host mapping for ma_plat_unmap().
 */
void *ma_plat_map_aligned(size_t size, size_t align, uintptr_t phase, void **base, size_t *len)
{
	size_t total = size + align;
	unsigned char *p;
	uintptr_t a, want;

	if (total < size)
		return NULL;
	p = ma_plat_map(total);
	if (!p)
		return NULL;
	a = (uintptr_t)p;
	want = (a & ~(uintptr_t)(align - 1)) + (phase & (align - 1));
	if (want < a)
		want += align;
	*base = p;
	*len = total;
	return (void *)want;
}

void ma_plat_unmap(void *addr, size_t size)
{
	if (addr)
		munmap(addr, size);
}

int ma_plat_discard(void *addr, size_t size)
{
	return madvise(addr, size, MADV_DONTNEED) ? -errno : 0;
}

void ma_spin_lock_slow(ma_spinlock_t *l)
{
	unsigned int spins = 0;

	for (;;) {
		while (atomic_load_explicit(&l->v, memory_order_relaxed)) {
			if (++spins > 64) {
				sched_yield();
				spins = 0;
			}
		}
		if (!atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
			return;
	}
}

void ma_mutex_init(ma_mutex_t *m)
{
	pthread_mutex_init(m, NULL);
}

void ma_mutex_destroy(ma_mutex_t *m)
{
	pthread_mutex_destroy(m);
}

_Thread_local struct ma_lockdepth ma_lockdepth __attribute__((tls_model("initial-exec")));

void ma_mutex_lock(ma_mutex_t *m)
{
	int err = pthread_mutex_lock(m);

	MA_BUG_ON(err != 0);
	ma_lock_taken();
}

void ma_mutex_unlock(ma_mutex_t *m)
{
	pthread_mutex_unlock(m);
	ma_lock_dropped();
}

void ma_cond_init(ma_cond_t *c)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(c, &attr);
	pthread_condattr_destroy(&attr);
}

void ma_cond_destroy(ma_cond_t *c)
{
	pthread_cond_destroy(c);
}

void ma_cond_wait(ma_cond_t *c, ma_mutex_t *m)
{
	pthread_cond_wait(c, m);
}

bool ma_cond_timedwait(ma_cond_t *c, ma_mutex_t *m, uint64_t ns)
{
	struct timespec ts;
	uint64_t t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + ns;
	ts.tv_sec = (time_t)(t / 1000000000ull);
	ts.tv_nsec = (long)(t % 1000000000ull);
	return pthread_cond_timedwait(c, m, &ts) != ETIMEDOUT;
}

void ma_cond_signal(ma_cond_t *c)
{
	pthread_cond_signal(c);
}

void ma_cond_broadcast(ma_cond_t *c)
{
	pthread_cond_broadcast(c);
}

int ma_thread_start(ma_thread_t *t, void *(*fn)(void *), void *arg)
{
	return -pthread_create(t, NULL, fn, arg);
}

void ma_thread_join(ma_thread_t t)
{
	pthread_join(t, NULL);
}

void ma_thread_set_name(const char *name)
{
#if defined(__linux__) && defined(__GLIBC__)
	pthread_setname_np(pthread_self(), name);
#else
	(void)name;
#endif
}

int ma_tls_key_create(ma_tls_key_t *key, void (*dtor)(void *))
{
	return -pthread_key_create(key, dtor);
}

void ma_tls_key_delete(ma_tls_key_t key)
{
	pthread_key_delete(key);
}

void ma_tls_set(ma_tls_key_t key, void *value)
{
	pthread_setspecific(key, value);
}

/*
 * Thread ids: a small number per live thread, handed out from a bitmap and returned at thread
 * exit (through a key destructor), so per-thread tables indexed by it stay small.
 */
#define MA_MAX_THREAD_IDS 4096
static atomic_ulong ma_tid_bitmap[MA_MAX_THREAD_IDS / 64];
static _Thread_local unsigned int ma_tid_cached MA_TLS_IE; /* id + 1; 0 = none yet */
static pthread_key_t ma_tid_key;
static pthread_once_t ma_tid_once = PTHREAD_ONCE_INIT;

static void ma_tid_release(void *v)
{
	unsigned int id = (unsigned int)(uintptr_t)v - 1;

	atomic_fetch_and(&ma_tid_bitmap[id / 64], ~(1ul << (id % 64)));
}

static void ma_tid_key_init(void)
{
	pthread_key_create(&ma_tid_key, ma_tid_release);
}

static unsigned int ma_tid_assign(void)
{
	unsigned int w, b;

	pthread_once(&ma_tid_once, ma_tid_key_init);
	for (w = 0; w < MA_ARRAY_SIZE(ma_tid_bitmap); w++) {
		unsigned long cur = atomic_load(&ma_tid_bitmap[w]);

		while (~cur) {
			b = (unsigned int)__builtin_ctzl(~cur);
			if (atomic_compare_exchange_weak(&ma_tid_bitmap[w], &cur,
							 cur | (1ul << b))) {
				ma_tid_cached = w * 64 + b + 1;
				pthread_setspecific(ma_tid_key, (void *)(uintptr_t)ma_tid_cached);
				return ma_tid_cached - 1;
			}
		}
	}
	/* More than MA_MAX_THREAD_IDS live threads: share ids (tables stay correct, just shared).
	 */
	ma_tid_cached = (unsigned int)(((uintptr_t)pthread_self() >> 6) % MA_MAX_THREAD_IDS) + 1;
	return ma_tid_cached - 1;
}

unsigned int ma_plat_thread_id(void)
{
	if (ma_likely(ma_tid_cached))
		return ma_tid_cached - 1;
	return ma_tid_assign();
}

unsigned int ma_plat_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

unsigned int ma_plat_cpu(void)
{
	int cpu = sched_getcpu();

	if (cpu >= 0)
		return (unsigned int)cpu;
	return ma_plat_thread_id();
}

uint64_t ma_plat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t ma_plat_random(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = ma_plat_now_ns() * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&v;
	return v;
}

void ma_plat_yield(void)
{
	sched_yield();
}
