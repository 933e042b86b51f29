import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bundles and declarations that arrive over the network (`POST /v1/reviews`): written to the
/// store as they come, never held whole in memory, kept under their digest only once complete.
extension BundleStore {
    /// Why an upload was not kept.
    public enum UploadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// More bytes came than the limit allows: nothing was kept.
        case tooLarge(limit: Int64)
        /// The file system refused (a full disk, a folder that cannot be made).
        case failed(String)

        public var description: String {
            switch self {
            case .tooLarge(let limit): "the file is larger than \(ByteCount.format(limit))"
            case .failed(let message): message
            }
        }
    }

    /// Starts an upload of at most `limit` bytes: a temporary file in the store's folder, which
    /// `finish` renames to the bundle's place and `discard` (or dropping the upload) removes.
    public func upload(limit: Int64) throws(UploadError) -> Upload {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .failed("cannot make the bundle store \(directory): \(error.localizedDescription)")
        }
        let temporary = (directory as NSString).appendingPathComponent(
            ".upload.\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp")
        let descriptor = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .failed("cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        return Upload(store: self, temporary: temporary, descriptor: descriptor, limit: limit)
    }

    /// One bundle being written: chunks in, hashed as they go; `finish` makes it durable (fsync)
    /// and puts it under its SHA-256 (rename), or finds the same bytes kept already. Used by one
    /// task at a time.
    public final class Upload: @unchecked Sendable {
        public let limit: Int64
        /// Bytes written so far.
        public private(set) var size: Int64 = 0
        let store: BundleStore
        let temporary: String
        private var descriptor: Int32
        private var hasher = SHA256()

        init(store: BundleStore, temporary: String, descriptor: Int32, limit: Int64) {
            self.store = store
            self.temporary = temporary
            self.descriptor = descriptor
            self.limit = limit
        }

        deinit { discard() }

        /// Appends bytes; past the limit the upload is discarded and `tooLarge` thrown.
        public func write(_ bytes: UnsafeRawBufferPointer) throws(UploadError) {
            guard descriptor >= 0 else { throw .failed("the upload was discarded") }
            guard size + Int64(bytes.count) <= limit else {
                discard()
                throw .tooLarge(limit: limit)
            }
            hasher.update(bufferPointer: bytes)
            var written = 0
            while written < bytes.count {
                let n = systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    let reason = String(cString: strerror(errno))
                    discard()
                    throw .failed("cannot write \(temporary): \(reason)")
                }
                written += n
            }
            size += Int64(bytes.count)
        }

        /// Appends a chunk as it came off the network.
        public func write(_ chunk: ArraySlice<UInt8>) throws(UploadError) {
            let failure: UploadError? = chunk.withUnsafeBytes { raw in
                do throws(UploadError) {
                    try write(raw)
                    return nil
                } catch { return error }
            }
            if let failure { throw failure }
        }

        /// Copies an open file's bytes in: a clone where the file system can (then read back,
        /// to hash them), else a megabyte at a time.
        func copy(from input: Int32, source: String) throws(UploadError) {
            guard descriptor >= 0 else { throw .failed("the upload was discarded") }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            if size == 0 && BundleStore.clone(input, to: descriptor) {
                while true {
                    let n = pread(descriptor, buffer.baseAddress, buffer.count, off_t(size))
                    if n < 0 && errno == EINTR { continue }
                    guard n >= 0 else {
                        throw .failed("cannot read back \(temporary): \(String(cString: strerror(errno)))")
                    }
                    if n == 0 { return }
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<n]))
                    size += Int64(n)
                }
            }
            while true {
                let n = read(input, buffer.baseAddress, buffer.count)
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else {
                    throw .failed("cannot read \(RawPath.display(source)): \(String(cString: strerror(errno)))")
                }
                if n == 0 { return }
                try write(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            }
        }

        /// The identity of the file written so far (see `FileIdentity`).
        var identity: FileIdentity? { descriptor >= 0 ? FileIdentity(descriptor: descriptor) : nil }

        /// The SHA-256 of the bytes written so far.
        public var sha256: String { hasher.finalize().hexString }

        /// Makes the bytes durable and keeps them under their digest; returns it and the path.
        public func finish() throws(UploadError) -> (sha256: String, path: String) {
            guard descriptor >= 0 else { throw .failed("the upload was discarded") }
            let sha256 = self.sha256
            let target = store.path(of: sha256)
            if store.contains(sha256) {
                discard()
                return (sha256, target)
            }
            try place(at: target)
            return (sha256, target)
        }

        /// Makes the bytes durable, read-only, and renames them to `target` (its folder made).
        func place(at target: String) throws(UploadError) {
            defer { discard() }
            let folder = (target as NSString).deletingLastPathComponent
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw .failed("cannot make the folder \(folder): \(error.localizedDescription)")
            }
            guard fsync(descriptor) == 0, fchmod(descriptor, 0o444) == 0 else {
                throw .failed("cannot finish \(temporary): \(String(cString: strerror(errno)))")
            }
            guard rename(temporary, target) == 0 else {
                throw .failed("cannot rename \(temporary) to \(target): \(String(cString: strerror(errno)))")
            }
        }

        /// Closes and removes the temporary file (nothing once it was renamed).
        public func discard() {
            guard descriptor >= 0 else { return }
            close(descriptor)
            descriptor = -1
            unlink(temporary)
        }
    }

    /// Keeps an uploaded declaration in a folder of its own, named by its digest
    /// (`declarations/<sha256>/declaration.yaml`), so that nothing beside it is taken for the
    /// labeling materials it lists. Returns its digest and path.
    public func keepDeclaration(_ bytes: [UInt8]) throws(UploadError) -> (sha256: String, path: String) {
        let upload = try upload(limit: Int64(bytes.count))
        try upload.write(bytes[...])
        let sha256 = upload.sha256
        let target = (directory as NSString).appendingPathComponent("declarations/\(sha256)/declaration.yaml")
        if RawPath.kind(target) == .regular {
            upload.discard()
        } else {
            try upload.place(at: target)
        }
        return (sha256, target)
    }
}

