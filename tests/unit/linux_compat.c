/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/linux_compat.c - <minalign/linux.h> against the kernel's: dev_printk and friends
 * (include/linux/dev_printk.h; dev_dbg silent without DEBUG), dev_err_probe
 * (drivers/base/core.c: returns err, -EPROBE_DEFER only at debug level), WARN_ON/WARN_ON_ONCE
 * (include/asm-generic/bug.h: the value of the condition, once per site), BUG_ON (stops the
 * program), the endian helpers (include/linux/byteorder/generic.h), ARRAY_SIZE, BIT/GENMASK,
 * lower/upper_32_bits, container_of, is_vmalloc_addr, object_is_on_stack (include/linux/
 * sched/task_stack.h), ERR_PTR/IS_ERR.
 */
#include "test_util.h"
#include "dma_helpers.h"

#include <minalign/linux.h>

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static struct {
	int n, level;
	char dev[64], msg[256];
} logged;

static void capture_log(const struct minalign_log *l, void *arg)
{
	(void)arg;
	logged.n++;
	logged.level = l->level;
	snprintf(logged.dev, sizeof(logged.dev), "%s", l->device);
	snprintf(logged.msg, sizeof(logged.msg), "%s", l->message);
}

struct outer {
	int a;
	struct device dev;
};

static int warn_site(int v)
{
	return WARN_ON_ONCE(v > 1);
}

static void test_printk(void **state)
{
	struct device *dev;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	minalign_set_log_handler(capture_log, NULL);
	dev = th_dev("eth7", false, 0, false);
	memset(&logged, 0, sizeof(logged));
	dev_err(dev, "link %s\n", "down");
	assert_int_equal(logged.n, 1);
	assert_int_equal(logged.level, 3);
	assert_string_equal(logged.dev, "eth7");
	assert_string_equal(logged.msg, "link down\n");
	dev_info(dev, "up %d", 5);
	assert_int_equal(logged.level, 6);
	dev_dbg(dev, "not printed %d", 1); /* no DEBUG: silent, arguments still type-checked */
	assert_int_equal(logged.n, 2);
	printk(KERN_NOTICE "plain %d\n", 3);
	assert_int_equal(logged.level, 5);
	assert_string_equal(logged.msg, "plain 3\n");
	pr_warn("w\n");
	assert_int_equal(logged.level, 4);
	/* dev_*_once: one message per call site (include/linux/dev_printk.h) */
	for (int i = 0; i < 3; i++)
		dev_warn_once(dev, "once %d\n", i);
	assert_int_equal(logged.n, 5);
	assert_string_equal(logged.msg, "once 0\n");
	/* dev_err_probe: returns err; EPROBE_DEFER is a debug message, others errors */
	assert_int_equal(dev_err_probe(dev, -ENOMEM, "alloc %s\n", "rings"), -ENOMEM);
	assert_int_equal(logged.level, 3);
	assert_non_null(strstr(logged.msg, "alloc rings"));
	assert_int_equal(dev_err_probe(dev, -EPROBE_DEFER, "clock\n"), -EPROBE_DEFER);
	assert_int_equal(logged.level, 7);
	/* none of this is a misuse report */
	minalign_set_log_handler(NULL, NULL);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_exit();
}

static void test_warn_bug(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	assert_int_equal(WARN_ON(0), 0);
	tu_expect_no_report();
	assert_int_equal(WARN_ON(2 > 1), 1);
	tu_expect_report("warn", "2 > 1");
	assert_int_equal(WARN(1, "bad value %d", 42), 1);
	tu_expect_report("warn", "bad value 42");
	/* once per call site */
	assert_int_equal(warn_site(5), 1);
	tu_expect_report("warn", "v > 1");
	assert_int_equal(warn_site(5), 1);
	assert_int_equal(warn_site(0), 0);
	tu_expect_no_report();
	/* BUG_ON stops the program (in a child) */
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		minalign_set_report_handler(NULL, NULL);
		BUG_ON(1 + 1 == 2);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	minalign_exit();
}

static void test_helpers(void **state)
{
	u8 raw[4] = {0x78, 0x56, 0x34, 0x12};
	int arr[7];
	struct outer o;
	__le32 le;
	__be16 be;
	void *v, *e;
	int local;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	le = cpu_to_le32(0x12345678);
	assert_int_equal(memcmp(&le, raw, 4), 0);
	assert_int_equal(le32_to_cpu(le), 0x12345678);
	assert_int_equal(get_unaligned_le32(raw), 0x12345678);
	assert_int_equal(get_unaligned_be32(raw), 0x78563412);
	be = cpu_to_be16(0x0102);
	assert_int_equal(((u8 *)&be)[0], 0x01);
	assert_int_equal(be16_to_cpu(be), 0x0102);
	assert_int_equal(le64_to_cpu(cpu_to_le64(0x0102030405060708ULL)), 0x0102030405060708ULL);
	assert_int_equal(ARRAY_SIZE(arr), 7);
	assert_int_equal(BIT(5), 32);
	assert_int_equal(GENMASK(7, 4), 0xf0);
	assert_int_equal(GENMASK_ULL(39, 32), 0xff00000000ULL);
	assert_int_equal(lower_32_bits(0x123456789aULL), 0x3456789a);
	assert_int_equal(upper_32_bits(0x123456789aULL), 0x12);
	assert_int_equal(DIV_ROUND_UP(9, 4), 3);
	assert_int_equal(min(3, 5), 3);
	assert_int_equal(max_t(unsigned int, 3, 5), 5);
	assert_int_equal(ALIGN(13, 8), 16);
	assert_ptr_equal(container_of(&o.dev, struct outer, dev), &o);
	/* where memory is */
	v = vmalloc(64);
	assert_true(is_vmalloc_addr(v));
	assert_false(is_vmalloc_addr(&local));
	vfree(v);
	assert_true(object_is_on_stack(&local));
	v = kmalloc(8, GFP_KERNEL);
	assert_false(object_is_on_stack(v));
	kfree(v);
	/* ERR_PTR */
	e = ERR_PTR(-ENOMEM);
	assert_true(IS_ERR(e));
	assert_int_equal(PTR_ERR(e), -ENOMEM);
	assert_false(IS_ERR(&local));
	assert_true(IS_ERR_OR_NULL(NULL));
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printk),
		cmocka_unit_test(test_warn_bug),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
