/* SPDX-License-Identifier: MIT */
/*
 * minalign/linux.h - the opt-in umbrella for code written for the kernel.
 *
 * A driver includes this instead of its <linux/...> headers: the whole minalign API
 * (<minalign/minalign.h>) plus the kernel names minalign.h keeps out of a C program's way:
 * kernel errno values, dev_printk() and pr_*(), dev_err_probe(), endian types and conversions,
 * WARN_ON()/WARN_ON_ONCE()/BUG_ON(), is_vmalloc_addr()/object_is_on_stack(), ARRAY_SIZE() and
 * the small helpers drivers take for granted (container_of, BIT, GENMASK, min/max,
 * lower_32_bits, READ_ONCE, rcu_read_lock, ERR_PTR ...).  docs/api.md lists every name, the
 * header it comes from and any difference from Linux.
 *
 * Kernel code is GNU C: some macros here use statement expressions and __typeof__ (marked
 * __extension__, so -Wpedantic stays quiet).
 */
#ifndef MINALIGN_LINUX_H
#define MINALIGN_LINUX_H

#include <minalign/minalign.h>

#include <errno.h>
#include <stdarg.h>
#include <string.h>

MINALIGN_BEGIN_DECLS

/* ---- errno values of the kernel that user space has not ---------------------------------- */
#ifndef ERESTARTSYS
#define ERESTARTSYS 512
#endif
#ifndef ENOIOCTLCMD
#define ENOIOCTLCMD 515
#endif
#ifndef EPROBE_DEFER
#define EPROBE_DEFER 517 /* driver requests probe retry */
#endif
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* ---- compiler helpers ------------------------------------------------------------------ */
#ifndef likely
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#define __iomem
#define __user
#if defined(__CHECKER__)
#define __force	  __attribute__((force))
#define __bitwise __attribute__((bitwise))
#else
#define __force
#define __bitwise
#endif
#define __must_check	      __attribute__((__warn_unused_result__))
#define __packed	      __attribute__((__packed__))
#define __aligned(x)	      __attribute__((__aligned__(x)))
#define __maybe_unused	      __attribute__((__unused__))
#define __always_unused	      __attribute__((__unused__))
#define __printf(a, b)	      __attribute__((__format__(printf, a, b)))
#define fallthrough	      __attribute__((__fallthrough__))
#define ____cacheline_aligned __aligned(64) /* the host's L1 line, as SMP_CACHE_BYTES */

#define READ_ONCE(x)	 (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))
#define sizeof_field(TYPE, MEMBER)	(sizeof((((TYPE *)0)->MEMBER)))

#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(char[1 - 2 * !!(e)]) - 1))
#define BUILD_BUG_ON(e)	     ((void)sizeof(char[1 - 2 * !!(e)]))
#ifdef __cplusplus
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#else
/* A pointer instead of an array does not compile, as in Linux. */
#define __must_be_array(a) \
	BUILD_BUG_ON_ZERO(__builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0])))
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]) + (size_t)__must_be_array(arr))
#endif

/* ---- arithmetic helpers ---------------------------------------------------------------- */
#define BIT(nr)		   (1UL << (nr))
#define BIT_ULL(nr)	   (1ULL << (nr))
#define GENMASK(h, l)	   (((~0UL) << (l)) & (~0UL >> (sizeof(long) * 8 - 1 - (h))))
#define GENMASK_ULL(h, l)  (((~0ULL) << (l)) & (~0ULL >> (64 - 1 - (h))))
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#define ALIGN(x, a)	   (((x) + ((__typeof__(x))(a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a)   ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a)   (((x) & ((__typeof__(x))(a)-1)) == 0)
#define PTR_ALIGN(p, a)	   ((__typeof__(p))ALIGN((unsigned long)(p), (a)))
#define lower_32_bits(n)   ((u32)((n)&0xffffffff))
#define upper_32_bits(n)   ((u32)(((n) >> 16) >> 16))
#define min(x, y)                              \
	__extension__({                        \
		__typeof__(x) _min1 = (x);     \
		__typeof__(y) _min2 = (y);     \
		_min1 < _min2 ? _min1 : _min2; \
	})
