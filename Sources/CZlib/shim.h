// zlib as ShelfGuard sees it from Swift: the label readers inflate compressed PNG text chunks
// (zlib streams), deflated zip entries (raw DEFLATE) and compressed ID3 frames, always into a
// bounded buffer.
//
// inflateInit and inflateInit2 are function-like macros Swift cannot import; they are restated
// here as static inline functions.
#ifndef SHELFGUARD_CZLIB_SHIM_H
#define SHELFGUARD_CZLIB_SHIM_H

#include <zlib.h>

/// inflateInit2(), for a zlib stream (window_bits 15) or raw DEFLATE (window_bits -15).
static inline int sg_inflate_init2(z_streamp stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}

#endif
