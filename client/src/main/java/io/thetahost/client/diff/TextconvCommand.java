package io.thetahost.client.diff;

import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code theta diff-textconv FILE}: a checkpoint as text, one line per parameter group ({@code diff.theta.textconv}).
 * git runs an external diff command only for {@code git diff} (and {@code --ext-diff}); {@code git log -p} and
 * {@code git show} use this instead, so their line diff reads as parameters added, removed and changed.
 */
@Command(name = "diff-textconv", hidden = true, description = "git's textconv for checkpoints; not for people.")
public final class TextconvCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws IOException {
        Manifest m = DiffSide.open(file.toString()).manifest();
        PrintStream out = System.out;
        out.println("theta checkpoint: " + m.tensors().size() + " parameter groups, "
                + String.format("%,d", m.fileSize()) + " bytes");
        for (ManifestTensor t : m.tensors()) {
            out.println(t.name() + "  " + t.dtype() + " " + t.shape() + "  " + t.id());
        }
        m.merges().forEach(d -> out.println("merged " + d.name() + " by " + d.strategy()
                + (d.strategy().equals("weighted") ? " " + d.weight() : "")));
        return 0;
    }
}
