import ShelfGuardKit

#if os(Linux)
    import CMalloc
#endif

/// glibc's allocator set for a process that reads one bundle, or a few, and exits (`check` and
/// `inspect`, which a CI hook or a batch starts once per bundle). By default glibc gives every
/// allocation above 128 KiB its own mapping, returned at `free` (the read and detection buffers,
/// the feature database's tables), and grows each thread's heap 128 KiB at a time: each is a
/// system call that takes the process's memory-map lock for writing, which the other threads'
/// page faults then wait for (the reading, detecting and database-loading threads fault in
/// thousands of pages each in their first milliseconds). Here large blocks come from the heap,
/// which grows 16 MiB at a time and is not trimmed: the memory is returned when the process
/// exits, a few milliseconds later. Long-running commands (`review`, `worker`, `serve`) keep
/// glibc's defaults, as does a process started with `GLIBC_TUNABLES` set (the operator's own
/// choice of these settings).
enum MallocTuning {
    /// Largest block served from the heap; larger ones still get a mapping of their own.
    static let mmapThreshold: Int32 = 32 << 20
    /// How much more than asked a heap grows by.
    static let topPad: Int32 = 16 << 20
    /// Free memory at a heap's top kept rather than returned.
    static let trimThreshold: Int32 = 512 << 20

    /// The settings (`mallopt` parameter, value) for the command `arguments` name (the command
    /// line after `shelfguard`); none for a long-running command or when `GLIBC_TUNABLES` is set.
    static func settings(arguments: [String], tunables: String?) -> [(parameter: Int32, value: Int32)] {
        #if os(Linux)
            guard tunables == nil, arguments.first == "check" || arguments.first == "inspect" else { return [] }
            return [(M_MMAP_THRESHOLD, mmapThreshold), (M_TOP_PAD, topPad), (M_TRIM_THRESHOLD, trimThreshold)]
        #else
            return []
        #endif
    }

    /// Applies `settings`, before any thread starts. (glibc 2.36 takes any value of these three:
    /// `mallopt` has nothing to refuse.)
    static func apply(_ settings: [(parameter: Int32, value: Int32)]) {
        #if os(Linux)
            for setting in settings { _ = mallopt(setting.parameter, setting.value) }
        #endif
    }
}
