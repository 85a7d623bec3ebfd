package dev.llmcw.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.eval.EvaluationProgress;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An evaluation job of two tasks reports one progress over both and a metrics line per task. */
class EngineEvaluationProgressTest {
    private record Update(String stage, long done, long total) {}

    @Test
    void twoTasksReportOneProgressOverAllTheirItemsAndEachTasksMetrics() {
        Model model = ModelLoader.load(TestData.stories260K());
        ModelHandle handle = ModelService.handle(model, model.source());
        var service = new EngineEvaluationService(null, TestData.require("datasets"));
        var updates = new ArrayList<Update>();
        var log = new ArrayList<String>();
        ProgressListener progress = (stage, done, total, message) -> {
            if (done < 0 && total < 0) log.add(stage);
            else updates.add(new Update(stage, done, total));
        };
        var request = new EvaluationService.Request(
                "stories260K", handle, null, List.of("piqa", "arc_easy"), 12, 0, 1234, false, null, Map.of());

        service.evaluate(request, progress, CancellationToken.none());

        assertThat(updates).isNotEmpty().allSatisfy(u -> {
            assertThat(u.stage()).isEqualTo(EvaluationProgress.STAGE);
            assertThat(u.total()).isEqualTo(24);
        });
        for (int i = 1; i < updates.size(); i++)
            assertThat(updates.get(i).done())
                    .isGreaterThanOrEqualTo(updates.get(i - 1).done());
        assertThat(updates.getLast().done()).isEqualTo(24);
        assertThat(log).anyMatch(l -> l.matches("piqa: acc \\d\\.\\d{4} ± \\d\\.\\d{4}.*"));
        assertThat(log).anyMatch(l -> l.matches("arc_easy: acc \\d\\.\\d{4} ± \\d\\.\\d{4}.*"));
    }
}
