/* SPDX-License-Identifier: MIT */
/*
 * tests/tools/sites_parse.c - the pieces of replay per call site: call_site in every printed
 * form and its key (symbolic, with a module, raw with and without 0x, named from a symbol table
 * or not, with and without offsets), kmalloc_size_roundup per minimum alignment, hex gfp_flags
 * and numbers, the loss markers, DMA event lines, and kmalloc without bytes_req.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "../../tools/common/cli.c"
#include "../../tools/common/json.c"
#include "../../tools/common/kmclass.c"
#include "../../tools/replay/traceparse.c"
#include "../../tools/replay/sites.c"

static int parse(const char *line, struct tr_record *r, const char **why, unsigned long *unk)
{
	*why = NULL;
	return tr_parse_line(line, strlen(line), r, why, unk);
}

static void test_call_site_forms(void **state)
{
	struct tr_record r;
	const char *why;
	unsigned long unk = 0;

	(void)state;
	assert_int_equal(parse("x: kmalloc: call_site=foo+0x1a/0x40 [mymod] ptr=1 bytes_req=8", &r,
			       &why, &unk),
			 1);
	assert_string_equal(r.site, "foo+0x1a/0x40");
	assert_string_equal(r.module, "mymod");
	assert_int_equal(
		parse("x: kmalloc: call_site=ffffffff81234567 ptr=1 bytes_req=8", &r, &why, &unk),
		1);
	assert_string_equal(r.site, "ffffffff81234567");
	assert_string_equal(r.module, "");
	/* a [bracketed] token not after call_site is no module */
	assert_int_equal(parse("x-1 [000] 1.0: kmalloc: ptr=1 bytes_req=8", &r, &why, &unk), 1);
	assert_string_equal(r.module, "");
	assert_string_equal(r.site, "");
}

