package dev.llmcw.cli;

import dev.llmcw.data.DatasetCatalog;
import dev.llmcw.data.DatasetDownloader;
import dev.llmcw.data.DatasetManifest;
import dev.llmcw.data.Downloader;
import dev.llmcw.data.HuggingFaceHub;
import dev.llmcw.data.ModelCatalog;
import dev.llmcw.data.RemoteFileNames;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.suite.TerminalProgress;
import dev.llmcw.util.CancellationToken;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "download",
        description = "Download models (Hugging Face Hub) and evaluation datasets; resumable, verified.",
        subcommands = {DownloadCommand.ModelCmd.class, DownloadCommand.DatasetCmd.class, DownloadCommand.ListCmd.class})
final class DownloadCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "model",
            description = {
                "Download a model: a catalogue id (see 'download list') or any Hugging Face repo.",
                "Fetches config.json, tokenizer files and safetensors weights (single or sharded), verified against the Hub's sha256.",
                "Gated repos (e.g. meta-llama) need HF_TOKEN; HF_ENDPOINT selects a mirror."
            })
    static final class ModelCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", description = "catalogue id or REPO (owner/name)")
        String repo;

        @Option(
                names = "--revision",
                defaultValue = "main",
                description = "branch, tag or commit (default: ${DEFAULT-VALUE})")
        String revision;

        @Option(names = "--out", description = "target folder (default: $WORKBENCH_HOME/models/<name>)")
        Path out;

        @Option(names = "--file", description = "download only these files of the repo (e.g. stories15M.bin)")
        List<String> files;

        @Option(names = "--endpoint", description = "Hub base URL (default: $HF_ENDPOINT or https://huggingface.co)")
        String endpoint;

        @Override
        public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            HuggingFaceHub hub = endpoint == null
                    ? HuggingFaceHub.standard()
                    : new HuggingFaceHub(endpoint, System.getenv("HF_TOKEN"), Downloader.standard());
            var entry = files == null ? ModelCatalog.find(repo) : Optional.<ModelCatalog.Entry>empty();
            String name = entry.map(ModelCatalog.Entry::id).orElse(repo.substring(repo.lastIndexOf('/') + 1));
            // the default folder is named after the repository: a name such as ".." must not leave the models folder
            Path dir = out != null
                    ? out
                    : RemoteFileNames.resolveUnder(WorkbenchHome.modelsDir(), name, "repository " + repo);
            entry.ifPresent(e -> o.printf(
                    Locale.ROOT,
                    "%s: %s (%s parameters, about %.0f MB%s)%n",
                    e.id(),
                    e.repo(),
                    e.parameters(),
                    e.approxBytes() / 1e6,
                    e.gated() ? ", GATED: needs HF_TOKEN" : ""));
            var progress = TerminalProgress.stdout();
            var d = entry.isPresent()
                    ? hub.download(entry.get(), dir, progress, CancellationToken.none())
                    : files != null
                            ? hub.downloadFiles(repo, revision, files, dir, progress, CancellationToken.none())
                            : hub.downloadModel(repo, revision, dir, progress, CancellationToken.none());
            for (Path f : d.files())
                o.printf(Locale.ROOT, "  %,15d  %s%n", f.toFile().length(), f);
            o.printf(
                    Locale.ROOT,
                    "downloaded %d file(s), %,d bytes, to %s%n",
                    d.files().size(),
                    d.bytes(),
                    d.dir());
            return 0;
        }
    }

    @Command(name = "dataset", description = "Download an evaluation dataset's upstream files (see 'download list').")
    static final class DatasetCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(
                index = "0",
                description = "dataset name, e.g. piqa, hellaswag, arc_easy, winogrande, boolq, wikitext2, tinystories")
        String name;

        @Option(
                names = "--out",
                description = "target folder (default: $WORKBENCH_HOME/datasets/<name>, where evaluation looks first)")
        Path out;

        @Override
        public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            DatasetManifest m = DatasetCatalog.standard().get(name);
            Path dir = out != null ? out : WorkbenchHome.datasetsDir().resolve(m.name());
            o.printf("%s (%s, %s split, licence %s) -> %s%n", m.name(), m.title(), m.split(), m.licence(), dir);
            var fetched = new DatasetDownloader(Downloader.standard())
                    .download(m, dir, TerminalProgress.stdout(), CancellationToken.none());
            for (var f : fetched)
                o.printf(
                        "  %s  sha256 %s%s%n",
                        f.file(), f.sha256(), f.verified() ? " (verified)" : " (no upstream checksum known)");
            o.printf("format: %s; recorded in %s%n", m.upstream().format(), dir.resolve("download.json"));
            return 0;
        }
    }

    @Command(name = "list", description = "List the model catalogue and the known datasets with their local copies.")
    static final class ListCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            o.println("models:");
            for (var e : ModelCatalog.entries())
                o.printf(
                        Locale.ROOT,
                        "  %-18s %-52s %6s %8.0f MB  %s%s%n",
                        e.id(),
                        e.repo() + (e.files() == null ? "" : " " + e.files()),
                        e.parameters(),
                        e.approxBytes() / 1e6,
                        e.licence(),
                        e.gated() ? "  GATED" : "");
            o.println("datasets:");
            var cat = DatasetCatalog.standard();
            for (var m : cat.all()) {
                var local = cat.locate(m.name());
                o.printf(
                        Locale.ROOT,
                        "  %-14s %6d items  %-22s %s%n",
                        m.name(),
                        m.items(),
                        m.licence(),
                        local.map(l -> l.source().name().toLowerCase(Locale.ROOT) + ": "
                                        + l.file().getParent())
                                .orElse("not available"));
            }
            return 0;
        }
    }
}
