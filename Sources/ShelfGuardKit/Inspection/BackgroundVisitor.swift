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
/// reader's call); at most `capacity` events, each with one chunk at most, wait in the queue, so
/// memory stays bounded.
///
/// The visitor may also be built on the second thread (`init(building:)`): `inspect` starts
/// reading while the feature database is still loading. Until the worker has it, every entry's
/// bytes are sent (which entries it wants is the visitor's to say), and the queue holds up to
/// `pendingEvents` events and `pendingBytes` bytes of chunks; the visitor, once built, takes the
/// entries as it would have from the start. The caller chooses the bytes by the bundle's size
/// (`Inspector.pendingBytes`): they are copies into fresh memory, worth it while a small bundle's
/// reading would otherwise stop for the detector, not for the first megabytes of a big one.
///
/// The copies go into buffers the worker hands back once it has scanned them, so that the same
/// memory carries chunk after chunk. A fresh buffer for each chunk (libarchive gives up to 256 KiB
/// at a time) made the allocator hand out, and the kernel fault in, new pages again and again:
/// on a virtual machine each first touch of a page costs about 2 µs, and those copies were a
/// quarter of `check`'s page faults.
struct BackgroundVisitor<Inner: BackgroundableVisitor>: EntryVisitor {
    private let channel: Channel
    /// A copy kept on this thread to answer `interest`, which reads only configuration; nil while
    /// the worker is still building the visitor.
    private var probe: Inner?
    private var interest = EntryInterest.none
    private var sentHead = false
    private var finished = false

    /// Runs `inner` on a new thread.
    init(_ inner: Inner, capacity: Int = 32) {
        self.init(probe: inner, capacity: capacity, pendingEvents: capacity) { inner }
    }

    /// Runs the visitor `make` builds, on the new thread, where it is built; nil from `make` (what
    /// it needed could not be had) leaves the bundle's bytes unvisited and `join` returns nil.
    init(
        building make: @escaping @Sendable () -> Inner?, capacity: Int = 32, pendingEvents: Int = 4096,
        pendingBytes: Int = 2 << 20
    ) {
        self.init(
            probe: nil, capacity: capacity, pendingEvents: max(capacity, pendingEvents), pendingBytes: pendingBytes,
            make: make)
    }

    private init(
        probe: Inner?, capacity: Int, pendingEvents: Int, pendingBytes: Int? = nil,
        make: @escaping @Sendable () -> Inner?
    ) {
        self.probe = probe
        channel = Channel(make: make, capacity: capacity, pendingEvents: pendingEvents, pendingBytes: pendingBytes)
        let channel = self.channel
        // A POSIX thread starts sooner than Foundation's `Thread` (see `BackgroundResult`).
        if !DetachedThread.start({ channel.work() }) {
            let thread = Thread { channel.work() }
            thread.name = "shelfguard-detector"
            thread.start()
        }
    }

    mutating func wantsContent(of entry: BundleEntry) -> Bool {
        if probe == nil { probe = channel.built() }
        interest = probe?.interest(in: entry) ?? .all
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
        let buffer = channel.buffer(holding: chunk.count)
        buffer.fill(chunk)
        channel.send(.chunk(buffer, entry))
    }

    mutating func finish(_ entry: BundleEntry, complete: Bool) {
        channel.send(.finish(entry, complete))
        interest = .none
    }

    /// Waits for the background thread to drain the queue and returns the visitor as it ended
    /// (nil when it could not be built).
    mutating func join() -> Inner? {
        if !finished {
            finished = true
            channel.send(.done)
            channel.done.wait()
        }
        return channel.inner
    }

    enum Event: Sendable {
        case begin(BundleEntry)
        case chunk(ChunkBuffer, BundleEntry)
        case finish(BundleEntry, Bool)
        case done
    }

    /// The bounded queue between the two threads. `inner` belongs to the worker while it runs and
    /// to the caller after `done`; the condition's lock orders every hand-over. A side is woken only
    /// when it waits (the queue was full or empty): a bundle of 40,000 small entries would otherwise
    /// pay a wake-up system call for each of its events.
    final class Channel: @unchecked Sendable {
        var inner: Inner?
        private let make: @Sendable () -> Inner?
        private let capacity: Int
        /// Events and bytes of chunks that may wait while the visitor is being built.
        private let pendingEvents: Int
        private let pendingBytes: Int
        /// Events sent and not yet received from `head` on; received slots are emptied, so that
        /// the queue holds no buffer the worker has handed back.
        private var queue: [Event?] = []
        private var head = 0
        /// Bytes of the chunks in the queue.
        private var queuedBytes = 0
        /// Whether the worker has built the visitor (or found it could not), and a copy of it for
        /// the sender's `interest`.
        private var building = true
        private var published: Inner?
        /// Buffers the worker has scanned, for the sender to fill again.
        private var spare: [ChunkBuffer] = []
        private let condition = NSCondition()
        /// Which side waits on `condition` (never both: one waits for room, the other for events).
        private var senderWaits = false
        private var receiverWaits = false
        /// Events waiting before a waiting worker is woken, and the room made before a waiting
        /// sender is: each side wakes the other for a batch, not for every event. One wake-up per
        /// chunk cost a context switch each (2,800 for the 151 MB APK, about a twentieth of the
        /// CPU on this VM), once the detector came to keep up with the reader.
        private var wakeAt: Int { max(1, capacity / 4) }
        let done = DispatchSemaphore(value: 0)

