import Foundation
import HTTPTypes
import OpenAPIRuntime
import ShelfGuardKit

/// Every error the service answers, as the JSON the OpenAPI document describes:
/// `{"error": {"code", "message"}}` with its HTTP status.
struct ServiceError: Error, Sendable, HTTPResponseConvertible {
    var status: HTTPResponse.Status
    /// A stable word for programs: bad_request, unauthorized, forbidden, not_found,
    /// method_not_allowed, not_acceptable, conflict, too_large, too_many_requests, queue_full,
    /// unavailable, internal.
    var code: String
    /// What went wrong, for people.
    var message: String
    /// Seconds to wait before trying again (429).
    var retryAfter: Int?
    /// The methods the path takes (405), for the `Allow` header.
    var allow: [String]?
    /// An HTML page sent instead of the JSON error, for a browser without script (the public
    /// complaint form's refusals).
    var page: String?

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    static func badRequest(_ message: String) -> ServiceError { ServiceError(.badRequest, "bad_request", message) }
    static func unauthorized(_ message: String) -> ServiceError {
        ServiceError(.unauthorized, "unauthorized", message)
    }
    static func forbidden(_ message: String) -> ServiceError { ServiceError(.forbidden, "forbidden", message) }
    static func notFound(_ message: String) -> ServiceError { ServiceError(.notFound, "not_found", message) }
    static func conflict(_ message: String) -> ServiceError { ServiceError(.conflict, "conflict", message) }
    static func methodNotAllowed(_ method: String, path: String, allowed: [String]) -> ServiceError {
        var error = ServiceError(
            .methodNotAllowed, "method_not_allowed",
            "\(path) does not take \(method): it takes \(allowed.joined(separator: ", "))")
        error.allow = allowed
        return error
    }
    static func tooLarge(limit: Int) -> ServiceError {
        ServiceError(.contentTooLarge, "too_large", "the request body is larger than \(limit) bytes")
    }
    static func internalError(_ message: String) -> ServiceError {
        ServiceError(.internalServerError, "internal", message)
    }

    /// A use case's refusal, with the status its kind maps to.
    init(_ error: UseCaseError) {
        switch error.kind {
        case .invalid: self = .badRequest(error.message)
        case .notFound: self = .notFound(error.message)
        case .conflict: self = .conflict(error.message)
        }
    }

    /// The error as the service answers it, whatever was thrown: the service's own errors and
    /// use cases' refusals as they say; a request the generated code could not read (a bad
    /// parameter, a body that is not the schema) as 400; anything else as 500.
    static func answering(_ error: any Error) -> ServiceError {
        switch error {
        case let error as ServiceError: return error
        case let error as UseCaseError: return ServiceError(error)
        case let error as ServerError:
            if error.underlyingError is ServiceError || error.underlyingError is UseCaseError {
                return answering(error.underlyingError)
            }
            if error.operationInput == nil || (400..<500).contains(error.httpStatus.code) {
                return .badRequest("\(error.causeDescription): \(String(describing: error.underlyingError))")
            }
            return .internalError(Self.describe(error.underlyingError))
        default: return .internalError(Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? LedgerError { return error.description }
        return String(describing: error)
    }

    var body: [UInt8] {
        if let page { return Array(page.utf8) }
        let object = ["error": ["code": code, "message": message]]
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return Array(data)
    }

    var httpStatus: HTTPResponse.Status { status }

    var httpHeaderFields: HTTPFields {
        var fields: HTTPFields = [
            .contentType: page == nil ? "application/json; charset=utf-8" : "text/html; charset=utf-8"
        ]
        if let retryAfter { fields[.retryAfter] = String(retryAfter) }
        if let allow { fields[.allow] = allow.joined(separator: ", ") }
        return fields
    }

    var httpBody: HTTPBody? { HTTPBody(body) }
}
