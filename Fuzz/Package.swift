// swift-tools-version:6.2
// libFuzzer harness for PromExposition's streaming parser. Not part of the main package: build it from this
// folder with the sanitizer flags (see README.md or `make fuzz` in the parent folder).
import PackageDescription

let package = Package(
    name: "PromExpositionFuzz",
    dependencies: [
        .package(name: "promwatch", path: "..")
    ],
    targets: [
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "ExpositionFuzzer",
            dependencies: ["CFuzzerDriver", .product(name: "PromExposition", package: "promwatch")]
        ),
    ]
)
