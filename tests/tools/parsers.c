/* SPDX-License-Identifier: MIT */
/*
 * tests/tools/parsers.c - unit tests of the minalign program's building blocks, compiled in from
 * tools/: the option parser and number parsing, the JSON writer, SVG escaping, the kmalloc class
 * rule and SLUB's order, the slabinfo text parser and the ftrace kmem line parser, plus a
 * deterministic random-input run of both parsers (never a crash, every line accounted for).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "../../tools/common/cli.c"
#include "../../tools/common/json.c"
#include "../../tools/common/svg.c"
#include "../../tools/common/kmclass.c"
#include "../../tools/whatif/slabparse.c"
#include "../../tools/whatif/slabsysfs.c"
#include "../../tools/replay/traceparse.c"

/* ---- option parser and numbers ------------------------------------------------------------- */

static void test_cli_parser(void **state)
{
	static const struct cli_opt opts[] = {
		{"cache-line", 'l', CLI_REQ_ARG, 1},
		{"json", 0, CLI_NO_ARG, 2},
		{NULL, 0, CLI_NO_ARG, 0},
	};
	char *argv[] = {"whatif", "file", "--cache-line", "64", "-l32",	  "--cache-line=16",
			"-l",	  "128",  "--json",	  "--", "--json", NULL};
	struct cli_parser p;
	const char *v;

	(void)state;
	cli_parser_init(&p, "whatif", 11, argv, opts);
	assert_int_equal(cli_next(&p, &v), CLI_POSITIONAL);
	assert_string_equal(v, "file");
	assert_int_equal(cli_next(&p, &v), 1);
	assert_string_equal(v, "64");
	assert_int_equal(cli_next(&p, &v), 1);
	assert_string_equal(v, "32");
	assert_int_equal(cli_next(&p, &v), 1);
	assert_string_equal(v, "16");
	assert_int_equal(cli_next(&p, &v), 1);
	assert_string_equal(v, "128");
	assert_int_equal(cli_next(&p, &v), 2);
	assert_null(v);
	assert_int_equal(cli_next(&p, &v), CLI_POSITIONAL); /* after "--" */
	assert_string_equal(v, "--json");
	assert_int_equal(cli_next(&p, &v), CLI_END);
}

static void test_cli_parser_errors(void **state)
{
	static const struct cli_opt opts[] = {
		{"ram", 0, CLI_REQ_ARG, 1},
		{"json", 0, CLI_NO_ARG, 2},
		{NULL, 0, CLI_NO_ARG, 0},
	};
	char *a1[] = {"x", "--ram", NULL};
	char *a2[] = {"x", "--json=1", NULL};
	char *a3[] = {"x", "--nope", NULL};
	char *a4[] = {"x", "-h", NULL};
	char *a5[] = {"x", "-", NULL};
	struct cli_parser p;
	const char *v;

	(void)state;
	cli_parser_init(&p, "t", 2, a1, opts);
	assert_int_equal(cli_next(&p, &v), CLI_ERROR);
	cli_parser_init(&p, "t", 2, a2, opts);
	assert_int_equal(cli_next(&p, &v), CLI_ERROR);
	cli_parser_init(&p, "t", 2, a3, opts);
	assert_int_equal(cli_next(&p, &v), CLI_ERROR);
	cli_parser_init(&p, "t", 2, a4, opts);
	assert_int_equal(cli_next(&p, &v), CLI_HELP);
	cli_parser_init(&p, "t", 2, a5, opts);
	assert_int_equal(cli_next(&p, &v), CLI_POSITIONAL);
	assert_string_equal(v, "-");
}

