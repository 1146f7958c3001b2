/* SPDX-License-Identifier: MIT */
/*
 * dma_fault - fault walks (walk.h) over the allocating calls of the DMA layer: device
 * creation (with and without DMA-API debug, whose per-device table is allocated there), a
 * bounced dma_map_single (static pool), the mapping that needs a new chunk of the debug table
 * (the 33rd live one), dma_map_sg whose segments straddle that chunk (a failure part-way must
 * unmap the segments already mapped), dma_alloc_coherent at several sizes and masks, and
 * dma_pool_create and the dma_pool_alloc that needs a new chunk.  Every failure is clean
 * (NULL, DMA_MAPPING_ERROR, -ENOMEM; no report), leaks nothing and leaves no mapping, slot or
 * coherent byte behind; successes are checked end to end (the device reads the data).
 * The growth of dynamic bounce pools has its own walk (swiotlb_grow_fault.c), devres too
 * (devres_fault.c).
 */
#include "../unit/dma_helpers.h"
#include "walk.h"

#define NPRE 32 /* mappings the debug table holds without allocating */

struct fw_ctx {
	struct device *dev;
	struct minalign_device_info info;
	unsigned char *buf[NPRE + 8];
	dma_addr_t a[NPRE + 8];
	struct scatterlist sg[8];
	int nsg;
	size_t size;
	unsigned int bits;
	void *cpu;
	dma_addr_t handle;
	struct dma_pool *pool;
	void *blk[64];
	dma_addr_t hblk[64];
	int nblk;
};

static void start(unsigned int debug, size_t pool)
{
	struct minalign_config c;

	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, pool);
	c.debug = debug;
	fw_start_with(&c);
}

/* ---- devices ------------------------------------------------------------------------- */

static bool run_dev_create(struct fw_ctx *c)
{
	c->dev = minalign_device_create(&c->info);
	return c->dev != NULL;
}

static void undo_dev(struct fw_ctx *c)
{
	minalign_device_destroy(c->dev);
	c->dev = NULL;
}

static const struct fw_op op_dev = {
	"minalign_device_create", NULL, run_dev_create, undo_dev, NULL, false};

static void dev_walks(unsigned int kinds)
{
	struct fw_ctx c = {0};

	c.info = (struct minalign_device_info){.name = "walked"};
	assert_true(fw_walk(&op_dev, &c, kinds) >= 2);
	c.info = (struct minalign_device_info){.name = NULL, .coherent = true, .dma_bits = 32};
	assert_true(fw_walk(&op_dev, &c, kinds) >= 2);
}

static void test_device_create(void **state)
{
	(void)state;
	start(0, (size_t)1 << 20);
	dev_walks(FW_FAULTS);
	dev_walks(FW_FAULTS | MINALIGN_FAULT_PERSIST);
}

static void test_device_create_debug(void **state)
{
	(void)state;
	start(MINALIGN_DEBUG_DMA, (size_t)1 << 20);
	dev_walks(FW_FAULTS);
	dev_walks(FW_FAULTS | MINALIGN_FAULT_PERSIST);
}

/* ---- streaming mappings ----------------------------------------------------------------- */

/* A device and @n live TO_DEVICE mappings of page buffers (the debug table's first chunk). */
static void setup_mapped(struct fw_ctx *c, int n)
{
	c->dev = th_dev("walk", false, 0, false);
	for (int i = 0; i < NPRE + 8; i++) {
		c->buf[i] = th_pages(0);
		th_fill(c->buf[i], (unsigned char)i, PAGE_SIZE);
	}
	for (int i = 0; i < n; i++) {
		c->a[i] = dma_map_single(c->dev, c->buf[i], PAGE_SIZE, DMA_TO_DEVICE);
		assert_false(dma_mapping_error(c->dev, c->a[i]));
	}
}

static void teardown_mapped(struct fw_ctx *c, int n)
{
	for (int i = 0; i < n; i++)
		dma_unmap_single(c->dev, c->a[i], PAGE_SIZE, DMA_TO_DEVICE);
	for (int i = 0; i < NPRE + 8; i++)
		free_pages((unsigned long)c->buf[i], 0);
	minalign_device_destroy(c->dev);
}

static void setup_none(struct fw_ctx *c)
{
	setup_mapped(c, 0);
}

static void teardown_none(struct fw_ctx *c)
{
	teardown_mapped(c, 0);
}

static void setup_full(struct fw_ctx *c)
{
	setup_mapped(c, NPRE);
}

