/// Algorithm filings, suppliers and gen-AI numbers (DSP Art. 13, 19; GAI Art. 17).
extension Checks {
    /// Every declared feature's own filing, with its field path.
    var featureFilings: [(index: Int, feature: Declaration.Feature, text: String)] {
        (declared?.features ?? []).enumerated().compactMap { i, feature in
            feature.algorithmFiling.map { (i, feature, $0) }
        }
    }

    /// Every filing text in the declaration (features' and suppliers'), each distinct number
    /// once, at the first place it is written (a feature served by a supplier cites the
    /// supplier's number twice).
    var allFilings: [(text: String, position: String)] {
        if let known = shared.allFilings { return known }
        let list = listFilings()
        shared.allFilings = list
        return list
    }

    private func listFilings() -> [(text: String, position: String)] {
        guard let declared else { return [] }
        var list: [(String, String)] = []
        var seen = Set<String>()
        func add(_ text: String, _ field: String) {
            let key = filingNumber(text)?.text ?? text
            if seen.insert(key).inserted { list.append((text, declared.position(field))) }
        }
        for (i, feature) in declared.features.enumerated() {
            if let filing = feature.algorithmFiling { add(filing, "features[\(i)].algorithm_filing") }
            for (j, supplier) in feature.suppliers.enumerated() {
                if let filing = supplier.algorithmFiling {
                    add(filing, "features[\(i)].suppliers[\(j)].algorithm_filing")
                }
            }
        }
        return list
    }

    func filingPresent() -> [Hit] {
        guard let declared else { return [] }
        return declared.features.enumerated().filter {
            $0.element.role == .serviceProvider && ($0.element.algorithmFiling ?? "").isEmpty
        }.map { i, feature in
            hit(
                "\(feature.category) is offered as service provider without an algorithm filing number",
                at: declared.position("features[\(i)]"))
        }
    }

    func filingFormat() -> [Hit] {
        let thisYear = Int(context.asOf.prefix(4)) ?? 2100
        return allFilings.compactMap { filing in
            guard let number = filingNumber(filing.text) else {
                return hit(
                    "'\(filing.text)' is not an algorithm filing number: it \(AlgorithmFilingNumber.problem(with: filing.text)) (expected 网信算备 + 21 digits + 号)",
                    at: filing.position)
            }
            // Digits 16-17 are the filing year: filings began in 2022 (ARP in force 2022-03-01).
            guard number.year < AlgorithmFilingNumber.firstYear || number.year > thisYear else { return nil }
            return hit(
                "\(number.text) carries the filing year \(number.year) (digits 16-17), outside \(AlgorithmFilingNumber.firstYear)-\(thisYear)",
                at: filing.position)
        }
    }

    func filingCheckDigit() -> [Hit] {
        allFilings.compactMap { filing in
            guard let number = filingNumber(filing.text), !number.checkDigitMatches else { return nil }
            return hit(
                "\(number.text) ends in \(number.digits.last!) where the check-digit rule derived from the published lists gives \(number.expectedCheckDigit); a typing error?",
                at: filing.position)
        }
    }

    func filingRegistered() throws -> [Hit] {
        let numbers = allFilings.compactMap { f in filingNumber(f.text).map { ($0, f.position) } }
        guard !numbers.isEmpty else { return [] }
        guard try context.registry.hasFilingLists() else {
            return [
                hit(
                    "no published filing list was loaded (give --registry FILE or --db): \(numbers.map(\.0.text).joined(separator: ", ")) could not be verified"
                )
            ]
        }
        return try numbers.compactMap { number, position in
            try context.registry.filing(number.text) == nil
                ? hit("\(number.text) is in none of the published filing lists loaded", at: position) : nil
        }
    }

    func filingCancelled() throws -> [Hit] {
        try allFilings.compactMap { filing in
            guard let number = filingNumber(filing.text),
                let cancellation = try context.registry.cancellation(number.text)
            else { return nil }
            return hit(
                "\(number.text) was cancelled (\(cancellation.cancelledOnText), notice of \(cancellation.noticeDate): \(cancellation.noticeTitle))",
                at: filing.position)
        }
    }

    func filingType() -> [Hit] {
        featureFilings.compactMap { i, _, text in
            guard let number = filingNumber(text), number.typeCode != "01" else { return nil }
            return hit(
                "\(number.text) is of algorithm type \(number.typeCode), not 01 (generation and synthesis)",
                at: declared?.position("features[\(i)].algorithm_filing"))
        }
    }

