package io.thetahost.client.diff;

import io.thetahost.client.repository.ThetaRepository;
import io.thetahost.client.store.LocalStore;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code theta diff-driver PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE}: git's external diff for
 * checkpoints ({@code diff.theta.command}; {@code git diff}, {@code log -p}, {@code show}). Per parameter group: added,
 * removed or changed, with dtype, shape, how the new tensor is stored and the relative L2 norm of the change;
 * unchanged groups in one line.
 */
@Command(name = "diff-driver", hidden = true, description = "git's diff driver (theta install); not for people.")
public final class DiffDriverCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ARGS", arity = "1..7")
    List<String> args;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        String path = args.get(0);
        if (args.size() < 7) {
            out.println("* Unmerged path " + path);
            return 0;
        }
        DiffSide old = DiffSide.open(args.get(1));
        DiffSide now = DiffSide.open(args.get(4));
        out.println("diff --theta a/" + path + " b/" + path);
        Manifest a = old.manifest();
        Manifest b = now.manifest();
        if (a == null || b == null) {
            Manifest only = a == null ? b : a;
            out.println((a == null ? "new" : "deleted") + " checkpoint: " + only.tensors().size()
                    + " parameter groups, " + String.format("%,d", only.fileSize()) + " bytes");
        }
        Map<String, ManifestTensor> before = byName(a);
        Map<String, ManifestTensor> after = byName(b);
        LocalStore local = openStoreIfHere();
        try {
            int unchanged = 0;
            long unchangedElements = 0;
            for (ManifestTensor t : after.values()) {
                ManifestTensor was = before.get(t.name());
                if (was == null) {
                    out.println("  added    " + t.name() + "  " + t.dtype() + " " + t.shape() + stored(local, t));
                } else if (was.id().equals(t.id())) {
                    unchanged++;
                    unchangedElements += t.shape().elements();
                } else {
                    out.println("  changed  " + t.name() + "  " + describeChange(was, t) + stored(local, t)
                            + change(old, was, now, t, local));
                }
            }
            for (ManifestTensor t : before.values()) {
                if (!after.containsKey(t.name())) {
                    out.println("  removed  " + t.name() + "  " + t.dtype() + " " + t.shape());
                }
            }
            if (unchanged > 0) {
                out.println("  unchanged: " + unchanged + " parameter groups ("
                        + String.format("%,d", unchangedElements) + " parameters)");
            }
        } finally {
            if (local != null) {
                local.close();
            }
        }
        return 0;
    }

    private static String describeChange(ManifestTensor was, ManifestTensor t) {
        if (was.dtype() == t.dtype() && was.shape().equals(t.shape())) {
            return t.dtype() + " " + t.shape();
        }
        return was.dtype() + " " + was.shape() + " -> " + t.dtype() + " " + t.shape();
    }

    /** How the local store holds the tensor. */
    private static String stored(LocalStore local, ManifestTensor t) {
        Optional<TensorMeta> meta = local == null ? Optional.empty() : local.meta(t.id());
        return meta.map(m -> "  stored " + m.kind().displayName() + (m.base() == null ? "" : " patch")
                + String.format(" (%,d bytes)", m.encodedBytes())).orElse("");
    }

    private static String change(DiffSide old, ManifestTensor was, DiffSide now, ManifestTensor t, LocalStore local)
            throws IOException {
        if (was.dtype() != t.dtype() || !was.shape().equals(t.shape())) {
            return "";
        }
        Optional<TensorInput> x = old.values(was.name(), was.id(), local);
        Optional<TensorInput> y = now.values(t.name(), t.id(), local);
        if (x.isEmpty() || y.isEmpty()) {
            return "  relative L2 change: (values not here)";
        }
        return RelativeChange.of(x.get(), y.get()).map(r -> String.format("  relative L2 change %.3e", r))
                .orElse("");
    }

    private static Map<String, ManifestTensor> byName(Manifest m) {
        Map<String, ManifestTensor> out = new LinkedHashMap<>();
        if (m != null) {
            m.tensors().forEach(t -> out.put(t.name(), t));
        }
        return out;
    }

    /** The local store, when run in a repository that has one; a diff still works without values. */
    private static LocalStore openStoreIfHere() {
        try {
            ThetaRepository repo = ThetaRepository.here();
            if (java.nio.file.Files.isDirectory(repo.gitDir().resolve("theta"))) {
                return repo.openStore();
            }
        } catch (IOException e) {
            // not in a repository, or the store is busy: diff without values
        }
        return null;
    }
}