static void test_numbers(void **state)
{
	uint64_t u;
	unsigned int x;

	(void)state;
	assert_true(cli_parse_size("1G", &u));
	assert_int_equal(u, 1ull << 30);
	assert_true(cli_parse_size("512MiB", &u));
	assert_int_equal(u, 512ull << 20);
	assert_true(cli_parse_size("4k", &u));
	assert_int_equal(u, 4096);
	assert_true(cli_parse_size("0x1000", &u));
	assert_int_equal(u, 4096);
	assert_true(cli_parse_size("0100", &u)); /* decimal, not octal */
	assert_int_equal(u, 100);
	assert_false(cli_parse_size("0x", &u));
	assert_false(cli_parse_size("0x-1", &u));
	assert_false(cli_parse_size("-1", &u));
	assert_false(cli_parse_size("1X", &u));
	assert_false(cli_parse_size("", &u));
	assert_false(cli_parse_size("20000000T", &u)); /* overflows */
	assert_false(cli_parse_uint("4294967296", &x));
	assert_true(cli_parse_uint("4294967295", &x));
	assert_false(cli_parse_u64("18446744073709551616", &u));
	assert_false(cli_parse_u64(" 1", &u));
	assert_int_equal(sat_mul(UINT64_MAX / 2, 3), UINT64_MAX);
	assert_int_equal(sat_add(UINT64_MAX, 1), UINT64_MAX);
	assert_true(sat_diff(0, UINT64_MAX) == INT64_MIN);
	assert_true(sat_diff(5, 7) == -2);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_int_equal(cli_utf8_seq((const unsigned char *)"a", 1), 1);
	assert_int_equal(cli_utf8_seq((const unsigned char *)"\xc3\xa9", 2), 2);
	assert_int_equal(cli_utf8_seq((const unsigned char *)"\xe2\x82\xac", 3), 3);
	assert_int_equal(cli_utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(cli_utf8_seq((const unsigned char *)"\xc0\x80", 2), 0);     /* overlong */
	assert_int_equal(cli_utf8_seq((const unsigned char *)"\xed\xa0\x80", 3), 0); /* surrogate */
	assert_int_equal(cli_utf8_seq((const unsigned char *)"\xe2\x82", 2), 0);     /* truncated */
	assert_int_equal(cli_utf8_seq((const unsigned char *)"\x80", 1), 0);
	assert_int_equal(cli_utf8_seq((const unsigned char *)"\xf5\x80\x80\x80", 4), 0);
}

/* ---- JSON and SVG -------------------------------------------------------------------------- */

static char *capture_json(void (*fn)(struct json *j))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	assert_non_null(f);
	json_init(&j, f);
	fn(&j);
	fclose(f);
	return buf;
}

static void write_sample(struct json *j)
{
	json_begin_object(j);
	json_kv_string(j, "s", "a\"b\\c\n\x01\xff\xc3\xa9");
	json_kv_uint(j, "u", UINT64_MAX);
	json_kv_int(j, "i", INT64_MIN);
	json_kv_double(j, "nan", 0.0 / 0.0);
	json_key(j, "a");
	json_begin_array(j);
	json_end_array(j);
	json_key(j, "o");
	json_begin_object(j);
	json_kv_bool(j, "t", true);
	json_kv_null(j, "n");
	json_end_object(j);
	json_end_object(j);
	json_finish(j);
}

static void test_json(void **state)
{
	char *s = capture_json(write_sample);

	(void)state;
	assert_non_null(strstr(s, "\"s\": \"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\""));
	assert_non_null(strstr(s, "\"u\": 18446744073709551615"));
	assert_non_null(strstr(s, "\"i\": -9223372036854775808"));
	assert_non_null(strstr(s, "\"nan\": null"));
	assert_non_null(strstr(s, "\"a\": []"));
	assert_non_null(strstr(s, "\"t\": true,"));
	assert_non_null(strstr(s, "\"n\": null"));
	free(s);
}

static void test_svg_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	svg_escape(f, "<a & 'b'>\"\x01\xff");
	fclose(f);
	assert_string_equal(buf, "&lt;a &amp; &apos;b&apos;&gt;&quot; &#xFFFD;");
	free(buf);
}

/* ---- kmalloc classes and SLUB's order ------------------------------------------------------- */