#define max(x, y)                              \
	__extension__({                        \
		__typeof__(x) _max1 = (x);     \
		__typeof__(y) _max2 = (y);     \
		_max1 > _max2 ? _max1 : _max2; \
	})
#define min_t(type, x, y) min((type)(x), (type)(y))
#define max_t(type, x, y) max((type)(x), (type)(y))
#define clamp(v, lo, hi)  min(max(v, lo), hi)

/* ---- pointers carrying errors (drivers use them; minalign's own API never returns one) ---- */
#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}
static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}
static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}
static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR_VALUE((unsigned long)ptr);
}

/* ---- printing ---------------------------------------------------------------------------- */
#define KERN_SOH     "\001"
#define KERN_EMERG   KERN_SOH "0"
#define KERN_ALERT   KERN_SOH "1"
#define KERN_CRIT    KERN_SOH "2"
#define KERN_ERR     KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE  KERN_SOH "5"
#define KERN_INFO    KERN_SOH "6"
#define KERN_DEBUG   KERN_SOH "7"

/* One dev_printk() message as the log handler sees it. */
struct minalign_log {
	int level;	     /* 0 (emerg) .. 7 (debug) */
	const char *device;  /* dev_name(), or "(NULL device *)" */
	const char *message; /* formatted, as the driver wrote it */
};
typedef void (*minalign_log_fn)(const struct minalign_log *l, void *arg);
/**
 * minalign_set_log_handler() - deliver dev_printk()/pr_*() messages to @fn (called on the
 * printing thread); NULL restores the default, one line "<level>: <device>: <message>" on
 * stderr.  These messages are not misuse reports (not counted, not the report handler).
 */
MINALIGN_API void minalign_set_log_handler(minalign_log_fn fn, void *arg);
/** minalign_dev_printk() - what dev_printk() calls; @level a KERN_* string.  Return: length. */
MINALIGN_API int minalign_dev_printk(const char *level, const struct device *dev, const char *fmt,
				     ...) __attribute__((__format__(printf, 3, 4)));
MINALIGN_API int minalign_dev_vprintk(const char *level, const struct device *dev, const char *fmt,
				      va_list ap) __attribute__((__format__(printf, 3, 0)));
/**
 * dev_err_probe() - print @fmt as an error of @dev naming @err (a debug message when @err is
 * -EPROBE_DEFER, as Linux) and return @err.
 */
MINALIGN_API int dev_err_probe(const struct device *dev, int err, const char *fmt, ...)
	__attribute__((__format__(printf, 3, 4)));

#define dev_printk(level, dev, ...) minalign_dev_printk(level, dev, __VA_ARGS__)
#define dev_emerg(dev, ...)	    minalign_dev_printk(KERN_EMERG, dev, __VA_ARGS__)
#define dev_alert(dev, ...)	    minalign_dev_printk(KERN_ALERT, dev, __VA_ARGS__)
#define dev_crit(dev, ...)	    minalign_dev_printk(KERN_CRIT, dev, __VA_ARGS__)
#define dev_err(dev, ...)	    minalign_dev_printk(KERN_ERR, dev, __VA_ARGS__)
#define dev_warn(dev, ...)	    minalign_dev_printk(KERN_WARNING, dev, __VA_ARGS__)
#define dev_notice(dev, ...)	    minalign_dev_printk(KERN_NOTICE, dev, __VA_ARGS__)
#define dev_info(dev, ...)	    minalign_dev_printk(KERN_INFO, dev, __VA_ARGS__)
#define printk(...)		    minalign_dev_printk(NULL, NULL, __VA_ARGS__)
#define pr_emerg(...)		    minalign_dev_printk(KERN_EMERG, NULL, __VA_ARGS__)
#define pr_err(...)		    minalign_dev_printk(KERN_ERR, NULL, __VA_ARGS__)
#define pr_warn(...)		    minalign_dev_printk(KERN_WARNING, NULL, __VA_ARGS__)
#define pr_notice(...)		    minalign_dev_printk(KERN_NOTICE, NULL, __VA_ARGS__)
#define pr_info(...)		    minalign_dev_printk(KERN_INFO, NULL, __VA_ARGS__)
/* dev_dbg()/pr_debug() print only when DEBUG is defined, as without dynamic debug in Linux;
 * the arguments are type-checked either way. */
