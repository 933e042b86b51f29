// libdeflate as ShelfGuard sees it from Swift: whole-buffer inflate of deflated zip entries whose
// central-directory record gives their sizes and CRC-32, and its CRC-32 (Debian: libdeflate-dev).
#ifndef SHELFGUARD_CDEFLATE_SHIM_H
#define SHELFGUARD_CDEFLATE_SHIM_H

#include <libdeflate.h>

#endif