/// The C library's `write`, which `Upload.write` hides inside the class.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

extension BundleStore {
    /// A submitted file copied into the store before it is reviewed: its digest taken from the
    /// very bytes copied, and the review reads this copy, so that the verdict, the digest and the
    /// bytes kept are one and the same whatever happens to the submitted file meanwhile. One read
    /// of the submitted file and one hash, where hashing it, reading it and copying it (hashed
    /// again) took three. `upload.finish()` keeps it (durable, read-only, under its digest, or
    /// dropped when the same bytes are kept already); dropping it removes it.
    public struct Staged: Sendable {
        public let upload: Upload
        public let sha256: String
        /// The copy's digest with its identity, for the reader to take instead of hashing it.
        public let known: KnownDigest?
        /// The temporary copy: what the review reads.
        public var path: String { upload.temporary }
    }

    /// Copies the regular file at `source` into the store (a clone where the file system can
    /// share blocks copy-on-write, then read back to hash; else the bytes, a megabyte at a time,
    /// hashed as they go).
    public func stage(_ source: String) throws(Failure) -> Staged {
        let input: Int32
        do { input = try RawPath.openRegular(source).descriptor } catch {
            throw Failure(description: error.description)
        }
        defer { close(input) }
        do {
            let upload = try self.upload(limit: Int64.max)
            try upload.copy(from: input, source: source)
            let sha256 = upload.sha256
            return Staged(
                upload: upload, sha256: sha256,
                known: upload.identity.map { KnownDigest(sha256: sha256, identity: $0) })
        } catch {
            throw Failure(description: error.description)
        }
    }

    /// Whether `path` names a bundle this store keeps (`<store>/ab/abcdef….bundle`): read-only
    /// and the store's own, so a review of it needs no copy of its own.
    public func holds(_ path: String) -> Bool {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let name = url.deletingPathExtension().lastPathComponent
        guard url.pathExtension == "bundle", name.count == 64,
            name.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return false }
        return url.path == URL(fileURLWithPath: self.path(of: name)).standardizedFileURL.path
    }
}

extension BundleStore {
    /// The temporary files of uploads and copies that never finished (a process killed while it
    /// wrote one): `.upload.*.tmp` at the top of the store whose last write was more than `age`
    /// seconds before `now`, and the `.upload.*.dir` folders a declaration and its labeling
    /// materials are put together in (by their own time: a folder is filled and renamed within
    /// one request). A live upload writes its file as the bytes come, and a copy staged for
    /// review is kept or removed within that review, so a file idle that long belongs to no
    /// one. Returns the names removed; a store that does not exist yet has none.
    public func sweep(olderThan age: TimeInterval, now: Date) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names.sorted()
        where name.hasPrefix(".upload.") && (name.hasSuffix(".tmp") || name.hasSuffix(".dir")) {
            let path = (directory as NSString).appendingPathComponent(name)
            var info = stat()
            let folder = name.hasSuffix(".dir")
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == (folder ? S_IFDIR : S_IFREG) else { continue }
            #if os(Linux)
                let written = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            #else
                let written = Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
            #endif
            guard now.timeIntervalSince1970 - written > age else { continue }
            if folder {
                guard (try? FileManager.default.removeItem(atPath: path)) != nil else { continue }
            } else {
                guard unlink(path) == 0 else { continue }
            }
            removed.append(name)
        }
        return removed
    }
}
