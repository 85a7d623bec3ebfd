package dev.llmcw.ui;

import dev.llmcw.app.CompressionService;
import dev.llmcw.app.CompressionSettings;
import dev.llmcw.app.DefaultModelService;
import dev.llmcw.app.EvaluationService;
import dev.llmcw.app.HubCatalogService;
import dev.llmcw.app.ModelHandle;
import dev.llmcw.app.ModelService;
import dev.llmcw.app.SessionResultsService;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.model.Model;
import dev.llmcw.report.RunRow;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test doubles for view-model tests: they check the view models' wiring (what is called with what,
 * what ends up where), not numbers; the real layers have their own tests.
 */
final class FakeServices {
    private FakeServices() {}

    /** A compression "method" whose size accounting is a fixed formula of its parameter "bits". */
    static final class FakeCompression implements CompressionService {
        final List<CompressionSettings> estimated = new ArrayList<>();

        @Override
        public List<MethodInfo> methods() {
            return List.of(
                    new MethodInfo("rtn", "RTN", true, ""),
                    new MethodInfo("caldera", "CALDERA", false, "CALDERA is missing"));
        }

        @Override
        public CompressionMethod create(CompressionSettings s) {
            double bits = Double.parseDouble(s.parameters().get("bits"));
            return new CompressionMethod() {
                @Override
                public String name() {
                    return s.method();
                }

                @Override
                public Map<String, String> parameters() {
                    return s.parameters();
                }

                @Override
                public CompressionMethod withTokenizer(Path tokenizer) {
                    return this;
                }

                @Override
                public SizeEstimate estimate(Model m) {
                    estimated.add(s);
                    long p = m.config().parameterCount();
                    return new SizeEstimate(p, bits, p, (long) (p * bits / 8), bits, "fake: bits × params");
                }

                @Override
                public CompressionReport compress(
                        Model m, Path out, Path work, ProgressListener pr, CancellationToken c) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }

    /** Evaluation that returns one row per task with the request's limit as "acc" (so tests can see what was asked). */
    static final class FakeEvaluation implements EvaluationService {
        final List<Request> requests = new ArrayList<>();

        @Override
        public List<TaskInfo> tasks() {
            return List.of(
                    new TaskInfo("piqa", "PIQA", true, ""), new TaskInfo("boolq", "BoolQ", false, "BoolQ is missing"));
        }

        @Override
        public List<RunRow> evaluate(Request r, ProgressListener p, CancellationToken c) {
            requests.add(r);
            var rows = new ArrayList<RunRow>();
            for (String t : r.tasks()) {
                p.update("scoring " + t, r.limit(), r.limit(), "");
                rows.add(new RunRow(
                        "r" + requests.size(),
                        r.modelLabel(),
                        r.model().method(),
                        Map.of(),
                        32,
                        1000,
                        t,
                        Map.of("acc", r.limit() / 1000.0, "acc_stderr", 0.01),
                        "",
                        RunRow.Measured.UNKNOWN));
            }
            return rows;
        }
    }

    static WorkbenchServices with(Path workspace, CompressionService c, EvaluationService e) {
        return new WorkbenchServices(
                workspace, new DefaultModelService(), c, e, new SessionResultsService(), HubCatalogService.standard());
    }

    static ModelHandle handle(Model m) {
        return ModelService.handle(m, m.source());
    }
}
