/// Who may produce an app's labeled content: the declared developer and its declared suppliers
/// (technical supporters), by USCC and by name. A label's producer should be one of them.
public struct DeclaredParties: Sendable, Codable, Equatable {
    /// One legal entity as declared.
    public struct Party: Sendable, Codable, Equatable {
        /// The name as declared (`深圳市示例智能科技有限公司`).
        public var name: String?
        /// Its Unified Social Credit Identifier.
        public var uscc: String?

        /// A party known by name, USCC or both.
        public init(name: String? = nil, uscc: String? = nil) {
            self.name = name
            self.uscc = uscc
        }
    }

    /// The app's developer.
    public var developer: Party
    /// The technical supporters whose models or APIs the app uses.
    public var suppliers: [Party]

    /// The parties as given.
    public init(developer: Party, suppliers: [Party] = []) {
        self.developer = developer
        self.suppliers = suppliers
    }

    /// The developer and every supplier a declaration names (suppliers carry names only: the
    /// declaration schema gives them no USCC). Extra supplier USCCs can be added to `suppliers`.
    public init(declaration: Declaration) {
        developer = Party(name: declaration.developer.name, uscc: declaration.developer.uscc)
        var seen = Set<String>()
        suppliers = declaration.features.flatMap(\.suppliers).compactMap { supplier in
            seen.insert(supplier.name).inserted ? Party(name: supplier.name) : nil
        }
    }

    /// Whether any party carries a USCC.
    var hasUSCC: Bool { developer.uscc != nil || suppliers.contains { $0.uscc != nil } }
    /// Whether any party carries a name.
    var hasName: Bool { developer.name != nil || suppliers.contains { $0.name != nil } }
}
