import Foundation

/// Where a bundle writer puts its bytes: memory for test fixtures, a file for large bundles.
public protocol ByteSink: AnyObject {
    /// Bytes written so far: the offset of the next byte.
    var count: Int64 { get }
    func write(_ bytes: UnsafeRawBufferPointer)
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) { bytes.withUnsafeBytes { write($0) } }
}

/// A growing byte array.
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public var count: Int64 { Int64(bytes.count) }

    public init() {}

    public func write(_ buffer: UnsafeRawBufferPointer) { bytes.append(contentsOf: buffer) }
}

/// A file written through a buffer; call `close()` when done.
public final class FileSink: ByteSink {
    private let handle: FileHandle
    private var pending: [UInt8] = []
    public private(set) var count: Int64 = 0
    private static let flushSize = 4 << 20

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        pending.reserveCapacity(FileSink.flushSize)
    }

    public func write(_ buffer: UnsafeRawBufferPointer) {
        pending.append(contentsOf: buffer)
        count += Int64(buffer.count)
        if pending.count >= FileSink.flushSize { flush() }
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        handle.write(Data(pending))
        pending.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        flush()
        try handle.close()
    }
}
