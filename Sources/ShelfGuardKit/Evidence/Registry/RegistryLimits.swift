/// How much of an evidence file is read and kept. Files are read as a stream, so memory does
/// not grow with the file; these bounds keep one row, one stored record and one import from
/// being as large as whoever made the file wanted.
public struct RegistryLimits: Sendable, Equatable {
    /// Bytes of one field: one column of a CSV row, one text value of a YAML item. A row with a
    /// longer field is rejected with its line, never stored. The longest field of the real
    /// published lists is 854 bytes (a list of products); 64 KiB is 75 times that, and keeps
    /// one stored record below half a megabyte.
    public var maxFieldBytes: Int = 64 << 10
    /// Bytes of one CSV row, quotes and the line breaks inside quoted fields included. A longer
    /// row is rejected with its line and reading goes on after it. The longest real row is 1,955
    /// bytes; 1 MiB holds sixteen fields at the field limit, twice the columns of any list, so
    /// it only stops rows of thousands of columns or lines that never end.
    public var maxRowBytes: Int = 1 << 20
    /// Bytes of one file. A larger file is refused whole and nothing of it is imported. The real
    /// lists are tens of kilobytes; 1 GiB takes a few million rows, a few seconds each million.
    public var maxFileBytes: Int64 = 1 << 30
    /// Rejected rows (and rows taken with a note) listed one by one, with their lines; past this
    /// many they are only counted, so that a file of bad rows cannot fill the memory or the
    /// terminal.
    public var maxListedProblems: Int = 1_000

    public init() {}

    /// The defaults `registry import` and `check --registry` use.
    public static let standard = RegistryLimits()
}