static void test_km_names(void **state)
{
	struct km_name k;

	(void)state;
	assert_int_equal(km_parse_name("kmalloc-64", &k), KM_KMALLOC);
	assert_string_equal(k.type, "kmalloc");
	assert_int_equal(k.size, 64);
	assert_int_equal(km_parse_name("kmalloc-cg-8k", &k), KM_KMALLOC);
	assert_string_equal(k.type, "kmalloc-cg");
	assert_int_equal(k.size, 8192);
	assert_int_equal(km_parse_name("kmalloc-rcl-192", &k), KM_KMALLOC);
	assert_string_equal(k.type, "kmalloc-rcl");
	assert_int_equal(km_parse_name("dma-kmalloc-96", &k), KM_KMALLOC);
	assert_true(k.dma);
	assert_int_equal(km_parse_name("kmalloc-rnd-15-1k", &k), KM_KMALLOC);
	assert_string_equal(k.type, "kmalloc-rnd-15");
	assert_int_equal(k.size, 1024);
	assert_int_equal(km_parse_name("kmalloc-1024", &k), KM_KMALLOC);
	assert_int_equal(km_parse_name("kmalloc-2M", &k), KM_KMALLOC);
	assert_int_equal(km_parse_name("kmalloc-100", &k), KM_BAD_SIZE);
	assert_int_equal(km_parse_name("kmalloc-08", &k), KM_BAD_SIZE);
	assert_int_equal(km_parse_name("kmalloc-99999999999", &k), KM_BAD_SIZE);
	assert_int_equal(km_parse_name("kmalloc-64x", &k), KM_BAD_SIZE);
	assert_int_equal(km_parse_name("kmalloc_buckets", &k), KM_NOT_KMALLOC);
	assert_int_equal(km_parse_name("kmalloc-", &k), KM_NOT_KMALLOC);
	assert_int_equal(km_parse_name("kmalloc-rnd-123-64", &k), KM_NOT_KMALLOC);
	assert_int_equal(km_parse_name("dentry", &k), KM_NOT_KMALLOC);
	assert_int_equal(km_parse_name("", &k), KM_NOT_KMALLOC);
}

static void test_km_classes(void **state)
{
	(void)state;
	/* M = 8: every class exists */
	assert_int_equal(km_class_for(8, 8), 8);
	assert_int_equal(km_class_for(96, 8), 96);
	assert_int_equal(km_class_for(192, 8), 192);
	/* M = 32: 96 still exists */
	assert_int_equal(km_class_for(8, 32), 32);
	assert_int_equal(km_class_for(96, 32), 96);
	/* M = 64: 96 goes to 128, 192 stays */
	assert_int_equal(km_class_for(16, 64), 64);
	assert_int_equal(km_class_for(96, 64), 128);
	assert_int_equal(km_class_for(192, 64), 192);
	/* M = 128: 192 goes to 256 */
	assert_int_equal(km_class_for(64, 128), 128);
	assert_int_equal(km_class_for(192, 128), 256);
	/* M = 256 */
	assert_int_equal(km_class_for(128, 256), 256);
	assert_int_equal(km_class_for(512, 256), 512);
	assert_int_equal(km_class_for(8192, 256), 8192);
	assert_int_equal(km_class_for(16384, 256), 16384);
	assert_false(km_class_exists(96, 64));
	assert_true(km_class_exists(192, 64));
	assert_false(km_class_exists(100, 8));
}

static void test_slub_order(void **state)
{
	(void)state;
	/* The kmalloc rows of a 2-CPU x86-64 machine's /proc/slabinfo (tools/samples): */
	assert_int_equal(slub_calculate_order(8, 2), 0);
	assert_int_equal(slub_calculate_order(96, 2), 0);
	assert_int_equal(slub_calculate_order(192, 2), 0);
	assert_int_equal(slub_calculate_order(256, 2), 0);
	assert_int_equal(slub_calculate_order(512, 2), 1);
	assert_int_equal(slub_calculate_order(1024, 2), 2);
	assert_int_equal(slub_calculate_order(2048, 2), 3);
	assert_int_equal(slub_calculate_order(4096, 2), 3);
	assert_int_equal(slub_calculate_order(8192, 2), 3);
	assert_int_equal(slub_objs_per_slab(192, 0), 21);
	/* 1 CPU: min_objects = 4 * (1 + 1) = 8; 1024 * 8 = 8 KiB -> order 1 */
	assert_int_equal(slub_calculate_order(1024, 1), 1);
	/* 64 CPUs: min_objects = 4 * (7 + 1) = 32; 512 * 32 = 16 KiB -> order 2 */
	assert_int_equal(slub_calculate_order(512, 64), 2);
	/* too big for slub_max_order: the object's own order */
	assert_int_equal(slub_calculate_order(65536, 2), 4);
	/* a leftover above 1/16 at the minimum order: 3000 B, min 12 objs -> 36000 B -> order 4
	 * is above slub_max_order, so min_objects is capped to 32 KiB / 3000 = 10 -> order 3 */
	assert_int_equal(slub_calculate_order(3000, 2), 3);
	assert_int_equal(km_get_order(4097), 1);
	assert_int_equal(km_get_order(0), 0);
}

