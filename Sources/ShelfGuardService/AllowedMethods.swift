import HTTPTypes
import OpenAPIRuntime

/// The methods each path of the document answers, as the handlers registered them: so that a
/// request with a method a known path does not take is answered 405 with `Allow`, not 404
/// (Hummingbird's router tells only "no route").
struct AllowedMethods: Sendable, Equatable {
    /// One path of the document: its segments (nil for a `{parameter}`) and its methods.
    struct Route: Sendable, Equatable {
        var segments: [String?]
        var methods: [String]
    }

    private(set) var routes: [Route] = []

    /// Notes `method` on `path`, a template of the document such as `/v1/apps/{id}`.
    mutating func add(_ method: HTTPRequest.Method, path: String) {
        let segments = Self.segments(path).map { $0.hasPrefix("{") && $0.hasSuffix("}") ? nil : String($0) }
        if let index = routes.firstIndex(where: { $0.segments == segments }) {
            if !routes[index].methods.contains(method.rawValue) { routes[index].methods.append(method.rawValue) }
        } else {
            routes.append(Route(segments: segments, methods: [method.rawValue]))
        }
    }

    /// The methods `path` (a request's, without its query) takes, for the `Allow` header; nil
    /// when no path of the document matches it.
    func allowed(path: String) -> [String]? {
        let parts = Self.segments(path)
        var found: [String] = []
        for route in routes where route.segments.count == parts.count {
            let matches = zip(route.segments, parts).allSatisfy { template, part in
                template.map { $0 == part } ?? !part.isEmpty
            }
            if matches { found += route.methods.filter { !found.contains($0) } }
        }
        return found.isEmpty ? nil : found
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// Collects the routes a generated `registerHandlers` registers, without serving them.
    final class Recorder: ServerTransport, @unchecked Sendable {
        var table = AllowedMethods()

        func register(
            _ handler:
                @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (
                    HTTPResponse, HTTPBody?
                ),
            method: HTTPRequest.Method, path: String
        ) throws {
            table.add(method, path: path)
        }
    }
}
