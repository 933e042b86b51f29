#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// libarchive hands back UTF-8 entry names only when the process locale is UTF-8 (otherwise it
/// returns NULL for names it cannot convert). Every entry point that reads bundles calls
/// `ProcessLocale.ensureUTF8()` first; it runs once per process.
public enum ProcessLocale {
    private static let once: Bool = {
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_ALL, name) != nil {
            return true
        }
        return false
    }()

    /// Switches the process to a UTF-8 locale; true when one was available.
    @discardableResult
    public static func ensureUTF8() -> Bool { once }
}
