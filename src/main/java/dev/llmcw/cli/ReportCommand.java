package dev.llmcw.cli;

import dev.llmcw.app.StoreResultsService;
import dev.llmcw.report.FigureSize;
import dev.llmcw.report.LayerError;
import dev.llmcw.report.ReferencePoint;
import dev.llmcw.report.ReferencePoints;
import dev.llmcw.report.ReportWriter;
import dev.llmcw.report.RunRow;
import dev.llmcw.report.RunRows;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "report",
        description = {
            "Writes a report for stored runs: report.html and report.md with tables and charts",
            "(charts/*.png, *.svg: accuracy vs bits/weight and vs size with error bars and Pareto frontier,",
            "perplexity and KL vs bits, per-layer reconstruction error), plus runs.csv and runs.json."
        })
final class ReportCommand implements Callable<Integer> {
    static final class Selection {
        @Option(names = "--runs", split = ",", description = "run ids (see the Results view or `runs`)")
        List<Long> runs;

        @Option(names = "--all", description = "every finished run in the database")
        boolean all;
    }

    @ArgGroup(multiplicity = "1")
    Selection selection;

    @Mixin
    DbOption db = new DbOption();

    @Mixin
    OutFolderOption out = new OutFolderOption();

    @Option(
            names = "--paper-points",
            paramLabel = "FILE",
            description =
                    "paper-reported points to overlay (a workspace's paper-points.json, as the Charts view saves it)")
    Path paperPoints;

    @Option(
            names = "--figure-size",
            paramLabel = "SIZE",
            description =
                    "charts at a printed size, as PNG, SVG and PDF: one-column (3.5 in), two-columns (7 in) or WxH[@DPI] in inches, "
                            + "e.g. 5x3@600 (default: 960 x 600 screen pixels, PNG and SVG)")
    String figureSize;

    @Option(names = "--title", defaultValue = "LLM compression report", description = "report title")
    String title;

    @Override
    public Integer call() throws Exception {
        Path file = db.file();
        try (ResultsStore store = ResultsStore.open(file)) {
            List<RunRecord> records = new ArrayList<>();
            if (selection.all) {
                records.addAll(store.listRuns(RunFilter.all().withStatus(RunStatus.DONE)));
            } else {
                for (long id : selection.runs) {
                    records.add(
                            store.getRun(id).orElseThrow(() -> new IllegalArgumentException(file + ": no run " + id)));
                }
            }
            if (records.isEmpty()) throw new IllegalArgumentException(file + ": no finished runs to report on");
            List<RunRow> rows = RunRows.of(store, records);
            List<LayerError> errors = new StoreResultsService(store, id -> List.of(), null).layerErrors(rows);
            FigureSize figure = figureSize == null ? null : FigureSize.parse(figureSize);
            var o = ReportWriter.write(new ReportWriter.Input(title, rows, errors, paperPoints(), figure), out.dir());
            System.out.println("wrote " + o.html() + ", " + o.markdown() + ", " + o.csv() + ", " + o.json() + " and "
                    + o.charts().size() + " chart files");
        }
        return 0;
    }

    /** ReferencePoints.read treats a missing file as "no points", right for a workspace but not for an explicit option. */
    private List<ReferencePoint> paperPoints() throws IOException {
        if (paperPoints == null) return List.of();
        if (!Files.isRegularFile(paperPoints))
            throw new IllegalArgumentException(paperPoints + ": no such paper-points file");
        return ReferencePoints.read(paperPoints);
    }
}
