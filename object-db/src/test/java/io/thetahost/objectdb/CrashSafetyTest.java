package io.thetahost.objectdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.store.Column;
import io.thetahost.protocol.tensor.TensorId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process, really killed (SIGKILL) at different moments of large uploads: after each kill the reopened
 * store is clean, every acknowledged upload is there, and the interrupted upload succeeds when sent again.
 */
class CrashSafetyTest {
    static final String REPOSITORY = "crash/test";
    private static final int KILLS = 5;
    /** Each tensor's size: large enough that a kill lands inside an upload (set smaller on slow machines). */
    private static final long MEGABYTES = Long.getLong("thetahost.crashtest.megabytes", 200);

    @TempDir
    Path dir;

    /** What the child said, line by line, with when each line came. */
    private record Child(Process process, BlockingQueue<Line> lines, List<String> all) {
        /** The next line that starts with {@code word}. */
        Line next(String word) throws InterruptedException {
            for (Line line; (line = lines.poll(120, TimeUnit.SECONDS)) != null; ) {
                if (line.text().startsWith(word + " ")) {
                    return line;
                }
            }
            throw new AssertionError("the child said no '" + word + "' line: " + all);
        }
    }

    private record Line(long nanos, String text) {
    }

    private Child start(long firstSeed) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashingUploader.class.getName(), dir.toString(), Long.toString(MEGABYTES), Long.toString(firstSeed))
                .redirectErrorStream(true)
                .start();
        BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
        List<String> all = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    all.add(line);
                    lines.add(new Line(System.nanoTime(), line));
                }
            } catch (IOException e) {
                // The process is gone.
            }
        });
        reader.setDaemon(true);
        reader.start();
        return new Child(p, lines, all);
    }

    @Test
    void aKilledUploadLeavesACleanStoreAndCanBeSentAgain() throws Exception {
        SplittableRandom random = new SplittableRandom(System.nanoTime());
        Map<Long, TensorId> acknowledged = new ConcurrentHashMap<>();
        int killedInsideAnUpload = 0;
        long seed = 1;
        long uploadNanos = -1;
        for (int kill = 0; kill < KILLS; kill++) {
            Child child = start(seed);
            Line started = child.next("start");
            if (uploadNanos < 0) {
                // Time one whole upload first, to spread the kills over an upload's length on this machine.
                uploadNanos = child.next("done").nanos() - started.nanos();
                started = child.next("start");
            }
            // The k-th kill lands in the k-th fifth of an upload (the last one possibly just after its commit).
            long delayNanos = (long) ((kill + random.nextDouble()) / KILLS * uploadNanos * 1.1);
            long delay = TimeUnit.NANOSECONDS.toMillis(delayNanos);
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(started.nanos() + delayNanos - System.nanoTime())));
            assertTrue(child.process().isAlive(), "the child died by itself: " + child.all());
            child.process().destroyForcibly();
            assertTrue(child.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(137, child.process().exitValue(), "killed by SIGKILL");
            Thread.sleep(200); // let the reader thread take the last lines

            long inFlight = -1;
            for (String line : child.all()) {
                String[] words = line.split(" ");
                if (words[0].equals("start")) {
                    inFlight = Long.parseLong(words[1]);
                } else if (words[0].equals("done")) {
                    acknowledged.put(Long.parseLong(words[1]), TensorId.parse(words[2]));
                    inFlight = -1;
                }
            }
            int pending;
            try (RawStore raw = RawStore.open(dir)) {
                pending = raw.keys(Column.PENDING).size();
            }
            if (pending > 0) {
                killedInsideAnUpload++;
            }
            System.out.println("kill " + kill + " after " + delay + " ms: " + acknowledged.size()
                    + " uploads acknowledged, " + (inFlight < 0 ? "none" : "seed " + inFlight) + " in flight, "
                    + pending + " left pending (an upload takes " + TimeUnit.NANOSECONDS.toMillis(uploadNanos)
                    + " ms)");
            try (TensorStore store = RocksTensorStore.open(dir, StoreOptions.defaults())) {
                FsckReport report = store.fsck();
                assertTrue(report.isClean(), "after a kill " + delay + " ms in: " + report);
                for (TensorId id : acknowledged.values()) {
                    assertTrue(store.meta(id).isPresent(), "acknowledged " + id + " was lost");
                }
                if (inFlight >= 0) {
                    GeneratedTensor interrupted = new GeneratedTensor(inFlight, MEGABYTES);
                    PutResult retry = store.put(interrupted.denseEncoding(), REPOSITORY);
                    assertEquals(interrupted.id(), retry.id());
                    assertTrue(interrupted.matches(store.open(interrupted.id()).orElseThrow()),
                            "the retried upload reads back exactly");
                    assertTrue(store.readable(REPOSITORY, interrupted.id()));
                    seed = inFlight + 1;
                } else {
                    seed = acknowledged.keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
                }
                // Keep the store small for the next round; gc of large blobs is part of the test too.
                assertTrue(store.gc(Set.of(), Instant.now()).tensorsKept() == 0);
                acknowledged.clear();
                assertTrue(store.fsck().isClean());
            }
        }
        assertTrue(killedInsideAnUpload > 0, "no kill landed inside an upload");
        assertFalse(killedInsideAnUpload > KILLS);
    }
}
