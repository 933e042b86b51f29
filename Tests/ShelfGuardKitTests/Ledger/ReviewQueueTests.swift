import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// The review queue: `review --enqueue` records jobs, workers claim them under a lease, record
/// each review once while they hold it, and retry tool errors with a doubling backoff.
@Suite("Review queue and workers")
struct ReviewQueueTests {
    static let registry = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples/registry").path

    @Test("a tool error waits twice as long each time, then fails the job")
    func backoff() {
        let retry = QueueRules.Retry(maxAttempts: 4, firstDelay: 10, maxDelay: 25)
        #expect(QueueRules.afterFailure(attempts: 1, retry) == .retry(after: 10))
        #expect(QueueRules.afterFailure(attempts: 2, retry) == .retry(after: 20))
        #expect(QueueRules.afterFailure(attempts: 3, retry) == .retry(after: 25), "capped")
        #expect(QueueRules.afterFailure(attempts: 4, retry) == .failed)
        #expect(QueueRules.afterFailure(attempts: 1, .init(maxAttempts: 1)) == .failed)
    }

    @Test(
        "claims: the oldest due job, never one held under a live lease; a dead worker's job after its lease",
        arguments: StoreKind.available)
    func claims(_ kind: StoreKind) throws {
        let ledger = try TestStores.make(kind, "queueclaims")
        let ids = try ledger.enqueue([QueuedBundle(bundle: "/a.apk"), QueuedBundle(bundle: "/b.apk")], actor: "t")
        #expect(ids.count == 2)
        let a = try #require(try ledger.claimJob(worker: "A", lease: 10, now: 1_000))
        #expect(a.id == ids[0] && a.claimedBy == "A" && a.attempts == 1)
        let b = try #require(try ledger.claimJob(worker: "B", lease: 10, now: 1_005))
        #expect(b.id == ids[1], "A's job is held")
        #expect(try ledger.claimJob(worker: "C", lease: 10, now: 1_009) == nil)
        // A died: at 1,011 its lease has run out and C takes the job over.
        let taken = try #require(try ledger.claimJob(worker: "C", lease: 10, now: 1_011))
        #expect(taken.id == ids[0] && taken.claimedBy == "C" && taken.attempts == 2)
        #expect(try ledger.finishJob(JobClaim(jobID: ids[0], worker: "A")) == false, "A holds nothing any more")
        #expect(try ledger.failJob(JobClaim(jobID: ids[0], worker: "A"), error: "x", now: 1_012, retry: .init()) == nil)
        #expect(try ledger.finishJob(JobClaim(jobID: ids[0], worker: "C")))
        // B's job fails twice: queued again after the backoff, then failed for a person.
        let retry = QueueRules.Retry(maxAttempts: 2, firstDelay: 30, maxDelay: 60)
        let again = try #require(
            try ledger.failJob(JobClaim(jobID: ids[1], worker: "B"), error: "gone", now: 1_006, retry: retry))
        #expect(again.state == .queued && again.notBefore == 1_036 && again.lastError == "gone")
        #expect(try ledger.claimJob(worker: "B", lease: 10, now: 1_030) == nil, "not due yet")
        _ = try #require(try ledger.claimJob(worker: "B", lease: 10, now: 1_036))
        let failed = try #require(
            try ledger.failJob(JobClaim(jobID: ids[1], worker: "B"), error: "still gone", now: 1_040, retry: retry))
        #expect(failed.state == .failed)
        #expect(try ledger.claimJob(worker: "B", lease: 10, now: 9_999) == nil, "failed jobs wait for a person")
        #expect(try ledger.queueJobs(states: [.failed], limit: 10).map(\.id) == [ids[1]])
        #expect(try ledger.requeueFailed(ids: nil) == 1)
        #expect(try ledger.claimJob(worker: "B", lease: 10, now: 9_999)?.attempts == 1)
    }

    @Test(
        "a worker whose lease ran out cannot record the job's review; the one holding it can",
        arguments: StoreKind.available)
    func recordOnlyWhileHeld(_ kind: StoreKind) throws {
        let ledger = try TestStores.make(kind, "queuerecord")
        let id = try #require(try ledger.enqueue([QueuedBundle(bundle: "/in/facefun.apk")], actor: "t").first)
        _ = try ledger.claimJob(worker: "A", lease: 1, now: 100)
        _ = try ledger.claimJob(worker: "B", lease: 100, now: 200)
        let result = try ReviewScenario().result()
        var late = ReviewSubmission(
            result: result, bundlePath: "/in/facefun.apk", batchID: nil, actor: "A", extractor: "t")
        late.job = JobClaim(jobID: id, worker: "A")
        #expect(throws: LedgerError.self) { try ledger.recordReview(late) }
        #expect(try TestStores.count(ledger, "review") == 0, "nothing of A's is recorded")
        var holder = late
        holder.job = JobClaim(jobID: id, worker: "B")
        #expect(try !ledger.recordReview(holder).alreadyRecorded)
        #expect(try TestStores.count(ledger, "review") == 1)
        #expect(try TestStores.count(ledger, "review_job") == 0, "the job left the queue with its review")
    }

    /// `count` small APKs, each its own app.
    static func bundles(_ count: Int, in folder: URL) throws -> URL {
        let dir = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for i in 0..<count {
            let zip = ZipBuilder()
            zip.addFile("AndroidManifest.xml", HostileBundles.manifest("com.example.queued\(i)"))
            zip.addFile("classes.dex", DexStringWalker.minimalDEX(strings: ["Lcom/example/queued\(i)/Main;"]))
            zip.finish()
            try Data(zip.bytes).write(to: dir.appendingPathComponent("app\(i).apk"))
        }
        return dir
    }

    static func worker(_ db: [String], _ more: [String]) throws -> ShelfGuardBinary.Result {
        try ShelfGuardBinary.run(
            ["worker"] + db + ["--exit-when-idle", "--registry", registry, "--as-of", "2026-06-01", "--poll", "0.1"]
                + more)
    }

    /// Reviews recorded, the most recorded for one version, and jobs left in the queue.
    static func tally(_ store: any LedgerStore) throws -> (reviews: Int, perVersion: Int, jobs: Int) {
        let most = try TestStores.texts(
            store, "SELECT CAST(COUNT(*) AS TEXT) FROM review GROUP BY version_id ORDER BY COUNT(*) DESC LIMIT 1")
        return (
            try TestStores.count(store, "review"), Int(most.first?.first ?? "0") ?? 0,
            try TestStores.count(store, "review_job")
        )
    }

    @Test(
        "a PC-client wxapkg queued with --appid is decrypted by the worker, as review would",
        arguments: StoreKind.available)
    func appID(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "queueappid")
        let folder = target.folder
        let db = target.arguments
        let bytes = try PackageBuilder.encryptedWxapkg(
            [
                ("/app-config.json", Array("{\"pages\": [\"index\"]}".utf8)),
                (
                    "/app.js",
                    Array("wx.request({url: 'https://api.deepseek.com/chat/completions'})\n".utf8)
                        + Array(repeating: UInt8(ascii: " "), count: 4_000)
                ),
            ], appID: "wx00aa11bb22cc33dd")
        let bundle = folder.appendingPathComponent("pc.wxapkg")
        try Data(bytes).write(to: bundle)
        #expect(
            try ShelfGuardBinary.run(["review", "--enqueue"] + db + ["--appid", "wx00aa11bb22cc33dd", bundle.path])
                .status == 0)
        let ledger = target.store
        #expect(try ledger.queueJobs(states: [.queued], limit: 5).map(\.wechatAppID) == ["wx00aa11bb22cc33dd"])
        let run = try Self.worker(db, ["--jobs", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        let history = try ShelfGuardBinary.run(["shelf", "list"] + db + ["--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        let signatures = try TestStores.texts(target.store, "SELECT signature FROM version_signature").map { $0[0] }
        #expect(signatures.contains("deepseek"), "the decrypted code was read: \(signatures)")
    }

    @Test(
        "the worker's limits are refused out of range",
        arguments: [
            ["--jobs", "0"], ["--lease", "0"], ["--max-attempts", "0"], ["--retry-delay", "700"], ["--poll", "0"],
        ])
    func workerLimits(arguments: [String]) throws {
        let db = try TestFiles.directory("queue-limits").appendingPathComponent("q.db").path
        let run = try ShelfGuardBinary.run(["worker", "--db", db, "--exit-when-idle"] + arguments)
        #expect(run.status == 1 && run.stderr.contains(arguments[0]), "\(arguments): \(run.stderr)")
    }

    @Test("two workers drain a queue of 200 bundles, each reviewed exactly once", arguments: StoreKind.available)
    func twoWorkers(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "queuetwo")
        let folder = target.folder
        let db = target.arguments
        let input = try Self.bundles(200, in: folder)
        let enqueued = try ShelfGuardBinary.run(["review", "--enqueue"] + db + ["--format", "json", input.path])
        #expect(enqueued.status == 0, "\(enqueued.stderr)")
        #expect((try enqueued.json()["jobs"] as? [Int])?.count == 200)
        // Two processes at once, each with two threads.
        let results = ResultBox()
        let group = DispatchGroup()
        for name in ["A", "B"] {
            group.enter()
            Thread {
                defer { group.leave() }
                results.add(name, Result { try Self.worker(db, ["--jobs", "2", "--name", name, "--format", "json"]) })
            }.start()
        }
        group.wait()
        var reviewed = 0
        for name in ["A", "B"] {
            let run = try #require(try results.get(name)?.get())
            #expect(run.status == 0, "\(name): \(run.stderr)")
            reviewed += try run.json()["reviewed"] as? Int ?? 0
        }
        #expect(reviewed == 200)
        let (reviews, perVersion, jobs) = try Self.tally(target.store)
        #expect(reviews == 200 && perVersion == 1 && jobs == 0)
        #expect(try ShelfGuardBinary.run(["audit", "verify"] + db).status == 0)
    }

    @Test(
        "a job held by a dead worker is taken over when its lease runs out, and reviewed once",
        arguments: StoreKind.available)
    func deadWorker(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "queuedead")
        let folder = target.folder
        let db = target.arguments
        let input = try Self.bundles(3, in: folder)
        #expect(try ShelfGuardBinary.run(["review", "--enqueue"] + db + [input.path]).status == 0)
        // A worker took the first job and was killed: its claim stays, with a lease of one second.
        let ledger = target.store
        let dead = try #require(try ledger.claimJob(worker: "dead", lease: 1, now: Date().timeIntervalSince1970))
        let run = try Self.worker(db, ["--jobs", "1", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try run.json()["reviewed"] as? Int == 3, "the dead worker's job too, once its lease ran out")
        #expect(try TestStores.count(ledger, "review") == 3)
        #expect(try TestStores.count(ledger, "review_job") == 0)
        #expect(run.stderr.contains("job \(dead.id) reviewed"))
    }

    @Test(
        "a worker killed mid-queue: another takes over its held jobs after their lease; each bundle once",
        arguments: StoreKind.available)
    func killedWorker(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "queuekilled")
        let folder = target.folder
        let db = target.arguments
        let input = try Self.bundles(200, in: folder)
        #expect(try ShelfGuardBinary.run(["review", "--enqueue"] + db + [input.path]).status == 0)
        let victim = Process()
        victim.executableURL = ShelfGuardBinary.url
        victim.arguments =
            ["worker"] + db + [
                "--exit-when-idle", "--registry", Self.registry, "--as-of", "2026-06-01", "--jobs", "2", "--lease", "2",
                "--name", "victim",
            ]
        victim.standardOutput = FileHandle.nullDevice
        victim.standardError = FileHandle.nullDevice
        try victim.run()
        // Kill it with SIGKILL once it has recorded some reviews and holds jobs.
        var recorded = 0
        for _ in 0..<600 where victim.isRunning {
            recorded = try TestStores.count(target.store, "review")
            if recorded >= 20 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        #expect(recorded >= 20, "the victim reviewed some before it was killed")
        let survivor = try Self.worker(db, ["--jobs", "2", "--name", "survivor", "--format", "json"])
        #expect(survivor.status == 0, "\(survivor.stderr)")
        let (reviews, perVersion, jobs) = try Self.tally(target.store)
        #expect(
            reviews == 200 && perVersion == 1 && jobs == 0,
            "\(reviews) reviews, at most \(perVersion) per version, \(jobs) jobs left")
        #expect(try ShelfGuardBinary.run(["audit", "verify"] + db).status == 0)
    }

    @Test(
        "SIGTERM stops a worker after its jobs in progress, with nothing held and nothing lost",
        arguments: StoreKind.available)
    func terminatedWorker(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "queueterm")
        let db = target.arguments
        let input = try Self.bundles(120, in: target.folder)
        #expect(try ShelfGuardBinary.run(["review", "--enqueue"] + db + [input.path]).status == 0)
        func start(_ name: String) throws -> Process {
            let worker = Process()
            worker.executableURL = ShelfGuardBinary.url
            worker.arguments =
                ["worker"] + db + [
                    "--exit-when-idle", "--registry", Self.registry, "--as-of", "2026-06-01", "--jobs", "2",
                    "--lease", "600", "--name", name,
                ]
            worker.standardOutput = FileHandle.nullDevice
            worker.standardError = FileHandle.nullDevice
            try worker.run()
            // Signalled once it has recorded some reviews of its own and holds jobs.
            let before = try TestStores.count(target.store, "review")
            for _ in 0..<600 where worker.isRunning {
                if try TestStores.count(target.store, "review") >= before + 6 { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return worker
        }
        let first = try start("once")
        #expect(first.isRunning, "the queue ran out before the signal; make it longer")
        kill(first.processIdentifier, SIGTERM)
        first.waitUntilExit()
        #expect(first.terminationReason == .exit && first.terminationStatus != 1)
        #expect(try target.store.queueJobs(states: [.claimed], limit: 10).isEmpty, "finished what it held")
        // Nothing lost and nothing twice: a third worker drains the rest.
        let rest = try Self.worker(db, ["--jobs", "2", "--format", "json"])
        #expect(rest.status == 0, "\(rest.stderr)")
        let (reviews, perVersion, jobs) = try Self.tally(target.store)
        #expect(reviews == 120 && perVersion == 1 && jobs == 0, "\(reviews) reviews, \(jobs) jobs left")
    }

    /// A stored zip of a small manifest and `size` zero bytes, written by hand in pieces (the
    /// zero entry's CRC is left 0: the reader reports the mismatch and still reads every byte),
    /// so that its review takes a while without the test building it in memory.
    static func slowBundle(_ path: String, size: Int) throws {
        let manifest = HostileBundles.manifest("com.example.slow")
        var head: [UInt8] = []
        var central: [UInt8] = []
        func le(_ value: Int, _ bytes: Int, into out: inout [UInt8]) {
            for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
        }
        func header(_ name: String, _ length: Int, crc: UInt32, offset: Int) {
            let n = Array(name.utf8)
            le(0x0403_4b50, 4, into: &head)
            for v in [20, 0, 0, 0, 0] { le(v, 2, into: &head) }
            le(Int(crc), 4, into: &head)
            le(length, 4, into: &head)
            le(length, 4, into: &head)
            le(n.count, 2, into: &head)
            le(0, 2, into: &head)
            head += n
            le(0x0201_4b50, 4, into: &central)
            for v in [20, 20, 0, 0, 0, 0] { le(v, 2, into: &central) }
            le(Int(crc), 4, into: &central)
            le(length, 4, into: &central)
            le(length, 4, into: &central)
            le(n.count, 2, into: &central)
            for _ in 0..<4 { le(0, 2, into: &central) }
            le(0, 4, into: &central)
            le(offset, 4, into: &central)
            central += n
        }
        header("AndroidManifest.xml", manifest.count, crc: CRC32.checksum(manifest), offset: 0)
        head += manifest
        let bigAt = head.count
        header("assets/zeros.bin", size, crc: 0, offset: bigAt)
        let handle = try #require(
            FileHandle(forWritingAtPath: path)
                ?? {
                    FileManager.default.createFile(atPath: path, contents: nil)
                    return FileHandle(forWritingAtPath: path)
                }())
        try handle.write(contentsOf: Data(head))
        let chunk = Data(count: 1 << 20)
        for _ in 0..<(size >> 20) { try handle.write(contentsOf: chunk) }
        var end: [UInt8] = []
        le(0x0605_4b50, 4, into: &end)
        for v in [0, 0, 2, 2] { le(v, 2, into: &end) }
        le(central.count, 4, into: &end)
        le(head.count + size, 4, into: &end)
        le(0, 2, into: &end)
        try handle.write(contentsOf: Data(central + end))
        try handle.close()
    }

    @Test(
        "a second SIGTERM quits a worker at once, and the job it held goes back in the queue for the next",
        arguments: StoreKind.available)
    func quitWorker(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "queuequit")
        let db = target.arguments
        // A quarter of a gigabyte, and the worker's copy of it: removed with the folder.
        defer { try? FileManager.default.removeItem(at: target.folder) }
        let input = target.folder.appendingPathComponent("slow")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try Self.slowBundle(input.appendingPathComponent("slow.apk").path, size: 256 << 20)
        #expect(try ShelfGuardBinary.run(["review", "--enqueue"] + db + [input.path]).status == 0)
        let worker = Process()
        worker.executableURL = ShelfGuardBinary.url
        worker.arguments =
            ["worker"] + db + [
                "--exit-when-idle", "--registry", Self.registry, "--as-of", "2026-06-01", "--jobs", "1", "--lease",
                "600", "--name", "quitter",
            ]
        let errors = Pipe()
        worker.standardOutput = FileHandle.nullDevice
        worker.standardError = errors
        try worker.run()
        for _ in 0..<600 where worker.isRunning {
            if try !target.store.queueJobs(states: [.claimed], limit: 10).isEmpty { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        // The second signal once the first was taken (a signal still pending is not counted
        // twice), well within the quarter gigabyte's review.
        let said = ResultBox()
        let reader = Thread {
            var text = ""
            while case let data = errors.fileHandleForReading.availableData, !data.isEmpty {
                text += String(decoding: data, as: UTF8.self)
                said.add("stderr", .success(ShelfGuardBinary.Result(status: 0, stdout: "", stderr: text)))
            }
        }
        reader.start()
        kill(worker.processIdentifier, SIGTERM)
        for _ in 0..<500 {
            if (try? said.get("stderr")?.get().stderr.contains("stopping after")) == true { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        kill(worker.processIdentifier, SIGTERM)
        worker.waitUntilExit()
        while reader.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
        let stderr = (try? said.get("stderr")?.get().stderr) ?? ""
        #expect(worker.terminationStatus == 128 + SIGTERM, "\(stderr)")
        #expect(stderr.contains("quitting; 1 job still held put back in the queue"), "\(stderr)")
        #expect(try target.store.queueJobs(states: [.claimed], limit: 10).isEmpty)
        #expect(try target.store.queueJobs(states: [.queued], limit: 10).count == 1)
        #expect(try TestStores.count(target.store, "review") == 0)
    }

    @Test(
        "a bundle that cannot be read is retried, then failed and listed with its error", arguments: StoreKind.available
    )
    func failedJob(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "queuefailed")
        let folder = target.folder
        let db = target.arguments
        let input = try Self.bundles(1, in: folder)
        #expect(try ShelfGuardBinary.run(["review", "--enqueue"] + db + [input.path]).status == 0)
        try FileManager.default.removeItem(at: input.appendingPathComponent("app0.apk"))
        let run = try Self.worker(db, ["--max-attempts", "2", "--retry-delay", "0", "--format", "json"])
        #expect(run.status == 3, "\(run.stdout)\(run.stderr)")
        #expect(try run.json()["failed"] as? Int == 1)
        let listed = try ShelfGuardBinary.run(["queue", "list", "--failed"] + db)
        #expect(listed.stdout.contains("failed") && listed.stdout.contains("attempts 2"), "\(listed.stdout)")
        #expect(listed.stdout.contains("last error:"))
        let retried = try ShelfGuardBinary.run(["queue", "retry"] + db)
        #expect(retried.stdout.contains("1 failed job queued again"))
    }
}

/// Results of child runs from several threads.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [String: Result<ShelfGuardBinary.Result, any Error>] = [:]
    func add(_ name: String, _ result: Result<ShelfGuardBinary.Result, any Error>) {
        lock.withLock { results[name] = result }
    }
    func get(_ name: String) -> Result<ShelfGuardBinary.Result, any Error>? { lock.withLock { results[name] } }
}
