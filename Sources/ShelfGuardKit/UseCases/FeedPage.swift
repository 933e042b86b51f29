/// One answer of the storefront feed, as `shelfguard feed --format json` prints it and
/// `GET /v1/feed` returns it: the events after a cursor, the cursor to poll from next, and
/// whether the limit cut the answer short.
public struct FeedPage: Sendable, Codable, Equatable {
    /// Poll again with `since` set to this.
    public var cursor: String
    /// The limit cut the answer short: ask again at once.
    public var more: Bool
    public var events: [FeedEvent]

    public init(cursor: String, more: Bool, events: [FeedEvent]) {
        self.cursor = cursor
        self.more = more
        self.events = events
    }

    /// The largest page one request may ask for.
    public static let maxLimit = 100_000
    /// The page size when none is asked for.
    public static let defaultLimit = 1_000

    /// What is wrong with a request for a page, fields named as `naming` says.
    public static func check(since: Int64, limit: Int, naming: FieldNaming) throws(UseCaseError) {
        guard since >= 0 else { throw UseCaseError(.invalid, "\(naming.name("since")) cannot be negative") }
        guard limit >= 1 && limit <= maxLimit else {
            throw UseCaseError(.invalid, "\(naming.name("limit")) must be between 1 and \(maxLimit)")
        }
    }

    /// The events after `since`, at most `limit` of them.
    public static func read(from ledger: any LedgerStore, since: Int64, limit: Int) throws -> FeedPage {
        let events = try ledger.feed(since: since, limit: limit + 1)
        let page = Array(events.prefix(limit))
        return FeedPage(cursor: String(page.last?.id ?? since), more: events.count > limit, events: page)
    }
}