#ifdef DEBUG
#define dev_dbg(dev, ...) minalign_dev_printk(KERN_DEBUG, dev, __VA_ARGS__)
#define pr_debug(...)	  minalign_dev_printk(KERN_DEBUG, NULL, __VA_ARGS__)
#else
#define dev_dbg(dev, ...) ((void)(0 && minalign_dev_printk(KERN_DEBUG, dev, __VA_ARGS__)))
#define pr_debug(...)	  ((void)(0 && minalign_dev_printk(KERN_DEBUG, NULL, __VA_ARGS__)))
#endif

/* Once per call site, and rate-limited (here: every time) variants. */
#define minalign_printk_once(level, dev, ...)                                 \
	__extension__({                                                       \
		static bool __printed;                                        \
		if (!__atomic_exchange_n(&__printed, true, __ATOMIC_RELAXED)) \
			minalign_dev_printk(level, dev, __VA_ARGS__);         \
	})
#define dev_err_once(dev, ...)	       minalign_printk_once(KERN_ERR, dev, __VA_ARGS__)
#define dev_warn_once(dev, ...)	       minalign_printk_once(KERN_WARNING, dev, __VA_ARGS__)
#define dev_info_once(dev, ...)	       minalign_printk_once(KERN_INFO, dev, __VA_ARGS__)
#define pr_err_once(...)	       minalign_printk_once(KERN_ERR, NULL, __VA_ARGS__)
#define pr_warn_once(...)	       minalign_printk_once(KERN_WARNING, NULL, __VA_ARGS__)
#define dev_err_ratelimited(dev, ...)  dev_err(dev, __VA_ARGS__)
#define dev_warn_ratelimited(dev, ...) dev_warn(dev, __VA_ARGS__)
#define pr_err_ratelimited(...)	       pr_err(__VA_ARGS__)

/* ---- WARN and BUG ----------------------------------------------------------------------- */
/**
 * minalign_warn() - when @cond, one report (subsystem "warn", "WARNING at file:line: ...").
 * Return: @cond.  What WARN_ON() and friends call.
 */
