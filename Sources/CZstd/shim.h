#ifndef PHAROS_CZSTD_SHIM_H
#define PHAROS_CZSTD_SHIM_H

/* Zstandard: the archive's item texts are compressed with it (zlib rows written before it
   still read). Only the stable API is used. */
#include <zstd.h>

#endif
