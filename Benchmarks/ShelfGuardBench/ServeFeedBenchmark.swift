import ArgumentParser
import BundleFactory
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 15's load test: the release `shelfguard serve` on 127.0.0.1 with a hundred storefronts
/// polling its feed while reviews run into the same database and an officer posts a measure
/// every second. Three phases of a fixed duration each, every run: `GET /healthz` (no database
/// work: the baseline), the feed polled without waiting (what a poll costs), and the feed
/// long-polled (`wait`) with the measures (how soon a storefront learns of a takedown). The
/// client is this process: one keep-alive connection per poller, on the same two cores.
struct ServeFeedBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-feed",
        abstract:
            "Load-test shelfguard serve: feed polling throughput and latency with many pollers while reviews run.",
        discussion: """
            Per run: /healthz in a closed loop (the baseline), GET /v1/feed?since=CURSOR in a closed loop, then \
            GET /v1/feed?since=CURSOR&wait=SECONDS long polls following the cursor while an officer key posts \
            POST /v1/measures (take_down and reinstate of one app, in turn) every --measure-every seconds. \
            Throughout, a `shelfguard review` child reviews a generated batch into the same database, again and \
            again (each round changes the declarations, so that every review is done and recorded anew). \
            Reported: requests a second, p50/p90/p99 of each request's time, and the notify latency: from the \
            officer's request sent to each poller holding the event.
            """)

    @Option(help: "Concurrent pollers, each with its own keep-alive connection (1–1000).")
    var pollers = 100

    @Option(help: "Seconds each phase runs (1–600).")
    var duration = 20.0

    @Option(help: "The wait of each long poll, in seconds (1–30; the server cuts it to its --max-wait).")
    var wait = 10.0

    @Option(help: "Seconds between the officer's measures in the long-poll phase (0.1–60).")
    var measureEvery = 1.0

    @Option(
        help:
            "The longest one request may take before it counts as failed and its connection is closed, in seconds (must be more than --wait; at most 120)."
    )
    var timeout = 30.0

    @Option(help: "Runs of the three phases (the median of each figure is reported).")
    var runs = 3

    @Option(help: "Bundles in the batch the review child reviews round after round (0: no reviews run).")
    var reviewBundles = 40

    @Option(help: "The shelfguard executable.")
    var shelfguard = ".build/release/shelfguard"

    @Option(help: "Folder for the database, the batch and the server's log.")
    var workDirectory = ".build/bench-serve"

    @Option(help: "The samples reviewed first, so that the shelf has apps to take down.")
    var samples = "samples"

    @Option(help: "The app the officer takes down and reinstates (one of the samples).")
    var app = "com.example.calculator"

    @OptionGroup var postgresOption: PostgresOption

    func validate() throws {
        guard (1...1000).contains(pollers) else { throw ValidationError("--pollers must be between 1 and 1000") }
        guard duration >= 1 && duration <= 600 else { throw ValidationError("--duration must be 1–600 seconds") }
        guard wait >= 1 && wait <= 30 else { throw ValidationError("--wait must be 1–30 seconds") }
        guard measureEvery >= 0.1 && measureEvery <= 60 else {
            throw ValidationError("--measure-every must be 0.1–60 seconds")
        }
        guard timeout > wait && timeout <= 120 else {
            throw ValidationError("--timeout must be more than --wait and at most 120 seconds")
        }
        guard (1...20).contains(runs) else { throw ValidationError("--runs must be 1–20") }
        guard (0...2000).contains(reviewBundles) else { throw ValidationError("--review-bundles must be 0–2000") }
    }

    func run() throws {
        let done = DispatchSemaphore(value: 0)
        let failure = ErrorBox()
        let benchmark = self
        // The client's connections on one event-loop thread: the rest of the machine is the server's.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        Task {
            do { try await benchmark.runAll(group: group) } catch { failure.error = error }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw error }
    }

    final class ErrorBox: @unchecked Sendable { var error: (any Error)? }

    // MARK: The shelf, the keys, the server, the reviews

    /// Where the shelf is: the `--db` argument of every command.
    func prepareDatabase() throws -> (db: String, postgres: PostgresServer?) {
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        if let postgres = try postgresOption.server() {
            let name = "shelfguard_bench_serve"
            try? postgres.drop(database: name)
            try postgres.create(database: name)
            return (postgres.url(database: name), postgres)
        }
        let db = "\(workDirectory)/shelf.db"
        ShelfGenerator.remove(database: db)
        return (db, nil)
    }

    func command(_ arguments: [String]) throws -> String {
        let (output, status) = try ChildProcess.output(shelfguard, arguments)
        guard status == 0 else {
            throw BenchError("shelfguard \(arguments.joined(separator: " ")) failed (\(status))")
        }
        return output
    }

    func key(role: String, db: String) throws -> String {
        let output = try command(["keys", "create", "--role", role, "--name", "bench-\(role)", "--db", db])
        guard let secret = output.split(whereSeparator: \.isWhitespace).last, secret.hasPrefix("sgk_") else {
            throw BenchError("keys create printed no key: \(output)")
        }
        return String(secret)
    }

    /// Starts `shelfguard serve --port 0` and returns it with the port it printed.
    func startServer(db: String) throws -> (ChildProcess.Started, Int) {
        let log = "\(workDirectory)/serve.log"
        let server = try ChildProcess.start(
            shelfguard, ["serve", "--host", "127.0.0.1", "--port", "0", "--db", db], stderr: log)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), text[range.upperBound...].dropFirst(digits.count).first == "\n" {
                    return (server, port)
                }
            }
            var status: Int32 = 0
            if waitpid(server.pid, &status, WNOHANG) == server.pid {
                throw BenchError("shelfguard serve ended before listening: \(text.suffix(2000))")
            }
            usleep(50_000)
        }
        kill(server.pid, SIGKILL)
        throw BenchError("shelfguard serve did not listen within 60 s")
    }

    /// The batch the review child reviews: generated once, like the review benchmark's.
    func batch() throws -> String? {
        guard reviewBundles > 0 else { return nil }
        let folder = "\(workDirectory)/batch-\(reviewBundles)"
        let marker = "\(folder)/.complete"
        if !FileManager.default.fileExists(atPath: marker) {
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for i in 0..<reviewBundles {
                let s = BatchBundles.submission(i, scale: 1)
                try Data(s.bytes).write(to: URL(fileURLWithPath: "\(folder)/\(s.name)"))
                try s.declaration.write(
                    toFile: "\(folder)/\(s.name).declaration.yaml", atomically: true, encoding: .utf8)
            }
            FileManager.default.createFile(atPath: marker, contents: nil)
        }
        return folder
    }

    /// Reviews the batch into the shelf round after round until `stop`, each round with its
    /// declarations changed by a comment (a new declaration is a new review, done in full).
    final class ReviewLoop: @unchecked Sendable {
        private let lock = NSLock()
        private var stopping = false
        private var child: pid_t?
        private(set) var rounds = 0
        private(set) var failures = 0
        private let thread: Thread

        init(benchmark: ServeFeedBenchmark, folder: String, db: String) {
            let box = Box()
            thread = Thread {
                box.loop?.run(benchmark, folder, db)
            }
            box.loop = self
            thread.start()
        }

        final class Box: @unchecked Sendable { weak var loop: ReviewLoop? }

        private func run(_ benchmark: ServeFeedBenchmark, _ folder: String, _ db: String) {
            let declarations =
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
                    $0.hasSuffix(".declaration.yaml")
                }
            var originals: [String: String] = [:]
            for name in declarations {
                originals[name] = try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8)
            }
            var round = 0
            while !lock.withLock({ stopping }) {
                round += 1
                for (name, text) in originals {
                    try? (text + "\n# load-test round \(round) \(UUID().uuidString)\n").write(
                        toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
                }
                let started = try? ChildProcess.start(
                    benchmark.shelfguard,
                    [
                        "review", "--db", db, "--jobs", "1", "--as-of", "2026-11-24", "--no-progress",
                        "--report-dir", "\(benchmark.workDirectory)/review-report", folder,
                    ], stderr: "\(benchmark.workDirectory)/review.log")
                guard let started else {
                    lock.withLock { failures += 1 }
                    return
                }
                lock.withLock { child = started.pid }
                let run = try? ChildProcess.wait(started)
                lock.withLock {
                    child = nil
                    if let run, run.exitStatus == 0 || run.exitStatus == 2 { rounds += 1 } else { failures += 1 }
                }
            }
        }

        /// Stops the review running now (SIGTERM) and the loop.
        func stop() {
            lock.withLock {
                stopping = true
                if let child { kill(child, SIGTERM) }
            }
            while thread.isExecuting { usleep(20_000) }
        }

        var counts: (rounds: Int, failures: Int) { lock.withLock { (rounds, failures) } }
    }

    // MARK: The run

    struct PhaseFigures {
        var requests = 0
        var failures = 0
        var seconds = 0.0
        var latencies: [Double] = []
        var notify: [Double] = []
        var missed = 0
        var measures = 0
        /// Each measure's event as a poller first held it: the measure's number, seconds into the phase.
        var seen: [(measure: Int, at: Double)] = []
        var perSecond: Double { Double(requests) / max(seconds, 0.001) }
    }

    func runAll(group: MultiThreadedEventLoopGroup) async throws {
        guard FileManager.default.isExecutableFile(atPath: shelfguard) else {
            throw BenchError("no \(shelfguard): swift build -c release --product shelfguard")
        }
        let (db, postgres) = try prepareDatabase()
        let reviewed = try ChildProcess.run(
            shelfguard,
            [
                "review", "--db", db, "--as-of", "2026-11-24", "--no-progress", "--report-dir",
                "\(workDirectory)/samples-report", samples,
            ], stderr: "\(workDirectory)/samples-review.log")
        guard reviewed.exitStatus == 0 || reviewed.exitStatus == 2 else {
            throw BenchError(
                "the review of \(samples) failed (\(reviewed.exitStatus)): see \(workDirectory)/samples-review.log")
        }
        let storefront = try key(role: "storefront", db: db)
        let officer = try key(role: "officer", db: db)
        let folder = try batch()
        let (server, port) = try startServer(db: db)
        let loop = folder.map { ReviewLoop(benchmark: self, folder: $0, db: db) }
        defer {
            loop?.stop()
            kill(server.pid, SIGTERM)
            _ = try? ChildProcess.wait(server)
            if let postgres { try? postgres.drop(database: "shelfguard_bench_serve") }
        }
        print(
            "Serve benchmark: shelfguard serve on 127.0.0.1 (\(postgres == nil ? "SQLite" : "PostgreSQL")), \(pollers) pollers with a keep-alive connection each, \(Int(duration)) s a phase, \(runs) runs, \(ProcessInfo.processInfo.activeProcessorCount) cores shared by the server, this client and \(folder == nil ? "no reviews" : "a review child (\(reviewBundles) bundles a round, --jobs 1)")."
        )
        print(
            "Long polls: wait=\(Int(wait)), one measure every \(measureEvery) s; notify latency from the measure's request sent to each poller holding its event."
        )
        var health: [PhaseFigures] = []
        var feed: [PhaseFigures] = []
        var long: [PhaseFigures] = []
        for run in 1...runs {
            let h = try await phase(.health, port: port, group: group, storefront: storefront, officer: officer)
            let f = try await phase(.feed, port: port, group: group, storefront: storefront, officer: officer)
            let l = try await phase(.longPoll, port: port, group: group, storefront: storefront, officer: officer)
            health.append(h)
            feed.append(f)
            long.append(l)
            print(
                String(
                    format: "run %d: /healthz %.0f req/s, feed %.0f req/s, long polls %.0f req/s, notify p99 %@",
                    run, h.perSecond, f.perSecond, l.perSecond, Self.ms(Self.percentile(l.notify, 0.99))))
        }
        let reviews = loop?.counts
        print("")
        print("| phase | requests/s | p50 | p90 | p99 | failed | notify p50 | notify p99 | missed |")
        print("|---|---|---|---|---|---|---|---|---|")
        for (name, figures) in [
            ("GET /healthz (baseline)", health), ("GET /v1/feed", feed), ("GET /v1/feed?wait (long poll)", long),
        ] {
            func median(_ value: (PhaseFigures) -> Double) -> Double { Summary(figures.map(value)).median }
            let notify = figures.contains { !$0.notify.isEmpty }
            print(
                "| \(name) | \(String(format: "%.0f", median(\.perSecond))) | \(Self.ms(median { Self.percentile($0.latencies, 0.5) })) | \(Self.ms(median { Self.percentile($0.latencies, 0.9) })) | \(Self.ms(median { Self.percentile($0.latencies, 0.99) })) | \(figures.map(\.failures).reduce(0, +)) | \(notify ? Self.ms(median { Self.percentile($0.notify, 0.5) }) : "–") | \(notify ? Self.ms(median { Self.percentile($0.notify, 0.99) }) : "–") | \(notify ? String(figures.map(\.missed).reduce(0, +)) : "–") |"
            )
        }
        let ratio = Summary(health.map(\.perSecond)).median / max(Summary(feed.map(\.perSecond)).median, 0.001)
        print(
            String(format: "Feed polls cost %.1f × a /healthz request (throughput ratio of the medians).", ratio))
        if let reviews {
            print(
                "Review child: \(reviews.rounds) rounds of \(reviewBundles) bundles finished, \(reviews.failures) failed, during the runs."
            )
        }
    }

    enum Phase { case health, feed, longPoll }

    /// One phase: the pollers (and for long polls the officer) for `duration` seconds.
    func phase(
        _ phase: Phase, port: Int, group: MultiThreadedEventLoopGroup, storefront: String, officer: String
    ) async throws -> PhaseFigures {
        let start = ContinuousClock.now
        let end = start + .seconds(duration)
        let clock = Stopwatch(start)
        // The cursor now: the pollers start from the end of the feed, as storefronts up to date do.
        let head = try await HTTPClientConnection.with(port: port, group: group) {
            try await $0.get("/v1/feed?since=0&limit=100000", key: storefront, timeout: timeout)
        }
        let cursor =
            (try? JSONSerialization.jsonObject(with: Data(head.body)) as? [String: Any])?["cursor"] as? String ?? "0"
        let sent = SentTimes()
        let results = try await withThrowingTaskGroup(of: PhaseFigures.self) { tasks in
            for _ in 0..<pollers {
                tasks.addTask {
                    try await self.poller(
                        phase, port: port, group: group, key: storefront, cursor: cursor, until: end, clock: clock)
                }
            }
            if phase == .longPoll {
                tasks.addTask {
                    try await self.officer(port: port, group: group, key: officer, until: end, clock: clock, sent: sent)
                    return PhaseFigures()
                }
            }
            var total = PhaseFigures()
            for try await figures in tasks {
                total.requests += figures.requests
                total.failures += figures.failures
                total.latencies += figures.latencies
                total.seen += figures.seen
            }
            return total
        }
        var figures = results
        figures.seconds = duration
        if phase == .longPoll {
            let times = await sent.times
            figures.notify = figures.seen.compactMap { seen in times[seen.measure].map { seen.at - $0 } }
            // Measures sent in the phase's last two seconds may come after a poller's last poll.
            let counted = times.filter { $0.value < duration - 2 }.keys
            let seenBy = Dictionary(grouping: figures.seen, by: \.measure).mapValues(\.count)
            figures.missed = counted.reduce(0) { $0 + max(0, pollers - (seenBy[$1] ?? 0)) }
            figures.measures = times.count
        }
        return figures
    }

    /// One poller: requests in a closed loop until `end`, following the feed's cursor; with
    /// long polls, notes when it first holds each measure's event. A failed request closes its
    /// connection; the next one opens another.
    func poller(
        _ phase: Phase, port: Int, group: MultiThreadedEventLoopGroup, key: String, cursor start: String,
        until end: ContinuousClock.Instant, clock: Stopwatch
    ) async throws -> PhaseFigures {
        var figures = PhaseFigures()
        var cursor = start
        while ContinuousClock.now < end {
            do {
                try await HTTPClientConnection.with(port: port, group: group) { connection in
                    while ContinuousClock.now < end {
                        let path: String =
                            switch phase {
                            case .health: "/healthz"
                            case .feed: "/v1/feed?since=\(cursor)"
                            case .longPoll: "/v1/feed?since=\(cursor)&wait=\(Int(wait))"
                            }
                        let began = ContinuousClock.now
                        let response = try await connection.get(
                            path, key: phase == .health ? nil : key, timeout: timeout)
                        let at = ContinuousClock.now
                        // Polls still open at the end were woken by the officer's last measure: not counted.
                        guard at <= end else { break }
                        guard response.status == 200 else {
                            figures.failures += 1
                            continue
                        }
                        figures.requests += 1
                        figures.latencies.append(clock.seconds(at: at) - clock.seconds(at: began))
                        guard phase != .health else { continue }
                        let page = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
                        cursor = page["cursor"] as? String ?? cursor
                        guard phase == .longPoll else { continue }
                        for event in page["events"] as? [[String: Any]] ?? [] {
                            guard let reason = event["reason"] as? String, reason.hasPrefix(Self.reasonPrefix),
                                let measure = Int(reason.dropFirst(Self.reasonPrefix.count))
                            else { continue }
                            figures.seen.append((measure, clock.seconds(at: at)))
                        }
                    }
                }
            } catch {
                figures.failures += 1
            }
        }
        return figures
    }

    static let reasonPrefix = "load test measure "

    /// The officer's app's state, shared by every phase of the process.
    var appState: AppState { Self.sharedAppState }
    private static let sharedAppState = AppState()

    /// The officer: a measure every `measureEvery` seconds, take_down and reinstate in turn.
    func officer(
        port: Int, group: MultiThreadedEventLoopGroup, key: String, until end: ContinuousClock.Instant,
        clock: Stopwatch, sent: SentTimes
    ) async throws {
        let shelf = appState
        try await HTTPClientConnection.with(port: port, group: group) { connection in
            var next = ContinuousClock.now + .seconds(measureEvery / 2)
            var number = 0
            while next < end {
                try await Task.sleep(until: next, clock: .continuous)
                number += 1
                let measure = await shelf.next()
                let body =
                    #"{"action": "\#(measure)", "app": "\#(app)", "reason": "\#(Self.reasonPrefix)\#(number)", "order": "LOAD-\#(number)"}"#
                await sent.record(number, at: clock.seconds(at: ContinuousClock.now))
                let response = try await connection.post("/v1/measures", body: body, key: key, timeout: timeout)
                guard response.status == 200 else {
                    throw BenchError(
                        "the officer's measure answered \(response.status): \(String(decoding: response.body, as: UTF8.self))"
                    )
                }
                next = next + .seconds(measureEvery)
            }
            // One more at the end wakes the polls still waiting, so that the phase ends on time.
            try await Task.sleep(until: end, clock: .continuous)
            let measure = await shelf.next()
            let body =
                #"{"action": "\#(measure)", "app": "\#(app)", "reason": "load test end", "order": "LOAD-END"}"#
            _ = try await connection.post("/v1/measures", body: body, key: key, timeout: timeout)
        }
    }

    /// The nearest-rank percentile (`p` of 1); NaN for no values.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((Double(sorted.count) * p).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    static func ms(_ seconds: Double) -> String {
        seconds.isNaN ? "–" : String(format: "%.1f ms", seconds * 1000)
    }
}

