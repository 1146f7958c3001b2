/* SPDX-License-Identifier: MIT */
/*
 * examples/sparse/driver_ok.c - a small network-card driver that opts in to the __dma check
 * (docs/sparse.md).  Its DMA buffers come from dma_kmalloc()/dma_kzalloc() and are typed
 * u8 __dma *; its bookkeeping is plain kmalloc() memory and is never mapped; a page it maps is
 * blessed with dma_assume_safe(); CPU copies out of a DMA buffer go through dma_cpu_ptr().
 * `scripts/check-sparse.sh` runs sparse over it with -DMINALIGN_SPARSE_DMA: no warning.  It is
 * also an ordinary program: built against the library it receives and sends packets on a
 * simulated non-coherent device and prints what it got.
 */
#include <minalign/minalign.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define RX_LEN 1500
#define TX_LEN 60

struct nic {
	struct device *dev;
	u8 __dma *rx;	 /* the device writes received frames here */
	u8 __dma *tx[2]; /* two transmit fragments, sent as one scatterlist */
	struct scatterlist sg[2];
	unsigned long page; /* a whole page for a firmware image */
	u8 *stats;	    /* driver bookkeeping: never given to the device */
};

static int nic_open(struct nic *n)
{
	struct minalign_device_info info = {.name = "nic0"};

	n->dev = minalign_device_create(&info);
	n->rx = dma_kmalloc(RX_LEN, GFP_KERNEL);
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
	dma_addr_t a = dma_map_single(n->dev, n->rx, RX_LEN, DMA_FROM_DEVICE);

	if (dma_mapping_error(n->dev, a))
		return -ENOMEM;
	minalign_dma_write(n->dev, a, frame, sizeof(frame)); /* what the hardware does */
	dma_unmap_single(n->dev, a, RX_LEN, DMA_FROM_DEVICE);
	memcpy(n->stats, dma_cpu_ptr(n->rx), 32);
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
	dma_kfree(n->rx);
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
		printf("driver_ok: received \"%s\", sent two fragments and a page\n", n.stats);
	nic_close(&n);
	minalign_exit();
	return err ? 1 : 0;
}