/* ---- slabinfo text ----------------------------------------------------------------------- */

static void parse_text(const char *text, size_t len, struct slab_table *t)
{
	FILE *f = fmemopen((void *)text, len, "r");

	assert_non_null(f);
	slab_table_init(t);
	assert_int_equal(slab_parse_slabinfo(f, t), 0);
	fclose(f);
}

static void test_slabinfo_parse(void **state)
{
	static const char text[] =
		"slabinfo - version: 2.1\r\n"
		"# name <active_objs> ...\n"
		"kmalloc-64 10 64 64 64 1 : tunables 0 0 0 : slabdata 1 1 0\r\n"
		"kmalloc-8\t1\t512\t8\t512\t1\n" /* no groups */
		"kmalloc-16 1 512 16 256 1 : tunables 0 0 0 : slabdata 2 2 0 : globalstat 1 2\n"
		"bad-1 1 2 3 4\n"				      /* too few */
		"bad-2 1 2 3 0 1 : tunables 0 0 0 : slabdata 0 0 0\n" /* zero */
		"bad-3 1 2 3 4 5 : tunables 0 0 : slabdata 0 0 0\n"   /* tunables */
		"bad-4 1 2 3 4 5 : tunables 0 0 0 : slabdata 0 x 0\n" /* slabdata */
		"bad-5 1 99999999999999999999999 3 4 5\n"	      /* overflow */
		"bad-6 1 2 3 4 5 6\n"				      /* stray */
		"bad-7 -1 2 3 4 5\n"
		"kmalloc-32 5 128 32 128 1 : tunables 0 0 0 : slabdata 1 1 0"; /* no newline */
	struct slab_table t;

	(void)state;
	parse_text(text, sizeof(text) - 1, &t);
	assert_string_equal(t.version, "2.1");
	assert_int_equal(t.lines, 13);
	assert_int_equal(t.nrows, 4);
	assert_string_equal(t.rows[0].name, "kmalloc-64");
	assert_int_equal(t.rows[0].num_slabs, 1);
	assert_int_equal(t.rows[0].line, 3);
	assert_string_equal(t.rows[1].name, "kmalloc-8");
	assert_int_equal(t.rows[1].num_slabs, 1); /* computed: 512 / 512 */
	assert_int_equal(t.rows[2].num_slabs, 2);
	assert_string_equal(t.rows[3].name, "kmalloc-32");
	assert_int_equal(t.rows[3].line, 13);
	assert_int_equal(t.bad.count, 7);
	assert_int_equal(t.bad.items[0].line, 6);
	assert_string_equal(t.bad.items[0].reason, "too few fields");
	assert_string_equal(t.bad.items[1].reason, "zero objperslab or pagesperslab");
	assert_string_equal(t.bad.items[2].reason, "bad tunables");
	assert_string_equal(t.bad.items[3].reason, "bad slabdata");
	assert_string_equal(t.bad.items[4].reason, "bad number");
	assert_string_equal(t.bad.items[5].reason, "unexpected field after pagesperslab");
	assert_string_equal(t.bad.items[6].reason, "bad number");
	slab_table_free(&t);
}

static void test_slabinfo_nul_and_long(void **state)
{
	static const char text[] = "kmalloc-8 1 512 8 512 1\n"
				   "kmalloc-16 1 512\0 16 256 1\n";
	size_t big = 1 << 20;
	char *longline = malloc(big + 1);
	struct slab_table t;

	(void)state;
	parse_text(text, sizeof(text) - 1, &t);
	assert_int_equal(t.nrows, 1);
	assert_int_equal(t.bad.count, 1);
	assert_string_equal(t.bad.items[0].reason, "NUL byte");
	slab_table_free(&t);

	assert_non_null(longline);
	memset(longline, 'x', big);
	longline[big] = 0;
	parse_text(longline, big, &t);
	assert_int_equal(t.nrows, 0);
	assert_int_equal(t.bad.count, 1);
	slab_table_free(&t);
	for (size_t i = 0; i < big; i++)
		longline[i] = i % 2 ? ' ' : '1';
	parse_text(longline, big, &t);
	assert_int_equal(t.bad.count, 1);
	assert_string_equal(t.bad.items[0].reason, "too many fields");
	slab_table_free(&t);
	free(longline);
}