        init(make: @escaping @Sendable () -> Inner?, capacity: Int, pendingEvents: Int, pendingBytes: Int?) {
            self.make = make
            self.capacity = capacity
            self.pendingEvents = pendingEvents
            self.pendingBytes = pendingBytes ?? capacity * ChunkBuffer.standardCapacity
            queue.reserveCapacity(capacity)
        }

        /// The visitor, once the worker has built it; nil before (or when it could not be).
        func built() -> Inner? {
            condition.lock()
            defer { condition.unlock() }
            return published
        }

        /// A spare buffer with room for `count` bytes, or a new one.
        func buffer(holding count: Int) -> ChunkBuffer {
            condition.lock()
            let found = spare.popLast()
            condition.unlock()
            guard let found else { return ChunkBuffer(capacity: max(count, ChunkBuffer.standardCapacity)) }
            found.reserve(count)
            return found
        }

        /// Whether the queue holds more than `fraction` of what it may, with the lock held: events,
        /// and while the visitor is being built, bytes too (each event holds one chunk at most
        /// otherwise). A chunk larger than the limit still goes into an empty queue.
        private func holds(moreThan fraction: Int) -> Bool {
            let waiting = queue.count - head
            guard waiting > 0 else { return false }
            guard building else { return waiting * fraction >= capacity }
            return waiting * fraction >= pendingEvents || queuedBytes * fraction >= pendingBytes
        }

        func send(_ event: Event) {
            condition.lock()
            while holds(moreThan: 1) {
                senderWaits = true
                condition.wait()
            }
            senderWaits = false
            if head > capacity && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            queue.append(event)
            if case .chunk(let buffer, _) = event { queuedBytes += buffer.bytes.count }
            if receiverWaits {
                if case .done = event {
                    condition.signal()
                } else if queue.count - head >= wakeAt {
                    condition.signal()
                }
            }
            condition.unlock()
        }

        /// The next event; `scanned`, the buffer of the last chunk, goes back to the spares (a few
        /// more than the queue holds are kept; the rest freed).
        private func receive(handingBack scanned: ChunkBuffer?) -> Event {
            condition.lock()
            if let scanned, spare.count <= capacity { spare.append(scanned) }
            while head == queue.count {
                receiverWaits = true
                condition.wait()
            }
            receiverWaits = false
            guard let event = queue[head] else { preconditionFailure("an event received twice") }
            queue[head] = nil
            head += 1
            if case .chunk(let buffer, _) = event { queuedBytes -= buffer.bytes.count }
            if senderWaits && !holds(moreThan: 2) { condition.signal() }
            condition.unlock()
            return event
        }

        func work() {
            let made = make()
            condition.lock()
            published = made
            building = false
            condition.unlock()
            inner = made
            var scanned: ChunkBuffer?
            while true {
                let event = receive(handingBack: scanned)
                scanned = nil
                switch event {
                case .begin(let entry):
                    _ = inner?.wantsContent(of: entry)
                case .chunk(let buffer, let entry):
                    inner?.consume(buffer.bytes, of: entry)
                    scanned = buffer
                case .finish(let entry, let complete):
                    inner?.finish(entry, complete: complete)
                case .done:
                    done.signal()
                    return
                }
            }
        }
    }
}

/// The memory one chunk is copied into on its way to the background thread, and used again for
/// later chunks: owned by the sender while it fills it, by the queue and then the worker until
/// the worker hands it back.
final class ChunkBuffer: @unchecked Sendable {
    /// What libarchive's zip reader gives at most at a time.
    static let standardCapacity = 256 << 10
    private var storage: UnsafeMutableRawBufferPointer
    private var count = 0

    init(capacity: Int) {
        storage = .allocate(byteCount: max(capacity, 1), alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Makes room for `count` bytes (what it held is dropped).
    func reserve(_ count: Int) {
        guard count > storage.count else { return }
        storage.deallocate()
        storage = .allocate(byteCount: count, alignment: 16)
    }

    /// Copies `chunk` in, in place of what it held.
    func fill(_ chunk: UnsafeRawBufferPointer) {
        reserve(chunk.count)
        if let source = chunk.baseAddress, let target = storage.baseAddress {
            target.copyMemory(from: source, byteCount: chunk.count)
        }
        count = chunk.count
    }

    /// The bytes it holds.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[..<count]) }
}