static void teardown_full(struct fw_ctx *c)
{
	teardown_mapped(c, NPRE);
}

/* A 40-byte buffer at offset 8 of a page: it shares its lines, so it is bounced. */
static bool run_map_bounce(struct fw_ctx *c)
{
	unsigned char *p = c->buf[NPRE] + 8;
	dma_addr_t a = dma_map_single(c->dev, p, 40, DMA_BIDIRECTIONAL);

	if (dma_mapping_error(c->dev, a))
		return false;
	c->a[NPRE] = a;
	assert_true(is_swiotlb_buffer(c->dev, a));
	assert_true(th_dev_holds(c->dev, a, (unsigned char)(NPRE + 8 * 7), 40));
	return true;
}

static void undo_map_bounce(struct fw_ctx *c)
{
	th_dev_fill(c->dev, c->a[NPRE], 0x77, 40);
	dma_unmap_single(c->dev, c->a[NPRE], 40, DMA_BIDIRECTIONAL);
	assert_true(th_holds(c->buf[NPRE] + 8, 0x77, 40));
}

static const struct fw_op op_bounce = {"bounced dma_map_single", setup_none,	run_map_bounce,
				       undo_map_bounce,		 teardown_none, false};
/* the 33rd live mapping: the debug table takes a chunk it keeps until the device goes */
static const struct fw_op op_bounce_33 = {"bounced dma_map_single, 33rd mapping",
					  setup_full,
					  run_map_bounce,
					  undo_map_bounce,
					  teardown_full,
					  true};

