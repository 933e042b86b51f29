import Foundation
import ShelfGuardKit

/// What the service needs to take bundles for review (`POST /v1/reviews`): where uploads are
/// kept, and the digests of the policy and feature database its workers judge with, which with
/// the files' digests make each review's key, the submission's id.
public struct ReviewIntake: Sendable {
    /// The bundle store the queue's workers read the uploads from (the one beside the database,
    /// or `--bundle-store`).
    public var bundleStore: BundleStore
    public var policySHA256: String
    public var signatureSHA256: String
    /// The taxonomy the declaration's labeling materials are resolved with, as the worker does.
    public var taxonomy: FeatureTaxonomy
    /// The largest declaration taken (`--max-declaration-size`); 413 past it.
    public var declarationLimits: DeclarationLimits

    public init(
        bundleStore: BundleStore, policySHA256: String, signatureSHA256: String, taxonomy: FeatureTaxonomy,
        declarationLimits: DeclarationLimits = .standard
    ) {
        self.bundleStore = bundleStore
        self.policySHA256 = policySHA256
        self.signatureSHA256 = signatureSHA256
        self.taxonomy = taxonomy
        self.declarationLimits = declarationLimits
    }

    /// The submission's id: the key the worker will record the review under
    /// (`BatchReview.review` computes it the same way from the same files).
    func key(bundleSHA256: String, declaration: (sha256: String, path: String)?) -> String {
        ReviewSubmission.key(
            bundleSHA256: bundleSHA256, declarationSHA256: declaration?.sha256 ?? "", policySHA256: policySHA256,
            signatureSHA256: signatureSHA256,
            materials: declaration.map {
                DeclarationLocator.materialsBeside(
                    declarationFile: $0.path, taxonomy: taxonomy, limits: declarationLimits)
            } ?? [:])
    }
}
