/* SPDX-License-Identifier: MIT */
/*
 * core/platform.h - the platform seam: every host service the library uses.
 *
 * A firmware port replaces platform.c (and only it): reserving the RAM region, locks, threads,
 * the current CPU number, time, randomness and thread-exit callbacks.  Nothing else in src/
 * calls the host directly, except the host C library's string functions.
 *
 * Locks: ma_spinlock_t is for short critical sections on hot paths (a test-and-test-and-set
 * lock on a C11 atomic that yields under contention); ma_mutex_t may be held across longer work.
 */
#ifndef MINALIGN_CORE_PLATFORM_H
#define MINALIGN_CORE_PLATFORM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reserve @size bytes of zero-filled memory, committed lazily on first touch; NULL on failure. */
void *ma_plat_map(size_t size);
/* Reserve @size bytes whose address is congruent to @phase modulo @align (a power of two). */
void *ma_plat_map_aligned(size_t size, size_t align, uintptr_t phase, void **base, size_t *len);
void ma_plat_unmap(void *addr, size_t size);
/*
 * Give the pages of [@addr, @addr+@size) (page-aligned, inside a ma_plat_map*() reservation)
 * back to the host: they stay mapped and read as zero when touched again.  Returns 0, or
 * -errno when the host refused (the memory then simply stays resident).
 */
int ma_plat_discard(void *addr, size_t size);

/*
 * Library locks the calling thread holds, and reports queued meanwhile: a report made under a
 * lock is delivered when the thread's last lock is dropped (core/report.c), so a report handler
 * never runs with a library lock held and may call any API.
 */
struct ma_lockdepth {
	unsigned int held;
	unsigned int queued;
};
extern _Thread_local struct ma_lockdepth ma_lockdepth __attribute__((tls_model("initial-exec")));
void ma_report_flush(void);

static inline void ma_lock_taken(void)
{
	ma_lockdepth.held++;
}

static inline void ma_lock_dropped(void)
{
	if (--ma_lockdepth.held == 0 && __builtin_expect(ma_lockdepth.queued != 0, 0))
		ma_report_flush();
}

typedef struct {
	atomic_int v;
} ma_spinlock_t;
#define MA_SPINLOCK_INIT \
	{                \
		0        \
	}

static inline void ma_spin_init(ma_spinlock_t *l)
{
	atomic_init(&l->v, 0);
}

void ma_spin_lock_slow(ma_spinlock_t *l);

static inline bool ma_spin_trylock(ma_spinlock_t *l)
{
	bool got = atomic_load_explicit(&l->v, memory_order_relaxed) == 0 &&
		   !atomic_exchange_explicit(&l->v, 1, memory_order_acquire);

	if (got)
		ma_lock_taken();
	return got;
}

static inline void ma_spin_lock(ma_spinlock_t *l)
{
	ma_lock_taken();
	if (!atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
		return;
	ma_spin_lock_slow(l);
}

static inline void ma_spin_unlock(ma_spinlock_t *l)
{
	atomic_store_explicit(&l->v, 0, memory_order_release);
	ma_lock_dropped();
}

typedef pthread_mutex_t ma_mutex_t;
#define MA_MUTEX_INIT PTHREAD_MUTEX_INITIALIZER
void ma_mutex_init(ma_mutex_t *m);
void ma_mutex_destroy(ma_mutex_t *m);
void ma_mutex_lock(ma_mutex_t *m);
void ma_mutex_unlock(ma_mutex_t *m);

typedef pthread_cond_t ma_cond_t;
void ma_cond_init(ma_cond_t *c);
void ma_cond_destroy(ma_cond_t *c);
void ma_cond_wait(ma_cond_t *c, ma_mutex_t *m);
/* Wait at most @ns nanoseconds; returns false on timeout. */
bool ma_cond_timedwait(ma_cond_t *c, ma_mutex_t *m, uint64_t ns);
void ma_cond_signal(ma_cond_t *c);
void ma_cond_broadcast(ma_cond_t *c);

typedef pthread_t ma_thread_t;
int ma_thread_start(ma_thread_t *t, void *(*fn)(void *), void *arg);
void ma_thread_join(ma_thread_t t);
/* Name the calling thread (at most 15 characters; ignored where the host cannot). */
void ma_thread_set_name(const char *name);

/* Thread-exit callbacks: @dtor runs with the value set on this thread when the thread exits. */
typedef pthread_key_t ma_tls_key_t;
int ma_tls_key_create(ma_tls_key_t *key, void (*dtor)(void *));
void ma_tls_key_delete(ma_tls_key_t key);
void ma_tls_set(ma_tls_key_t key, void *value);

/* The current CPU (a small number below ma_plat_ncpus()); cheap, may change at any moment. */
unsigned int ma_plat_cpu(void);
unsigned int ma_plat_ncpus(void);
/* A small number unique to the calling thread while it lives (reused after exit). */
unsigned int ma_plat_thread_id(void);
uint64_t ma_plat_now_ns(void);
uint64_t ma_plat_random(void);
void ma_plat_yield(void);

#endif /* MINALIGN_CORE_PLATFORM_H */