/* Six segments, three of them bounced (sub-line), over the debug table's chunk boundary. */
static bool run_map_sg(struct fw_ctx *c)
{
	unsigned int n;

	c->nsg = 6;
	sg_init_table(c->sg, 6);
	for (int i = 0; i < 6; i++) {
		unsigned char *p = c->buf[NPRE - 3 + i];

		if (i & 1)
			sg_set_buf(&c->sg[i], p + 4, 100);
		else
			sg_set_buf(&c->sg[i], p, PAGE_SIZE);
	}
	n = dma_map_sg(c->dev, c->sg, 6, DMA_FROM_DEVICE);
	if (!n)
		return false;
	assert_int_equal(n, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(is_swiotlb_buffer(c->dev, sg_dma_address(&c->sg[i])), i & 1);
	return true;
}

static void undo_map_sg(struct fw_ctx *c)
{
	for (int i = 0; i < 6; i++)
		th_dev_fill(c->dev, sg_dma_address(&c->sg[i]), (unsigned char)(0x40 + i), 64);
	dma_unmap_sg(c->dev, c->sg, 6, DMA_FROM_DEVICE);
	for (int i = 0; i < 6; i++)
		assert_true(th_holds(sg_virt(&c->sg[i]), (unsigned char)(0x40 + i), 64));
}

static void setup_29(struct fw_ctx *c)
{
	setup_mapped(c, NPRE - 3);
}

static void teardown_29(struct fw_ctx *c)
{
	teardown_mapped(c, NPRE - 3);
}

static const struct fw_op op_sg = {"dma_map_sg across the debug table's chunk",
				   setup_29,
				   run_map_sg,
				   undo_map_sg,
				   teardown_29,
				   true};
static const struct fw_op op_sg_plain = {"dma_map_sg", setup_none,    run_map_sg,
					 undo_map_sg,  teardown_none, false};

static void test_map(void **state)
{
	(void)state;
	start(0, (size_t)1 << 20);
	fw_walk(&op_bounce, &(struct fw_ctx){0}, FW_FAULTS);
	fw_walk(&op_sg_plain, &(struct fw_ctx){0}, FW_FAULTS | MINALIGN_FAULT_PERSIST);
}

static void test_map_debug(void **state)
{
	(void)state;
	start(MINALIGN_DEBUG_DMA, (size_t)1 << 20);
	fw_walk(&op_bounce, &(struct fw_ctx){0}, FW_FAULTS);
	assert_true(fw_walk(&op_bounce_33, &(struct fw_ctx){0}, FW_FAULTS) >= 1);
	assert_true(fw_walk(&op_bounce_33, &(struct fw_ctx){0},
			    FW_FAULTS | MINALIGN_FAULT_PERSIST) >= 1);
	assert_true(fw_walk(&op_sg, &(struct fw_ctx){0}, FW_FAULTS) >= 1);
	assert_true(fw_walk(&op_sg, &(struct fw_ctx){0}, FW_FAULTS | MINALIGN_FAULT_PERSIST) >= 1);
}

/* ---- coherent memory and dma_pool ---------------------------------------------------------- */

static void setup_dev(struct fw_ctx *c)
{
	c->dev = th_dev("coh", false, c->bits, false);
}

static void teardown_dev(struct fw_ctx *c)
{
	minalign_device_destroy(c->dev);
}

static bool run_coherent(struct fw_ctx *c)
{
	c->cpu = dma_alloc_coherent(c->dev, c->size, &c->handle, GFP_KERNEL);
	if (!c->cpu)
		return false;
	assert_true(c->handle + c->size - 1 <= DMA_BIT_MASK(c->bits ? c->bits : 64));
	th_dev_fill(c->dev, c->handle, 3, (c->size < 8192 ? c->size : 8192));
	assert_true(th_holds(c->cpu, 3, (c->size < 8192 ? c->size : 8192)));
	return true;
}

static void undo_coherent(struct fw_ctx *c)
{
	dma_free_coherent(c->dev, c->size, c->cpu, c->handle);
}

static const struct fw_op op_coherent = {"dma_alloc_coherent", setup_dev,    run_coherent,
					 undo_coherent,	       teardown_dev, false};

static bool run_pool_create(struct fw_ctx *c)
{
	c->pool = dma_pool_create("walked", c->dev, c->size, 64, 0);
	return c->pool != NULL;
}

static void undo_pool(struct fw_ctx *c)
{
	for (int i = 0; i < c->nblk; i++)
		dma_pool_free(c->pool, c->blk[i], c->hblk[i]);
	c->nblk = 0;
	dma_pool_destroy(c->pool);
}

static const struct fw_op op_pool_create = {"dma_pool_create", setup_dev,    run_pool_create,
					    undo_pool,	       teardown_dev, false};

/* A pool whose first chunk is full: the next block needs a new chunk. */
static void setup_pool(struct fw_ctx *c)
{
	setup_dev(c);
	assert_true(run_pool_create(c));
	c->nblk = (int)(PAGE_SIZE / c->size);
	for (int i = 0; i < c->nblk; i++)
		assert_non_null(c->blk[i] = dma_pool_alloc(c->pool, GFP_KERNEL, &c->hblk[i]));
}

static bool run_pool_alloc(struct fw_ctx *c)
{
	int i = c->nblk;

	c->blk[i] = dma_pool_zalloc(c->pool, GFP_KERNEL, &c->hblk[i]);
	if (!c->blk[i])
		return false;
	c->nblk++;
	th_dev_fill(c->dev, c->hblk[i], 9, c->size);
	assert_true(th_holds(c->blk[i], 9, c->size));
	return true;
}

static void undo_pool_alloc(struct fw_ctx *c)
{
	c->nblk--;
	dma_pool_free(c->pool, c->blk[c->nblk], c->hblk[c->nblk]);
}

static void teardown_pool(struct fw_ctx *c)
{
	undo_pool(c);
	teardown_dev(c);
}

/* the new chunk stays with the pool until it is destroyed */
static const struct fw_op op_pool_alloc = {"dma_pool_alloc, new chunk",
					   setup_pool,
					   run_pool_alloc,
					   undo_pool_alloc,
					   teardown_pool,
					   true};

static void coherent_walks(unsigned int kinds)
{
	static const size_t sizes[] = {1, 3 * PAGE_SIZE, 64 << 10};
	struct fw_ctx c = {0};

	for (unsigned int b = 0; b < 2; b++) {
		c.bits = b ? 32 : 0;
		for (unsigned int i = 0; i < 3; i++) {
			c.size = sizes[i];
			assert_true(fw_walk(&op_coherent, &c, kinds) >= 1);
		}
	}
	c.bits = 0;
	c.size = 256;
	assert_true(fw_walk(&op_pool_create, &c, kinds) >= 1);
	assert_true(fw_walk(&op_pool_alloc, &c, kinds) >= 1);
}

static void test_coherent(void **state)
{
	(void)state;
	start(MINALIGN_DEBUG_DMA, (size_t)1 << 20);
	coherent_walks(FW_FAULTS);
	coherent_walks(FW_FAULTS | MINALIGN_FAULT_PERSIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_device_create, fw_teardown),
		cmocka_unit_test_teardown(test_device_create_debug, fw_teardown),
		cmocka_unit_test_teardown(test_map, fw_teardown),
		cmocka_unit_test_teardown(test_map_debug, fw_teardown),
		cmocka_unit_test_teardown(test_coherent, fw_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
