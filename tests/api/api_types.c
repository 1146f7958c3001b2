/* SPDX-License-Identifier: MIT */
/*
 * tests/api/api_types.c - the run-time half of the docs/api.md check.
 *
 * The checks themselves are compile-time assertions generated from docs/api.md
 * (cmake/api_check.cmake): this program only exists if every row compiled.  It asserts that
 * the table was not emptied (a parser that found nothing would check nothing) and that one
 * generated translation unit per header was linked in.  namespace.c checks that minalign.h
 * leaves the linux.h names free.
 */
#include <stdio.h>

#ifndef MINALIGN_API_ROWS
#error "MINALIGN_API_ROWS not set"
#endif

int api_types_h_checked(void);
int api_device_h_checked(void);
int api_mm_h_checked(void);
int api_slab_h_checked(void);
int api_dma_mapping_h_checked(void);
int api_scatterlist_h_checked(void);
int api_dmapool_h_checked(void);
int api_swiotlb_h_checked(void);
int api_linux_h_checked(void);
int api_namespace_checked(void);

int main(void)
{
	int headers = api_types_h_checked() + api_device_h_checked() + api_mm_h_checked() +
		      api_slab_h_checked() + api_dma_mapping_h_checked() +
		      api_scatterlist_h_checked() + api_dmapool_h_checked() +
		      api_swiotlb_h_checked() + api_linux_h_checked();

	printf("docs/api.md: %d rows checked in %d headers\n", MINALIGN_API_ROWS, headers);
	if (api_namespace_checked() != 0) {
		fprintf(stderr, "namespace.c: unexpected value\n");
		return 1;
	}
	if (MINALIGN_API_ROWS < 300 || headers != 9) {
		fprintf(stderr, "docs/api.md: expected at least 300 rows in 9 headers\n");
		return 1;
	}
	return 0;
}
