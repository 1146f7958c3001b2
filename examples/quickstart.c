/* examples/quickstart.c - receive 24 bytes by DMA into a kmalloc buffer that shares its cache
 * line with a neighbour object, on a simulated non-coherent device.  Build it against an
 * installed minalign:  cc quickstart.c $(pkg-config --cflags --libs minalign) */
#include <minalign/minalign.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
	static const u8 packet[24] = "frame from the wire";
	struct minalign_config cfg;
	int ret = 1;

	minalign_config_init(&cfg);	     /* 1 GiB RAM at 0x80000000, 128-byte lines, BOUNCE,
						256 KiB bounce pool that grows, sim cache, DMA debug */
	cfg.policy = MINALIGN_POLICY_BOUNCE; /* Linux >= 6.5; try MINALIGN_POLICY_NAIVE */
	if (minalign_init(&cfg))	     /* -EINVAL (with a report naming the field), -EBUSY */
		return 1;

	struct minalign_device_info info = {.name = "nic0", .coherent = false, .dma_bits = 32};
	struct device *dev = minalign_device_create(&info);
	u8 *rx = kmalloc(24, GFP_KERNEL);	 /* 8-byte aligned: shares its line ... */
	u8 *neighbour = kmalloc(24, GFP_KERNEL); /* ... with this object */
	if (!dev || !rx || !neighbour)
		goto out;

	dma_addr_t h = dma_map_single(dev, rx, 24, DMA_FROM_DEVICE); /* bounced: the exact rule */
	if (dma_mapping_error(dev, h))
		goto out;
	memset(neighbour, 0x5a, 24);		       /* the CPU writes the neighbour meanwhile */
	minalign_dma_write(dev, h, packet, 24);	       /* what the device's DMA engine does */
	dma_unmap_single(dev, h, 24, DMA_FROM_DEVICE); /* the data is copied back */

	int intact = neighbour[0] == 0x5a && neighbour[23] == 0x5a;
	printf("received \"%s\"; neighbour %s\n", (const char *)rx,
	       intact ? "intact" : "CORRUPTED");
	ret = memcmp(rx, packet, 24) != 0 || !intact;
out:
	kfree(neighbour);
	kfree(rx);
	minalign_device_destroy(dev); /* releases devm_* resources, reports live mappings */
	minalign_exit();
	return ret;
}
