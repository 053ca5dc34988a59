// swift-tools-version:6.1
import Foundation
import PackageDescription

let package = Package(
    name: "Pharos",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pharos", targets: ["pharos"]),
        .library(name: "PharosCore", targets: ["PharosCore"]),
        .library(name: "PharosTestKit", targets: ["PharosTestKit"]),
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
            dependencies: ["PharosSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "PharosSupport", dependencies: ["CLibCrypto"]),
        .target(name: "PharosProcess", dependencies: ["PharosCore"]),
        .systemLibrary(name: "CLibCrypto", path: "Sources/CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "PharosText", dependencies: ["PharosCore"]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "PharosHTTP", dependencies: ["PharosCore", "CCurl", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "PharosFeeds", dependencies: ["PharosCore", "PharosText", "CLibXML2"]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(name: "PharosMatching", dependencies: ["PharosCore"], exclude: ["Vocabulary"], plugins: ["EmbedVocabularyPlugin"]),
        .executableTarget(name: "EmbedVocabulary"),
        .plugin(name: "EmbedVocabularyPlugin", capability: .buildTool(), dependencies: ["EmbedVocabulary"], path: "Sources/EmbedVocabularyPlugin"),
        .target(
            name: "PharosEngine",
            dependencies: [
                "PharosCore", "PharosMatching", "PharosText", "CZlib", "CZstd",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Links every plugin (the list below).
        .target(name: "PharosBuiltins", dependencies: ["PharosCore"]),
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
        .executableTarget(name: "pharos-bench-stories", dependencies: ["PharosEngine", "PharosMatching", "PharosCore"], path: "bench/stories",
                          exclude: ["run", "README.md", "items.jsonl", "pairs.jsonl", "make_pairs.py"], sources: ["Bench.swift"]),
        .executableTarget(name: "pharos-bench-match", dependencies: ["PharosMatching", "PharosCore"], path: "bench/match",
                          exclude: ["generate.py", "ac.py", "run", "endtoend", "README.md"], sources: ["Micro.swift"]),
        .testTarget(name: "PharosCoreTests", dependencies: ["PharosCore"]),
        .testTarget(name: "PharosTextTests", dependencies: ["PharosText", "PharosCore", "TestSupport"]),
        .target(name: "TestSupport", dependencies: ["PharosCore", "PharosHTTP"], path: "Tests/TestSupport"),
        .target(
            name: "PharosTestKit",
            dependencies: ["PharosCore", "PharosEngine", "PharosMatching", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "PharosTestKitTests", dependencies: ["PharosTestKit", "PharosCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "PharosHTTPTests", dependencies: ["PharosHTTP", "PharosCore", "TestSupport",
                                                  .product(name: "Logging", package: "swift-log"),
                                                  .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "PharosFeedsTests", dependencies: ["PharosFeeds", "PharosText", "PharosCore", "TestSupport"]),
        .testTarget(name: "PharosMatchingTests", dependencies: ["PharosMatching", "PharosCore", "PharosEngine"], exclude: ["Labelled"]),
        .testTarget(name: "PharosEngineTests", dependencies: ["PharosEngine", "PharosCore", "PharosMatching", "PharosText", "FolderSource", "FileSink", "ExecSource", "TestSupport", "PharosTestKit",
                                                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "PharosProcessTests", dependencies: ["PharosProcess", "PharosCore", "TestSupport"]),
        .testTarget(name: "PluginFolderTests", dependencies: ["PharosBuiltins", "PharosEngine", "PharosCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["pharos", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// The built-in plugins, one folder each in Plugins/ (docs/ARCHITECTURE.md, "Adding a source
// plugin"): each is a target on the core API, with its tests in Plugins/<Name>/Tests, and is
// linked into PharosBuiltins, which registers it.
let plugins = [
    "FolderSource",
    "RSSSource",
    "ExecSource",
    "FileSink",
    "WebhookSink",
    "EmailSink",
    "ExecSink",
    "ClinicalTrialsSource",
    "EdgarSource",
]

// What a plugin uses besides PharosCore and swift-log, and what its tests use besides the
// plugin, the test kit and TestSupport.
let pluginUses: [String: [Target.Dependency]] = [
    "FolderSource": ["PharosText"],
    "RSSSource": ["PharosFeeds", "PharosText"],
    "ExecSource": ["PharosProcess", "PharosText"],
    "WebhookSink": ["PharosText"],
    "EmailSink": ["PharosText"],
    "ExecSink": ["PharosProcess"],
    "ClinicalTrialsSource": ["PharosText"],
    "EdgarSource": ["PharosText"],
]
let pluginTestsUse: [String: [Target.Dependency]] = [
    "RSSSource": ["PharosHTTP"],
    "WebhookSink": ["PharosHTTP"],
    "EmailSink": ["PharosHTTP", "PharosText"],
    "ExecSource": ["PharosProcess"],
    "ExecSink": ["PharosProcess"],
    "ClinicalTrialsSource": ["PharosHTTP"],
    "EdgarSource": ["PharosHTTP"],
]

let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
for plugin in plugins {
    let folder = "Plugins/\(plugin)"
    let examples = FileManager.default.fileExists(atPath: "\(Context.packageDirectory)/\(folder)/examples") ? ["examples"] : []
    package.targets.append(.target(name: plugin, dependencies: ["PharosCore", logging] + pluginUses[plugin, default: []], path: folder,
                                   exclude: ["README.md", "sample.yaml", "Tests"] + examples))
    package.targets.append(.testTarget(name: "\(plugin)Tests",
                                       dependencies: [.target(name: plugin), "PharosCore", "PharosTestKit", "TestSupport", logging]
                                           + pluginTestsUse[plugin, default: []],
                                       path: "\(folder)/Tests"))
}
package.targets.first { $0.name == "PharosBuiltins" }!.dependencies += plugins.map { .target(name: $0) }

// One place for the strictness every target shares.
for target in package.targets where target.type != .system && target.type != .plugin {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.unsafeFlags(["-warnings-as-errors"]))
    target.swiftSettings = settings
}
