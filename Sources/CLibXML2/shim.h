#ifndef PHAROS_CLIBXML2_SHIM_H
#define PHAROS_CLIBXML2_SHIM_H

// Debian's libxml2 is built with ICU; its headers would then pull in ICU's UErrorCode, which
// clashes with the copy Foundation carries ("'UErrorCode' has different definitions in
// different modules"). Nothing here needs ICU, so the flag is dropped before the parser headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/xmlerror.h>

// libxml2's deallocator is a mutable global, which Swift 6 will not touch directly.
static inline void pharos_xml_free(void *pointer) {
    xmlFree(pointer);
}

#endif
