// swift-tools-version:6.1
// ShelfGuard: the shelf-review gatekeeper for apps and mini-programs that offer deep synthesis.
// Why each dependency is here: see README.md, "Dependencies".
import PackageDescription

/// Settings every ShelfGuard target shares: Swift 6 language mode with strict concurrency; and
/// the metadata of generic types this code names (a `Set<ContentKind>`, a `[String: Rule]`) built
/// by accessor functions that hand over the conformances they need, instead of from a mangled name
/// the runtime decodes, checking each conformance by a walk over all 12,000 of the binary's
/// conformance records. That walk was a sixth of a CI hook's start-up; this cuts its instructions
/// by 6 % and `check` of a 2 MB APK by 5 % (README, Benchmarks). It is an unsafe flag, so
/// SwiftPM would not let another package depend on these targets by version; none does. Should
/// one, drop it here: scripts/build-static passes it to every module of the binary to deploy.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"]),
]

let package = Package(
    name: "ShelfGuard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "shelfguard", targets: ["shelfguard"]),
        .library(name: "ShelfGuardKit", targets: ["ShelfGuardKit"]),
        .library(name: "ShelfGuardSQLite", targets: ["ShelfGuardSQLite"]),
        .library(name: "ShelfGuardService", targets: ["ShelfGuardService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // libarchive, from the system (Debian: libarchive-dev), behind a tiny shim header.
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]
        ),
        // zlib, from the system (Debian: zlib1g-dev), behind a tiny shim header: bounded inflate
        // for compressed PNG text chunks, deflated zip entries and compressed ID3 frames.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // libdeflate, from the system (Debian: libdeflate-dev), behind a tiny shim header: deflated
        // zip entries inflated in one call, two to three times as fast as zlib, and checked against
        // their central-directory record (WholeInflate.swift); the rest stream through libarchive.
        .systemLibrary(
            name: "CDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]
        ),
        // glibc's mallopt, which its Swift module leaves out (MallocTuning.swift).
        .systemLibrary(name: "CMalloc"),
        // The review pipeline; its folders are the pipeline's stages.
        .target(
            name: "ShelfGuardKit",
            dependencies: [
                "CArchive",
                "CZlib",
                "CDeflate",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings,
            // The project's policies/ folder, built in: the default feature database and policy.
            plugins: ["EmbedPolicies"]
        ),
        // The shelf ledger in SQLite (LedgerStore): the only code that imports GRDB.
        .target(
            name: "ShelfGuardSQLite",
            dependencies: [
                "ShelfGuardKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the few statements run 100,000 times in one emergency order.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The shelf ledger on a PostgreSQL server, through postgres-nio: the store for more than one
        // machine. The only code that imports PostgresNIO.
        .target(
            name: "ShelfGuardPostgres",
            dependencies: [
                "ShelfGuardKit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP service (`shelfguard serve`): handlers generated from the repository's openapi.yaml
        // (Sources/ShelfGuardService/openapi.yaml is a link to it), over Hummingbird. It reaches the
        // shelf only through LedgerStore and APIKeyStore: no database is imported here.
        .target(
            name: "ShelfGuardService",
            dependencies: [
                "ShelfGuardKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: [
                .plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator"),
                // The same openapi.yaml built in, served at /openapi.yaml byte for byte.
                "EmbedOpenAPI",
            ]
        ),
        .plugin(name: "EmbedOpenAPI", capability: .buildTool(), dependencies: ["shelfguard-embed"]),
        // Writes the policies/ folder as Swift source, for the EmbedPolicies build plugin.
        // Its policies/ is a link to the project's: SwiftPM plans the build again when files are
        // added to it or removed from it, so that the plugin's list of inputs stays current.
        .executableTarget(name: "shelfguard-embed", exclude: ["policies"], swiftSettings: swiftSettings),
        .plugin(name: "EmbedPolicies", capability: .buildTool(), dependencies: ["shelfguard-embed"]),
        // The command line tool operators, CI pipelines and emergency officers run.
        .executableTarget(
            name: "shelfguard",
            dependencies: [
                "ShelfGuardKit",
                "ShelfGuardSQLite",
                "ShelfGuardPostgres",
                "ShelfGuardService",
                "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            // The Swift driver exports every symbol of an executable on Linux (54,000 here). Nothing
            // looks them up, but each start pays for them: the runtime's backtrace set-up asks the
            // dynamic linker which symbol holds an address, a walk over all of them. 1.4 ms of the
            // CI hook's 47 ms (README, Benchmarks).
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux]))]
        ),
        // Writers for bundles of every supported format, normal and hostile: test fixtures,
        // the samples and the benchmark bundles are all made here, in code.
        .target(
            name: "BundleFactory",
            dependencies: [
                "CArchive",
                "ShelfGuardKit",
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Regenerates samples/ and writes bundles by hand for manual testing.
        .executableTarget(
            name: "shelfguard-factory",
            dependencies: [
                "BundleFactory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks that print figures and ratios against a baseline measured in the same run.
        .executableTarget(
            name: "shelfguard-bench",
            dependencies: [
                "BundleFactory",
                "ShelfGuardKit",
                "ShelfGuardSQLite",
                // The daily benchmark fills a PostgreSQL shelf through the store's API, as it fills SQLite's.
                "ShelfGuardPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // The serve-feed benchmark's HTTP client: a hundred keep-alive connections on NIO.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/ShelfGuardBench",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ShelfGuardKitTests",
            dependencies: [
                "ShelfGuardKit",
                "ShelfGuardSQLite",
                "ShelfGuardPostgres",
                "BundleFactory",
                "shelfguard",
                "ShelfGuardService",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Reporting/Golden", "Reporting/Schemas"],
            swiftSettings: swiftSettings
        ),
    ]
)
