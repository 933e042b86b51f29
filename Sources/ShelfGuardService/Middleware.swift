import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime
import ShelfGuardKit

/// The request's context: Hummingbird's, and the address of the client that sent it (the key
/// of the complaint rate limit).
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// What the handlers know of the request beyond what the OpenAPI document describes: who
/// called (set by `AuthMiddleware`) and from where (set by `FrontDoorMiddleware`).
enum RequestScope {
    @TaskLocal static var caller: APIKey?
    @TaskLocal static var clientAddress: String = "unknown"
}

/// The first thing every request meets: the body is read up to the size limit (413 past it,
/// before it is read whole), the client's address is noted, and errors the router raises
/// itself (no such path, a wrong method) are answered as the service's JSON errors: a path of
/// the document asked with a method it does not take is 405 with `Allow`, any other 404.
struct FrontDoorMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let maxBodyBytes: Int
    let allowedMethods: AllowedMethods
    /// The bound on a bundle upload's whole body (`POST /v1/reviews`), which is streamed to the
    /// handler rather than read here: the bundle's limit, the declaration's and room for the
    /// multipart framing. Each part's own limit is kept by the handler as the bytes arrive.
    var maxUploadBytes: Int64 = .max

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        do {
            var request = request
            if request.method == .post && request.uri.path == "/v1/reviews" {
                if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > maxUploadBytes {
                    throw ServiceError(
                        .contentTooLarge, "too_large",
                        "the request body is larger than a bundle and its declaration may be (serve --max-bundle)")
                }
                return try await RequestScope.$clientAddress.withValue(address) { try await next(request, context) }
            }
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
                throw ServiceError.tooLarge(limit: maxBodyBytes)
            }
            do { _ = try await request.collectBody(upTo: maxBodyBytes) } catch let error as HTTPError
                where error.status == .contentTooLarge
            {
                throw ServiceError.tooLarge(limit: maxBodyBytes)
            }
            return try await RequestScope.$clientAddress.withValue(address) { try await next(request, context) }
        } catch let error as ServiceError {
            return Self.response(error)
        } catch let error as HTTPError {
            let service: ServiceError =
                switch error.status {
                case .notFound, .methodNotAllowed:
                    if let allowed = allowedMethods.allowed(path: request.uri.path),
                        !allowed.contains(request.method.rawValue)
                    {
                        .methodNotAllowed(request.method.rawValue, path: request.uri.path, allowed: allowed)
                    } else {
                        .notFound("no such endpoint: \(request.method) \(request.uri.path)")
                    }
                default:
                    ServiceError(error.status, "http_\(error.status.code)", error.body ?? error.status.reasonPhrase)
                }
            return Self.response(service)
        }
    }

    static func response(_ error: ServiceError) -> Response {
        Response(
            status: error.status, headers: error.httpHeaderFields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: error.body)))
    }
}

/// The operations' access rules: which permission each needs. An operation not listed is open
/// to anyone (the document marks it `security: []`); a test holds this table to the document's
/// `x-shelfguard-permission`.
enum OperationAccess {
    static let permissions: [String: APIPermission] = [
        "getFeed": .readFeed,
        "listShelf": .readShelf,
        "getApp": .readShelf,
        "applyMeasure": .applyMeasures,
        "decide": .decide,
        "getAuditHead": .readAudit,
        "submitReview": .submitReview,
        "getReview": .readOwnReviews,
        "cancelReview": .submitReview,
        "getMetrics": .readShelf,
    ]
}

/// Checks the caller's key for every operation that needs one: `Authorization: Bearer KEY`,
/// looked up by its SHA-256; no key or an unknown one is 401, a role without the operation's
/// permission 403. The key is then the request's caller, the actor of what it writes.
struct AuthMiddleware: ServerMiddleware {
    let keys: any APIKeyStore

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let permission = OperationAccess.permissions[operationID] else {
            return try await next(request, body, metadata)
        }
        guard let header = request.headerFields[.authorization] else {
            throw ServiceError.unauthorized("this operation needs an API key: send Authorization: Bearer KEY")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw ServiceError.unauthorized("the Authorization header is not Bearer KEY")
        }
        let digest = APIKeySecret.sha256(parts[1].trimmingCharacters(in: .whitespaces))
        let found = try await Self.offTheLoop { try keys.activeAPIKey(secretSHA256: digest) }
        guard let key = found else { throw ServiceError.unauthorized("the API key is unknown or revoked") }
        guard key.role.allows(permission) else {
            throw ServiceError.forbidden(
                "the key '\(key.name)' (role \(key.role.rawValue)) may not do this: it needs \(permission.rawValue)")
        }
        return try await RequestScope.$caller.withValue(key) { try await next(request, body, metadata) }
    }

    /// Runs a blocking key-store call on a Dispatch thread, as `LedgerStore.perform` does.
    static func offTheLoop<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// Answers every error an operation, its decoding or a middleware inside it threw as the
/// service's JSON error (`ServiceError.answering`), and logs the ones that are the server's.
struct ErrorMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do { return try await next(request, body, metadata) } catch {
            let answer = ServiceError.answering(error)
            if answer.status.code >= 500 {
                logger.error("\(operationID) failed: \(String(describing: error))")
            }
            return (HTTPResponse(status: answer.status, headerFields: answer.httpHeaderFields), answer.httpBody)
        }
    }
}
