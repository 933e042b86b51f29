import Foundation
import ShelfGuardKit

#if canImport(Glibc)
    import Glibc
#endif

/// Everything the command prints goes through here, for two promises:
///
/// - Nothing that came from a bundle, a declaration, a complaint, a registry row or the audit log
///   reaches the terminal raw: text is swept with `SafeText` at this boundary, whatever the
///   command built it from (fields are escaped where they are formatted too, so that a line
///   break inside one cannot fake a line of its own).
/// - A command whose output could not be written does not exit 0: standard output is flushed and
///   checked before the process exits (`Output.exit`), so `shelfguard check … > /dev/full` exits
///   1 and says why. Files are written with `OutputFile`.
///
enum Output {
    /// Text for people on standard output: every control character escaped except the line
    /// breaks and tabs of the layout (`kept`: also the colour codes of check's coloured report).
    static func text(_ text: String, terminator: String = "\n", keeping kept: SafeText.Kept = .lines) {
        put(SafeText.sweep(text + terminator, keeping: kept))
    }

    /// JSON on standard output, with the characters a terminal acts on as `\u` escapes.
    static func json(_ text: String, terminator: String = "\n") {
        put(SafeText.json(text) + terminator)
    }

    /// Pretty, key-sorted JSON of a value, as every command writes it.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        json(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// A message on standard error, a line of its own.
    static func error(_ message: String) {
        putError(SafeText.sweep(message, keeping: .lines) + "\n")
    }

    /// Progress on standard error, drawn again in place with carriage returns on a terminal.
    static func progress(_ text: String) {
        putError(SafeText.sweep(text, keeping: [.newlines, .carriageReturns]))
    }

    /// Keeps `value` until the process exits, never to be freed: for what a command holds to its
    /// end, such as `check`'s feature database, whose thousands of small objects freed one by one
    /// cost 2.2 M instructions of a CI hook, after its report was written. The exit gives the
    /// memory back at once. Only for values whose release does nothing else (no file to close,
    /// no write to finish).
    static func keepUntilExit(_ value: some Sendable) {
        kept.lock.withLock { kept.values.append(value) }
    }

    private final class Kept: @unchecked Sendable {
        let lock = NSLock()
        var values: [any Sendable] = []
    }
    private static let kept = Kept()

    /// Ends the process with `status`, once standard output has reached its file: when it could
    /// not be written (a full disk, /dev/full, a closed descriptor), the command failed, whatever
    /// it decided: exit 1.
    static func exit(_ status: Int32) -> Never {
        var reason = failure
        if let stream = standardOutput {
            if fflush(stream) != 0 && reason == 0 { reason = errno }
            if reason == 0 && ferror(stream) != 0 { reason = EIO }
        }
        if reason != 0 {
            putError("shelfguard: cannot write to standard output: \(String(cString: strerror(reason)))\n")
            Foundation.exit(ExitStatus.toolError.rawValue)
        }
        Foundation.exit(status)
    }

    /// Standard output, buffered; nil when descriptor 1 is closed. Everything the command prints
    /// on standard output goes through this one stream (nothing in ShelfGuard uses C's `stdout`).
    /// Only the main thread prints.
    nonisolated(unsafe) private static let standardOutput: UnsafeMutablePointer<FILE>? = fdopen(STDOUT_FILENO, "w")
    /// The first write's failure (an `errno`), 0 while every write succeeded.
    nonisolated(unsafe) private static var failure: Int32 = 0

    private static func put(_ text: String) {
        guard let stream = standardOutput else {
            if failure == 0 { failure = EBADF }
            return
        }
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            if fwrite(base, 1, bytes.count, stream) < bytes.count && failure == 0 { failure = errno }
        }
    }

    /// Standard error is not buffered, and a message that cannot be written there has nowhere
    /// else to go: it is dropped.
    private static func putError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// `print` would write around the sweep and the check: in this module, text goes through `Output`.
@available(*, unavailable, message: "print with Output.text or Output.json: they escape what came from strangers")
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {}

/// A report's files in their folder (`review`'s batch report, `daily`'s report), the folder made
/// when missing, each file written whole or not at all (`OutputFile`).
enum ReportFolder {
    static func write(_ files: [(name: String, text: String)], to folder: String, what: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ToolError("cannot write the \(what) to \(RawPath.display(folder)): cannot make the folder")
        }
        for file in files {
            do {
                try OutputFile.write(file.text, to: folder + "/" + file.name)
            } catch {
                throw ToolError("cannot write the \(what) to \(RawPath.display(folder)): \(error)")
            }
        }
    }
}
