/* SPDX-License-Identifier: MIT */
/*
 * slab/slot.h - out-of-band allocation state of every slab slot, and free-list links that are
 * validated before they are followed.  Included by internal.h (needs struct ma_slab).
 *
 * Every slab that is not a debug slab has state bytes right after its descriptor (host memory,
 * never in the user's bytes; musl mallocng keeps its bitmaps the same way), one per granule of
 * the slab, the granule being the stride's largest power-of-two divisor (the slot itself for
 * power-of-two slots, 32 bytes for kmalloc-96, 64 for kmalloc-192): MA_SLOT_FREE or
 * MA_SLOT_LIVE for the granule where a slot starts, MA_SLOT_NONE for the others (a pointer that
 * is not granule-aligned fails the address mask, amask, first).  Allocation
 * sets LIVE, free sets FREE, so every free knows in O(1) - one shift and one byte load, from
 * any thread and without slab debug - whether its pointer is the start of a live object: a
 * double free (immediate or not, same thread or another), a free of an interior pointer (exact
 * for every slot size: an interior granule reads NONE) and a krealloc of a freed pointer are
 * refused with one report.  Memory: one byte per granule, at most 1/8 of the slab (a user
 * cache whose stride is an odd multiple of 8); kmalloc caches 1/stride for powers of two,
 * 1/32 for kmalloc-96 and 1/64 for kmalloc-192.
 *
 * Free-list links are obfuscated (rotl(next ^ secret) ^ &word, internal.h).  An object taken
 * off a list is checked before its own link is read: it must be a slot start of the slab the
 * list belongs to (range and alignment; the slow-path walks also require it to be FREE).  A link
 * that fails (a write past an object into its free neighbour, a use after free) is reported once
 * and the slab is quarantined: no list of it is followed again, its live objects may still be freed
 * (the state bytes say which), and its memory goes back with the cache.
 *
 * DMA debug holds the objects that live streaming mappings cover (ma_slab_dma_hold(), slab.h):
 * each adds MA_SLOT_HELD to the byte, so a held object is not exactly LIVE, kfree's fast path
 * sends its free to the slow path, and there the free watch (core.h) reports the mapping and
 * the free is refused.  Nothing is added to the fast path for this.
 *
 * Concurrency: the owner writes state bytes with relaxed stores (plain byte stores); frees that
 * are not the owner's fast path use an atomic exchange, so a double free from another thread is
 * seen.  A slot is LIVE from its allocation until its free; the allocation happens-before the
 * free by the caller's own hand-over of the pointer, so only a free racing with another free of
 * the same pointer on two threads at the same moment can go unseen.
 *
 * Cost: kfree's fast path adds a shift and a byte load and store (the list-head check is
 * gone); a pop from the hot list adds a range and an alignment compare, a shift and a byte
 * store; a bump allocation a shift and a byte store; the link decode a rotation.
 */
#ifndef MINALIGN_SLAB_SLOT_H
#define MINALIGN_SLAB_SLOT_H

/*
 * A state byte: bit 0 allocated; with it, bit 1 owned by devres (devm_kmalloc(): plain kfree()
 * refused) and bits 2-7 the number of live DMA mappings holding the object.  Exactly LIVE is
 * the only value kfree's fast path frees.
 */
#define MA_SLOT_FREE	0
#define MA_SLOT_LIVE	1
#define MA_SLOT_NONE	2 /* a granule that is not a slot's start (or past the last slot) */
#define MA_SLOT_MANAGED 2 /* with LIVE: devm_kmalloc() memory */
#define MA_SLOT_HELD	4 /* one DMA mapping's hold (ma_slab_dma_hold()) */
#define MA_SLOT_MAX	251

/* The owner of a quarantined slab: never a thread cache, never MA_NO_OWNER. */
extern char ma_slab_quarantine_owner[1];
#define MA_QUARANTINED ((struct ma_tcache *)(void *)ma_slab_quarantine_owner)

static inline _Atomic uint8_t *ma_slot_states(const struct ma_slab *s)
{
	return (_Atomic uint8_t *)(void *)((char *)(uintptr_t)s + sizeof(struct ma_slab));
}

