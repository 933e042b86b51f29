import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes the files commands are asked for (`check -o`, the batch and daily reports) so that a
/// failure can never look like success: a report that could not be written completely is not
/// left behind half written, and the command says so and exits 1.
///
/// A regular file (or a path that does not exist yet) is written to a temporary file in the same
/// folder, every write checked, synced to disk and closed, and only then renamed over the
/// target: readers see the old file or the new one, never a part. When anything fails the
/// temporary file is removed and the old file is left as it was.
///
/// A target that is not a regular file cannot be renamed over: a device (`/dev/full`,
/// `/dev/null`), a FIFO, or a path under /dev or /proc (`/dev/stdout`, `/dev/fd/3`, which may
/// lead to the file the shell redirected to). Those are written in place, appending, with every
/// write checked just the same. A symbolic link elsewhere is followed: its target is replaced
/// and the link kept.
public enum OutputFile {
    /// Why a file could not be written.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// The path as given.
        public var path: String
        /// What went wrong, in the system's words: "No space left on device".
        public var reason: String

        public var description: String { "cannot write \(RawPath.display(path)): \(reason)" }
    }

    /// Writes `text` as UTF-8 to `path`.
    public static func write(_ text: String, to path: String) throws(Failure) {
        var text = text
        if let failure = text.withUTF8({ put(UnsafeRawBufferPointer($0), to: path) }) { throw failure }
    }

    /// Writes `bytes` to `path`.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws(Failure) {
        if let failure = put(bytes, to: path) { throw failure }
    }

    private static func put(_ bytes: UnsafeRawBufferPointer, to path: String) -> Failure? {
        func fail(_ reason: String) -> Failure { Failure(path: path, reason: reason) }
        let target = resolved(path)
        if writtenInPlace(target) {
            let descriptor = RawPath.withCString(target) { open($0, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY) }
            guard descriptor >= 0 else { return fail(lastError()) }
            if let problem = writeAll(bytes, to: descriptor) {
                close(descriptor)
                return fail(problem)
            }
            guard close(descriptor) == 0 else { return fail(lastError()) }
            return nil
        }
        let folder = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        let temporary =
            (folder.isEmpty ? "" : folder + "/") + ".\(name).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = RawPath.withCString(temporary) {
            open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0o666)
        }
        guard descriptor >= 0 else { return fail(lastError()) }
        // A file replaced keeps its permissions.
        var existing = stat()
        if RawPath.withCString(target, { stat($0, &existing) }) == 0 {
            _ = fchmod(descriptor, existing.st_mode & 0o7777)
        }
        var problem = writeAll(bytes, to: descriptor)
        if problem == nil, fsync(descriptor) != 0 { problem = lastError() }
        if close(descriptor) != 0, problem == nil { problem = lastError() }
        if problem == nil,
            RawPath.withCString(temporary, { from in RawPath.withCString(target) { rename(from, $0) } })
                != 0
        {
            problem = lastError()
        }
        if let problem {
            _ = RawPath.withCString(temporary) { unlink($0) }
            return fail(problem)
        }
        // The rename itself reaches the disk with the folder's entry.
        let directory = RawPath.withCString(folder.isEmpty ? "." : folder) { open($0, O_RDONLY | O_CLOEXEC) }
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
        return nil
    }

    /// The path whose file is replaced: a symbolic link's target (the link is kept), except for
    /// paths under /dev and /proc, which are written in place as they are named.
    static func resolved(_ path: String) -> String {
        guard !isSpecialFolder(path), let real = RawPath.withCString(path, { realpath($0, nil) }) else { return path }
        defer { free(real) }
        let resolved = RawPath.decode(UnsafeRawBufferPointer(start: real, count: strlen(real)))
        return resolved
    }

    /// Whether `path` is written in place rather than replaced: it is under /dev or /proc, or
    /// it exists and is not a regular file.
    static func writtenInPlace(_ path: String) -> Bool {
        if isSpecialFolder(path) { return true }
        let kind = RawPath.kind(path)
        return kind != .missing && kind != .regular
    }

    private static func isSpecialFolder(_ path: String) -> Bool {
        path.hasPrefix("/dev/") || path.hasPrefix("/proc/")
    }

    /// Writes every byte, through short writes and interruptions; the reason when a write fails.
    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> String? {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return lastError()
            }
            if written == 0 { return "the write made no progress" }
            offset += written
        }
        return nil
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// `write(2)`, by a name the `write` methods above do not hide.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
