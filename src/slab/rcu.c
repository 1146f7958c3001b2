/* SPDX-License-Identifier: MIT */
/*
 * slab/rcu.c - SLAB_TYPESAFE_BY_RCU: the pages of an emptied slab of such a cache go back to
 * the page allocator only after an RCU grace period (liburcu, urcu-bp flavour), and the RCU
 * read-side calls that drivers use with such caches (rcu_read_lock() in <minalign/linux.h>).
 *
 * As Linux: an object freed to a typesafe cache may be handed out again at once, but while a
 * reader that found it inside a read-side section is still inside it, the memory stays an
 * object of the same cache (never another cache's, never a page of someone else), so the
 * reader may look at it and revalidate.  The cache keeps the free-list link outside the object
 * and never poisons it (cache.c).
 *
 * The deferred free uses the rcu_head inside the slab descriptor: the descriptor is no longer
 * on any list or in the slab map when call_rcu() takes it, and the callback frees the pages and
 * the descriptor.  At exit (ram_size 0) frees are immediate; ma_slab_exit() waits for the
 * callbacks first (rcu_barrier), kmem_cache_destroy() of a typesafe cache too, as Linux.
 *
 * ThreadSanitizer does not see liburcu's grace periods: under TSan a read-side section's end
 * releases, and the callback acquires, the sync object a grace period stands for (the same
 * annotation as swiotlb/transient.c).
 */
#include "slab/internal.h"

#include <stddef.h>

#if defined(__SANITIZE_THREAD__)
#define MA_SLAB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MA_SLAB_TSAN 1
#endif
#endif
#ifdef MA_SLAB_TSAN
#include <sanitizer/tsan_interface.h>
static char ma_rcu_readers, ma_rcu_done; /* TSan sync objects */
#define ma_tsan_release(a) __tsan_release(a)
#define ma_tsan_acquire(a) __tsan_acquire(a)
#else
#define ma_tsan_release(a) ((void)0)
#define ma_tsan_acquire(a) ((void)0)
#endif

static void ma_slab_rcu_free(struct rcu_head *head)
{
	struct ma_slab *s = (struct ma_slab *)((char *)head - offsetof(struct ma_slab, rcu));
	struct page *pg = s->page;
	unsigned int order = s->order;

	ma_tsan_acquire(s);
	ma_tsan_acquire(&ma_rcu_readers);
	ma_meta_free(s->raw);
	ma_free_pages_owned(pg, order, MA_OWNER_SLAB);
	ma_tsan_release(&ma_rcu_done);
}

bool ma_slab_rcu_defer(struct ma_slab *s)
{
	if (!ma_slab_g.ram_size)
		return false;
	ma_tsan_release(s);
	call_rcu(&s->rcu, ma_slab_rcu_free);
	return true;
}

void ma_slab_rcu_barrier(void)
{
	rcu_barrier();
	ma_tsan_acquire(&ma_rcu_done);
}

void minalign_rcu_read_lock(void)
{
	rcu_read_lock();
}

void minalign_rcu_read_unlock(void)
{
	ma_tsan_release(&ma_rcu_readers);
	rcu_read_unlock();
}

void minalign_synchronize_rcu(void)
{
	synchronize_rcu();
	ma_tsan_acquire(&ma_rcu_readers);
}
