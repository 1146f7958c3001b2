/* SPDX-License-Identifier: MIT */
/*
 * minalign/minalign.h - the whole public API: include this one header.
 */
#ifndef MINALIGN_MINALIGN_H
#define MINALIGN_MINALIGN_H

#include <minalign/types.h>
#include <minalign/core.h>
#include <minalign/mm.h>
#include <minalign/device.h>
#include <minalign/dma-mapping.h>
#include <minalign/dma-optin.h>
#include <minalign/scatterlist.h>
#include <minalign/dmapool.h>
#include <minalign/swiotlb.h>
#include <minalign/slab.h>

#endif /* MINALIGN_MINALIGN_H */