    func filingOwner() throws -> [Hit] {
        guard let declared else { return [] }
        var hits: [Hit] = []
        for (i, feature, text) in featureFilings {
            guard let number = filingNumber(text), let record = try context.registry.filing(number.text) else {
                continue
            }
            if Checks.sameEntity(record.entity, declared.developer.name) { continue }
            let viaSupplier = feature.suppliers.contains {
                Checks.sameEntity($0.name, record.entity) && record.role == .technicalSupporter
            }
            if viaSupplier { continue }
            hits.append(
                hit(
                    "\(number.text) belongs to \(record.entity) (\(record.role.label)), not to the developer \(declared.developer.name) nor to a declared supplier as technical supporter",
                    at: declared.position("features[\(i)].algorithm_filing")))
        }
        return hits
    }

    func filingProduct() throws -> [Hit] {
        guard let declared else { return [] }
        var hits: [Hit] = []
        for (i, _, text) in featureFilings {
            guard let number = filingNumber(text), let record = try context.registry.filing(number.text),
                record.role == .serviceProvider
            else { continue }
            let name = Checks.normalised(declared.app.name)
            if !record.products.contains(where: { Checks.normalised($0.name) == name }) {
                let listed = record.products.map { "\($0.name)（\($0.channel)）" }.joined(separator: "、")
                hits.append(
                    hit(
                        "the app '\(declared.app.name)' is not among the products of \(number.text) (应用产品: \(listed.isEmpty ? "none" : listed))",
                        at: declared.position("features[\(i)].algorithm_filing")))
            }
        }
        return hits
    }

    func supplierFiling() throws -> [Hit] {
        guard let declared else { return [] }
        var hits: [Hit] = []
        for (i, feature) in declared.features.enumerated() {
            for (j, supplier) in feature.suppliers.enumerated() {
                let position = declared.position("features[\(i)].suppliers[\(j)]")
                guard let text = supplier.algorithmFiling else {
                    hits.append(hit("supplier \(supplier.name) has no algorithm filing declared", at: position))
                    continue
                }
                guard let number = filingNumber(text) else { continue }  // filing_format reports it
                guard try context.registry.hasFilingLists() else { continue }  // filing_registered reports it
                guard let record = try context.registry.filing(number.text) else {
                    hits.append(
                        hit(
                            "supplier \(supplier.name)'s filing \(number.text) is in no published list loaded",
                            at: position))
                    continue
                }
                if record.role != .technicalSupporter {
                    hits.append(
                        hit(
                            "supplier \(supplier.name)'s filing \(number.text) is a \(record.role.label) filing, not a 服务技术支持者 one",
                            at: position))
                }
                if !Checks.sameEntity(record.entity, supplier.name) {
                    hits.append(
                        hit(
                            "\(number.text) belongs to \(record.entity), not to the supplier \(supplier.name)",
                            at: position))
                }
                if try context.registry.cancellation(number.text) != nil {
                    hits.append(hit("supplier \(supplier.name)'s filing \(number.text) was cancelled", at: position))
                }
            }
        }
        return hits
    }

    func genaiNumber() throws -> [Hit] {
        guard let declared else { return [] }
        var hits: [Hit] = []
        let listsLoaded = try context.registry.counts().genai > 0
        for (i, feature) in declared.features.enumerated() {
            guard let text = feature.genaiFiling else { continue }
            let position = declared.position("features[\(i)].genai_filing")
            guard let number = GenAINumber(text) else {
                hits.append(
                    hit(
                        "'\(text)' is not a gen-AI filing or registration number (Province-Name-YYYYMMDD[NNNN] or …S NNNN)",
                        at: position))
                continue
            }
            if listsLoaded, try context.registry.genai(number.text) == nil {
                hits.append(hit("\(number.text) is in none of the gen-AI lists loaded", at: position))
            }
        }
        return hits
    }

    /// Entity names compared as people write them: brackets of either width, spaces ignored.
    static func sameEntity(_ a: String, _ b: String) -> Bool { normalised(a) == normalised(b) }

    static func normalised(_ text: String) -> String {
        if let quick = QuickTrim.foldedName(text) { return quick }
        var out = ""
        for c in text where !c.isWhitespace {
            switch c {
            case "（": out.append("(")
            case "）": out.append(")")
            default: out.append(contentsOf: c.lowercased())
            }
        }
        return out
    }
}
