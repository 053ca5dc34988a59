// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Pharos",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pharos", targets: ["pharos"]),
        .library(name: "PharosCore", targets: ["PharosCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "PharosCore",
            dependencies: ["CLibCrypto", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "PharosProcess", dependencies: ["PharosCore"]),
        .systemLibrary(name: "CLibCrypto", path: "Sources/CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "PharosText", dependencies: ["PharosCore"]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "PharosHTTP", dependencies: ["PharosCore", "CCurl", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "PharosFeeds", dependencies: ["PharosCore", "PharosText", "CLibXML2"]),
        .target(name: "PharosMatching", dependencies: ["PharosCore"], exclude: ["Vocabulary"], plugins: ["EmbedVocabularyPlugin"]),
        .executableTarget(name: "EmbedVocabulary"),
        .plugin(name: "EmbedVocabularyPlugin", capability: .buildTool(), dependencies: ["EmbedVocabulary"], path: "Sources/EmbedVocabularyPlugin"),
        .target(
            name: "PharosEngine",
            dependencies: [
                "PharosCore", "PharosMatching", "PharosText",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(name: "FolderSource", dependencies: ["PharosCore", "PharosText", .product(name: "Logging", package: "swift-log")], path: "Plugins/FolderSource",
                exclude: ["README.md", "sample.yaml"]),
        .target(name: "RSSSource", dependencies: ["PharosCore", "PharosFeeds", "PharosText", .product(name: "Logging", package: "swift-log")],
                path: "Plugins/RSSSource", exclude: ["README.md", "sample.yaml"]),
        .target(name: "WebhookSink", dependencies: ["PharosCore", "PharosText", .product(name: "Logging", package: "swift-log")],
                path: "Plugins/WebhookSink", exclude: ["README.md", "sample.yaml", "examples"]),
        .target(name: "FileSink", dependencies: ["PharosCore", .product(name: "Logging", package: "swift-log")], path: "Plugins/FileSink",
                exclude: ["README.md", "sample.yaml"]),
        .target(name: "EmailSink", dependencies: ["PharosCore", "PharosText", .product(name: "Logging", package: "swift-log")], path: "Plugins/EmailSink",
                exclude: ["README.md", "sample.yaml"]),
        .target(name: "ExecSource", dependencies: ["PharosCore", "PharosProcess", "PharosText", .product(name: "Logging", package: "swift-log")], path: "Plugins/ExecSource",
                exclude: ["README.md", "sample.yaml", "examples"]),
        .target(name: "ExecSink", dependencies: ["PharosCore", "PharosProcess", .product(name: "Logging", package: "swift-log")], path: "Plugins/ExecSink",
                exclude: ["README.md", "sample.yaml", "examples"]),
        .target(
            name: "PharosBuiltins",
            dependencies: ["PharosCore", "FolderSource", "RSSSource", "ExecSource", "FileSink", "WebhookSink", "EmailSink", "ExecSink"]
        ),
        .executableTarget(
            name: "pharos",
            dependencies: [
                "PharosCore", "PharosMatching", "PharosEngine", "PharosBuiltins", "PharosHTTP", "PharosFeeds", "PharosText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "pharos-bench-events", dependencies: ["PharosEngine", "PharosBuiltins", "PharosMatching", "PharosCore"],
                          path: "bench/events", exclude: ["run", "README.md", "rules.yaml", "corpus", "labels-a.yaml", "labels-b.yaml"], sources: ["Speed.swift"]),
        .executableTarget(name: "pharos-bench-match", dependencies: ["PharosMatching", "PharosCore"], path: "bench/match",
                          exclude: ["generate.py", "ac.py", "run", "endtoend", "README.md"], sources: ["Micro.swift"]),
        .testTarget(name: "PharosCoreTests", dependencies: ["PharosCore"]),
        .testTarget(name: "PharosTextTests", dependencies: ["PharosText", "PharosCore", "TestSupport"]),
        .target(name: "TestSupport", dependencies: ["PharosCore", "PharosHTTP"], path: "Tests/TestSupport"),
        .testTarget(name: "PharosHTTPTests", dependencies: ["PharosHTTP", "PharosCore", "TestSupport",
                                                  .product(name: "Logging", package: "swift-log"),
                                                  .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "RSSSourceTests", dependencies: ["RSSSource", "PharosHTTP", "PharosCore", "TestSupport"]),
        .testTarget(name: "PharosFeedsTests", dependencies: ["PharosFeeds", "PharosText", "PharosCore", "TestSupport"]),
        .testTarget(name: "PharosMatchingTests", dependencies: ["PharosMatching", "PharosCore", "PharosEngine"], exclude: ["Labelled"]),
        .testTarget(name: "PharosEngineTests", dependencies: ["PharosEngine", "PharosCore", "PharosMatching", "PharosText", "FolderSource", "FileSink", "ExecSource", "TestSupport",
                                                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "FolderSourceTests", dependencies: ["FolderSource", "PharosCore", "TestSupport"]),
        .testTarget(name: "WebhookSinkTests", dependencies: ["WebhookSink", "PharosHTTP", "PharosCore", "TestSupport"]),
        .testTarget(name: "EmailSinkTests", dependencies: ["EmailSink", "PharosHTTP", "PharosText", "PharosCore", "TestSupport"]),
        .testTarget(name: "ExecPluginTests", dependencies: ["ExecSource", "ExecSink", "PharosProcess", "PharosCore", "TestSupport"]),
        .testTarget(name: "PharosProcessTests", dependencies: ["PharosProcess", "PharosCore", "TestSupport"]),
        .testTarget(name: "FileSinkTests", dependencies: ["FileSink", "PharosCore", "TestSupport"]),
        .testTarget(name: "PluginFolderTests", dependencies: ["PharosBuiltins", "PharosEngine", "PharosCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["pharos", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// One place for the strictness every target shares.
for target in package.targets where target.type != .system && target.type != .plugin {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.unsafeFlags(["-warnings-as-errors"]))
    target.swiftSettings = settings
}