/// Seconds since a phase began, on the monotonic clock.
struct Stopwatch: Sendable {
    let start: ContinuousClock.Instant
    init(_ start: ContinuousClock.Instant) { self.start = start }
    func seconds(at instant: ContinuousClock.Instant) -> Double {
        let d = start.duration(to: instant)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Whether the officer's app is taken down now, across phases and runs: each measure undoes
/// the one before, so that every measure changes the shelf and makes an event.
actor AppState {
    private var down = false
    /// The next measure's action.
    func next() -> String {
        down.toggle()
        return down ? "take_down" : "reinstate"
    }
}

/// When each measure was sent, by its number.
actor SentTimes {
    private(set) var times: [Int: Double] = [:]
    func record(_ number: Int, at seconds: Double) { times[number] = seconds }
}

/// One HTTP/1.1 keep-alive connection to 127.0.0.1, one request at a time; a request that
/// takes longer than its timeout closes the connection and fails.
struct HTTPClientConnection {
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    private var iterator: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    private let channel: any Channel

    /// Connects, runs `body` with the connection, and closes it.
    static func with<T>(
        port: Int, group: MultiThreadedEventLoopGroup, _ body: (inout HTTPClientConnection) async throws -> T
    ) async throws -> T {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = HTTPClientConnection(
                iterator: inbound.makeAsyncIterator(), outbound: outbound, channel: channel.channel)
            return try await body(&connection)
        }
    }

    private init(
        iterator: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>, channel: any Channel
    ) {
        self.iterator = iterator
        self.outbound = outbound
        self.channel = channel
    }

    mutating func get(_ path: String, key: String?, timeout: Double) async throws -> Response {
        try await request(.GET, path, body: nil, key: key, timeout: timeout)
    }

    mutating func post(_ path: String, body: String, key: String?, timeout: Double) async throws -> Response {
        try await request(.POST, path, body: body, key: key, timeout: timeout)
    }

    private mutating func request(
        _ method: HTTPMethod, _ path: String, body: String?, key: String?, timeout: Double
    ) async throws -> Response {
        var headers = HTTPHeaders([("Host", "127.0.0.1")])
        if let key { headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
        }
        let channel = self.channel
        // The timeout closes the connection, which ends the read below.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeout))
            try? await channel.close()
        }
        defer { watchdog.cancel() }
        try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
        if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body)))) }
        try await outbound.write(.end(nil))
        var status = 0
        var bytes: [UInt8] = []
        while let part = try await iterator.next() {
            switch part {
            case .head(let head): status = Int(head.status.code)
            case .body(let buffer): bytes += buffer.readableBytesView
            case .end: return Response(status: status, body: bytes)
            }
        }
        throw BenchError("the connection closed before the answer ended (\(method) \(path))")
    }
}
