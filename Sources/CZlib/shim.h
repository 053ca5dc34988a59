#ifndef PHAROS_CZLIB_SHIM_H
#define PHAROS_CZLIB_SHIM_H

/* zlib, which libcurl and libxml2 already link: compress2() and uncompress() for the
   archive's item texts. */
#include <zlib.h>

#endif
