/* SPDX-License-Identifier: MIT */
/*
 * examples/drivers/net_rx_ring.c - a network driver's receive ring, shaped like the Intel
 * drivers' (igb/ixgbe) page-recycling RX path: a coherent descriptor ring the device writes
 * status into, receive buffers that are halves of pages mapped once with
 * DMA_ATTR_SKIP_CPU_SYNC and kept mapped, the unmap state kept with DEFINE_DMA_UNMAP_ADDR, and
 * per packet dma_sync_single_range_for_cpu() of just the received bytes before the CPU reads
 * them and dma_sync_single_range_for_device() before the half is given back to the device.
 *
 * Packets of up to 256 bytes are copied out ("copybreak") into a small kmalloc'ed buffer and
 * the half is recycled; the CPU writes the copies while the other halves are owned by the
 * device.  Page halves own their lines, so no policy may corrupt anything here.
 */
#include "harness.h"

/* ---- the driver ---------------------------------------------------------------------------- */

#define RING_SIZE  8
#define RX_BUF_LEN 2048
#define COPYBREAK  256
#define RXD_DD	   0x1u /* descriptor done */

struct rx_desc { /* in coherent memory, little-endian as the hardware writes it */
	__le64 addr;
	__le16 length;
	__le16 status;
	__le32 rsvd;
};

struct rx_buffer {
	struct page *page;
	unsigned int page_offset;
	DEFINE_DMA_UNMAP_ADDR(dma);
	DEFINE_DMA_UNMAP_LEN(len);
};

struct rx_ring {
	struct device *dev;
	struct rx_desc *desc;
	dma_addr_t desc_dma;
	struct rx_buffer buf[RING_SIZE];
	unsigned int next;
	u8 *copies[64];
	unsigned int ncopies;
};

static int rx_ring_alloc(struct rx_ring *r)
{
	r->desc =
		dma_alloc_coherent(r->dev, sizeof(*r->desc) * RING_SIZE, &r->desc_dma, GFP_KERNEL);
	if (!r->desc)
		return -ENOMEM;
	for (unsigned int i = 0; i < RING_SIZE; i += 2) {
		struct page *page = alloc_page(GFP_KERNEL);
		dma_addr_t dma;

		if (!page)
			return -ENOMEM;
		/* map the whole page once; the CPU syncs what it touches */
		dma = dma_map_page_attrs(r->dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE,
					 DMA_ATTR_SKIP_CPU_SYNC);
		if (dma_mapping_error(r->dev, dma)) {
			__free_page(page);
			return -ENOMEM;
		}
		for (unsigned int half = 0; half < 2; half++) {
			struct rx_buffer *b = &r->buf[i + half];

			b->page = page;
			b->page_offset = half * RX_BUF_LEN;
			dma_unmap_addr_set(b, dma, dma);
			dma_unmap_len_set(b, len, PAGE_SIZE);
			/* hand the half to the device */
			dma_sync_single_range_for_device(r->dev, dma, b->page_offset, RX_BUF_LEN,
							 DMA_FROM_DEVICE);
			r->desc[i + half].addr = cpu_to_le64(dma + b->page_offset);
			r->desc[i + half].status = cpu_to_le16(0);
		}
	}
	return 0;
}

/* Poll: take every completed descriptor, copy the packet out, recycle the half. */
static unsigned int rx_ring_poll(struct rx_ring *r)
{
	unsigned int done = 0;

	for (;;) {
		struct rx_desc *d = &r->desc[r->next];
		struct rx_buffer *b = &r->buf[r->next];
		unsigned int len;
		u8 *copy;

		if (!(le16_to_cpu(d->status) & RXD_DD))
			break;
		len = le16_to_cpu(d->length);
		dma_sync_single_range_for_cpu(r->dev, dma_unmap_addr(b, dma), b->page_offset, len,
					      DMA_FROM_DEVICE);
		copy = kmalloc(len, GFP_ATOMIC);
		if (!copy || r->ncopies == ARRAY_SIZE(r->copies))
			break;
		memcpy(copy, (u8 *)page_address(b->page) + b->page_offset, len);
		r->copies[r->ncopies++] = copy;
		dma_sync_single_range_for_device(r->dev, dma_unmap_addr(b, dma), b->page_offset,
						 RX_BUF_LEN, DMA_FROM_DEVICE);
		d->status = cpu_to_le16(0);
		r->next = (r->next + 1) % RING_SIZE;
		done++;
	}
	return done;
}

static void rx_ring_free(struct rx_ring *r)
{
	for (unsigned int i = 0; i < RING_SIZE; i += 2) {
		struct rx_buffer *b = &r->buf[i];

		if (!b->page)
			continue;
		dma_unmap_page_attrs(r->dev, dma_unmap_addr(b, dma), dma_unmap_len(b, len),
				     DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
		__free_page(b->page);
	}
	for (unsigned int i = 0; i < r->ncopies; i++)
		kfree(r->copies[i]);
	if (r->desc)
		dma_free_coherent(r->dev, sizeof(*r->desc) * RING_SIZE, r->desc, r->desc_dma);
}

/* ---- the bus and the hardware --------------------------------------------------------------- */

static void packet(u8 *p, unsigned int len, unsigned int seq)
{
	for (unsigned int i = 0; i < len; i++)
		p[i] = (u8)(seq * 31 + i);
}

/* The NIC: write the packet into the next buffer, then the descriptor (length, DD). */
static void nic_receive(struct rx_ring *r, unsigned int slot, unsigned int seq, unsigned int len)
{
	dma_addr_t at = r->desc_dma + slot * sizeof(struct rx_desc);
	struct rx_desc d;
	u8 data[COPYBREAK];

	packet(data, len, seq);
	minalign_dma_read(r->dev, at, &d, sizeof(d)); /* fetch the descriptor */
	minalign_dma_write(r->dev, le64_to_cpu(d.addr), data, len);
	d.length = cpu_to_le16((u16)len);
	d.status = cpu_to_le16(RXD_DD);
	minalign_dma_write(r->dev, at, &d, sizeof(d)); /* write it back: done */
}

int main(int argc, char **argv)
{
	struct minalign_device_info info = {.name = "eth0", .coherent = false, .dma_bits = 32};
	struct rx_ring ring;
	struct harness h;
	unsigned int seq = 0, slot = 0, got = 0;
	u8 want[COPYBREAK];

	harness_init(&h, "net_rx_ring", argc, argv);
	memset(&ring, 0, sizeof(ring));
	ring.dev = minalign_device_create(&info);
	if (!ring.dev || rx_ring_alloc(&ring))
		return 1;
	for (unsigned int round = 0; round < 5; round++) {
		unsigned int burst = 3 + round % 4;

		for (unsigned int k = 0; k < burst; k++, seq++, slot = (slot + 1) % RING_SIZE)
			nic_receive(&ring, slot, seq, 60 + (seq * 37) % (COPYBREAK - 60));
		got += rx_ring_poll(&ring);
	}
	if (got != seq || ring.ncopies != seq) {
		fprintf(stderr, "net_rx_ring: %u of %u packets received\n", got, seq);
		h.corrupted++;
	}
	for (unsigned int i = 0; i < ring.ncopies; i++) {
		unsigned int len = 60 + (i * 37) % (COPYBREAK - 60);

		packet(want, len, i);
		h.corrupted += harness_diff(ring.copies[i], want, len);
	}
	rx_ring_free(&ring);
	minalign_device_destroy(ring.dev);
	return harness_finish(&h, false);
}
