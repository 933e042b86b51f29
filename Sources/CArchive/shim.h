// The libarchive API as ShelfGuard sees it from Swift.
//
// Swift cannot import libarchive's function-like macros (AE_IFREG and friends) or call
// variadic C functions, so the few values and helpers the bundle reader needs are
// restated here as plain constants and static inline functions.
#ifndef SHELFGUARD_CARCHIVE_SHIM_H
#define SHELFGUARD_CARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

/// File type bits of archive_entry_filetype(), from <archive_entry.h>.
static const unsigned int SG_AE_IFMT = 0170000;
static const unsigned int SG_AE_IFREG = 0100000;
static const unsigned int SG_AE_IFLNK = 0120000;
static const unsigned int SG_AE_IFDIR = 0040000;

/// archive_set_error() is variadic; this passes one preformatted message.
static inline void sg_archive_set_error(struct archive *a, int code, const char *message) {
    archive_set_error(a, code, "%s", message);
}

#endif
