import ArgumentParser
import Dispatch
import Foundation
import Logging
import ShelfGuardKit
import ShelfGuardService

/// `shelfguard serve`: the HTTP service (openapi.yaml) over the shelf database.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Serve the shelf over HTTP: the feed, the shelf, measures, decisions, the audit head, public complaints.",
        discussion: """
            The operations are those of openapi.yaml, served at /openapi.yaml; /healthz answers when the service is up, and /complaints is the public complaint page. Every /v1 operation but POST /v1/complaints needs an API key (Authorization: Bearer KEY) whose role has the operation's permission: 401 without one, 403 with the wrong role. Every audit entry written through the service names the key (api:NAME (ROLE)).

            The service prints `shelfguard serve: listening on http://HOST:PORT` on standard error once it takes requests (with --port 0, the port the system chose), logs each request there, and stops on SIGINT or SIGTERM after finishing the requests in flight.
            """)

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: one the system chooses, printed when listening).")
    var port = 8080

    @Option(help: ArgumentHelp("The largest request body taken, in bytes (413 past it).", valueName: "bytes"))
    var maxBody = ServiceLimits.defaultMaxBodyBytes

    @Option(
        help: ArgumentHelp(
            "The longest a feed request waits for an event (GET /v1/feed?wait=…), in seconds.", valueName: "seconds"))
    var maxWait = ServiceLimits.defaultMaxWaitSeconds

    @Option(
        help: ArgumentHelp(
            "Complaints taken from one client address per minute (429 past it).", valueName: "count"))
    var complaintRate = ServiceLimits.defaultComplaintsPerMinute

    @Option(
        help: ArgumentHelp(
            "The Ed25519 private key (from `audit keygen`) that signs the checkpoints of GET /v1/audit/head. Default: $SHELFGUARD_AUDIT_KEY; unsigned when neither is set.",
            valueName: "file"))
    var auditKey: String?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var policyChoice: ComplaintCommand.PolicyChoice

    var limits: ServiceLimits {
        ServiceLimits(maxBodyBytes: maxBody, maxWaitSeconds: maxWait, complaintsPerMinute: complaintRate)
    }

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let problem = limits.problem { throw ValidationError(problem) }
    }

    func run() throws {
        let features = try policyChoice.policyOptions.signatureEngine().database
        let complaints = try policyChoice.load().complaints
        let signingKey = try (auditKey ?? ProcessInfo.processInfo.environment["SHELFGUARD_AUDIT_KEY"]).map {
            try AuditSigningKey.privateKey(try AuditCommand.readText($0), source: $0)
        }
        let ledger = try database.openForWriting()
        let service = ShelfGuardService(
            ledger: ledger, keys: ledger, features: features, complaintPolicy: complaints, limits: limits,
            signingKey: signingKey)
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let host = self.host
        let port = self.port
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await service.run(host: host, port: port) { bound in
                    Output.error("shelfguard serve: listening on http://\(host):\(bound)")
                }
            } catch {
                failure.set(error)
            }
            done.signal()
        }
        done.wait()
        if let error = failure.get() { throw ToolError("the service stopped: \(error)") }
    }

    /// The server task's error, handed to the main thread.
    final class FailureBox: @unchecked Sendable {
        private let lock = NSLock()
        private var error: (any Error)?
        func set(_ error: any Error) { lock.withLock { self.error = error } }
        func get() -> (any Error)? { lock.withLock { error } }
    }
}
