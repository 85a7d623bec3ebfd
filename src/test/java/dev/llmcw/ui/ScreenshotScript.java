package dev.llmcw.ui;

import dev.llmcw.ui.charts.ChartsViewModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The views shown in the screenshots, in order: a real session from model to charts. Steps whose
 * layer is not in the build are skipped (the views then show their "not available" state).
 */
final class ScreenshotScript {
    interface Snap {
        void take(String name) throws Exception;
    }

    private ScreenshotScript() {}

    static void run(WorkbenchViewModel vm, MainWindow window, Snap snap) throws Exception {
        fx(() -> window.show(MainWindow.Page.MODEL));
        snap.take("01-model");

        var c = vm.compress();
        boolean seedlm = c.methods().stream().anyMatch(m -> m.name().equals("seedlm") && m.available());
        boolean rtn = c.methods().stream().anyMatch(m -> m.name().equals("rtn") && m.available());
        fx(() -> {
            window.show(MainWindow.Page.COMPRESS);
            c.methods().stream()
                    .filter(m -> m.name().equals(seedlm ? "seedlm" : "caldera"))
                    .findFirst()
                    .ifPresent(c.methodProperty()::set);
        });
        WaitForAsyncUtils.waitFor(
                60, TimeUnit.SECONDS, () -> !c.estimateProperty().get().equals("estimating …"));
        fx(() -> ((javafx.scene.control.ToggleButton) window.lookup("#advanced-toggle")).setSelected(true));
        snap.take("02-compress");

        if (seedlm) {
            fx(() -> {
                c.presetProperty().set(c.presets().get(0));
                c.compress();
                if (rtn) {
                    c.methods().stream()
                            .filter(m -> m.name().equals("rtn"))
                            .findFirst()
                            .ifPresent(c.methodProperty()::set);
                    for (int i = 0; i < c.presets().size(); i++) {
                        c.presetProperty().set(c.presets().get(i));
                        c.compress();
                    }
                }
                window.show(MainWindow.Page.JOBS);
            });
            WaitForAsyncUtils.waitFor(
                    300,
                    TimeUnit.SECONDS,
                    () -> vm.jobs().jobs().getFirst().progressProperty().get() > 0.3);
            snap.take("04-jobs");
            WaitForAsyncUtils.waitFor(
                    900,
                    TimeUnit.SECONDS,
                    () -> vm.jobs().jobs().stream().allMatch(j -> j.state().finished()));
        }

        var e = vm.evaluate();
        boolean piqa = e.tasks().stream()
                .anyMatch(t -> t.info().name().equals("piqa") && t.info().available());
        fx(() -> {
            window.show(MainWindow.Page.EVALUATE);
            if (piqa) {
                e.task("piqa").selectedProperty().set(true);
                e.tasks().stream()
                        .filter(t -> t.info().name().equals("tinystories_ppl"))
                        .forEach(t -> t.selectedProperty().set(true));
                e.limitProperty().set(200);
            }
        });
        snap.take("03-evaluate");
        if (piqa) {
            fx(() -> {
                e.run();
                window.show(MainWindow.Page.JOBS);
            });
            WaitForAsyncUtils.waitFor(
                    900,
                    TimeUnit.SECONDS,
                    () -> vm.jobs().jobs().stream().allMatch(j -> j.state().finished()));
            WaitForAsyncUtils.waitFor(
                    60, TimeUnit.SECONDS, () -> !vm.results().runs().isEmpty());
            if (!seedlm) snap.take("04-jobs");
        }

        fx(() -> {
            window.show(MainWindow.Page.RESULTS);
            var runs = vm.results().runs();
            vm.results()
                    .compare(runs.stream()
                            .filter(r -> r.task().equals("piqa"))
                            .limit(4)
                            .toList());
            runs.stream()
                    .filter(r -> !r.method().equals("base") && r.task().equals("piqa"))
                    .findFirst()
                    .ifPresent(vm.results()::showItems);
        });
        snap.take("05-results");

        fx(() -> {
            window.show(MainWindow.Page.CHARTS);
            if (vm.charts().tasks().contains("piqa")) vm.charts().taskProperty().set("piqa");
        });
        snap.take("06-charts-acc-vs-bits");
        if (!vm.charts().tasks().isEmpty()) {
            fx(() -> {
                vm.charts().kindProperty().set(ChartsViewModel.Kind.METRIC_VS_SIZE);
                vm.charts().metricProperty().set("acc_norm");
            });
            snap.take("07-charts-acc-norm-vs-size");
            if (vm.charts().tasks().contains("tinystories_ppl")) {
                fx(() -> {
                    vm.charts().kindProperty().set(ChartsViewModel.Kind.METRIC_VS_BITS);
                    vm.charts().taskProperty().set("tinystories_ppl");
                });
                snap.take("08-charts-perplexity");
                // the deployment view: the same runs against how their models run on this machine
                fx(() -> vm.charts().kindProperty().set(ChartsViewModel.Kind.METRIC_VS_DECODE));
                snap.take("13-charts-perplexity-vs-decode-speed");
                fx(() -> vm.charts().kindProperty().set(ChartsViewModel.Kind.METRIC_VS_MEMORY));
                snap.take("14-charts-perplexity-vs-memory");
            }
            fx(() -> vm.charts().kindProperty().set(ChartsViewModel.Kind.LAYER_ERRORS));
            snap.take("09-charts-layer-errors");
        }

        var example = Path.of("src/main/resources/suites/example-suite.yaml");
        if (Files.exists(example)) {
            fx(() -> {
                window.show(MainWindow.Page.SUITES);
                vm.suites().open(example);
            });
            snap.take("10-suites");
        }
    }

    /** The DEMO workspace: start it, compress with the preselected SeedLM 4-bit, evaluate PIQA's samples, chart. */
    static void demo(WorkbenchViewModel vm, MainWindow window, Snap snap) throws Exception {
        fx(() -> window.show(MainWindow.Page.MODEL));
        snap.take("11-demo-first-start");
        fx(vm::startDemo);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> vm.session().baseModel() != null);
        WaitForAsyncUtils.waitFor(
                60,
                TimeUnit.SECONDS,
                () -> vm.compress().estimateValueProperty().get() != null);
        fx(() -> {
            vm.compress().compress();
            window.show(MainWindow.Page.JOBS);
        });
        WaitForAsyncUtils.waitFor(
                600, TimeUnit.SECONDS, () -> vm.session().models().size() == 2);
        fx(() -> {
            vm.evaluate().run();
            window.show(MainWindow.Page.JOBS);
        });
        WaitForAsyncUtils.waitFor(
                600,
                TimeUnit.SECONDS,
                () -> vm.jobs().jobs().stream().allMatch(j -> j.state().finished())
                        && vm.results().runs().size() >= 2);
        fx(() -> window.show(MainWindow.Page.CHARTS));
        snap.take("12-demo-chart");
    }

    static void fx(Runnable r) throws Exception {
        WaitForAsyncUtils.asyncFx(r).get(60, TimeUnit.SECONDS);
    }
}
