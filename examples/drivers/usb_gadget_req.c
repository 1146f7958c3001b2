/* SPDX-License-Identifier: MIT */
/*
 * examples/drivers/usb_gadget_req.c - a USB device-controller (UDC) driver's request mapping,
 * shaped like drivers/usb/gadget/udc/core.c's usb_gadget_map_request_by_dev(): a request is
 * either one buffer (dma_map_single) or a scatterlist (dma_map_sg); OUT transfers are
 * DMA_FROM_DEVICE.
 *
 * The gadget function driver does what function drivers do: small kmalloc'd control buffers
 * (a 24-byte setup/status reply) beside small bookkeeping objects the CPU keeps updating while
 * the transfer runs.  On a non-coherent SoC with 8-byte kmalloc that is exactly the sharing
 * minalign exists for: BOUNCE/DMA_OPT_IN bounce the buffer, LEGACY/PACKED never let it share,
 * NAIVE loses the CPU's (or the device's) bytes.  The bulk path maps a three-segment sg list of
 * 200-byte buffers, which own their lines under every policy.
 */
#include "harness.h"

/* ---- the UDC driver (what would live in drivers/usb/gadget/udc/) ---------------------------- */

struct usb_request {
	void *buf;
	unsigned int length;
	dma_addr_t dma;
	struct scatterlist *sg;
	unsigned int num_sgs;
	unsigned int num_mapped_sgs;
	unsigned int actual;
	int status;
};

static int udc_map_request(struct device *dev, struct usb_request *req, int is_in)
{
	enum dma_data_direction dir = is_in ? DMA_TO_DEVICE : DMA_FROM_DEVICE;

	if (req->length == 0)
		return 0;
	if (req->num_sgs) {
		unsigned int mapped = dma_map_sg(dev, req->sg, (int)req->num_sgs, dir);

		if (mapped == 0) {
			dev_err(dev, "failed to map SGs\n");
			return -EFAULT;
		}
		req->num_mapped_sgs = mapped;
	} else {
		req->dma = dma_map_single(dev, req->buf, req->length, dir);
		if (dma_mapping_error(dev, req->dma)) {
			dev_err(dev, "failed to map buffer\n");
			return -EFAULT;
		}
	}
	return 0;
}

static void udc_unmap_request(struct device *dev, struct usb_request *req, int is_in)
{
	enum dma_data_direction dir = is_in ? DMA_TO_DEVICE : DMA_FROM_DEVICE;

	if (req->length == 0)
		return;
	if (req->num_mapped_sgs) {
		dma_unmap_sg(dev, req->sg, (int)req->num_sgs, dir);
		req->num_mapped_sgs = 0;
	} else {
		dma_unmap_single(dev, req->dma, req->length, dir);
	}
}

/* ---- the gadget function driver's buffers ------------------------------------------------- */

#define NREQ	 8
#define CTRL_LEN 24
#define NSG	 3
#define SEG_LEN	 200

struct ep_stats { /* updated by the CPU while a transfer runs */
	u32 irqs;
	u32 naks;
	u64 last_ts;
	u8 pad[8];
};

/* ---- the bus and the hardware ---------------------------------------------------------- */

static void fill(u8 *p, size_t n, u8 seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (u8)(seed + i * 13);
}

int main(int argc, char **argv)
{
	struct minalign_device_info info = {.name = "udc0", .coherent = false, .dma_bits = 32};
	struct usb_request req[NREQ], bulk;
	struct ep_stats *stats[NREQ];
	struct scatterlist sg[NSG];
	u8 *seg[NSG];
	u8 want[SEG_LEN];
	struct ep_stats sw;
	struct harness h;
	struct device *dev;
	int i;

	harness_init(&h, "usb_gadget_req", argc, argv);
	dev = minalign_device_create(&info);
	if (!dev)
		return 1;

	/* control OUT: a 24-byte buffer next to the endpoint's statistics */
	for (i = 0; i < NREQ; i++) {
		memset(&req[i], 0, sizeof(req[i]));
		req[i].buf = kmalloc(CTRL_LEN, GFP_KERNEL);
		stats[i] = kzalloc(sizeof(*stats[i]), GFP_KERNEL);
		if (!req[i].buf || !stats[i])
			return 1;
		req[i].length = CTRL_LEN;
	}
	for (i = 0; i < NREQ; i++) {
		if (udc_map_request(dev, &req[i], 0))
			return 1;
		/* the interrupt handler counts while the endpoint is armed */
		stats[i]->irqs = 3;
		stats[i]->naks = 7;
		stats[i]->last_ts = 0x1122334455667788ULL;
		fill(want, CTRL_LEN, (u8)i);
		minalign_dma_write(dev, req[i].dma, want, CTRL_LEN); /* the setup data arrives */
		udc_unmap_request(dev, &req[i], 0);
		req[i].actual = CTRL_LEN;
		h.corrupted += harness_diff(req[i].buf, want, CTRL_LEN);
		memset(&sw, 0, sizeof(sw));
		sw.irqs = 3;
		sw.naks = 7;
		sw.last_ts = 0x1122334455667788ULL;
		h.corrupted += harness_diff(stats[i], &sw, sizeof(sw));
	}

	/* bulk OUT over a scatterlist: three 200-byte buffers */
	memset(&bulk, 0, sizeof(bulk));
	sg_init_table(sg, NSG);
	for (i = 0; i < NSG; i++) {
		seg[i] = kmalloc(SEG_LEN, GFP_KERNEL);
		if (!seg[i])
			return 1;
		sg_set_buf(&sg[i], seg[i], SEG_LEN);
	}
	bulk.sg = sg;
	bulk.num_sgs = NSG;
	bulk.length = NSG * SEG_LEN;
	if (udc_map_request(dev, &bulk, 0))
		return 1;
	{
		struct scatterlist *s;
		unsigned int n;

		for_each_sg (bulk.sg, s, bulk.num_mapped_sgs, n) {
			fill(want, SEG_LEN, (u8)(0x40 + n));
			minalign_dma_write(dev, sg_dma_address(s), want, sg_dma_len(s));
		}
	}
	udc_unmap_request(dev, &bulk, 0);
	for (i = 0; i < NSG; i++) {
		fill(want, SEG_LEN, (u8)(0x40 + i));
		h.corrupted += harness_diff(seg[i], want, SEG_LEN);
		kfree(seg[i]);
	}

	for (i = 0; i < NREQ; i++) {
		kfree(req[i].buf);
		kfree(stats[i]);
	}
	minalign_device_destroy(dev);
	return harness_finish(&h, true);
}
