import Foundation
import Testing

@testable import ShelfGuardKit

/// Days that exist, and only those.
@Suite("calendar days")
struct CalendarDayTests {
    @Test(
        "impossible days are not days, with what is wrong",
        arguments: [
            ("2026-02-30", "February 2026 has 28 days"), ("2026-02-29", "February 2026 has 28 days"),
            ("1900-02-29", "February 1900 has 28 days"), ("2026-04-31", "April 2026 has 30 days"),
            ("2026-00-10", "months run from 01 to 12"), ("2026-13-01", "months run from 01 to 12"),
            ("0000-01-01", "there is no year 0000"), ("2026-01-00", "January 2026 has 31 days"),
            ("2026-1-01", "write YYYY-MM-DD"), ("+2026-01-01", "write YYYY-MM-DD"), ("2026-01-01T", "write YYYY-MM-DD"),
            ("２０２６-01-01", "write YYYY-MM-DD"), ("", "write YYYY-MM-DD"),
        ])
    func impossible(text: String, message: String) throws {
        #expect(!CalendarDay.isDay(text))
        #expect(CalendarDay.dayNumber(text) == nil)
        let problem = try #require(CalendarDay.problem(text))
        #expect(problem.contains(message), "\(problem)")
        #expect(WallClock.parse(text) == nil)
    }

    @Test(
        "real days, leap days included",
        arguments: ["2024-02-29", "2000-02-29", "2026-12-31", "0001-01-01", "9999-12-31"])
    func real(text: String) throws {
        #expect(CalendarDay.isDay(text) && CalendarDay.problem(text) == nil)
        let number = try #require(CalendarDay.dayNumber(text))
        #expect(CalendarDay.text(number).hasSuffix(text.drop(while: { $0 == "0" })))
    }

    @Test("a month alone still counts from its first day")
    func month() {
        #expect(CalendarDay.days(from: "2026-02", to: "2026-02-28") == 27)
        #expect(CalendarDay.dayNumber("2026-13") == nil)
    }

    @Test("evidence dates that do not exist are not read as dates")
    func evidenceDates() {
        #expect(RegistryFile.isoDate("2025/02/30") == nil)
        #expect(RegistryFile.isoDate("2025/02/28") == "2025-02-28")
        #expect(RegistryFile.chineseDate("2025年2月30日") == nil)
        // Written back zero-padded, a month alone as YYYY-MM.
        #expect(RegistryFile.isoDate("2025.7.4") == "2025-07-04")
        #expect(RegistryFile.isoDate("2025-12-31") == "2025-12-31")
        #expect(RegistryFile.chineseDate("2025年7月14日") == "2025-07-14")
        #expect(RegistryFile.chineseDate("2025年11月") == "2025-11")
        #expect(RegistryFile.chineseDate("2025年7月") == "2025-07")
        #expect(GenAINumber("Guangdong-FaceFun-20240230S0001") == nil)
        #expect(GenAINumber("Guangdong-FaceFun-20240229S0001") != nil)
    }
}
