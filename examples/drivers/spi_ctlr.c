/* SPDX-License-Identifier: MIT */
/*
 * examples/drivers/spi_ctlr.c - an SPI controller driver that embeds struct device in its bus
 * structure (as spi_controller does) and keeps its transfer buffers in its private struct, the
 * way drivers/mmc/host/mmc_spi.c and the IIO drivers do: the buffers the device writes are
 * __dma_aligned members, so they start their own cache lines and nothing the CPU touches during
 * a transfer shares them.
 *
 * The bus half initialises the embedded device with minalign_device_init() and a DMA mask of
 * its own (as a platform bus points dev.dma_mask at platform_dma_mask); the driver's probe
 * sets the masks and segment limits and allocates its state with devm_kzalloc().  A full-duplex
 * transfer maps TX (DMA_TO_DEVICE) and RX (DMA_FROM_DEVICE) while the CPU updates the
 * controller's statistics next to them.
 *
 * No policy may corrupt anything here, NAIVE included: the layout, not the allocator, keeps
 * the device's lines to themselves.  (Without __dma_aligned the statistics would share RX's
 * line inside the same object: a driver bug under every policy, since no allocator alignment
 * separates two fields of one struct; the exact rule leaves it to the owner and the simulator
 * reports the conflict.)
 */
#include "harness.h"

/* ---- the bus ------------------------------------------------------------------------------ */

struct spi_controller {
	int bus_num;
	struct device dev; /* embedded, not first */
	u64 platform_dma_mask;
	struct device_dma_parameters dma_parms;
};

/* ---- the driver ---------------------------------------------------------------------------- */

#define XFER_LEN 48

struct spi_host {
	struct spi_controller *ctlr;
	u32 xfers; /* CPU-owned, updated while DMA runs */
	u32 errors;
	u8 tx[XFER_LEN] __dma_aligned;
	u8 rx[XFER_LEN] __dma_aligned;
};

static int spi_probe(struct spi_controller *ctlr)
{
	struct device *dev = &ctlr->dev;
	int ret;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA mask\n");
	if (dma_set_max_seg_size(dev, 65536))
		return dev_err_probe(dev, -EIO, "no dma_parms\n");
	dev_info(dev, "SPI%d: DMA mask %#llx, max segment %u\n", ctlr->bus_num,
		 (unsigned long long)dma_get_mask(dev), dma_get_max_seg_size(dev));
	return 0;
}

/* One full-duplex transfer: tx out, rx in; the CPU counts meanwhile (*xfers, *errors). */
static int spi_transfer(struct device *dev, u8 *tx, u8 *rx, u32 *xfers, u32 *errors,
			const u8 *dev_out, u8 *dev_in)
{
	dma_addr_t tx_dma, rx_dma;

	tx_dma = dma_map_single(dev, tx, XFER_LEN, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, tx_dma))
		return -ENOMEM;
	rx_dma = dma_map_single(dev, rx, XFER_LEN, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, rx_dma)) {
		dma_unmap_single(dev, tx_dma, XFER_LEN, DMA_TO_DEVICE);
		return -ENOMEM;
	}
	/* the controller shifts: it reads TX and writes RX; the CPU counts meanwhile */
	(*xfers)++;
	*errors = 0xe0;
	minalign_dma_read(dev, tx_dma, dev_in, XFER_LEN);
	minalign_dma_write(dev, rx_dma, dev_out, XFER_LEN);
	dma_unmap_single(dev, rx_dma, XFER_LEN, DMA_FROM_DEVICE);
	dma_unmap_single(dev, tx_dma, XFER_LEN, DMA_TO_DEVICE);
	return 0;
}

/* ---- the bus and the hardware --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct minalign_device_info info = {.name = "spi1", .coherent = false, .dma_bits = 32};
	struct spi_controller ctlr;
	u8 out[XFER_LEN], in[XFER_LEN];
	struct harness h;
	int i;

	harness_init(&h, "spi_ctlr", argc, argv);
	memset(&ctlr, 0, sizeof(ctlr));
	ctlr.bus_num = 1;
	ctlr.platform_dma_mask = DMA_BIT_MASK(32);
	ctlr.dev.dma_mask = &ctlr.platform_dma_mask;
	ctlr.dev.dma_parms = &ctlr.dma_parms;
	if (minalign_device_init(&ctlr.dev, &info) || spi_probe(&ctlr))
		return 1;

	for (i = 0; i < 16; i++) {
		struct spi_host *host = devm_kzalloc(&ctlr.dev, sizeof(*host), GFP_KERNEL);
		u32 *xfers, *errors;
		u8 *tx, *rx;
		u32 before;

		if (!host)
			return 1;
		host->ctlr = &ctlr;
		tx = host->tx;
		rx = host->rx;
		xfers = &host->xfers;
		errors = &host->errors;
		for (int b = 0; b < XFER_LEN; b++) {
			tx[b] = (u8)(i * 3 + b);
			out[b] = (u8)(0x80 + i + b * 5);
		}
		before = *xfers;
		if (spi_transfer(&ctlr.dev, tx, rx, xfers, errors, out, in))
			return 1;
		h.corrupted += harness_diff(rx, out, XFER_LEN); /* what the device sent */
		h.corrupted += harness_diff(in, tx, XFER_LEN);	/* what the device received */
		h.corrupted += *xfers != before + 1;		/* the CPU's own updates */
		h.corrupted += *errors != 0xe0;
	}
	minalign_device_release(&ctlr.dev); /* frees the devm_kzalloc'ed hosts */
	return harness_finish(&h, false);
}
