/* SPDX-License-Identifier: MIT */
/*
 * tests/api/namespace.c - <minalign/minalign.h> keeps the kernel-compat names of
 * <minalign/linux.h> out of a C program's way: a program that includes only minalign.h may
 * define dev_err, min, max, BIT, ARRAY_SIZE, WARN_ON, BUG_ON, container_of, __le32,
 * cpu_to_le32, EPROBE_DEFER, likely and friends itself.  Compiled into api_types: a clash is a
 * build error.
 */
#include <minalign/minalign.h>

#define dev_err(...)	      0
#define WARN_ON(x)	      (x)
#define BUG_ON(x)	      ((void)(x))
#define ARRAY_SIZE(a)	      (sizeof(a) / sizeof(*(a)))
#define container_of(p, t, m) ((t *)(p))
#define BIT(n)		      (1u << (n))
#define likely(x)	      (x)
#define EPROBE_DEFER	      1234
#define cpu_to_le32(x)	      (x)

typedef unsigned int __le32;
static int min(int a, int b)
{
	return a < b ? a : b;
}
static int max(int a, int b)
{
	return a > b ? a : b;
}
static int dev_info;
static int printk;

int api_namespace_checked(void);
int api_namespace_checked(void)
{
	int a[3] = {1, 2, 3};
	__le32 v = cpu_to_le32(5u);

	return (int)ARRAY_SIZE(a) + min(1, 2) + max(1, 2) + dev_err() + WARN_ON(0) + dev_info +
	       printk + (int)BIT(0) + likely(1) + (EPROBE_DEFER - 1234) + (int)(v - 5u) - 8;
}
