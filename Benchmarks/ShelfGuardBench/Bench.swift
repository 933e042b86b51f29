import ArgumentParser
import Foundation

/// `shelfguard-bench`: benchmarks that print figures and ratios against a baseline measured in
/// the same run. Build with `-c release`; `scripts/bench` does it all.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shelfguard-bench",
        abstract: "ShelfGuard benchmarks (medians of interleaved runs, with the baseline in the same run).",
        subcommands: [
            ReaderBenchmark.self, CheckOneBenchmark.self, ManifestBenchmark.self, DetectorBenchmark.self,
            ReviewBenchmark.self, BatchBenchmark.self,
            DailyBenchmark.self,
            TakedownBenchmark.self, LongNamesBenchmark.self, LabelsBenchmark.self, ReaderPass.self,
            LabelsPass.self,
            RegistryImportBenchmark.self, ServeFeedBenchmark.self,
            Generate.self,
        ])
}