static void test_site_keys(void **state)
{
	struct rs_symtab st = {0};
	char key[RS_KEY_LEN], err[128];
	FILE *f = tmpfile();
	char path[64];

	(void)state;
	rs_site_key("foo+0x1a/0x40", "mymod", NULL, false, key, sizeof(key));
	assert_string_equal(key, "foo [mymod]");
	rs_site_key("foo+0x1a/0x40", "mymod", NULL, true, key, sizeof(key));
	assert_string_equal(key, "foo+0x1a [mymod]");
	rs_site_key("foo", "", NULL, true, key, sizeof(key));
	assert_string_equal(key, "foo");
	rs_site_key("", "", NULL, false, key, sizeof(key));
	assert_string_equal(key, "(no call_site)");
	rs_site_key("ffffffff81234567", "", NULL, false, key, sizeof(key));
	assert_string_equal(key, "0xffffffff81234567");
	rs_site_key("0xFFFFFFFF81234567", "", NULL, false, key, sizeof(key));
	assert_string_equal(key, "0xffffffff81234567");

	/* kallsyms lines with modules and data symbols; a symbol table names raw sites */
	assert_non_null(f);
	fputs("ffffffff81000000 T _text\nffffffff81234000 t foo\nffffffff81234500 D data\n"
	      "ffffffffc0001000 t bar\t[mymod]\nnot a line\n",
	      f);
	fflush(f);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fileno(f));
	assert_int_equal(rs_symbols_load(path, &st, err, sizeof(err)), 0);
	assert_int_equal(st.n, 3); /* data symbols are not call sites */
	rs_site_key("ffffffff81234567", "", &st, false, key, sizeof(key));
	assert_string_equal(key, "foo"); /* not "data": only text symbols */
	rs_site_key("ffffffff81234567", "", &st, true, key, sizeof(key));
	assert_string_equal(key, "foo+0x567");
	rs_site_key("0xffffffffc0001010", "", &st, true, key, sizeof(key));
	assert_string_equal(key, "bar [mymod]+0x10");
	rs_site_key("ffffffff80000000", "", &st, false, key, sizeof(key));
	assert_string_equal(key, "0xffffffff80000000"); /* below every symbol */
	rs_symbols_free(&st);
	fclose(f);
	assert_int_equal(rs_symbols_load("/nonexistent/System.map", &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/System.map"));
}

static void test_roundup(void **state)
{
	(void)state;
	assert_int_equal(rs_roundup(8, 8), 8);
	assert_int_equal(rs_roundup(8, 64), 64);
	assert_int_equal(rs_roundup(8, 128), 128);
	assert_int_equal(rs_roundup(24, 8), 32);
	assert_int_equal(rs_roundup(72, 8), 96); /* 96 exists at 8 and 32 */
	assert_int_equal(rs_roundup(72, 64), 128);
	assert_int_equal(rs_roundup(130, 64), 192); /* 192 exists at 64 */
	assert_int_equal(rs_roundup(130, 128), 256);
	assert_int_equal(rs_roundup(0, 128), 0);
	assert_int_equal(rs_roundup(20000, 128), 20000); /* pages: no waste difference */
	assert_int_equal(rs_size_slot(24), (unsigned int)km_class_index(32));
	assert_int_equal(rs_size_slot(0), RS_SIZE_ZERO);
	assert_int_equal(rs_size_slot(9000), RS_SIZE_LARGE);
}

static void test_hex_numbers_and_gfp(void **state)
{
	struct tr_record r;
	const char *why;
	unsigned long unk = 0;

	(void)state;
	/* trace-cmd today: gfp_flags=0xcc0 (GFP_KERNEL); options/fields: bytes_req=0x18 (24) */
	assert_int_equal(parse("x: kmalloc: call_site=0xffffffff81000010 ptr=0xffff888000001000 "
			       "bytes_req=0x18 (24) bytes_alloc=0x20 (32) gfp_flags=0xcc0 node=0x0",
			       &r, &why, &unk),
			 1);
	assert_int_equal(r.bytes_req, 24);
	assert_int_equal(r.bytes_alloc, 32);
	assert_int_equal(r.gfp, GFP_KERNEL);
	assert_true(r.gfp_hex);
	assert_int_equal(unk, 0);
	/* GFP_DMA | __GFP_ZERO | both reclaims | __GFP_COMP (0x40000: no minalign meaning) */
	assert_int_equal(tr_parse_gfp("0x40d01", 7, &unk),
			 GFP_DMA | __GFP_ZERO | __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM);
	assert_int_equal(unk, 1);
	unk = 0;
	assert_int_equal(tr_parse_gfp("0x80000100", 10, &unk), __GFP_ZERO);
	assert_int_equal(unk, 1);
	/* kmalloc without bytes_req is malformed, never sized by bytes_alloc */
	assert_int_equal(parse("x: kmalloc: ptr=1 bytes_alloc=128", &r, &why, &unk), -1);
	assert_string_equal(why, "no bytes_req");
	assert_int_equal(parse("x: kmalloc: ptr=1 bytes_req=0xzz", &r, &why, &unk), -1);
	assert_string_equal(why, "bad bytes_req");
}

static void test_lost_markers(void **state)
{
	uint64_t n;

	(void)state;
	assert_true(tr_lost_marker("CPU:1 [LOST 123 EVENTS]\n", 24, &n));
	assert_int_equal(n, 123);
	assert_true(tr_lost_marker("CPU:0 [45 EVENTS DROPPED]", 25, &n));
	assert_int_equal(n, 45);
	assert_true(tr_lost_marker("CPU:0 [EVENTS DROPPED]", 22, &n));
	assert_true(n == UINT64_MAX);
	assert_false(tr_lost_marker("CPU:1 [LOST x EVENTS]", 21, &n));
	assert_false(tr_lost_marker("x: kmalloc: ptr=1 bytes_req=8", 29, &n));
	assert_false(tr_lost_marker("EVENTS DROPPED]", 15, &n));
}

static void test_dma_lines(void **state)
{
	struct tr_record r;
	const char *why;
	unsigned long unk = 0;

	(void)state;
	assert_int_equal(parse("irq-1 [000] 1.0: dma_map_page: 0000:00:1f.6 dir=FROM_DEVICE "
			       "dma_addr=100040 size=40 phys_addr=100040 attrs=0",
			       &r, &why, &unk),
			 1);
	assert_true(r.dma);
	assert_int_equal(r.dma_event, TR_DMA_MAP_PAGE);
	assert_string_equal(r.device, "0000:00:1f.6");
	assert_int_equal(r.nphys, 1);
	assert_int_equal(r.phys[0], 0x100040);
	assert_int_equal(r.len[0], 40);
	assert_int_equal(parse("x: dma:dma_map_sg: dev dir=BIDIRECTIONAL dma_addrs={0x1,0x2} "
			       "sizes={8,16} phys_addrs={0x1000,0x2000} attrs=0",
			       &r, &why, &unk),
			 1);
	assert_int_equal(r.dma_event, TR_DMA_MAP_SG);
	assert_int_equal(r.nphys, 2);
	assert_int_equal(r.phys[1], 0x2000);
	assert_int_equal(r.len[1], 16);
	assert_int_equal(parse("x: swiotlb:swiotlb_bounced: dev_name: nic0 dma_mask=ffffffff "
			       "dev_addr=abc0 size=64 NORMAL",
			       &r, &why, &unk),
			 1);
	assert_int_equal(r.dma_event, TR_SWIOTLB_BOUNCED);
	assert_string_equal(r.device, "nic0");
	assert_int_equal(r.phys[0], 0xabc0);
	/* before 6.8 dma_map_page had no phys_addr: an event without ranges */
	assert_int_equal(parse("x: dma_map_page: dev dir=TO_DEVICE dma_addr=10 size=4 attrs=0", &r,
			       &why, &unk),
			 1);
	assert_int_equal(r.nphys, 0);
	assert_int_equal(
		parse("x: dma_map_sg: dev phys_addrs={0x1,zz} sizes={1,2}", &r, &why, &unk), -1);
	assert_string_equal(why, "bad phys_addr");
	assert_int_equal(parse("x: dma_map_sg: dev phys_addrs={0x1 sizes={1}", &r, &why, &unk), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_site_forms), cmocka_unit_test(test_site_keys),
		cmocka_unit_test(test_roundup),		cmocka_unit_test(test_hex_numbers_and_gfp),
		cmocka_unit_test(test_lost_markers),	cmocka_unit_test(test_dma_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
