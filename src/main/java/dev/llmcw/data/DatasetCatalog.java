package dev.llmcw.data;

import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.util.DataPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The known evaluation datasets (their manifests) and where their files are on this machine.
 * Manifests are read from {@code <dir>/<name>/manifest.json} in each manifest folder; the first
 * folder that defines a name wins. Files are looked up, in order, in the user's download folder
 * ({@code <userDir>/<name>/}, upstream layout, as {@code download dataset} leaves it), in the shared
 * data ({@code <shared>/<folder>/}, normalized layout), then as the repository's samples.
 */
public final class DatasetCatalog {
    /** Where a located dataset's files came from. */
    public enum Source {
        DOWNLOADED,
        SHARED,
        SAMPLE
    }

    /** The files of one dataset found on disk, all in {@code format}. */
    public record LocalDataset(DatasetManifest manifest, Source source, String format, List<Path> files) {
        public boolean isSample() {
            return source == Source.SAMPLE;
        }

        public Path file() {
            return files.getFirst();
        }
    }

    private final Map<String, DatasetManifest> manifests = new LinkedHashMap<>();
    private final Map<String, Path> manifestDirs = new LinkedHashMap<>();
    private final Path userDir;
    private final Path sharedRoot;

    public DatasetCatalog(List<Path> manifestRoots, Path userDir, Path sharedRoot) {
        this.userDir = userDir;
        this.sharedRoot = sharedRoot;
        for (Path root : manifestRoots) {
            if (root == null || !Files.isDirectory(root)) continue;
            try (Stream<Path> s = Files.list(root)) {
                for (Path d : s.sorted().toList()) {
                    Path mf = d.resolve("manifest.json");
                    if (!Files.isRegularFile(mf)) continue;
                    DatasetManifest m = DatasetManifest.read(mf);
                    if (manifests.putIfAbsent(m.name(), m) == null) manifestDirs.put(m.name(), d);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list dataset manifests in " + root + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The default catalogue: manifests from the user's datasets folder and the repository's
     * {@code datasets/} folder ({@link #repositoryDatasetsDir()}), files from the user's datasets
     * folder, the shared data and the repository samples.
     */
    public static DatasetCatalog standard() {
        List<Path> roots = new ArrayList<>();
        roots.add(WorkbenchHome.datasetsDir());
        repositoryDatasetsDir().ifPresent(roots::add);
        return new DatasetCatalog(roots, WorkbenchHome.datasetsDir(), DataPaths.sharedRoot());
    }

    /**
     * The repository's {@code datasets/} folder: system property {@code workbench.datasets}, else
     * {@code ./datasets}, else found next to the running code (target/classes or the jar in target/).
     */
    public static Optional<Path> repositoryDatasetsDir() {
        String prop = System.getProperty("workbench.datasets");
        if (prop != null && !prop.isBlank()) return Optional.of(Path.of(prop));
        Path cwd = Path.of("datasets");
        if (Files.isDirectory(cwd) && hasManifests(cwd)) return Optional.of(cwd.toAbsolutePath());
        try {
            var src = DatasetCatalog.class.getProtectionDomain().getCodeSource();
            if (src != null) {
                Path p = Path.of(src.getLocation().toURI()).toAbsolutePath();
                for (int up = 0; up < 4 && p != null; up++, p = p.getParent()) {
                    Path d = p.resolve("datasets");
                    if (Files.isDirectory(d) && hasManifests(d)) return Optional.of(d);
                }
            }
        } catch (URISyntaxException | SecurityException | FileSystemNotFoundException e) {
            // no repository next to the code: only the user's folder is used
        }
        return Optional.empty();
    }

    private static boolean hasManifests(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(d -> Files.isRegularFile(d.resolve("manifest.json")));
        } catch (IOException e) {
            return false;
        }
    }

    public Collection<DatasetManifest> all() {
        return manifests.values();
    }

    public Optional<DatasetManifest> find(String name) {
        return Optional.ofNullable(manifests.get(name));
    }

    public DatasetManifest get(String name) {
        return find(name)
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown dataset \"" + name + "\"; known: " + String.join(", ", manifests.keySet())));
    }

    /** The best local copy of a dataset: downloaded, else shared, else sample. */
    public Optional<LocalDataset> locate(String name) {
        return candidates(name).stream().findFirst();
    }

    /** The repository's sample of a dataset (tests and the demo use it even when full data exists). */
    public Optional<LocalDataset> sample(String name) {
        return candidates(name).stream().filter(LocalDataset::isSample).findFirst();
    }

    /** Every local copy of a dataset, best first. */
    public List<LocalDataset> candidates(String name) {
        DatasetManifest m = get(name);
        List<LocalDataset> out = new ArrayList<>();
        if (userDir != null)
            all(
                            m,
                            Source.DOWNLOADED,
                            m.upstream().format(),
                            userDir.resolve(name),
                            m.upstream().files())
                    .ifPresent(out::add);
        if (sharedRoot != null && m.shared() != null)
            all(
                            m,
                            Source.SHARED,
                            m.shared().format(),
                            sharedRoot.resolve(m.shared().folder()),
                            m.shared().files())
                    .ifPresent(out::add);
        if (m.sample() != null)
            all(
                            m,
                            Source.SAMPLE,
                            m.sample().format(),
                            manifestDirs.get(name),
                            m.sample().files())
                    .ifPresent(out::add);
        return out;
    }

    private Optional<LocalDataset> all(
            DatasetManifest m, Source source, String format, Path dir, List<DatasetManifest.FileRef> refs) {
        if (dir == null || refs == null || refs.isEmpty()) return Optional.empty();
        List<Path> files = new ArrayList<>();
        for (var r : refs) {
            Path p = dir.resolve(r.name());
            if (!Files.isRegularFile(p)) return Optional.empty();
            files.add(p);
        }
        if (source != Source.SAMPLE)
            checkFullCopy(m, source, format, dir, files); // samples: checked when the manifest is read
        return Optional.of(new LocalDataset(m, source, format, List.copyOf(files)));
    }

    /**
     * A downloaded or shared copy holds the whole split, so its item count must be the manifest's: a truncated
     * download (or a different split) would otherwise be evaluated and reported as the full set. Refused, not
     * skipped: falling back to the next copy would hide that the one the user put there is broken.
     */
    private void checkFullCopy(DatasetManifest m, Source source, String format, Path dir, List<Path> files) {
        if (m.items() == null) return;
        Path manifest = manifestDirs.get(m.name()).resolve("manifest.json");
        try {
            DatasetManifest.checkItems(manifest, format, files, m.items());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    dir + ": the " + source.name().toLowerCase(Locale.ROOT) + " copy of dataset \"" + m.name()
                            + "\" does not match its manifest: " + e.getMessage(),
                    e);
        }
    }
}
