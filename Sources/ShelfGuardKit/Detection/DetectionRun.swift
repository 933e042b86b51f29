/// The matches collected while one bundle is read, turned into detections at the end.
struct DetectionRun {
    let engine: SignatureEngine
    /// Places kept per matcher after the first.
    static let placesPerMatcher = 10

    struct Hit {
        var order: Int
        var places: [Detection.Place]
        var count: Int
    }

    /// signature → matcher → hit.
    private var hits: [Int32: [Int32: Hit]] = [:]
    private var order = 0
    /// Hazards the detector found while reading (a DEX it could not walk), capped per kind.
    private var hazardLog: HazardLog

    init(engine: SignatureEngine, maxHazardsPerKind: Int = ReadLimits.standard.maxHazardsPerKind) {
        self.engine = engine
        self.hazardLog = HazardLog(maxPerKind: maxHazardsPerKind)
    }

    mutating func hazard(_ kind: HazardKind, location: String, detail: String) {
        hazardLog.add(Hazard(kind: kind, location: location, detail: detail))
    }

    mutating func record(_ ref: SignatureEngine.Ref, location: String, evidence: String) {
        if var hit = hits[ref.signature]?[ref.matcher] {
            hit.count += 1
            if hit.places.count < Self.placesPerMatcher {
                hit.places.append(Detection.Place(location: location, evidence: evidence))
            }
            hits[ref.signature]![ref.matcher] = hit
        } else {
            order += 1
            hits[ref.signature, default: [:]][ref.matcher] = Hit(
                order: order, places: [Detection.Place(location: location, evidence: evidence)], count: 1)
        }
    }

    /// Matches the manifest's facts: permissions, metadata keys, plugin providers, quick-app features.
    mutating func observe(manifest: AppManifest, location: String) {
        for permission in manifest.permissions + manifest.modules.flatMap(\.permissions) {
            for ref in engine.byPermission[permission] ?? [] {
                record(ref, location: location, evidence: "permission \(permission)")
            }
        }
        for item in manifest.metaData {
            for ref in engine.byMetaData[item.name] ?? [] {
                record(ref, location: location, evidence: "metadata \(item.name)")
            }
        }
        for plugin in manifest.plugins {
            guard let provider = plugin.provider else { continue }
            for ref in engine.byPluginProvider[provider] ?? [] {
                record(ref, location: location, evidence: "plugin \(plugin.alias) from \(provider)")
            }
        }
        if manifest.platform == .quickapp {
            for feature in manifest.features {
                for ref in engine.byQuickAppFeature[feature] ?? [] {
                    record(ref, location: location, evidence: "feature \(feature)")
                }
            }
        }
    }

    /// The signatures that fired, the per-feature roll-up, the hazards found while reading and
    /// `packed` hazards. A detection proves the features of the matchers that matched (each with
    /// the matched text that proves it) and lists the vendor's other features as possible.
    func result() -> DetectionResult {
        var detections: [(order: Int, detection: Detection)] = []
        var hazards = hazardLog.listed
        for (s, matcherHits) in hits {
            let signature = engine.database.signatures[Int(s)]
            if signature.requireAll && matcherHits.count < signature.matchers.count { continue }
            let ordered = matcherHits.sorted { $0.value.order < $1.value.order }
            let first = ordered[0].value.places[0]
            var evidence = first.evidence
            if signature.requireAll {
                evidence = matcherHits.sorted { $0.key < $1.key }.map { $0.value.places[0].evidence }.joined(
                    separator: " + ")
            }
            // Each feature's strongest proof; the first found among equals.
            var proofs: [String: Detection.FeatureProof] = [:]
            var confidence = Signature.Confidence.weak
            for (m, hit) in ordered {
                let proof = signature.proofs[Int(m)]
                confidence = max(confidence, proof.confidence)
                let place = hit.places[0]
                for feature in proof.features {
                    if let current = proofs[feature], current.confidence >= proof.confidence { continue }
                    proofs[feature] = Detection.FeatureProof(
                        feature: feature, confidence: proof.confidence, location: place.location,
                        evidence: signature.requireAll ? evidence : place.evidence)
                }
            }
            let proven = signature.features.filter { proofs[$0] != nil }
            let others = ordered.flatMap(\.value.places).dropFirst().prefix(9)
            let detection = Detection(
                signature: signature.id, features: proven, confidence: confidence,
                category: signature.category, vendor: signature.vendor, product: signature.product,
                location: first.location, evidence: evidence,
                occurrences: ordered.reduce(0) { $0 + $1.value.count }, alsoAt: Array(others),
                proofs: proven.compactMap { proofs[$0] },
                possibleFeatures: signature.possibleFeatures.filter { proofs[$0] == nil }, runs: signature.runs)
            detections.append((ordered[0].value.order, detection))
            if signature.category == .packer {
                hazards.append(
                    Hazard(
                        kind: .packed, location: first.location,
                        detail:
                            "\(signature.vendor) \(signature.product) (\(first.evidence)): the real code is encrypted, so what the app does cannot be inspected"
                    ))
            }
        }
        let sorted = detections.sorted { $0.order < $1.order }.map(\.detection)
        return DetectionResult(detections: sorted, featureSummary: summary(sorted), hazards: hazards)
    }

    /// For each proven feature, its strongest proof (the first found among equals). Possible
    /// features are not found features: they stay on their detection.
    private func summary(_ detections: [Detection]) -> [FeatureEvidence] {
        var best: [String: (Detection, Detection.FeatureProof)] = [:]
        for detection in detections where detection.category.provesFeatures {
            for proof in detection.proofs {
                if let current = best[proof.feature], current.1.confidence >= proof.confidence { continue }
                best[proof.feature] = (detection, proof)
            }
        }
        return best.keys.sorted().map { feature in
            let (d, proof) = best[feature]!
            return FeatureEvidence(
                feature: feature, confidence: proof.confidence,
                synthesis: engine.database.taxonomy.features[feature]?.synthesis ?? false, signature: d.signature,
                location: proof.location, evidence: proof.evidence)
        }
    }
}
