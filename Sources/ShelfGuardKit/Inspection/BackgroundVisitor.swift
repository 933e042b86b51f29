import Foundation

/// A visitor that says, without side effects, how much of an entry it needs, so that a background
/// thread can run it while the reader decompresses on this one.
public protocol BackgroundableVisitor: EntryVisitor, Sendable {
    /// How much of an entry the visitor will want: nothing, its first chunk, or all of it.
    func interest(in entry: BundleEntry) -> EntryInterest
}

/// How much of an entry a visitor needs.
public enum EntryInterest: Sendable {
    case none
    case head
    case all
}

/// Runs a visitor on a second thread, fed through a bounded queue: the reader decompresses on one
/// core while the detector scans on the other. Chunks are copied (a chunk is valid only during the
/// reader's call); at most `capacity` events wait in the queue, so memory stays bounded.
struct BackgroundVisitor<Inner: BackgroundableVisitor>: EntryVisitor {
    private let channel: Channel
    /// A copy kept on this thread to answer `interest`, which reads only configuration.
    private let probe: Inner
    private var interest = EntryInterest.none
    private var sentHead = false
    private var finished = false

    init(_ inner: Inner, capacity: Int = 32) {
        probe = inner
        channel = Channel(inner: inner, capacity: capacity)
        let channel = self.channel
        let thread = Thread { channel.work() }
        thread.name = "shelfguard-detector"
        thread.start()
    }

    mutating func wantsContent(of entry: BundleEntry) -> Bool {
        interest = probe.interest(in: entry)
        sentHead = false
        channel.send(.begin(entry))
        return interest != .none
    }

    mutating func consume(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) {
        switch interest {
        case .none: return
        case .head where sentHead: return
        default: break
        }
        sentHead = true
        channel.send(.chunk(Array(chunk), entry))
    }

    mutating func finish(_ entry: BundleEntry, complete: Bool) {
        channel.send(.finish(entry, complete))
        interest = .none
    }

    /// Waits for the background thread to drain the queue and returns the visitor as it ended.
    mutating func join() -> Inner {
        if !finished {
            finished = true
            channel.send(.done)
            channel.done.wait()
        }
        return channel.inner
    }

    enum Event: Sendable {
        case begin(BundleEntry)
        case chunk([UInt8], BundleEntry)
        case finish(BundleEntry, Bool)
        case done
    }

    /// The bounded queue between the two threads. `inner` belongs to the worker while it runs and
    /// to the caller after `done`; the condition's lock orders every hand-over. A side is woken only
    /// when it waits (the queue was full or empty): a bundle of 40,000 small entries would otherwise
    /// pay a wake-up system call for each of its events.
    final class Channel: @unchecked Sendable {
        var inner: Inner
        private let capacity: Int
        private var queue: [Event] = []
        private var head = 0
        private let condition = NSCondition()
        /// Which side waits on `condition` (never both: one waits for room, the other for events).
        private var senderWaits = false
        private var receiverWaits = false
        let done = DispatchSemaphore(value: 0)

        init(inner: Inner, capacity: Int) {
            self.inner = inner
            self.capacity = capacity
            queue.reserveCapacity(capacity)
        }

        func send(_ event: Event) {
            condition.lock()
            while queue.count - head >= capacity {
                senderWaits = true
                condition.wait()
            }
            senderWaits = false
            if head > capacity {
                queue.removeFirst(head)
                head = 0
            }
            queue.append(event)
            if receiverWaits { condition.signal() }
            condition.unlock()
        }

        private func receive() -> Event {
            condition.lock()
            while head == queue.count {
                receiverWaits = true
                condition.wait()
            }
            receiverWaits = false
            let event = queue[head]
            head += 1
            if senderWaits { condition.signal() }
            condition.unlock()
            return event
        }

        func work() {
            while true {
                switch receive() {
                case .begin(let entry):
                    _ = inner.wantsContent(of: entry)
                case .chunk(let bytes, let entry):
                    bytes.withUnsafeBytes { inner.consume($0, of: entry) }
                case .finish(let entry, let complete):
                    inner.finish(entry, complete: complete)
                case .done:
                    done.signal()
                    return
                }
            }
        }
    }
}