static void test_badlist_cap(void **state)
{
	struct cli_badlist b = {0};

	(void)state;
	for (unsigned long i = 1; i <= 1000; i++)
		cli_bad_add(&b, i, NULL, "x");
	assert_int_equal(b.count, 1000);
	assert_int_equal(b.kept, CLI_BAD_KEEP);
	assert_int_equal(b.items[CLI_BAD_KEEP - 1].line, CLI_BAD_KEEP);
}

/* ---- ftrace kmem lines ------------------------------------------------------------------- */

static int parse(const char *line, struct tr_record *r, const char **why)
{
	unsigned long unknown = 0;

	*why = NULL;
	return tr_parse_line(line, strlen(line), r, why, &unknown);
}

static void test_trace_lines(void **state)
{
	struct tr_record r;
	const char *why;

	(void)state;
	assert_int_equal(parse("  bash-1 [000] ..... 1.5: kmalloc: call_site=f+0x1/0x2 "
			       "ptr=000000009c3a1e77 bytes_req=640 bytes_alloc=1024 "
			       "gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO node=-1 accounted=true",
			       &r, &why),
			 1);
	assert_int_equal(r.event, TR_KMALLOC);
	assert_int_equal(r.ptr, 0x9c3a1e77);
	assert_int_equal(r.bytes_req, 640);
	assert_int_equal(r.bytes_alloc, 1024);
	assert_int_equal(r.gfp, GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	/* perf script: kmem: prefix, raw pointer, key order changed */
	assert_int_equal(parse("bash 1 [000] 1.5: kmem:kmalloc_node: gfp_flags=GFP_DMA "
			       "bytes_req=8 ptr=0xffff888003a4b000 node=1",
			       &r, &why),
			 1);
	assert_int_equal(r.event, TR_KMALLOC_NODE);
	assert_true(r.ptr == 0xffff888003a4b000ull);
	assert_int_equal(r.gfp, GFP_DMA);

	/* trace-cmd: (func+0xoff) prefix, (nil) */
	assert_int_equal(
		parse("bash-1 [000] 1.5: kfree:  (do_exit+0x2a0) call_site=do_exit ptr=(nil)", &r,
		      &why),
		1);
	assert_int_equal(r.event, TR_KFREE);
	assert_int_equal(r.ptr, 0);
	assert_int_equal(parse("x: kmem_cache_free: ptr=(null) name=dentry", &r, &why), 1);
	assert_string_equal(r.name, "dentry");
	assert_int_equal(parse("x: kmem_cache_alloc: ptr=1 bytes_alloc=64 name=foo", &r, &why), 1);
	assert_int_equal(r.bytes_req, 64); /* bytes_alloc stands in */
	assert_int_equal(parse("x: kmalloc: ptr=1 bytes_req=8", &r, &why), 1);
	assert_int_equal(r.gfp, GFP_KERNEL); /* no gfp_flags */

	/* not kmem events */
	assert_int_equal(parse("# tracer: nop", &r, &why), 0);
	assert_int_equal(parse("", &r, &why), 0);
	assert_int_equal(parse("x-1 [000] 1.5: sched_switch: prev_comm=kmalloc:", &r, &why), 0);
	assert_int_equal(parse("x-1 [000] 1.5: mm_page_alloc: page=1 pfn=2", &r, &why), 0);
	assert_int_equal(parse("kmallocx: ptr=1", &r, &why), 0);

	/* malformed */
	assert_int_equal(parse("x: kmalloc: bytes_req=8", &r, &why), -1);
	assert_string_equal(why, "no ptr");
	assert_int_equal(parse("x: kmalloc: ptr=1", &r, &why), -1);
	assert_string_equal(why, "no bytes_req");
	assert_int_equal(parse("x: kmalloc: ptr=1 bytes_req=-8", &r, &why), -1);
	assert_string_equal(why, "bad bytes_req");
	assert_int_equal(parse("x: kmalloc: ptr=1 bytes_req=99999999999999999999", &r, &why), -1);
	assert_int_equal(parse("x: kfree: ptr=0x", &r, &why), -1);
	assert_string_equal(why, "bad ptr");
	assert_int_equal(parse("x: kfree: ptr=12345678901234567", &r, &why), -1); /* 17 digits */
	assert_int_equal(parse("x: kfree: ptr=", &r, &why), -1);
	assert_int_equal(parse("x: kmem_cache_alloc: ptr=1 name=foo", &r, &why), -1);
	assert_int_equal(parse("x: kmalloc: ptr=1 bytes_alloc=x bytes_req=1", &r, &why), -1);
	assert_string_equal(why, "bad bytes_alloc");
}

static void test_trace_gfp(void **state)
{
	unsigned long unknown = 0;
	const char *s = "GFP_NOFS|__GFP_NOWARN|__GFP_COMP|__GFP_RECLAIMABLE|0x0|";

	(void)state;
	assert_int_equal(tr_parse_gfp(s, strlen(s), &unknown),
			 __GFP_RECLAIM | __GFP_IO | __GFP_NOWARN | __GFP_RECLAIMABLE);
	assert_int_equal(unknown, 1); /* __GFP_COMP */
	assert_int_equal(tr_parse_gfp("", 0, &unknown), 0);
	assert_int_equal(tr_parse_gfp("|||", 3, &unknown), 0);
}

static int count_record(const struct tr_record *r, void *arg)
{
	(void)r;
	(*(unsigned long *)arg)++;
	return 0;
}

/* Random lines built from the grammar's own pieces and raw bytes: every line is a record, a
 * malformed line or an ignored one; nothing crashes (ASan/UBSan builds check the rest). */
static void test_random_inputs(void **state)
{
	static const char *const pieces[] = {"kmalloc:",
					     "kmem:kfree:",
					     "kmem_cache_alloc:",
					     "kfree:",
					     "ptr=",
					     "ptr=(nil)",
					     "ptr=0x",
					     "bytes_req=",
					     "bytes_alloc=",
					     "gfp_flags=",
					     "GFP_KERNEL|",
					     "name=",
					     "=",
					     ":",
					     " ",
					     "\t",
					     "0",
					     "9",
					     "f",
					     "ffffffffffffffff",
					     "18446744073709551616",
					     "\xff",
					     "\x00",
					     "kmalloc-64",
					     " : tunables",
					     " : slabdata",
					     "slabinfo - version:",
					     "#",
					     "\r",
					     "-",
					     "99999999999",
					     "1 2 3 4 5"};
	const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	uint64_t seed = 42;
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	struct tr_stats st = {0};
	struct slab_table t;
	unsigned long records = 0;
	FILE *f;

	(void)state;
	assert_non_null(buf);
	while (len + 64 < cap) {
		uint64_t r = tu_rand(&seed);

		if (r % 17 == 0) {
			buf[len++] = '\n';
		} else if (r % 5 == 0) {
			buf[len++] = (char)(tu_rand(&seed) & 0xff);
		} else {
			const char *p = pieces[(r >> 8) % npieces];
			size_t n = p[0] ? strlen(p) : 1;

			memcpy(buf + len, p, n);
			len += n;
		}
	}
	f = fmemopen(buf, len, "r");
	assert_non_null(f);
	assert_int_equal(tr_parse_stream(f, &st, count_record, &records), 0);
	fclose(f);
	assert_true(st.lines > 1000);
	{
		unsigned long events = 0;

		for (int e = 0; e < TR_NR_EVENTS; e++)
			events += st.events[e];
		assert_int_equal(events, records);
		assert_int_equal(st.lines, st.ignored + events + st.bad.count);
		assert_true(st.bad.count > 0);
	}
	parse_text(buf, len, &t);
	assert_true(t.lines > 1000);
	slab_table_free(&t);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_parser),
		cmocka_unit_test(test_cli_parser_errors),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_svg_escape),
		cmocka_unit_test(test_km_names),
		cmocka_unit_test(test_km_classes),
		cmocka_unit_test(test_slub_order),
		cmocka_unit_test(test_slabinfo_parse),
		cmocka_unit_test(test_slabinfo_nul_and_long),
		cmocka_unit_test(test_badlist_cap),
		cmocka_unit_test(test_trace_lines),
		cmocka_unit_test(test_trace_gfp),
		cmocka_unit_test(test_random_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