MINALIGN_API int minalign_warn(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((__format__(printf, 4, 5)));
/** minalign_bug() - one report (subsystem "bug"), then abort(): what BUG()/BUG_ON() call. */
MINALIGN_API void minalign_bug(const char *file, int line, const char *cond)
	__attribute__((__noreturn__));

#define WARN_ON(condition)   minalign_warn(!!(condition), __FILE__, __LINE__, "%s", #condition)
#define WARN(condition, ...) minalign_warn(!!(condition), __FILE__, __LINE__, __VA_ARGS__)
#define WARN_ON_ONCE(condition)                                                                 \
	__extension__({                                                                         \
		static bool __warned;                                                           \
		int __ret_warn_once = !!(condition);                                            \
		if (__ret_warn_once && !__atomic_exchange_n(&__warned, true, __ATOMIC_RELAXED)) \
			minalign_warn(1, __FILE__, __LINE__, "%s", #condition);                 \
		__ret_warn_once;                                                                \
	})
#define WARN_ONCE(condition, ...)                                                               \
	__extension__({                                                                         \
		static bool __warned;                                                           \
		int __ret_warn_once = !!(condition);                                            \
		if (__ret_warn_once && !__atomic_exchange_n(&__warned, true, __ATOMIC_RELAXED)) \
			minalign_warn(1, __FILE__, __LINE__, __VA_ARGS__);                      \
		__ret_warn_once;                                                                \
	})
#define BUG() minalign_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(condition)                                             \
	do {                                                          \
		if (unlikely(condition))                              \
			minalign_bug(__FILE__, __LINE__, #condition); \
	} while (0)

/* ---- where memory is ------------------------------------------------------------------- */
/** minalign_object_is_on_stack() - @obj lies in the calling thread's stack. */
MINALIGN_API bool minalign_object_is_on_stack(const void *obj);

/** is_vmalloc_addr() - @x lies in a live vmalloc() (or kvmalloc() fallback) area. */
static inline bool is_vmalloc_addr(const void *x)
{
	return minalign_is_vmalloc_addr(x);
}
/** object_is_on_stack() - @obj lies in the calling thread's stack. */
static inline bool object_is_on_stack(const void *obj)
{
	return minalign_object_is_on_stack(obj);
}

/* ---- RCU read side (for SLAB_TYPESAFE_BY_RCU readers) ----------------------------------- */
static inline void rcu_read_lock(void)
{
	minalign_rcu_read_lock();
}
static inline void rcu_read_unlock(void)
{
	minalign_rcu_read_unlock();
}
static inline void synchronize_rcu(void)
{
	minalign_synchronize_rcu();
}

/* ---- endianness ------------------------------------------------------------------------- */
typedef u16 __bitwise __le16;
typedef u16 __bitwise __be16;
typedef u32 __bitwise __le32;
typedef u32 __bitwise __be32;
typedef u64 __bitwise __le64;
typedef u64 __bitwise __be64;

#define swab16(x) ((u16)__builtin_bswap16((u16)(x)))
#define swab32(x) ((u32)__builtin_bswap32((u32)(x)))
#define swab64(x) ((u64)__builtin_bswap64((u64)(x)))

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define cpu_to_le16(x) ((__force __le16)swab16(x))
#define cpu_to_le32(x) ((__force __le32)swab32(x))
#define cpu_to_le64(x) ((__force __le64)swab64(x))
#define le16_to_cpu(x) swab16((__force u16)(__le16)(x))
#define le32_to_cpu(x) swab32((__force u32)(__le32)(x))
#define le64_to_cpu(x) swab64((__force u64)(__le64)(x))
#define cpu_to_be16(x) ((__force __be16)(u16)(x))
#define cpu_to_be32(x) ((__force __be32)(u32)(x))
#define cpu_to_be64(x) ((__force __be64)(u64)(x))
#define be16_to_cpu(x) ((__force u16)(__be16)(x))
#define be32_to_cpu(x) ((__force u32)(__be32)(x))
#define be64_to_cpu(x) ((__force u64)(__be64)(x))
#else
#define cpu_to_le16(x) ((__force __le16)(u16)(x))
#define cpu_to_le32(x) ((__force __le32)(u32)(x))
#define cpu_to_le64(x) ((__force __le64)(u64)(x))
#define le16_to_cpu(x) ((__force u16)(__le16)(x))
#define le32_to_cpu(x) ((__force u32)(__le32)(x))
#define le64_to_cpu(x) ((__force u64)(__le64)(x))
#define cpu_to_be16(x) ((__force __be16)swab16(x))
#define cpu_to_be32(x) ((__force __be32)swab32(x))
#define cpu_to_be64(x) ((__force __be64)swab64(x))
#define be16_to_cpu(x) swab16((__force u16)(__be16)(x))
#define be32_to_cpu(x) swab32((__force u32)(__be32)(x))
#define be64_to_cpu(x) swab64((__force u64)(__be64)(x))
#endif
#define le16_to_cpup(p) le16_to_cpu(*(const __le16 *)(p))
#define le32_to_cpup(p) le32_to_cpu(*(const __le32 *)(p))
#define le64_to_cpup(p) le64_to_cpu(*(const __le64 *)(p))
#define be16_to_cpup(p) be16_to_cpu(*(const __be16 *)(p))
#define be32_to_cpup(p) be32_to_cpu(*(const __be32 *)(p))
#define be64_to_cpup(p) be64_to_cpu(*(const __be64 *)(p))

/* Unaligned access to little/big-endian fields (Linux's <asm/unaligned.h>). */
static inline u16 get_unaligned_le16(const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return le16_to_cpu((__force __le16)v);
}
static inline u32 get_unaligned_le32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return le32_to_cpu((__force __le32)v);
}
static inline u32 get_unaligned_be32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return be32_to_cpu((__force __be32)v);
}
static inline void put_unaligned_le16(u16 val, void *p)
{
	__le16 v = cpu_to_le16(val);

	memcpy(p, &v, sizeof(v));
}
static inline void put_unaligned_le32(u32 val, void *p)
{
	__le32 v = cpu_to_le32(val);

	memcpy(p, &v, sizeof(v));
}
static inline void put_unaligned_be32(u32 val, void *p)
{
	__be32 v = cpu_to_be32(val);

	memcpy(p, &v, sizeof(v));
}

MINALIGN_END_DECLS

#endif /* MINALIGN_LINUX_H */
