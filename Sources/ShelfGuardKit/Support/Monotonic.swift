#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A monotonic clock cheap enough to read once per chunk of every entry.
public enum Monotonic {
    /// Nanoseconds since an arbitrary fixed point.
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Seconds from `start` (a reading of `now()`) to now.
    public static func seconds(since start: UInt64) -> Double {
        Double(now() &- start) / 1e9
    }
}
