// glibc's allocator settings (mallopt), which its Swift module does not bring: the per-bundle
// commands set them for a process that exits milliseconds later (see MallocTuning.swift).
#ifndef SHELFGUARD_CMALLOC_SHIM_H
#define SHELFGUARD_CMALLOC_SHIM_H

#ifdef __linux__
#include <malloc.h>
#endif

#endif
