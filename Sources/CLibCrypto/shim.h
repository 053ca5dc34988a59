#ifndef PHAROS_CLIBCRYPTO_SHIM_H
#define PHAROS_CLIBCRYPTO_SHIM_H

/* OpenSSL's libcrypto, which libcurl already links: the one-shot SHA256() and HMAC(),
   which OpenSSL 3 keeps (its SHA256_Init/Update/Final are deprecated). */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#endif
