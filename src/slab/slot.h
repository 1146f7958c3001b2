/* SPDX-License-Identifier: MIT */
/*
 * slab/slot.h - out-of-band allocation state of every slab slot, and free-list links that are
 * validated before they are followed.  Included by internal.h (needs struct ma_slab).
 *
 * Every slab that is not a debug slab has one state byte per slot right after its descriptor
 * (host memory, never in the user's bytes; musl mallocng keeps its bitmaps the same way):
 * MA_SLOT_FREE or MA_SLOT_LIVE.  Allocation sets LIVE, free sets FREE, so every free knows in
 * O(1), from any thread and without slab debug, whether its pointer is the start of a live
 * object: a double free (immediate or not, same thread or another), a free of an interior
 * pointer (exact for every slot size: the index comes from a multiply by the reciprocal of
 * the stride, and the slot's start is checked by multiplying back) and a krealloc of a freed
 * pointer are refused with one report.
 *
 * Free-list links are obfuscated (next ^ secret ^ &word, internal.h).  An object taken off a
 * list is checked before its own link is read: it must be a slot start of the slab the list
 * belongs to, and FREE.  A link that fails (a write past an object into its free neighbour, a
 * use after free) is reported once and the slab is quarantined: no list of it is followed
 * again, its live objects may still be freed (the state bytes say which), and its memory goes
 * back with the cache.
 *
 * Concurrency: the owner writes state bytes with relaxed stores (plain byte stores); frees that
 * are not the owner's fast path use an atomic exchange, so a double free from another thread is
 * seen.  A slot is LIVE from its allocation until its free; the allocation happens-before the
 * free by the caller's own hand-over of the pointer, so only a free racing with another free of
 * the same pointer on two threads at the same moment can go unseen.
 *
 * Cost: kfree's fast path adds a multiply, a compare and a byte load and store (the old
 * address-mask and list-head checks are gone); a pop from the hot list adds the same on the
 * object it hands out; a bump allocation one multiply and a byte store.
 */
#ifndef MINALIGN_SLAB_SLOT_H
#define MINALIGN_SLAB_SLOT_H

#define MA_SLOT_FREE	    0
#define MA_SLOT_LIVE	    1
#define MA_SLOT_RECIP_SHIFT 45 /* exact for offsets and strides below 2^22 */

/* The owner of a quarantined slab: never a thread cache, never MA_NO_OWNER. */
extern char ma_slab_quarantine_owner[1];
#define MA_QUARANTINED ((struct ma_tcache *)(void *)ma_slab_quarantine_owner)

static inline _Atomic uint8_t *ma_slot_states(const struct ma_slab *s)
{
	return (_Atomic uint8_t *)(void *)((char *)(uintptr_t)s + sizeof(struct ma_slab));
}

/* State bytes of a slab of @bytes with slot @stride: one per index a pointer into it yields. */
static inline size_t ma_slot_nstates(size_t bytes, uint32_t stride)
{
	return bytes / stride + 1;
}

static inline uint64_t ma_slot_recip(uint32_t stride)
{
	return ((UINT64_C(1) << MA_SLOT_RECIP_SHIFT) - 1) / stride + 1;
}

/* Index of the slot holding offset @rel (< the slab's bytes) of @s. */
static inline uint32_t ma_slot_index(const struct ma_slab *s, uintptr_t rel)
{
	return (uint32_t)(((uint64_t)rel * s->recip) >> MA_SLOT_RECIP_SHIFT);
}

/*
 * The state byte of @p when @p (a pointer into @s's pages) is the start of a live slot of @s,
 * else NULL.  Relaxed load: meant for the owner, or for a caller that goes on with an
 * exchange.
 */
static inline _Atomic uint8_t *ma_slot_live(const struct ma_slab *s, const void *p)
{
	uintptr_t rel = (uintptr_t)p - s->base;
	uint32_t i = ma_slot_index(s, rel);
	_Atomic uint8_t *st = &ma_slot_states(s)[i];

	if (ma_unlikely((uintptr_t)i * s->stride != rel ||
			atomic_load_explicit(st, memory_order_relaxed) != MA_SLOT_LIVE))
		return NULL;
	return st;
}

/*
 * Hand out @obj, taken off a free list of @s: true when it is a FREE slot start of @s (it is
 * LIVE now); false when the link that named it is corrupt (nothing changed).
 */
static inline bool ma_slot_take(const struct ma_slab *s, const void *obj)
{
	uintptr_t rel = (uintptr_t)obj - s->base;
	uint32_t i;
	_Atomic uint8_t *st;

	if (ma_unlikely(rel >= s->span))
		return false;
	i = ma_slot_index(s, rel);
	st = &ma_slot_states(s)[i];
	if (ma_unlikely((uintptr_t)i * s->stride != rel ||
			atomic_load_explicit(st, memory_order_relaxed) != MA_SLOT_FREE))
		return false;
	atomic_store_explicit(st, MA_SLOT_LIVE, memory_order_relaxed);
	return true;
}

/* Hand out never-used slot @obj of @s (bump allocation: known free). */
static inline void ma_slot_take_new(const struct ma_slab *s, const void *obj)
{
	uint32_t i = ma_slot_index(s, (uintptr_t)obj - s->base);

	atomic_store_explicit(&ma_slot_states(s)[i], MA_SLOT_LIVE, memory_order_relaxed);
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

#endif /* MINALIGN_SLAB_SLOT_H */
