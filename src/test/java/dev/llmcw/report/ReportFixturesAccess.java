package dev.llmcw.report;

import java.util.List;

/** Lets tests in other packages use the report fixtures. */
public final class ReportFixturesAccess {
    private ReportFixturesAccess() {}

    public static List<RunRow> rows() {
        return ReportFixtures.rows();
    }
}
