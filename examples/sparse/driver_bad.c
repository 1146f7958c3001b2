/* SPDX-License-Identifier: MIT */
/*
 * examples/sparse/driver_bad.c - driver_ok.c with the mistake the __dma check exists for: the
 * receive buffer comes from plain kmalloc() and is mapped for the device to write.  Under a
 * policy that drops kmalloc's minimum alignment that buffer may share its cache lines with
 * other objects (DMA_OPT_IN bounces it as a safety net and counts it; NAIVE corrupts).
 * `scripts/check-sparse.sh` runs sparse over it with -DMINALIGN_SPARSE_DMA and expects exactly
 * one warning, "different address spaces", on the line after the check-sparse marker; without
 * the opt-in, sparse says nothing (the check is for code that asks for it).
 */
#include <minalign/minalign.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define RX_LEN 1500
#define TX_LEN 60

struct nic {
	struct device *dev;
	u8 *rx;		 /* the device writes received frames here: plain kmalloc memory */
	u8 __dma *tx[2]; /* two transmit fragments, sent as one scatterlist */
	struct scatterlist sg[2];
	unsigned long page; /* a whole page for a firmware image */
	u8 *stats;	    /* driver bookkeeping: never given to the device */
};

static int nic_open(struct nic *n)
{
	struct minalign_device_info info = {.name = "nic0"};

	n->dev = minalign_device_create(&info);
	n->rx = kmalloc(RX_LEN, GFP_KERNEL);
	n->tx[0] = dma_kzalloc(TX_LEN, GFP_KERNEL);
	n->tx[1] = dma_kzalloc(TX_LEN, GFP_KERNEL);
	n->page = __get_free_page(GFP_KERNEL);
	n->stats = kzalloc(64, GFP_KERNEL);
	return n->dev && n->rx && n->tx[0] && n->tx[1] && n->page && n->stats ? 0 : -ENOMEM;
}

/* The device delivers a frame into rx; the driver copies its header into the statistics. */
static int nic_receive(struct nic *n)
{
	static const u8 frame[64] = "frame from the wire";
	dma_addr_t a;

	/* check-sparse: the next line maps plain memory where DMA-safe (__dma) memory is needed */
	a = dma_map_single(n->dev, n->rx, RX_LEN, DMA_FROM_DEVICE);
	if (dma_mapping_error(n->dev, a))
		return -ENOMEM;
	minalign_dma_write(n->dev, a, frame, sizeof(frame)); /* what the hardware does */
	dma_unmap_single(n->dev, a, RX_LEN, DMA_FROM_DEVICE);
	memcpy(n->stats, n->rx, 32);
	return n->rx[0] == 'f' ? 0 : -EIO;
}

/* Two fragments in one scatterlist, then a page, for the device to read. */
static int nic_transmit(struct nic *n)
{
	u8 out[TX_LEN];
	dma_addr_t a;

	strcpy((char *)dma_cpu_ptr(n->tx[0]), "header");
	n->tx[1][0] = 'p';
	sg_init_table(n->sg, 2);
	sg_set_buf(&n->sg[0], n->tx[0], TX_LEN);
	sg_set_buf(&n->sg[1], n->tx[1], TX_LEN);
	if (dma_map_sg(n->dev, n->sg, 2, DMA_TO_DEVICE) != 2)
		return -ENOMEM;
	minalign_dma_read(n->dev, sg_dma_address(&n->sg[0]), out, TX_LEN);
	dma_unmap_sg(n->dev, n->sg, 2, DMA_TO_DEVICE);
	if (strcmp((char *)out, "header"))
		return -EIO;
	a = dma_map_single(n->dev, dma_assume_safe(n->page), PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(n->dev, a))
		return -ENOMEM;
	dma_unmap_single(n->dev, a, PAGE_SIZE, DMA_TO_DEVICE);
	return 0;
}

static void nic_close(struct nic *n)
{
	kfree(n->stats);
	free_page(n->page);
	dma_kfree(n->tx[1]);
	dma_kfree(n->tx[0]);
	kfree(n->rx);
	minalign_device_destroy(n->dev);
}

int main(void)
{
	struct nic n;
	int err;

	memset(&n, 0, sizeof(n));
	if (minalign_init(NULL))
		return 1;
	err = nic_open(&n);
	if (!err)
		err = nic_receive(&n);
	if (!err)
		err = nic_transmit(&n);
	if (!err)
		printf("driver_bad: received \"%s\", sent two fragments and a page\n", n.stats);
	nic_close(&n);
	minalign_exit();
	return err ? 1 : 0;
}
