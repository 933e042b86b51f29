import ArgumentParser
import Foundation

/// How a command prints its result on standard output.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// Prints a value as the pretty, key-sorted JSON every command writes.
func printJSON<T: Encodable>(_ value: T) throws { try Output.json(value) }
