import ArgumentParser

/// The command lines of `check` and `inspect` a CI hook or a batch gives, parsed without
/// ArgumentParser's reflection.
///
/// ArgumentParser finds a command's options by reflection: it builds the command from `Mirror`
/// three times, demangling every field's type and checking its conformances (about 500 type
/// lookups). For a CI hook's `check` that is 31 M of its 193 M instructions, on the main thread,
/// before the bundle is opened. A `QuickParser` states the same options as a table (name, kind,
/// default, the same `ExpressibleByArgument` conversion or transform, the same `validate()`), and
/// fills in the same command through the property wrappers' setters.
///
/// It takes only what it is sure of, and hands everything else back (`parse` gives nil) to
/// ArgumentParser, which then answers exactly as before: an option it does not list (`--help`,
/// `--version`, a completion request, a typo), `--`, a short option in any form but `-o VALUE`,
/// an empty word, a value beginning with `-`, a value the option's type does not take, an
/// option given twice that is not repeatable, no bundle, a failed validation.
///
/// The tables sit beside the options they restate (`quick` of each command and option group).
/// `QuickParserTests` proves them the same as ArgumentParser's: the same names and kinds as its
/// own dump of the command, the same defaults, and the same values, field by field, for 300
/// generated command lines.
struct QuickParser<Command: ParsableArguments> {
    /// The command with its own options at their defaults (its option groups are set by `build`).
    private var command: Command
    /// Every option, the groups' included, by spelling (`--max-entries`, `-o`): how it is given.
    private(set) var kinds: [String: QuickOptionKind] = [:]
    /// The command's own options, by spelling: set from the texts given.
    private var entries: [String: (inout Command, [String]) -> Bool] = [:]
    private var positionals: ((inout Command, [String]) -> Void)?
    /// The option groups, each built from the same texts and set into the command.
    private var groups: [(inout Command, [String: [String]]) -> Bool] = []

    init(_ command: Command) { self.command = command }

    /// The command `arguments` (the words after the command's name) give, or nil when they are
    /// not a plain use of the listed options that passes every validation.
    func parse(_ arguments: [String]) -> Command? {
        var given: [String: [String]] = [:]
        var words: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard !argument.isEmpty else { return nil }
            guard argument.hasPrefix("-") else {
                words.append(argument)
                continue
            }
            var name = argument
            var attached: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                attached = String(argument[argument.index(after: equals)...])
            }
            guard let kind = kinds[name] else { return nil }
            guard kind == .repeatedValue || given[name] == nil else { return nil }
            switch kind {
            case .flag:
                guard attached == nil else { return nil }
                given[name] = []
            case .value, .repeatedValue:
                let value: String
                if let attached {
                    value = attached
                } else {
                    guard index < arguments.endIndex else { return nil }
                    value = arguments[index]
                    index += 1
                }
                guard !value.isEmpty, !value.hasPrefix("-") else { return nil }
                given[name, default: []].append(value)
            }
        }
        guard let positionals, !words.isEmpty else { return nil }
        var command = self.command
        positionals(&command, words)
        return build(&command, given) ? command : nil
    }

    /// Sets what `given` names in `command` (its groups too), then validates it as ArgumentParser
    /// does: each group when it is decoded, the command last. False when a text is not one its
    /// option takes, or a validation fails.
    private func build(_ command: inout Command, _ given: [String: [String]]) -> Bool {
        for (name, texts) in given {
            if let entry = entries[name], !entry(&command, texts) { return false }
        }
        for group in groups where !group(&command, given) { return false }
        do { try command.validate() } catch { return false }
        return true
    }

    private mutating func add(
        _ name: String, _ kind: QuickOptionKind, _ entry: @escaping (inout Command, [String]) -> Bool
    ) {
        precondition(kinds[name] == nil, "\(name) is listed twice")
        kinds[name] = kind
        entries[name] = entry
    }

    /// The command's positional words (one at least), in order.
    mutating func words(_ set: @escaping (inout Command, [String]) -> Void) {
        positionals = set
    }

    /// `--name VALUE` or `--name=VALUE`, the value converted as ArgumentParser converts it.
    /// `set` must assign the property (`{ $0.format = $1 }`): its wrapper takes a value only
    /// through its setter.
    mutating func option<Value: ExpressibleByArgument>(
        _ name: String, default value: Value, _ set: @escaping (inout Command, Value) -> Void
    ) {
        single(name, default: value, Value.init(argument:), set)
    }

    /// An option without a default: nil unless given.
    mutating func option<Value: ExpressibleByArgument>(_ name: String, _ set: @escaping (inout Command, Value?) -> Void)
    {
        single(name, default: nil, Value.init(argument:), set)
    }

    /// A size option: its value through `ReadLimitOptions.size`, the transform its declaration
    /// names (4096, 64KiB, 2G).
    mutating func size(_ name: String, default value: Int64, _ set: @escaping (inout Command, Int64) -> Void) {
        single(name, default: value, { try? ReadLimitOptions.size($0) }, set)
    }

    /// An option given once, its value converted by `convert` (nil: not a value it takes).
    private mutating func single<Value>(
        _ name: String, default value: Value, _ convert: @escaping (String) -> Value?,
        _ set: @escaping (inout Command, Value) -> Void
    ) {
        set(&command, value)
        add(name, .value) { command, texts in
            guard let text = texts.last, let value = convert(text) else { return false }
            set(&command, value)
            return true
        }
    }

    /// A repeatable option: every value in order; none by default.
    mutating func repeated<Value: ExpressibleByArgument>(
        _ name: String, _ set: @escaping (inout Command, [Value]) -> Void
    ) {
        set(&command, [])
        add(name, .repeatedValue) { command, texts in
            var values: [Value] = []
            for text in texts {
                guard let value = Value(argument: text) else { return false }
                values.append(value)
            }
            set(&command, values)
            return true
        }
    }

    /// A flag: false unless given.
    mutating func flag(_ name: String, _ set: @escaping (inout Command, Bool) -> Void) {
        set(&command, false)
        add(name, .flag) { command, _ in
            set(&command, true)
            return true
        }
    }

    /// An option group (`@OptionGroup`): its options, its defaults and its validation. `set`
    /// assigns the property, as for an option.
    mutating func group<Group>(_ group: QuickParser<Group>, _ set: @escaping (inout Command, Group) -> Void) {
        for (name, kind) in group.kinds {
            precondition(kinds[name] == nil, "\(name) is listed twice")
            kinds[name] = kind
        }
        groups.append { command, given in
            var value = group.command
            guard group.build(&value, given) else { return false }
            set(&command, value)
            return true
        }
    }
}

/// How an option of a `QuickParser` is given.
enum QuickOptionKind: Equatable {
    /// `--name`, no value.
    case flag
    /// `--name VALUE` or `--name=VALUE`, once.
    case value
    /// `--name VALUE` as many times as wanted.
    case repeatedValue
}
