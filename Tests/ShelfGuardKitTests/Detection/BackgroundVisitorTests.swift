import Foundation
import Testing

@testable import ShelfGuardKit

/// The queue between the reader and a detector still being built: what it may hold is bounded,
/// in events and in bytes, and nothing sent while it waits is lost.
@Suite("The detector's queue while the detector is built")
struct BackgroundVisitorTests {
    /// Counts what reaches it.
    struct Counting: BackgroundableVisitor {
        var entries = 0
        var bytes = 0
        func interest(in entry: BundleEntry) -> EntryInterest { .all }
        mutating func wantsContent(of entry: BundleEntry) -> Bool {
            entries += 1
            return true
        }
        mutating func consume(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) { bytes += chunk.count }
    }

    /// A counter shared with the sending thread.
    final class Sent: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add() { lock.withLock { value += 1 } }
        var count: Int { lock.withLock { value } }
    }

    /// Sends `entries` entries of `chunk` bytes each on a thread of its own while the visitor is
    /// held back; returns how many were sent after `milliseconds`, then what reached the visitor.
    static func send(
        entries: Int, chunk: Int, pendingEvents: Int, pendingBytes: Int, milliseconds: Int
    ) -> (sentWhileBuilding: Int, entries: Int, bytes: Int) {
        let gate = DispatchSemaphore(value: 0)
        let sent = Sent()
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable {
            var visitor: BackgroundVisitor<Counting>
            init(_ visitor: BackgroundVisitor<Counting>) { self.visitor = visitor }
        }
        let box = Box(
            BackgroundVisitor<Counting>(
                building: {
                    gate.wait()
                    return Counting()
                }, pendingEvents: pendingEvents, pendingBytes: pendingBytes))
        Thread.detachNewThread {
            let bytes = [UInt8](repeating: 7, count: chunk)
            for i in 0..<entries {
                let entry = BundleEntry(chain: ["e\(i)"], size: Int64(chunk), kind: .binary)
                _ = box.visitor.wantsContent(of: entry)
                if chunk > 0 { bytes.withUnsafeBytes { box.visitor.consume($0, of: entry) } }
                box.visitor.finish(entry, complete: true)
                sent.add()
            }
            done.signal()
        }
        // A sleeping thread's time, not a libdispatch timer (none fires under libfaketime).
        usleep(UInt32(milliseconds * 1000))
        let sentWhileBuilding = sent.count
        gate.signal()
        done.wait()
        let inner = box.visitor.join()
        return (sentWhileBuilding, inner?.entries ?? -1, inner?.bytes ?? -1)
    }

    @Test("bytes: chunks past the pending bytes wait for the detector, and all reach it")
    func bytes() {
        // 1 MiB chunks, 2 MiB pending: the second chunk fills the queue, so at most two entries
        // are through while the detector is held back.
        let result = Self.send(
            entries: 12, chunk: 1 << 20, pendingEvents: 4096, pendingBytes: 2 << 20, milliseconds: 100)
        #expect(result.sentWhileBuilding <= 2)
        #expect(result.entries == 12 && result.bytes == 12 << 20)
    }

    @Test("events: entries past the pending events wait for the detector, and all reach it")
    func events() {
        // Each entry is three events (begin, chunk, finish); 64 events hold 21 entries.
        let result = Self.send(entries: 200, chunk: 10, pendingEvents: 64, pendingBytes: 8 << 20, milliseconds: 100)
        #expect(result.sentWhileBuilding <= 64 / 3)
        #expect(result.entries == 200 && result.bytes == 2_000)
    }
}