/* log2 of the granule of a slab with slot @stride: its largest power-of-two divisor. */
static inline uint8_t ma_slot_gshift(uint32_t stride)
{
	return (uint8_t)__builtin_ctz(stride);
}

/* State bytes of a slab of @bytes with slot @stride: one per granule, and one past the end. */
static inline size_t ma_slot_nstates(size_t bytes, uint32_t stride)
{
	return (bytes >> ma_slot_gshift(stride)) + 1;
}

/* The state byte of the granule holding @p (a pointer into @s's pages). */
static inline _Atomic uint8_t *ma_slot_state(const struct ma_slab *s, const void *p)
{
	return &ma_slot_states(s)[((uintptr_t)p - s->base) >> s->gshift];
}

/*
 * The state byte of @p when @p (a pointer into @s's pages) is the start of a live slot of @s,
 * else NULL.  Relaxed load: meant for the owner, or for a caller that goes on with an
 * exchange.
 */
static inline _Atomic uint8_t *ma_slot_live(const struct ma_slab *s, const void *p)
{
	_Atomic uint8_t *st = ma_slot_state(s, p);

	if (ma_unlikely(((uintptr_t)p & s->amask) ||
			atomic_load_explicit(st, memory_order_relaxed) != MA_SLOT_LIVE))
		return NULL;
	return st;
}

/*
 * Hand out @obj, taken off a free list of @s: true when it is a slot start of @s (it is LIVE
 * now); false when the link that named it is corrupt (nothing changed).  No memory is read to
 * decide (a load here, waited for by every allocation, measured 30-50% slower in the batch
 * benchmark): the link encoding (internal.h) sends corrupted links out of the slab.  The
 * exact checks of the state byte are made by every free and by the slow-path list walks.
 */
static inline bool ma_slot_take(const struct ma_slab *s, const void *obj)
{
	if (ma_unlikely((uintptr_t)obj - s->base >= s->span || ((uintptr_t)obj & s->amask)))
		return false;
	atomic_store_explicit(ma_slot_state(s, obj), MA_SLOT_LIVE, memory_order_relaxed);
	return true;
}

/* Hand out never-used slot @obj of @s (bump allocation: known free). */
static inline void ma_slot_take_new(const struct ma_slab *s, const void *obj)
{
	atomic_store_explicit(ma_slot_state(s, obj), MA_SLOT_LIVE, memory_order_relaxed);
}

/* slot.c */
struct ma_tcache;
struct ma_tc_hot;
/* The hot list of @h named @obj, which is not a free slot of the current slab: report,
 * quarantine the slab, empty the hot entry.  Returns NULL (the caller takes the slow path). */
void *ma_tc_bad_link(struct ma_tcache *tc, struct ma_tc_hot *h, const void *obj);
/* Report the corrupt link to @bad found in a list of @s. */
void ma_slot_bad_link_report(const struct ma_slab *s, const void *bad);
/* Report the corrupt link inside free object @obj of @s (a list walk stopped there). */
void ma_slot_bad_walk(const struct ma_slab *s, const void *obj);
/* Quarantine @s (cache->lock held); @what names what was found. */
void ma_slot_quarantine_locked(struct ma_slab *s, const void *bad, const char *what);
/* The next object after @obj on a free list of @s, validated; NULL at the end of the list or
 * (after one report, the slab quarantined by the caller) at a corrupt link: *@bad set then. */
void *ma_slot_next(const struct ma_slab *s, const void *obj, bool *bad);
/* The free of @p (an exact slot start of non-debug slab @s) by any path but the owner's fast
 * one: true when @p was live (now FREE); false after one report (double free). */
bool ma_slot_release(struct ma_slab *s, void *p, const char *what);
/* Format the state bytes of new slab @s: every slot start FREE, every other granule NONE. */
void ma_slot_init(struct ma_slab *s);
/* Set or clear the devres mark of live object @p of @s (ma_slab_set_managed(), slab.h). */
void ma_slot_set_managed(struct ma_slab *s, const void *p, bool managed);

#endif /* MINALIGN_SLAB_SLOT_H */
